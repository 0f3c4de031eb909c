"""Tokens a running service has already seen, before a many-users row is measured.

A user's token lives for minutes and is sent with every request its holder makes: a
service verifies its RS256 signature once per worker (`shared.tokens.TokenVerifier`
remembers it until `exp`) and then reuses the result. A 5-second row over 1,000+ users sends
each token about once, so unprimed it would measure first sightings almost only — a
signature verification per request, which the "offline token verification" row measures on
its own. So before such a row every token asks a question the row never asks,
`PRIME_TIMES` times on new connections (gunicorn hands a connection to one worker; four
reach both of two workers seven times in eight). Nothing is measured meanwhile, and the
primer's answers are not among the row's, so no replay cache gains from it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

PRIME_TIMES = 4


def prime(asks: Iterable[tuple[str, str]], *, body: bytes | None = None,
          content_type: str | None = None, expect: int = 200, times: int = PRIME_TIMES) -> int:
    """Send each (url, `Authorization` value) — GET, or POST of `body` — `times` times, each
    on a new connection; every answer must have status `expect` (a 404 for an id that does
    not exist is the cheapest question a token can ask: the service verifies it before it
    looks). Returns the requests sent."""
    pairs = sorted(set(asks))

    def ask(pair: tuple[str, str]) -> None:
        url, authorization = pair
        headers = {"Authorization": authorization}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, headers=headers,
                                         method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text = answer.status, answer.read()[:200]
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()[:200]
        if status != expect:
            raise RuntimeError(f"priming {url} answered {status}, not {expect}: {text!r}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(ask, pairs * times))
    return len(pairs) * times
