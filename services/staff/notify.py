"""Sends outbox events to the other services with staff's own client-credentials token."""

from __future__ import annotations

from typing import Any

from shared.http import ClientCredentialsToken, ServiceClient
from shared.settings import Settings


class EventSender:
    """`sender(destination, path, payload)` → HTTP status (raises `ServiceUnavailable`)."""

    def __init__(self, settings: Settings) -> None:
        self.token = ClientCredentialsToken(settings.token_url, settings.client_id,
                                            settings.client_secret,
                                            timeout=settings.http_timeout)
        self.clients = {
            name: ServiceClient(url, name=name, token=self.token,
                                timeout=settings.http_timeout, retries=0)
            for name, url in settings.urls.items()
        }

    def __call__(self, destination: str, path: str, payload: dict[str, Any]) -> int:
        return self.clients[destination].post(path, json=payload).status_code
