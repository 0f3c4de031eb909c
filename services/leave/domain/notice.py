"""When a request may start, relative to the day it is filed (a leave type's policy data).

Two fields of a leave type say it, in calendar days:

- `min_notice_days`: how many days before its first day a request must be filed (annual
  leave 3, marriage 7); 0: it may start today.
- `max_days_back`: how many days before today its first day may lie — leave filed after the
  fact, as sick and bereavement leave are (one is ill or bereaved before one can file); 0:
  it cannot start before today.

A type that needs notice cannot also be filed after the fact: both at once would let a
request start in the past or from `min_notice_days` on, but not in between, which no rule
of the bank describes. `check_window` is the type's own check; `check_start` the request's.
"""

from __future__ import annotations

from datetime import date, timedelta

from services.leave.domain.errors import LeaveRuleError


class StartOutOfWindow(LeaveRuleError):
    """A request's first day too soon (less notice than its type needs) or too far back."""


class InconsistentWindow(LeaveRuleError):
    """A leave type that both needs notice and may be filed after the fact."""


def check_window(min_notice_days: int, max_days_back: int) -> None:
    if min_notice_days > 0 and max_days_back > 0:
        raise InconsistentWindow(
            f"A type needing notice ({min_notice_days} days) cannot be filed after the fact "
            f"({max_days_back} days back): set one of them to 0.")


def check_start(*, type_code: str, start: date, today: date, min_notice_days: int,
                max_days_back: int) -> None:
    """Raise `StartOutOfWindow` when `start` lies outside what the type allows from `today`."""
    lead = (start - today).days
    if lead < -max_days_back:
        if max_days_back == 0:
            raise StartOutOfWindow(f"{type_code} leave cannot start before today ({today}): "
                                   "it is not filed after the fact.")
        earliest = today - timedelta(days=max_days_back)
        raise StartOutOfWindow(
            f"{type_code} leave may start at most {max_days_back} days before today "
            f"({earliest} at the earliest); {start} is {-lead} days back.")
    if 0 <= lead < min_notice_days:
        raise StartOutOfWindow(f"{type_code} leave needs {min_notice_days} days' notice.")
