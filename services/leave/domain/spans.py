"""Leave spans and the anti-splitting rule: which requests count together for routing.

docs/domain.md §3: "A long absence must not be split into several ≤ 5-day requests to dodge the
threshold: requests that touch or are separated only by non-working days count together
for routing." So a new request is routed on its own days *plus* the days of the requester's
pending and approved requests that join it, directly or through a chain of such requests
(Wed–Fri, then Mon–Wed across the weekend, then Thu–Fri: all one absence).

Time is measured in half-day slots (上午/下午): a span occupies the slots from its first to
its last, both included. Two spans join when no *working* slot lies between them: a span
ending Friday at noon and one starting Monday are apart (Friday afternoon is worked); a span
ending on the morning of a day and one starting that afternoon touch.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.leave.domain.calendar import (
    WORKING_DAYS,
    Half,
    WorkingCalendar,
    check_span,
)


@dataclass(frozen=True)
class Span:
    """A stretch of leave, as filed: dates (both included) and optional half-day markers.

    `days` is the length the service already counted and stored for an existing request
    (what routing adds up; it may be calendar days for a calendar-day type); `ref` lets the
    caller map a span back to its request (e.g. the request id). Neither takes part in
    deciding adjacency.
    """

    start: date
    end: date
    start_half: Half | None = None
    end_half: Half | None = None
    days: Decimal | None = None
    ref: Hashable | None = None

    def __post_init__(self) -> None:
        check_span(self.start, self.end, self.start_half, self.end_half)

    @property
    def first_slot(self) -> int:
        """The span's first half-day slot: 2·ordinal (morning) or 2·ordinal + 1 (afternoon)."""
        return 2 * self.start.toordinal() + (1 if self.start_half == "pm" else 0)

    @property
    def last_slot(self) -> int:
        """The span's last half-day slot (the morning when it ends at noon)."""
        return 2 * self.end.toordinal() + (0 if self.end_half == "am" else 1)


def _slot_is_working(slot: int, calendar: WorkingCalendar) -> bool:
    return calendar.is_working_day(date.fromordinal(slot // 2))


def joined(earlier_last_slot: int, later_first_slot: int, calendar: WorkingCalendar) -> bool:
    """Do two stretches join: overlap, touch, or only non-working time between them?"""
    if later_first_slot <= earlier_last_slot + 1:
        return True
    gap_first, gap_last = earlier_last_slot + 1, later_first_slot - 1
    # A half-day slot at either end of the gap: look at its day alone.
    if gap_first % 2 == 1:
        if _slot_is_working(gap_first, calendar):
            return False
        gap_first += 1
    if gap_last % 2 == 0 and gap_last >= gap_first:
        if _slot_is_working(gap_last, calendar):
            return False
        gap_last -= 1
    if gap_last < gap_first:
        return True
    first_day = date.fromordinal(gap_first // 2)
    last_day = date.fromordinal(gap_last // 2)
    return calendar.only_non_working_between(first_day, last_day)


def related_requests(new_span: Span, existing_spans: Iterable[Span],
                     calendar: WorkingCalendar) -> list[Span]:
    """The existing spans that form one absence with `new_span`, earliest first.

    Transitive: a span joins if it joins the new one or any span already joined. Works as a
    sweep over all spans sorted by start, growing one group while each next span joins the
    group's furthest end; because the group's own time is all leave or non-working, a span
    that does not join the group cannot be bridged by a later-starting one.
    The caller passes only the requester's pending and approved requests (not `new_span`).
    """
    others = list(existing_spans)
    ordered = sorted([(s.first_slot, 1, i, s) for i, s in enumerate(others)]
                     + [(new_span.first_slot, 0, -1, new_span)], key=lambda t: t[:3])
    group: list[tuple[int, Span]] = []
    group_end = None
    found_new = False
    for _, is_existing, index, span in ordered:
        if group_end is not None and not joined(group_end, span.first_slot, calendar):
            if found_new:
                break
            group, group_end = [], None
        group.append((index, span))
        group_end = span.last_slot if group_end is None else max(group_end, span.last_slot)
        found_new = found_new or not is_existing
    return [span for index, span in group if index >= 0]


def related_days(new_span: Span, existing_spans: Iterable[Span], calendar: WorkingCalendar
                 ) -> Decimal:
    """The days of the related spans, for `routing.route(related_days=...)`.

    Uses each span's stored `days` when it has one (what the request was filed with), and
    otherwise counts its working days on `calendar`.
    """
    total = Decimal(0)
    for span in related_requests(new_span, existing_spans, calendar):
        if span.days is not None:
            total += span.days
        else:
            total += calendar.count_days(span.start, span.end, start_half=span.start_half,
                                         end_half=span.end_half, unit=WORKING_DAYS)
    return total

