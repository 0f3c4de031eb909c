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


def test_a_write_never_waits_on_another_delivery_and_its_event_still_goes_out_in_order(
        app, settings):
    """Worker A is sending event 1 when worker B's write commits event 2: B's after-write
    delivery returns at once, sending nothing (a user's write must not wait on someone else's
    delivery, nor overtake it), and A, before it lets go, looks again and sends 2 after 1."""
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

    results: dict[str, dict[str, int]] = {}

    def deliver(who: str, send, wait: bool) -> None:
        with Session(engine) as session:
            results[who] = outbox.deliver(session, send, wait=wait)

    _enqueue(engine, 1)
    worker_a = threading.Thread(target=deliver, args=("A", slow, True))
    worker_a.start()
    assert first_on_the_wire.wait(10)
    _enqueue(engine, 2)  # a later move, committed while the earlier one is in flight
    deliver("B", fast, False)  # B's after-write hook: returns while A still holds the lock
    assert results["B"] == {"delivered": 0, "rejected": 0, "failed": 0} and sent == []
    let_it_land.set()
    worker_a.join(10)

    assert sent == [("A", 1), ("A", 2)]  # in order, each once, nothing left waiting
    assert results["A"] == {"delivered": 2, "rejected": 0, "failed": 0}
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
