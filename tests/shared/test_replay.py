"""`shared.replay.ReplayLane` keeps at most `size` answers and `max_bytes` of them, dropping
the oldest first; an answer too large for it is never kept."""

from __future__ import annotations

from shared.replay import NEVER, Replayable, ReplayLane, _Entry


def _lane(**bounds) -> ReplayLane:
    return ReplayLane(lambda *_a: [b""], engine=lambda: None, clock=lambda: 0.0,
                      key=lambda _environ: None, generation_sql="SELECT 1", statement=b"s",
                      environ_key="k", **bounds)


def _entry(size: int) -> _Entry:
    return _Entry(Replayable(1, NEVER, NEVER, None), "200 OK", (), b"x" * size)


def test_the_oldest_answers_go_first_when_the_bytes_are_full():
    lane = _lane(max_bytes=1600)
    for n in range(10):
        lane._keep((n,), _entry(100))
    assert lane._bytes == 1000
    for n in range(10, 20):
        lane._keep((n,), _entry(100))
    assert lane._bytes <= 1600 and (19,) in lane._entries and (0,) not in lane._entries
    assert lane._bytes == sum(len(e.body) for e in lane._entries.values())


def test_the_oldest_answers_go_first_when_the_count_is_full():
    lane = _lane(size=8)
    for n in range(20):
        lane._keep((n,), _entry(1))
    assert len(lane._entries) <= 8 and (19,) in lane._entries and (0,) not in lane._entries


def test_an_answer_kept_again_replaces_the_old_one_and_its_bytes():
    lane = _lane(max_bytes=1600)
    lane._keep(("a",), _entry(90))
    lane._keep(("a",), _entry(40))
    assert lane._bytes == 40 and len(lane._entries) == 1


def test_an_answer_larger_than_a_sixteenth_is_not_kept():
    lane = _lane(max_bytes=1600)
    lane._keep(("big",), _entry(101))
    lane._keep(("fits",), _entry(100))
    assert list(lane._entries) == [("fits",)]
