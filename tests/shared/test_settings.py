from __future__ import annotations

import json

import pytest

from shared.settings import (
    InsecureSettings,
    Settings,
    service_client_credentials,
    write_service_clients_file,
)


def test_defaults_are_local_and_safe_for_development(tmp_path):
    s = Settings("leave", {"HR_DATA_DIR": str(tmp_path)})
    assert s.port == 8003
    assert s.database_url == f"sqlite:///{tmp_path / 'leave.db'}"
    assert s.issuer == "http://127.0.0.1:8001/auth"
    assert s.timezone == "Asia/Shanghai"
    s.check()  # development accepts defaults


def test_environment_overrides_port_database_and_issuer(tmp_path):
    s = Settings("staff", {"HR_STAFF_PORT": "9100", "STAFF_DATABASE_URL": "postgresql://x/y",
                           "HR_ISSUER": "https://id.bank.test/auth"})
    assert (s.port, s.database_url, s.issuer) == (9100, "postgresql://x/y",
                                                  "https://id.bank.test/auth")


def test_production_refuses_to_start_with_a_default_secret(tmp_path):
    env = {"HR_ENV": "production", "HR_DATA_DIR": str(tmp_path),
           "AUTH_DATABASE_URL": "postgresql://db/auth", "LEAVE_DATABASE_URL": "postgresql://db/leave"}
    with pytest.raises(InsecureSettings, match="HR_KEY_ENCRYPTION_KEY"):
        Settings("auth", env).check()
    with pytest.raises(InsecureSettings, match="HR_LEAVE_CLIENT_SECRET"):
        Settings("leave", env).check()
    env |= {"HR_KEY_ENCRYPTION_KEY": "k" * 40, "HR_LEAVE_CLIENT_ID": "svc-leave",
            "HR_LEAVE_CLIENT_SECRET": "s" * 40}
    Settings("auth", env).check()
    Settings("leave", env).check()


def test_production_refuses_sqlite(tmp_path):
    env = {"HR_ENV": "production", "HR_DATA_DIR": str(tmp_path),
           "HR_LEAVE_CLIENT_SECRET": "s" * 40}
    with pytest.raises(InsecureSettings, match="SQLite"):
        Settings("leave", env).check()


def test_public_settings_never_show_secrets(tmp_path):
    env = {"HR_KEY_ENCRYPTION_KEY": "top-secret-kek", "HR_LEAVE_CLIENT_ID": "svc-leave",
           "HR_LEAVE_CLIENT_SECRET": "top-secret-client",
           "LEAVE_DATABASE_URL": "postgresql://u:pw-secret@db/leave"}
    shown = json.dumps(Settings("leave", env).public())
    assert "top-secret" not in shown and "pw-secret" not in shown


def test_make_run_writes_service_credentials_once_and_both_sides_read_them(tmp_path):
    path = write_service_clients_file(tmp_path)
    first = path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    write_service_clients_file(tmp_path)
    assert path.read_text() == first
    creds = service_client_credentials({"HR_DATA_DIR": str(tmp_path)})
    assert set(creds) == {"staff", "leave", "performance"}
    leave = Settings("leave", {"HR_DATA_DIR": str(tmp_path)})
    assert creds["leave"] == (leave.client_id, leave.client_secret)
    assert len(leave.client_secret) >= 32
