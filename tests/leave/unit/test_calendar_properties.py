"""Properties of day counting and of joining requests, for any dates (official years,
unpublished years, years before the library's data) and any HR overrides."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.leave.domain.calendar import WorkingCalendar
from services.leave.domain.spans import Span, joined, related_requests

CAL = WorkingCalendar()
ANY_YEAR = st.dates(min_value=date(1995, 1, 1), max_value=date(2099, 12, 31))
NEAR_YEARS = st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31))
LENGTH = st.integers(min_value=0, max_value=120)
UNIT = st.sampled_from(["working_days", "calendar_days"])
OVERRIDES = st.dictionaries(NEAR_YEARS, st.booleans(), max_size=30)
#: Pure and fast, but a first call may be slowed by imports or a busy machine: no deadline.
PROPERTY = settings(deadline=None)


@PROPERTY
@given(start=NEAR_YEARS, first=LENGTH, second=st.integers(min_value=1, max_value=120),
       unit=UNIT, overrides=OVERRIDES)
def test_counting_is_additive_over_adjacent_spans(start, first, second, unit, overrides):
    calendar = WorkingCalendar(overrides)
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second)
    whole = calendar.count_days(start, end, unit=unit)
    parts = (calendar.count_days(start, middle, unit=unit)
             + calendar.count_days(middle + timedelta(days=1), end, unit=unit))
    assert whole == parts


@PROPERTY
@given(start=NEAR_YEARS, before=LENGTH, after=LENGTH, unit=UNIT)
def test_splitting_a_day_at_noon_loses_and_adds_nothing(start, before, after, unit):
    middle = start + timedelta(days=before)
    end = middle + timedelta(days=after)
    whole = CAL.count_days(start, end, unit=unit)
    parts = (CAL.count_days(start, middle, end_half="am", unit=unit)
             + CAL.count_days(middle, end, start_half="pm", unit=unit))
    assert whole == parts


@PROPERTY
@given(start=ANY_YEAR, length=LENGTH, overrides=OVERRIDES)
def test_working_days_never_exceed_calendar_days(start, length, overrides):
    calendar = WorkingCalendar(overrides)
    end = start + timedelta(days=length)
    working = calendar.count_days(start, end)
    assert 0 <= working <= calendar.count_days(start, end, unit="calendar_days") == length + 1


@settings(PROPERTY, max_examples=200)
@given(start=ANY_YEAR, length=st.integers(min_value=0, max_value=800), overrides=OVERRIDES,
       start_half=st.sampled_from([None, "am", "pm"]), end_half=st.sampled_from([None, "am", "pm"]))
def test_any_span_in_any_year_is_counted_without_error(start, length, overrides, start_half,
                                                       end_half):
    if length == 0 and (start_half, end_half) == ("pm", "am"):
        end_half = None
    calendar = WorkingCalendar(overrides)
    end = start + timedelta(days=length)
    counted = calendar.count_days(start, end, start_half=start_half, end_half=end_half)
    assert counted >= 0
    assert calendar.calendar_kind(start, end) in {"official", "provisional"}


@PROPERTY
@given(day=ANY_YEAR, working=st.booleans())
def test_an_override_always_decides_its_day(day, working):
    assert WorkingCalendar({day: working}).is_working_day(day) is working


# --- joining requests: the sweep agrees with a naive fixpoint ---------------------------

@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(st.dates(min_value=date(2025, 9, 1), max_value=date(2025, 11, 15)))
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=6)))
    start_half = draw(st.sampled_from([None, "pm"]))
    end_half = draw(st.sampled_from([None, "am"]))
    if start == end and start_half == "pm":
        end_half = None
    return Span(start, end, start_half, end_half)


def naive_related(new: Span, existing: list[Span]) -> set[int]:
    def touch(a: Span, b: Span) -> bool:
        first, second = sorted((a, b), key=lambda s: s.first_slot)
        return joined(first.last_slot, second.first_slot, CAL)

    group: set[int] = set()
    members = [new]
    changed = True
    while changed:
        changed = False
        for i, span in enumerate(existing):
            if i not in group and any(touch(span, m) for m in members):
                group.add(i)
                members.append(span)
                changed = True
    return group


@PROPERTY
@given(new=spans(), existing=st.lists(spans(), max_size=8))
def test_related_requests_are_the_transitive_closure_of_joining(new, existing):
    found = related_requests(new, existing, CAL)
    expected = naive_related(new, existing)
    assert sorted(map(id, found)) == sorted(id(existing[i]) for i in expected)
