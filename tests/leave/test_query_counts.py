"""The inbox, the list, one request and a decision cost a constant number of SQL statements
whatever the data size (the bench issue's rule), counted over the whole request."""

from __future__ import annotations

import pytest

from services.leave.models import db
from shared.testing import statements_sent
from tests.leave.conftest import decide, file


def statements(app, call) -> int:
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as seen:
        resp = call()
    assert resp.status_code in (200, 201), resp.get_json()
    return len(seen)


def fill(client, who, directory, first: int, count: int) -> list[int]:
    ids = []
    for i in range(first, first + count):
        emp = f"P{i}"
        directory.people[emp] = ("SB01", "staff")
        resp = file(client, who(emp), type="sick", start_date="2025-09-01",
                    end_date="2025-09-08")
        assert resp.status_code == 201, resp.get_json()
        ids.append(resp.get_json()["id"])
    return ids


@pytest.mark.parametrize("call", ["inbox", "list", "one", "decide", "submit"])
def test_a_request_costs_the_same_statements_at_two_data_sizes(app, client, who, directory,
                                                              call):
    def measure(ids: list[int], n: int) -> int:
        directory.people[f"N{n}"] = ("SB01", "staff")
        calls = {
            "inbox": lambda: client.get("/leave/approvals?per_page=10", headers=who("H1")),
            "list": lambda: client.get("/leave/requests?per_page=10", headers=who("HR1")),
            "one": lambda: client.get(f"/leave/requests/{ids[-1]}", headers=who("H1")),
            "decide": lambda: decide(client, who("H1"), ids[n]),
            "submit": lambda: file(client, who(f"N{n}"), type="sick",
                                   start_date="2025-10-13", end_date="2025-10-14"),
        }
        return statements(app, calls[call])

    ids = fill(client, who, directory, 0, 3)
    small = measure(ids, 0)
    ids += fill(client, who, directory, 3, 17)
    large = measure(ids, 1)
    assert small == large, (call, small, large)
