"""Field types every service's schemas share.

- `UTCDateTime`: timestamps written in UTC with their offset.
- Booleans: in a JSON body only JSON `true` and `false` (never "yes", "true", 1 or 0, which
  marshmallow's `Boolean` would coerce: `JSONBoolean`); in a query string only `true`,
  `false`, `1` and `0` (`QueryBoolean`: a query string has no types, so the two spellings of
  each are accepted, nothing else). Anything else is a 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma


class UTCDateTime(ma.fields.DateTime):
    """A timestamp always written in UTC with its offset (`+00:00`): SQLite hands back naive
    datetimes (they were stored in UTC), PostgreSQL aware ones in the session's time zone,
    and a date-time without an offset is not RFC 3339."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None \
                else value.astimezone(dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class JSONBoolean(ma.fields.Boolean):
    """A JSON boolean and nothing else (`1 in {True}` holds in Python, so the type is
    checked, not membership)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class QueryBoolean(ma.fields.Boolean):
    """A query-string boolean: `true` or `1`, `false` or `0` (lower case), nothing else."""

    truthy = {"true", "1"}  # noqa: RUF012 - marshmallow's own class attributes
    falsy = {"false", "0"}  # noqa: RUF012

    def __init__(self, **kwargs: Any) -> None:
        metadata = dict(kwargs.pop("metadata", None) or {})
        note = "Only `true`, `false`, `1` or `0`."
        metadata["description"] = f"{metadata['description']} {note}" \
            if metadata.get("description") else note
        super().__init__(metadata=metadata, **kwargs)
