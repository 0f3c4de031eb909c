"""The runner's pure parts: the environment it gives the services and what it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared import runner


def test_moved_ports_move_the_urls_and_the_issuer(tmp_path):
    env = runner.base_environment({"HR_AUTH_PORT": "9101", "HR_LEAVE_PORT": "9103"}, tmp_path)
    assert env["HR_AUTH_URL"] == "http://127.0.0.1:9101"
    assert env["HR_LEAVE_URL"] == "http://127.0.0.1:9103"
    assert env["HR_STAFF_URL"] == "http://127.0.0.1:8002"
    assert env["HR_ISSUER"] == "http://127.0.0.1:9101/auth"
    assert env["HR_DATA_DIR"] == str(tmp_path)


def test_explicit_urls_and_issuer_win(tmp_path):
    env = runner.base_environment({"HR_AUTH_PORT": "9101", "HR_AUTH_URL": "http://a:1",
                                   "HR_ISSUER": "https://hr.example/auth"}, tmp_path)
    assert env["HR_AUTH_URL"] == "http://a:1"
    assert env["HR_ISSUER"] == "https://hr.example/auth"


def test_selected_services_keep_auth_first():
    assert runner._selected({}) == ["auth", "staff", "leave", "performance"]
    assert runner._selected({"HR_RUN_SERVICES": "leave, auth"}) == ["auth", "leave"]
    with pytest.raises(SystemExit):
        runner._selected({"HR_RUN_SERVICES": "payroll"})


def test_login_help_without_any_file(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "DEMO_ORGANISATION", tmp_path / "missing.yaml")
    monkeypatch.setattr(runner, "AUTH_DEMO_MODULE", tmp_path / "missing.py")
    lines = runner.login_help({}, tmp_path, ["auth"])
    assert any("admin-credentials" in line for line in lines)
    assert not any("demo" in line for line in lines)


def test_login_help_with_admin_file_and_demo_users(tmp_path, monkeypatch):
    (tmp_path / "admin-credentials").write_text("admin:s3cret-pass\n")
    org = tmp_path / "organisation.yaml"
    org.write_text("users:\n  - {username: zhangwei, display_name: 张伟,"
                   " roles: [{role: branch_head, org: SB01}]}\n  - bogus: 1\n")
    module = tmp_path / "demo.py"
    module.write_text('DEMO_PASSWORD = "Demo-Pass-1!"\n')
    monkeypatch.setattr(runner, "DEMO_ORGANISATION", org)
    monkeypatch.setattr(runner, "AUTH_DEMO_MODULE", module)
    text = "\n".join(runner.login_help({}, tmp_path, ["auth"]))
    assert "admin:s3cret-pass" in text
    assert "password: Demo-Pass-1!" in text
    assert "zhangwei" in text and "branch_head@SB01" in text
    # HR_DEMO=0: no demo users; HR_BOOTSTRAP_ADMIN: its user name, never its password.
    text = "\n".join(runner.login_help({"HR_DEMO": "0", "HR_BOOTSTRAP_ADMIN": "root:pw-x"},
                                       tmp_path, ["auth"]))
    assert "zhangwei" not in text
    assert "root" in text and "pw-x" not in text


def test_malformed_demo_files_print_nothing(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("users: [unclosed\n")
    module = tmp_path / "demo.py"
    module.write_text("DEMO_PASSWORD = compute()\n")
    monkeypatch.setattr(runner, "DEMO_ORGANISATION", bad)
    monkeypatch.setattr(runner, "AUTH_DEMO_MODULE", module)
    assert runner.demo_users() == []
    assert runner.demo_password() is None


def test_the_real_demo_data_is_readable():
    if not runner.DEMO_ORGANISATION.exists():
        pytest.skip("no demo organisation yet")
    assert runner.demo_users()
    if Path(runner.AUTH_DEMO_MODULE).exists():
        assert runner.demo_password()
