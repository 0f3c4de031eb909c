"""The read lane (`services/staff/api/read_lane.py`) replays employee listings and approver
chains only while nothing they read has changed: every change — through the API, through
another worker, or by SQL straight into the database — shows on the very next request, and a
replay is byte-for-byte the answer the full path gives."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.staff.app import MIGRATIONS, create_app
from services.staff.models import db
from shared.testing import comparable, load_migration, write_as_operator
from tests.conftest import bearer
from tests.staff.fixtures import hire

LISTING = "/staff/employees?org=BR01&subtree=true"


WATCHED = load_migration(MIGRATIONS, "0003_read_generation.py").WATCHED


@pytest.fixture
def lane(app):
    return app.extensions["staff_read_lane"]


@pytest.fixture
def head(tokens):
    """The head of branch BR01: reads BR01's subtree only."""
    return bearer(tokens.user(sub="bh", emp="H1", roles=[("branch_head", "BR01", "HQ/BR01")]))


def _generation(app) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT generation FROM staff_state")).scalar_one()


def _numbers(resp) -> list[str]:
    return [item["employee_no"] for item in resp.get_json()["items"]]


@pytest.mark.parametrize("path", [LISTING, "/staff/employees/E2/chain"])
def test_a_repeated_read_is_replayed_with_the_full_paths_bytes_and_a_fresh_request_id(
        client, head, staffed, lane, path, caplog):
    first = client.get(path, headers=head)
    assert first.status_code == 200
    hits = lane.hits
    again = client.get(path, headers=head)
    assert lane.hits == hits + 1
    assert comparable(again) == comparable(first)
    assert again.headers["Cache-Control"] == "no-store"
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    mine = client.get(path, headers={**head, "X-Request-ID": "caller-chosen-7"})
    assert lane.hits == hits + 2 and mine.headers["X-Request-ID"] == "caller-chosen-7"
    lines = [r for r in caplog.records if r.name == "hr.access"
             and getattr(r, "request_id", None) == "caller-chosen-7"]
    assert [(r.method, r.path, r.status, r.sub) for r in lines] == [
        ("GET", path.partition("?")[0], 200, "bh")]


def test_the_lane_never_hands_one_callers_answer_to_another(client, admin, head, tokens,
                                                            staffed, lane):
    everyone = "/staff/employees"
    for _ in range(2):
        assert _numbers(client.get(everyone, headers=admin)) == ["E1", "E2", "E3", "H1"]
    other = bearer(tokens.user(sub="bh2", roles=[("branch_head", "BR02", "HQ/BR02")]))
    for _ in range(2):  # the same request with another bearer: their own scope, every time
        assert _numbers(client.get(everyone, headers=head)) == ["E1", "E2", "H1"]
        assert _numbers(client.get(everyone, headers=other)) == ["E3"]
    for _ in range(2):  # the same bearer, another query
        assert _numbers(client.get(everyone + "?org=OT01", headers=head)) == ["E2"]


def test_errors_and_refusals_are_never_replayed(client, head, staffed, lane):
    hits = lane.hits
    for _ in range(3):
        assert client.get("/staff/employees?org=BR02", headers=head).status_code == 422
        assert client.get("/staff/employees/E3/chain", headers=head).status_code == 404
        assert client.get("/staff/employees/E2/chain").status_code == 401
        assert client.get(LISTING, headers={"Authorization": "Bearer x"}).status_code == 401
        assert client.get("/staff/employees?sutbree=1", headers=head).status_code == 422
    assert lane.hits == hits


@pytest.mark.parametrize("change", ["hire", "transfer", "status", "rename", "move", "position"])
def test_every_change_through_the_api_shows_on_the_next_read(client, admin, head, staffed,
                                                             lane, change):
    def read():
        listing = client.get(LISTING, headers=head)
        chain = client.get("/staff/employees/E2/chain", headers=head)
        assert listing.status_code == chain.status_code == 200
        return listing.get_json(), chain.get_json()

    before = read()
    hits = lane.hits
    assert read() == before and lane.hits == hits + 2  # replayed: the change must end that

    if change == "hire":
        assert hire(client, admin, "E4", "SB02").status_code == 201
    elif change == "transfer":
        assert client.post("/staff/employees/E2/transfer", headers=admin, json={
            "org": "SB02", "effective_date": "2024-01-01"}).status_code == 200
    elif change == "status":
        assert client.post("/staff/employees/E1/status", headers=admin, json={
            "status": "suspended", "reason": "inquiry"}).status_code == 200
    elif change == "rename":
        assert client.patch("/staff/employees/E1", headers=admin,
                            json={"name": "唐敏敏"}).status_code == 200
    elif change == "move":
        assert client.post("/staff/org-units/OT01/move", headers=admin,
                           json={"parent": "SB02"}).status_code == 200
    elif change == "position":
        assert client.patch("/staff/positions/CASH_TELLER", headers=admin,
                            json={"must_cover": not before[1]["must_cover"]}).status_code == 200

    hits = lane.hits
    listing, chain = read()
    assert lane.hits == hits  # both answered afresh
    items = {item["employee_no"]: item for item in listing["items"]}
    if change == "hire":
        assert "E4" in items and listing["total"] == before[0]["total"] + 1
    elif change == "transfer":
        assert items["E2"]["org"] == "SB02" and chain["unit"]["code"] == "SB02"
    elif change == "status":
        assert items["E1"]["status"] == "suspended"
    elif change == "rename":
        assert items["E1"]["name"] == "唐敏敏"
    elif change == "move":
        assert items["E2"]["org_path"] == "HQ/BR01/SB02/OT01"
        assert chain["outlet"]["code"] == "OT01" and chain["units"][1]["code"] == "SB02"
    elif change == "position":
        assert chain["must_cover"] is not before[1]["must_cover"]


@pytest.mark.parametrize("table", WATCHED)
def test_the_database_raises_the_generation_for_every_watched_table(app, settings, staffed,
                                                                    table):
    """Triggers, not application code: an operator's SQL counts as much as the service."""
    changes = {
        "employees": "UPDATE employees SET name = name",
        "org_units": "UPDATE org_units SET name_zh = name_zh",
        "positions": "UPDATE positions SET must_cover = must_cover",
        "unit_headcounts": "UPDATE unit_headcounts SET employees = employees",
    }
    before = _generation(app)
    write_as_operator(settings.database_url, changes[table])
    assert _generation(app) > before


def test_reads_leave_the_generation_alone(app, client, head, staffed):
    before = _generation(app)
    for path in (LISTING, "/staff/employees/E2/chain", "/staff/employees/E1",
                 "/staff/org-units/BR01/tree"):
        assert client.get(path, headers=head).status_code == 200
    assert _generation(app) == before


def test_an_operators_sql_shows_on_the_next_read(client, head, settings, staffed, lane):
    assert client.get(LISTING, headers=head).status_code == 200
    hits = lane.hits
    assert client.get(LISTING, headers=head).status_code == 200
    assert lane.hits == hits + 1
    write_as_operator(settings.database_url,
                      "UPDATE employees SET status = 'left' WHERE employee_no = 'E2'")
    items = {i["employee_no"]: i for i in client.get(LISTING, headers=head).get_json()["items"]}
    assert items["E2"]["status"] == "left"


def test_a_change_made_through_another_worker_shows_on_the_next_read(app, client, admin,
                                                                     head, settings, verifier,
                                                                     sender, staffed):
    """Two apps on one database stand for two gunicorn workers (or two hosts)."""
    other = create_app(settings, verifier=verifier, sender=sender)
    try:
        other_client = other.test_client()
        for _ in range(2):
            assert "E4" not in _numbers(other_client.get(LISTING, headers=head))
        assert other.extensions["staff_read_lane"].hits >= 1
        assert hire(client, admin, "E4", "SB02").status_code == 201
        assert "E4" in _numbers(other_client.get(LISTING, headers=head))
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_replay_ends_when_the_token_stops_being_trusted(app, client, head, staffed, lane):
    assert client.get(LISTING, headers=head).status_code == 200
    token = head["Authorization"].split()[1]
    lane.wall = lambda: app.extensions["hr_verifier"].trusted_until(token) + 1
    hits = lane.hits
    assert client.get(LISTING, headers=head).status_code == 200
    assert lane.hits == hits  # the full path verified it afresh; nothing was replayed


def test_the_lane_is_bounded_in_bytes(app, client, admin, staffed):
    from services.staff.api.read_lane import read_lane

    whole = len(client.get("/staff/employees", headers=admin).data)
    one = len(client.get("/staff/employees?per_page=1", headers=admin).data)
    assert one < whole
    small = read_lane(app.wsgi_app.next, engine=lambda: _engine(app),
                      max_bytes=16 * (whole - 1))  # an answer of `whole` bytes is too large
    app.wsgi_app = small
    pages = [f"/staff/employees?per_page=1&page={n}" for n in (1, 2, 3, 4)]
    for path in pages * 2:
        assert client.get(path, headers=admin).status_code == 200
    assert small.hits == 4 and 0 < small._bytes <= small.max_bytes
    for _ in range(2):
        assert client.get("/staff/employees", headers=admin).status_code == 200
    assert small.hits == 4


def _engine(app):
    with app.app_context():
        return db.engine


def test_with_the_database_gone_nothing_is_replayed(app, client, head, staffed, settings,
                                                    store, pg_server):
    from tests.faults.test_database_down import _take_away

    for _ in range(2):
        assert client.get(LISTING, headers=head).status_code == 200
    with app.app_context():
        db.engine.dispose()  # as a restart of the pool would
    bring_back = _take_away(settings.database_url, store, pg_server)
    try:
        resp = client.get(LISTING, headers=head)
        assert resp.status_code == 503, resp.data
        assert resp.mimetype == "application/problem+json"
    finally:
        bring_back()
    assert client.get(LISTING, headers=head).status_code == 200
