"""Errors the pure leave rules raise.

They subclass `ValueError` (they are all "this input breaks a rule") and not the shared
HTTP-aware errors, so that the domain stays free of Flask; the service layer maps
`LeaveRuleError` to a 422 problem document with the message as the detail.
"""

from __future__ import annotations


class LeaveRuleError(ValueError):
    """Base of every leave-domain rule violation."""


class InvalidSpan(LeaveRuleError):
    """A leave span that cannot exist: end before start, an unknown half-day marker."""


class HalfDayConflict(InvalidSpan):
    """A one-day request marked both `start_half: "pm"` and `end_half: "am"` (zero time)."""


class PolicyError(LeaveRuleError):
    """Leave-policy data that cannot be used (wrong version, missing or malformed field)."""


class RoutingError(LeaveRuleError):
    """Routing input that cannot be routed (no units in the chain, negative days)."""


class EntitlementError(LeaveRuleError):
    """Entitlement input that cannot be right (work started after the hire date)."""
