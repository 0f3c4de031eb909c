"""Writers at the same moment: exactly one transition wins, the rest get 409 — on the real
store (the suite runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import threading

from tests.leave.conftest import decide, file


def at_once(app, calls):
    """Run each call in its own thread and client, released together; their answers."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        answers[index] = call(client)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def test_two_approvers_at_once_make_exactly_one_transition(app, client, who):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-02").get_json()["id"]
    head, acting = who("H1"), who("D1", roles=[("branch_head", "SB01")])
    answers = at_once(app, [lambda c: decide(c, head, rid),
                            lambda c: decide(c, acting, rid, "reject")])
    assert sorted(a.status_code for a in answers) == [200, 409], [a.get_json() for a in answers]
    trail = client.get(f"/leave/requests/{rid}/trail", headers=who("E1")).get_json()
    assert trail["valid"] and trail["entries"][0]["action"] == "submit"
    assert len(trail["entries"]) == 2


def test_two_requests_at_once_cannot_overbook_the_balance(app, client, who):
    # 10 days of annual leave; two requests of 6 days each, filed at the same moment.
    answers = at_once(app, [
        lambda c: file(c, who("E1"), start_date="2025-09-01", end_date="2025-09-08"),
        lambda c: file(c, who("E1"), start_date="2025-11-03", end_date="2025-11-10")])
    assert sorted(a.status_code for a in answers) == [201, 409], [a.get_json() for a in answers]
    line = client.get("/leave/balances/E1?year=2025", headers=who("E1")).get_json()
    assert line["balances"][0]["pending"] == 6


def test_two_policy_versions_published_at_once_never_answer_a_5xx(app, client, who):
    admin = who("ADM", roles=[("admin", "*")])
    document = client.get("/leave/policy", headers=admin).get_json()["document"]
    answers = at_once(app, [
        lambda c, n=n: c.put("/leave/policy", headers=admin,
                             json={"document": document, "note": f"edit {n}"})
        for n in range(3)])
    codes = [a.status_code for a in answers]
    assert set(codes) <= {200, 409} and 200 in codes, [a.get_json() for a in answers]
    published = sorted(a.get_json()["version"] for a in answers if a.status_code == 200)
    assert published == sorted(set(published))  # never two answers for one version
