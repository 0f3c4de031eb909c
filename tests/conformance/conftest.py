"""Every service built in-process for the conformance suites, with a real token for it.

`service` is parametrised over the four services. A service whose package has no
`services/<name>/app.py` yet fails the test under `CI=true` and is skipped otherwise, so the
suite runs while the services are being written and cannot ship with one missing.

How a token is obtained:
- leave, performance, staff: minted by the shared `TokenFactory` (admin over the whole
  organisation), verified by the app with the test key (`create_app(settings, verifier=...)`).
- auth: it signs its own tokens, so an admin is bootstrapped through the settings
  (`bootstrap_admin`), `prepare(settings)` runs, and the token comes from a password grant
  on the test client.
"""

from __future__ import annotations

import importlib
import inspect
import os
import secrets
from dataclasses import dataclass
from types import ModuleType

import pytest
from flask import Flask

from shared.settings import SERVICES, TestSettings
from tests.conftest import ISSUER

ADMIN_ROLES = [("admin", "*", "*")]


@dataclass
class ServiceUnderTest:
    name: str
    app: Flask
    token: str
    database_url: str

    @property
    def prefix(self) -> str:
        return "/" + self.name

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def import_app_module(name: str) -> ModuleType:
    """`services.<name>.app`, or fail (CI) / skip (elsewhere) when it does not exist yet."""
    module_name = f"services.{name}.app"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in {module_name, f"services.{name}"}:
            raise  # the service exists but is broken: that is a failure, never a skip
        message = f"the {name} service does not exist yet ({module_name})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _stand_ins(name: str) -> dict[str, object]:
    """Stand-ins for the services a service calls over HTTP (none run here): without them
    every call would be a 503, which the contract allows but schemathesis counts as a fault."""
    if name == "performance":
        from tests.performance.fakes import FakeStaff

        return {"staff": FakeStaff()}
    if name == "leave":
        from tests.leave.fakes import FakeDirectory

        return {"directory": FakeDirectory()}
    if name == "auth":  # units' paths and types, employees' existence
        from tests.auth.fakes import FakeStaff

        return {"staff_lookup": FakeStaff()}
    return {}


def _create_app(module: ModuleType, settings: TestSettings, verifier) -> Flask:
    params = inspect.signature(module.create_app).parameters
    extra = {k: v for k, v in _stand_ins(settings.service).items() if k in params}
    if "verifier" in params and settings.service != "auth":
        return module.create_app(settings, verifier=verifier, **extra)
    return module.create_app(settings, **extra)


def _auth_token(client, username: str, password: str) -> str:
    resp = client.post("/auth/token", data={"grant_type": "password", "username": username,
                                            "password": password})
    assert resp.status_code == 200, f"password grant for the bootstrap admin: {resp.data!r}"
    return resp.get_json()["access_token"]


def build_service(name: str, *, databases, tokens, verifier, tmp_path) -> ServiceUnderTest:
    module = import_app_module(name)
    url = databases.fresh(name, module.MIGRATIONS)
    overrides: dict[str, object] = {"database_url": url, "issuer": ISSUER}
    password = None
    if name == "auth":
        password = secrets.token_urlsafe(16)
        overrides.update(bootstrap_admin=f"admin:{password}", access_token_ttl=3600)
    settings = TestSettings(name, {"HR_DATA_DIR": str(tmp_path)}, **overrides)
    module.prepare(settings)
    app = _create_app(module, settings, verifier)
    if name == "auth":
        token = _auth_token(app.test_client(), "admin", password)
    else:
        token = tokens.user(sub="conformance-admin", roles=ADMIN_ROLES, ttl=3600)
    return ServiceUnderTest(name=name, app=app, token=token, database_url=url)


def _dispose(app: Flask) -> None:
    db = app.extensions.get("sqlalchemy")
    if db is not None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(params=SERVICES)
def service(request, databases, tokens, verifier, tmp_path):
    """One service, built fresh on its own database (either store), with an admin token."""
    built = build_service(request.param, databases=databases, tokens=tokens, verifier=verifier,
                          tmp_path=tmp_path)
    yield built
    _dispose(built.app)
    databases.drop(built.database_url)


def as_employee(built: ServiceUnderTest, tokens) -> ServiceUnderTest:
    """The same service with an ordinary employee's token instead of the admin's: most
    operations then answer 403/404, which must be documented answers too."""
    import dataclasses

    if built.name != "auth":
        token = tokens.user(sub="conformance-employee", emp="E0001",
                            roles=[("employee", "*", "*")], ttl=3600)
        return dataclasses.replace(built, token=token)
    client = built.app.test_client()
    admin = {"Authorization": f"Bearer {built.token}"}
    password = secrets.token_urlsafe(16)
    user = client.post("/auth/users", headers=admin, json={
        "username": "conformance.employee", "password": password,
        "display_name": "Conformance Employee"})
    assert user.status_code == 201, user.data
    bound = client.post(f"/auth/users/{user.get_json()['id']}/roles", headers=admin,
                        json={"role": "employee", "org": "*"})
    assert bound.status_code in (200, 201), bound.data
    return dataclasses.replace(built, token=_auth_token(client, "conformance.employee",
                                                        password))
