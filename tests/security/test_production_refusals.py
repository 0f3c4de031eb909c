"""Production refuses what a demo allows (issue 14.1): a real gunicorn with `HR_DEMO=1`
exits before serving, and auth refuses a store that holds demo users."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess

import pytest
from sqlalchemy import select

from services.auth.app import MIGRATIONS
from services.auth.models import User
from services.auth.production import demo_usernames
from shared.db import session_for
from shared.runner import gunicorn_command
from shared.settings import InsecureSettings, Settings, TestSettings
from shared.settings_production import refuse_stored_demo_data
from shared.testing import ROOT, free_port


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    fresh = secrets.token_hex
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
            "HR_SERVICE": "leave", "HR_ENV": "production", "HR_DATA_DIR": str(tmp_path),
            "HR_LEAVE_PORT": str(free_port()),
            "LEAVE_DATABASE_URL": f"postgresql://leave:{fresh(48)}@127.0.0.1:9/leave",
            "HR_LEAVE_CLIENT_ID": "svc-leave", "HR_LEAVE_CLIENT_SECRET": fresh(48), **extra}


def test_gunicorn_refuses_to_start_in_production_with_demo_data(tmp_path):
    env = _production_env(tmp_path)
    Settings("leave", env).check()  # the control: the same settings without HR_DEMO pass
    run = subprocess.run(gunicorn_command(), env=_production_env(tmp_path, HR_DEMO="1"),
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "refusing to start in production" in run.stderr and "HR_DEMO" in run.stderr


@pytest.fixture
def auth_store(databases):
    url = databases.fresh("auth", MIGRATIONS)
    yield url
    databases.drop(url)


def _settings(url: str, environment: str) -> TestSettings:
    return TestSettings("auth", database_url=url, environment=environment)


def test_auth_refuses_a_production_store_that_holds_demo_users(auth_store):
    """A demo user is one who still signs in with the published demo password; a real
    employee who happens to have a demo user's common name (zhangwei) is not one."""
    from services.auth.demo import DEMO_PASSWORD
    from services.auth.service.passwords import hash_password

    settings = _settings(auth_store, "production")
    now = dt.datetime.now(dt.UTC)
    name = demo_usernames()[0]
    with session_for(auth_store) as session:
        session.add(User(username=name, display_name="A real namesake", status="active",
                         password_hash=hash_password(settings, "Their-Own-Passw0rd!"),
                         created_at=now, updated_at=now))
        session.commit()
    refuse_stored_demo_data(settings)  # the control: a namesake with their own password
    with session_for(auth_store) as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        user.password_hash = hash_password(settings, DEMO_PASSWORD)
        session.commit()
    with pytest.raises(InsecureSettings, match="demo user"):
        refuse_stored_demo_data(settings)
    refuse_stored_demo_data(_settings(auth_store, "development"))  # a demo may keep them


def test_without_the_demo_list_production_refuses_rather_than_guess(auth_store,
                                                                     monkeypatch, tmp_path):
    from services.auth import production

    monkeypatch.setattr(production, "DEMO_FILE", tmp_path / "missing.yaml")
    with pytest.raises(InsecureSettings, match="missing"):
        refuse_stored_demo_data(_settings(auth_store, "production"))
