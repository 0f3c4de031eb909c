"""The server's own answers as problem+json: what gunicorn writes before the app sees anything.

gunicorn refuses some requests itself — a request line over `limit_request_line` (414), too
many or too long header fields (431), an unparsable request line, method, version or header
(400), a transfer coding it does not support (501) — and writes them as `text/html` through
one function, `gunicorn.util.write_error`. Every other answer of the platform is RFC 9457
problem details; so `install()` (run by `shared.gunicorn_conf` in the master, inherited by
every worker) puts `write_problem` in its place: the same status and reason, a JSON body,
`Connection: close` as before. The detail is fixed per status and never echoes the request
(gunicorn's own message can quote a header's bytes).

The limits themselves are the ones below, set in `shared.gunicorn_conf`, held equal at the
nginx gateway (`deploy/nginx.conf.template`, whose error pages are problem+json too), and
documented on every operation of the OpenAPI documents (`shared.web.ProblemResponses`).
The body limit (413) is Flask's `MAX_CONTENT_LENGTH`, answered by `shared.errors`.
"""

from __future__ import annotations

import json
from typing import Any

#: The longest request line (method, URL with query, version) in bytes: gunicorn's maximum.
LIMIT_REQUEST_LINE = 8190
#: At most this many header fields, each at most this many bytes.
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190
#: The largest request body (Flask's MAX_CONTENT_LENGTH, nginx's client_max_body_size).
MAX_BODY_BYTES = 2 * 1024 * 1024

DETAILS = {
    400: "The request could not be read as HTTP.",
    403: "The request is forbidden.",
    413: f"The request body is larger than {MAX_BODY_BYTES} bytes.",
    414: f"The request line (method, path and query) is longer than {LIMIT_REQUEST_LINE} "
         "bytes.",
    417: "The expectation in the Expect header cannot be met.",
    431: f"The request has more than {LIMIT_REQUEST_FIELDS} header fields, or one longer "
         f"than {LIMIT_REQUEST_FIELD_SIZE} bytes.",
    500: "The server failed to handle the request.",
    501: "The request uses a transfer coding the server does not support.",
}


def problem_document(status: int, title: str) -> bytes:
    """The problem+json body the services answer for `status` (as `shared.errors.problem`)."""
    return json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": DETAILS.get(status, title)}).encode()


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """`gunicorn.util.write_error`'s replacement: the same answer as problem+json."""
    from gunicorn import util

    del mesg  # may quote the request's bytes: never echoed
    body = problem_document(int(status_int), reason)
    head = (f"HTTP/1.1 {int(status_int)} {reason}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/problem+json\r\n"
            "Cache-Control: no-store\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


def install() -> None:
    """Make every answer gunicorn writes itself problem+json (idempotent)."""
    from gunicorn import util

    util.write_error = write_problem
