"""Structured JSON logs with a request id that follows a request across services.

The request id comes from the caller's `X-Request-ID` (if it is sane) or is minted here; it is
echoed in the answer, stamped on every log line and audit record, and forwarded by
`shared.http`. Authorization headers, bodies and query strings are never logged.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from typing import Any

import orjson
from flask import Flask, Response, g, has_request_context, request

from shared.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
access_log = logging.getLogger("hr.access")


def current_request_id() -> str | None:
    if has_request_context():
        return getattr(g, "request_id", None)
    return None


_STDLIB_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _encode(entry: dict[str, Any]) -> str:
    """One log line: orjson (UTF-8 kept as is, compact) — the standard library's encoder was
    a tenth of a small request's CPU; whatever orjson refuses (an integer beyond 64 bits, a
    value some caller put in `extra`) goes through the standard library as before."""
    try:
        return orjson.dumps(entry, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return _STDLIB_ENCODE(entry)


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
        return _encode(entry)


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


def install_request_logging(app: Flask, settings: Settings, *, hooks: bool = True) -> None:
    """JSON logs for the process and, with `hooks`, a request id and an access-log line for
    every request of `app`. `hooks=False`: the caller calls `start_request` and
    `finish_request` from its own hooks (`shared.web` does, one hook each way for the whole
    platform: every registered hook is a dispatch Flask pays on every request)."""
    configure_logging(settings)
    if not hooks:
        return

    @app.before_request
    def _start() -> None:
        start_request(request._get_current_object(), g._get_current_object())  # type: ignore[attr-defined]

    @app.after_request
    def _finish(response: Response) -> Response:
        finish_request(request._get_current_object(), g._get_current_object(), response)  # type: ignore[attr-defined]
        return response


def start_request(req: Any, ctx_g: Any) -> None:
    """At arrival: the request's id (`g.request_id`) and its start (`g.started`)."""
    ctx_g.request_id = request_id_from(req.headers.get(REQUEST_ID_HEADER))
    ctx_g.started = time.perf_counter()


def finish_request(req: Any, ctx_g: Any, response: Response) -> None:
    """Before the answer leaves: its request id header and the access-log line."""
    rid = getattr(ctx_g, "request_id", None)
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    principal = getattr(ctx_g, "principal", None)
    log_access(method=req.method, path=req.path, status=response.status_code,
               started=getattr(ctx_g, "started", None), sub=getattr(principal, "sub", None),
               remote=req.remote_addr, request_id=rid)


def request_id_from(incoming: str | None) -> str:
    """The caller's `X-Request-ID` if it is sane, else a new one."""
    return incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex


#: The fields every access record shares within one process (its pid, the logger, the
#: source), copied into each record instead of recomputed (`_access_record`).
_access_template: dict[str, Any] = {}


def _access_record(extra: dict[str, Any]) -> logging.LogRecord:
    """`access_log.makeRecord(...)` for an access line, for a fraction of its cost: a
    LogRecord's constructor recomputes the source file's name and module, the process and
    its name for every line; here they are computed once per process (after a fork, again)
    and only what differs per line is set — the time, the thread, the fields."""
    template = _access_template
    if template.get("process") != os.getpid():
        template.clear()
        template.update(vars(access_log.makeRecord(
            access_log.name, logging.INFO, __file__, 0, "request", None, None)))
    record = logging.LogRecord.__new__(logging.LogRecord)
    fields = record.__dict__
    fields.update(template)
    created = time.time()
    fields["created"] = created
    fields["msecs"] = int((created - int(created)) * 1000) + 0.0
    fields["relativeCreated"] = (created - logging._startTime) * 1000  # type: ignore[attr-defined]
    fields["thread"] = threading.get_ident()
    fields["threadName"] = threading.current_thread().name
    fields.update(extra)
    return record


def log_access(*, method: str, path: str, status: int, started: float | None,
               sub: str | None, remote: str | None, request_id: str | None) -> None:
    """One access-log line (`started`: the request's `time.perf_counter()` at arrival).

    A record built from a per-process template and given to `handle` rather than `info()`:
    an access line has no caller worth finding, and `findCaller`'s stack walk and a
    LogRecord's constructor were a measurable share of a fast request."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    elapsed = round((time.perf_counter() - started) * 1000, 2) if started else None
    access_log.handle(_access_record(
        {"method": method, "path": path, "status": status, "duration_ms": elapsed,
         "sub": sub, "remote": remote, "request_id": request_id}))
