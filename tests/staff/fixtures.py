"""Staff fixtures: a fresh migrated store per test, a recording event sender, and a small
branch network built through the API.

The network (`org` fixture):
    HQ (head_office) ─ HQ_HR (department)
      ├─ BR01 (branch) ─ SB01 (sub_branch) ─ OT01 (outlet)
      │                └ SB02 (sub_branch)
      └─ BR02 (branch) ─ SB03 (sub_branch)
"""

from __future__ import annotations

from typing import Any

import pytest

from services.staff.app import MIGRATIONS, create_app
from services.staff.models import db
from services.staff.service import loading
from shared.settings import TestSettings
from tests.conftest import ISSUER, bearer

ORG = [
    ("HQ", "总行", "head_office", None),
    ("HQ_HR", "总行综合行政部", "department", "HQ"),
    ("BR01", "城东分行", "branch", "HQ"),
    ("SB01", "人民路支行", "sub_branch", "BR01"),
    ("OT01", "建设街网点", "outlet", "SB01"),
    ("SB02", "解放路支行", "sub_branch", "BR01"),
    ("BR02", "城西分行", "branch", "HQ"),
    ("SB03", "滨河支行", "sub_branch", "BR02"),
]


class RecordingSender:
    """Stands in for auth: records what would be sent; `down` makes it unreachable."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.down = False

    def __call__(self, destination: str, path: str, payload: dict[str, Any]) -> int:
        if self.down:
            raise OSError("auth is down")
        self.sent.append((destination, path, payload))
        return 202


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def settings(databases, tmp_path):
    url = databases.fresh("staff", MIGRATIONS)
    settings = TestSettings("staff", {"HR_DATA_DIR": str(tmp_path)}, database_url=url,
                            issuer=ISSUER)
    yield settings
    databases.drop(url)


@pytest.fixture
def app(settings, verifier, sender):
    app = create_app(settings, verifier=verifier, sender=sender)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin(tokens) -> dict[str, str]:
    return bearer(tokens.user(sub="admin", roles=[("admin", "*", "*")]))


@pytest.fixture
def catalogue(app) -> None:
    with app.app_context():
        loading.load_catalogue(session=db.session)


@pytest.fixture
def org(client, admin) -> None:
    for code, name, utype, parent in ORG:
        resp = client.post("/staff/org-units", headers=admin, json={
            "code": code, "name_zh": name, "type": utype, "parent": parent})
        assert resp.status_code == 201, resp.get_json()


@pytest.fixture
def staffed(client, admin, org, catalogue) -> None:
    """H1 heads SB01 and manages E1 there; E2 in OT01 (under SB01), E3 in SB03 (BR02)."""
    assert hire(client, admin, "H1", "SB01", "SUB_BRANCH_HEAD", name="张伟").status_code == 201
    assert hire(client, admin, "E1", "SB01", manager="H1", name="唐敏",
                name_en="Tang Min").status_code == 201
    assert hire(client, admin, "E2", "OT01", name="苏晴").status_code == 201
    assert hire(client, admin, "E3", "SB03", name="傅强").status_code == 201


def hire(client: Any, headers: dict[str, str], no: str, org: str,
         position: str = "CASH_TELLER", **extra: Any) -> Any:
    body = {"employee_no": no, "name": f"员工{no}", "org": org, "position": position,
            "hire_date": "2020-07-01", **extra}
    return client.post("/staff/employees", headers=headers, json=body)
