from __future__ import annotations

import json
import secrets

import pytest

from shared import settings_production
from shared.settings import (
    InsecureSettings,
    Settings,
    service_client_credentials,
    write_service_clients_file,
)
from shared.settings_production import randomness_bits, shipped_values


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


def _random() -> str:
    return secrets.token_hex(48)


def _production(**extra: str) -> dict[str, str]:
    """A production environment that passes every check (the positive control's)."""
    return {"HR_ENV": "production", "HR_DATA_DIR": "/nonexistent-hr-data",
            "AUTH_DATABASE_URL": f"postgresql://auth:{_random()}@db/auth",
            "LEAVE_DATABASE_URL": f"postgresql://leave:{_random()}@db/leave",
            "HR_KEY_ENCRYPTION_KEY": _random(),
            **{f"HR_{n}_CLIENT_ID": f"svc-{n.lower()}" for n in ("STAFF", "LEAVE", "PERFORMANCE")},
            **{f"HR_{n}_CLIENT_SECRET": _random() for n in ("STAFF", "LEAVE", "PERFORMANCE")},
            **extra}


def test_production_starts_with_fresh_random_secrets_and_no_demo():
    for service in ("auth", "leave"):
        settings = Settings(service, _production())
        assert settings.demo is False  # off by default in production
        settings.check()


def test_production_refuses_demo_data():
    Settings("leave", _production(HR_DEMO="0")).check()
    with pytest.raises(InsecureSettings, match="HR_DEMO"):
        Settings("leave", _production(HR_DEMO="1")).check()


def test_production_refuses_a_default_secret():
    env = _production()
    del env["HR_KEY_ENCRYPTION_KEY"], env["HR_LEAVE_CLIENT_SECRET"]
    with pytest.raises(InsecureSettings, match="HR_KEY_ENCRYPTION_KEY"):
        Settings("auth", env).check()
    with pytest.raises(InsecureSettings, match="HR_LEAVE_CLIENT_SECRET"):
        Settings("leave", env).check()


@pytest.mark.parametrize("value", sorted(shipped_values()))
def test_production_refuses_every_value_the_shipped_example_holds(value):
    """Read from the file itself: whatever .env.example shows (its commented examples too)."""
    for name in ("HR_KEY_ENCRYPTION_KEY", "HR_STAFF_CLIENT_SECRET"):
        with pytest.raises(InsecureSettings, match=f"{name} is a value shipped"):
            Settings("auth", _production(**{name: value})).check()


def test_a_value_added_to_the_example_is_refused_the_day_it_is_added(tmp_path, monkeypatch):
    strong = _random()
    Settings("leave", _production(HR_LEAVE_CLIENT_SECRET=strong)).check()  # control
    example = tmp_path / ".env.example"
    example.write_text(f"# copy me\nHR_LEAVE_CLIENT_SECRET={strong}\n")
    monkeypatch.setattr(settings_production, "ENV_EXAMPLE", example)
    with pytest.raises(InsecureSettings, match="HR_LEAVE_CLIENT_SECRET is a value shipped"):
        Settings("leave", _production(HR_LEAVE_CLIENT_SECRET=strong)).check()
    monkeypatch.setattr(settings_production, "ENV_EXAMPLE", tmp_path / "gone")
    with pytest.raises(InsecureSettings, match="is missing"):
        Settings("leave", _production()).check()


@pytest.mark.parametrize("weak", ["k" * 80, "abcdefgh" * 10, "change-me-key-encryption-key",
                                  "Demo-Branch-2026!", secrets.token_hex(31),
                                  secrets.token_urlsafe(24)],
                         ids=["repeated", "pattern", "example", "demo", "hex-31", "b64-24"])
def test_production_refuses_a_secret_with_less_than_32_bytes_of_randomness(weak):
    with pytest.raises(InsecureSettings, match="less than 32 bytes"):
        Settings("auth", _production(HR_KEY_ENCRYPTION_KEY=weak)).check()
    with pytest.raises(InsecureSettings, match="LEAVE_DATABASE_URL password"):
        Settings("leave", _production(
            LEAVE_DATABASE_URL=f"postgresql://leave:{weak}@db/leave")).check()


@pytest.mark.parametrize("strong", [secrets.token_hex(32), secrets.token_urlsafe(32),
                                    secrets.token_hex(48)],
                         ids=["hex-32", "b64-32", "hex-48"])
def test_32_random_bytes_in_hex_or_base64_are_enough(strong):
    assert randomness_bits(strong) >= 256
    Settings("auth", _production(HR_KEY_ENCRYPTION_KEY=strong)).check()


def test_the_bootstrap_admin_may_not_use_the_example_password():
    Settings("auth", _production(HR_BOOTSTRAP_ADMIN="admin:Our-Own-Long-Passphrase-7")).check()
    with pytest.raises(InsecureSettings, match="HR_BOOTSTRAP_ADMIN"):
        Settings("auth", _production(HR_BOOTSTRAP_ADMIN="admin:a-long-random-password")).check()


def test_production_refuses_sqlite(tmp_path):
    env = _production(HR_DATA_DIR=str(tmp_path))
    del env["LEAVE_DATABASE_URL"]
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


def test_a_database_url_without_a_password_is_not_a_weak_secret():
    """Peer, certificate or .pgpass authentication puts no secret in the URL: production
    must not demand one there (it would force secrets into the environment)."""
    Settings("leave", _production(LEAVE_DATABASE_URL="postgresql://leave@db/leave")).check()
    with pytest.raises(InsecureSettings, match="LEAVE_DATABASE_URL password"):  # control
        Settings("leave", _production(LEAVE_DATABASE_URL="postgresql://leave:short@db/leave")
                 ).check()
