"""Two deliverers at once — two gunicorn workers, or a worker and `deliver-events` — still send
staff's events one at a time and in the order they were written: auth re-paths units from
org-move events, and a later move applied before an earlier one would leave role scopes on
the wrong path."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from services.staff.models import OutboxEvent
from services.staff.service import outbox
from shared.db import engine_options, normalise_url


def _enqueue(engine, n: int) -> None:
    with Session(engine) as session:
        outbox.enqueue(session, destination="auth", path="/auth/org-events",
                       payload={"event": "moved", "n": n})
        session.commit()


def test_a_second_deliverer_waits_and_sends_a_later_event_after_the_earlier_one(app, settings):
    url = normalise_url(settings.database_url)
    engine = create_engine(url, **engine_options(url))
    sent: list[tuple[str, int]] = []
    first_on_the_wire = threading.Event()
    let_it_land = threading.Event()

    def slow(_destination, _path, payload):  # worker A: event 1 takes its time
        if payload["n"] == 1:
            first_on_the_wire.set()
            let_it_land.wait(10)
        sent.append(("A", payload["n"]))
        return 200

    def fast(_destination, _path, payload):  # worker B
        sent.append(("B", payload["n"]))
        return 200

    def deliver(send) -> None:
        with Session(engine) as session:
            outbox.deliver(session, send)

    _enqueue(engine, 1)
    worker_a = threading.Thread(target=deliver, args=(slow,))
    worker_a.start()
    assert first_on_the_wire.wait(10)
    _enqueue(engine, 2)  # a later move, committed while the earlier one is in flight
    worker_b = threading.Thread(target=deliver, args=(fast,))
    worker_b.start()
    worker_b.join(0.5)  # time enough for B to overtake A if nothing stops it
    let_it_land.set()
    worker_a.join(10)
    worker_b.join(10)

    assert [n for _who, n in sent] == [1, 2]  # in order, each once
    assert sent[0] == ("A", 1) and sent[1] == ("B", 2)  # B sent what was left, not waiting
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.status == "pending")) == 0
    engine.dispose()


def test_a_lone_deliverer_sends_everything_pending_in_order(app, settings):
    """The positive control: one deliverer, no wait, every event in id order."""
    url = normalise_url(settings.database_url)
    engine = create_engine(url, **engine_options(url))
    for n in (1, 2, 3):
        _enqueue(engine, n)
    seen: list[int] = []
    with Session(engine) as session:
        counts = outbox.deliver(session, lambda _d, _p, payload: seen.append(payload["n"]) or 200)
    assert seen == [1, 2, 3] and counts == {"delivered": 3, "rejected": 0, "failed": 0}
    engine.dispose()
