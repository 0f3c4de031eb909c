"""Field types of the staff schemas: the platform's own (`shared.fields`)."""

from shared.fields import JSONBoolean, QueryBoolean, UTCDateTime

__all__ = ["JSONBoolean", "QueryBoolean", "UTCDateTime"]
