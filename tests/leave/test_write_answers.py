"""A write's answer, written from the entity with orjson (`pages.entity_item`), is the bytes
`LeaveRequestRead` dumps of it: for every request of a varied history, and over HTTP the
answer of each write is what reading the request right after answers."""
# ruff: noqa: F811 - `history` is the inbox test's fixture, imported by name

from __future__ import annotations

import orjson
from flask import current_app
from sqlalchemy import select

from services.leave.models import LeaveRequest, db
from services.leave.schemas import LeaveRequestRead
from services.leave.service import pages
from services.leave.service.views import request_dict
from tests.leave.conftest import decide, file
from tests.leave.test_inbox_fast_path import ODD, history  # noqa: F401


def test_every_request_of_the_history_answers_the_same_bytes_both_ways(app, history):
    with app.app_context():
        requests = db.session.scalars(select(LeaveRequest)).all()
        assert len(requests) == len(history)
        schema = LeaveRequestRead()
        for request in requests:
            fast = orjson.dumps(pages.entity_item(request), option=orjson.OPT_APPEND_NEWLINE)
            slow = current_app.json.response(schema.dump(request_dict(request))).get_data()
            assert fast == slow, request.id
        statuses = {r.status for r in requests}
        assert {"pending", "approved", "rejected", "withdrawn"} <= statuses


def test_each_write_answers_what_reading_the_request_answers(client, who):
    def same_as_read(resp, status=200):
        assert resp.status_code == status, resp.get_json()
        assert resp.headers["Content-Type"] == "application/json"
        read = client.get(f"/leave/requests/{resp.get_json()['id']}", headers=who("HR1"))
        assert resp.data == read.data
        return resp.get_json()

    filed = same_as_read(file(client, who("E1"), type="annual", start_date="2025-09-15",
                              end_date="2025-09-24", start_half="pm", reason=ODD[0]), 201)
    same_as_read(decide(client, who("H1"), filed["id"], comment=ODD[1]))
    approved = same_as_read(decide(client, who("HR1"), filed["id"], comment=ODD[2]))
    assert approved["status"] == "approved"
    cancelled = same_as_read(client.post(f"/leave/requests/{filed['id']}/cancel",
                                         headers=who("HR1"), json={"from_date": "2025-09-22"}))
    assert cancelled["cancelled_days"] > 0
    other = file(client, who("E1"), type="sick", start_date="2025-10-13", end_date="2025-10-14")
    same_as_read(client.post(f"/leave/requests/{other.get_json()['id']}/withdraw",
                             headers=who("E1"), json={}))
