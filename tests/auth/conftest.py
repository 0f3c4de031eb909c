"""Fixtures for the auth suite: a fresh migrated store per test, first-start data loaded, a
fake staff service, a movable clock, and helpers to sign in and administer."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from services.auth.app import MIGRATIONS, create_app
from services.auth.models import db
from services.auth.service import keys
from services.auth.service.setup import first_start
from shared.settings import TestSettings
from tests.auth.fakes import TREE, TYPES, FakeStaff
from tests.conftest import ISSUER, bearer

ADMIN = ("admin", "Root-Passphrase-2026")
PASSWORD = "Correct-Horse-Battery-9"
SERVICE_CREDS = {"staff": ("svc-staff", "staff-secret-0123456789"),
                 "leave": ("svc-leave", "leave-secret-0123456789"),
                 "performance": ("svc-performance", "perf-secret-0123456789")}


@pytest.fixture(scope="session", autouse=True)
def _rsa_pool():
    """RSA generation is the slowest part of a fresh store: reuse a few pre-made keys."""
    pool = itertools.cycle([rsa.generate_private_key(65537, 2048) for _ in range(3)])
    original = keys.new_rsa_key
    keys.new_rsa_key = lambda: next(pool)
    yield
    keys.new_rsa_key = original


class Clock:
    """The app's clock: real time unless a test sets `frozen` or moves it by `offset`."""

    def __init__(self) -> None:
        self.frozen: dt.datetime | None = None
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return (self.frozen or dt.datetime.now(dt.UTC)) + self.offset


@pytest.fixture
def staff() -> FakeStaff:
    return FakeStaff()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(databases, tmp_path):
    url = databases.fresh("auth", MIGRATIONS)
    s = TestSettings("auth", {"HR_DATA_DIR": str(tmp_path)}, database_url=url, issuer=ISSUER,
                     bootstrap_admin=":".join(ADMIN))
    yield s
    databases.drop(url)


@pytest.fixture
def app(settings, staff, clock):
    app = create_app(settings, staff_lookup=staff, clock=clock)
    with app.app_context():
        first_start(session=db.session, settings=settings, now=clock(),
                    credentials=SERVICE_CREDS)
        from services.auth.service import orgs

        for code in ("HQ", "BR01", "SB01", "BR02"):
            orgs.remember(session=db.session, code=code, path=TREE[code], source="staff",
                          now=clock(), unit_type=TYPES[code])
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Sign-in and admin shortcuts over the Flask test client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._admin: str | None = None

    def login(self, username: str, password: str = PASSWORD, **kw: Any) -> Any:
        return self.client.post("/auth/token", data={"grant_type": "password",
                                                     "username": username,
                                                     "password": password}, **kw)

    def token(self, username: str, password: str = PASSWORD) -> str:
        resp = self.login(username, password)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()["access_token"]

    @property
    def admin(self) -> dict[str, str]:
        if self._admin is None:
            self._admin = self.token(*ADMIN)
        return bearer(self._admin)

    def user(self, username: str, *bindings: tuple[str, str] | dict[str, Any],
             employee_no: str | None = None) -> int:
        resp = self.client.post("/auth/users", headers=self.admin, json={
            "username": username, "password": PASSWORD, "display_name": username.title(),
            "employee_no": employee_no})
        assert resp.status_code == 201, resp.get_json()
        uid = resp.get_json()["id"]
        for b in bindings:
            self.bind(uid, b)
        return uid

    def bind(self, uid: int, b: tuple[str, str] | dict[str, Any]) -> Any:
        body = {"role": b[0], "org": b[1]} if isinstance(b, tuple) else b
        resp = self.client.post(f"/auth/users/{uid}/roles", headers=self.admin, json=body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def client_token(self, service: str = "leave") -> str:
        cid, secret = SERVICE_CREDS[service]
        resp = self.client.post("/auth/token", data={"grant_type": "client_credentials"},
                                auth=(cid, secret))
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()["access_token"]

    def check(self, token: str, permission: str, org: str, **extra: Any) -> Any:
        return self.client.post("/auth/check", headers=bearer(token),
                                json={"permission": permission, "org": org, **extra})


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)
