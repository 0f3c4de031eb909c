"""Structured JSON logs with a request id that follows a request across services.

The request id comes from the caller's `X-Request-ID` (if it is sane) or is minted here; it is
echoed in the answer, stamped on every log line and audit record, and forwarded by
`shared.http`. Authorization headers, bodies and query strings are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from shared.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
access_log = logging.getLogger("hr.access")


def current_request_id() -> str | None:
    if has_request_context():
        return getattr(g, "request_id", None)
    return None


#: `json.dumps(entry, ensure_ascii=False)` without building an encoder per line.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self._second: tuple[int, str] = (-1, "")  # the last whole second, formatted

    def _timestamp(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        cached = self._second
        if cached[0] != second:
            cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
            self._second = cached
        return f"{cached[1]}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self._timestamp(record),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or current_request_id()
        if rid:
            entry["request_id"] = rid
        for key in ("method", "path", "status", "duration_ms", "sub", "remote"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _ENCODE(entry)


def configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if getattr(root, "_hr_configured", None) == settings.service:
        return
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_json:
        handler.setFormatter(JsonFormatter(settings.service))
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    root._hr_configured = settings.service  # type: ignore[attr-defined]


def install_request_logging(app: Flask, settings: Settings) -> None:
    configure_logging(settings)

    @app.before_request
    def _start() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = getattr(g, "request_id", None)
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        started = getattr(g, "started", None)
        principal = getattr(g, "principal", None)
        log_access(method=request.method, path=request.path, status=response.status_code,
                   started=started, sub=getattr(principal, "sub", None),
                   remote=request.remote_addr, request_id=rid)
        return response


def request_id_from(incoming: str | None) -> str:
    """The caller's `X-Request-ID` if it is sane, else a new one."""
    return incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex


def log_access(*, method: str, path: str, status: int, started: float | None,
               sub: str | None, remote: str | None, request_id: str | None) -> None:
    """One access-log line (`started`: the request's `time.perf_counter()` at arrival).

    Built with `makeRecord` + `handle` rather than `info()`: an access line has no caller
    worth finding, and `findCaller`'s stack walk is a measurable share of a fast request."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    elapsed = round((time.perf_counter() - started) * 1000, 2) if started else None
    access_log.handle(access_log.makeRecord(
        access_log.name, logging.INFO, __file__, 0, "request", None, None,
        extra={"method": method, "path": path, "status": status, "duration_ms": elapsed,
               "sub": sub, "remote": remote, "request_id": request_id}))
