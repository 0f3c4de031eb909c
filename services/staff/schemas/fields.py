"""Field types shared by the staff schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma


class UTCDateTime(ma.fields.DateTime):
    """A timestamp always written with its offset: SQLite hands back naive datetimes (they
    were stored in UTC), and a date-time without an offset is not RFC 3339."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)
