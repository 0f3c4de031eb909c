from tests.conftest import bearer


def test_any_signed_in_user_reads_the_leave_types_with_their_day_counting(client, tokens):
    resp = client.get("/leave/types", headers=bearer(tokens.user(emp="E1", roles=[])))
    assert resp.status_code == 200
    body = resp.get_json()
    codes = {t["code"]: t for t in body["items"]}
    assert {"annual", "sick", "personal", "marriage", "maternity", "bereavement"} <= codes.keys()
    assert codes["maternity"]["counts"] == "calendar_days"
    assert codes["annual"]["counts"] == "working_days"
    assert body["total"] == len(body["items"]) and body["page"] == 1 and body["per_page"] == 50


def test_leave_types_need_a_token(client, tokens):
    resp = client.get("/leave/types")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert resp.mimetype == "application/problem+json"


def test_per_page_outside_its_range_is_a_422_naming_the_field(client, tokens):
    token = tokens.user(emp="E1")
    ok = client.get("/leave/types?per_page=200", headers=bearer(token))
    assert ok.status_code == 200
    for bad in ("per_page=0", "per_page=201", "page=0", "page=x"):
        resp = client.get(f"/leave/types?{bad}", headers=bearer(token))
        assert resp.status_code == 422, bad
        assert set(resp.get_json()["errors"]) == {bad.split("=")[0]}
