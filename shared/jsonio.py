"""Every JSON answer of the platform, written by orjson.

Flask's own provider runs the standard library's encoder, whose pure-Python layers cost
about as much as a whole small request (a 50-row employee page: ~150 µs of a listing's
CPU under gunicorn). orjson writes the same bytes for what the services answer — compact,
UTF-8 kept as is (`ensure_ascii=False`), keys in insertion order (`sort_keys=False`) — and
everything it would write differently goes through Flask's own `default` or falls back to
Flask's provider: datetimes and dataclasses (orjson has its own formats for those), `str`
subclasses such as Markup, integers beyond 64 bits. `tests/shared/test_jsonio.py` holds
the two to the same output.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS)


class FastJSONProvider(DefaultJSONProvider):
    """`app.json = FastJSONProvider(app)`; `sort_keys` and `ensure_ascii` must be False."""

    sort_keys = False
    ensure_ascii = False

    def _orjson(self, obj: Any, extra: int = 0) -> bytes | None:
        if self.sort_keys or self.ensure_ascii:
            return None
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS | extra)
        except TypeError:  # orjson.JSONEncodeError: let the standard path decide
            return None

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not kwargs or kwargs == {"separators": (",", ":")}:
            fast = self._orjson(obj)
            if fast is not None:
                return fast.decode()
        return super().dumps(obj, **kwargs)

    def answer_body(self, obj: Any) -> bytes | None:
        """The bytes `response(obj)` sends in production (compact), or None when orjson
        cannot write them (`shared.direct`'s lanes then leave the request to Flask)."""
        return self._orjson(obj, orjson.OPT_APPEND_NEWLINE)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented: the standard path
        body = self._orjson(self._prepare_response_obj(args, kwargs), orjson.OPT_APPEND_NEWLINE)
        if body is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)
