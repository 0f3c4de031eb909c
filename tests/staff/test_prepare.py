"""First start: migrations, the catalogue always, the demo organisation unless HR_DEMO=0."""

from __future__ import annotations

from services.staff.app import create_app, prepare
from services.staff.models import db
from tests.conftest import bearer


def test_prepare_loads_catalogue_and_demo_once_and_the_demo_chain_resolves(
        settings, verifier, tokens, sender):
    settings.demo = True
    prepare(settings)
    prepare(settings)  # a second start adds nothing
    app = create_app(settings, verifier=verifier, sender=sender)
    client = app.test_client()
    admin = bearer(tokens.user(roles=[("admin", "*", "*")]))
    try:
        units = client.get("/staff/org-units?per_page=200", headers=admin).get_json()
        assert units["total"] >= 10
        assert {"head_office", "branch", "sub_branch", "department"} <= \
            {u["type"] for u in units["items"]}
        staff = client.get("/staff/employees?per_page=200", headers=admin).get_json()
        assert staff["total"] >= 20
        positions = client.get("/staff/positions?per_page=200", headers=admin).get_json()
        assert positions["total"] >= 20
        someone = next(e for e in staff["items"] if e["org_path"].count("/") >= 3)
        chain = client.get(f"/staff/employees/{someone['employee_no']}/chain",
                           headers=admin).get_json()
        assert chain["governing_branch"]["type"] in {"branch", "head_office"}
        assert chain["head_office"]["type"] == "head_office"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_without_demo_only_the_catalogue_is_loaded(settings, verifier, tokens, sender):
    prepare(settings)
    app = create_app(settings, verifier=verifier, sender=sender)
    client = app.test_client()
    admin = bearer(tokens.user(roles=[("admin", "*", "*")]))
    try:
        assert client.get("/staff/org-units", headers=admin).get_json()["total"] == 0
        assert client.get("/staff/positions", headers=admin).get_json()["total"] >= 20
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
