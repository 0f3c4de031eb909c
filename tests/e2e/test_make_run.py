"""`make run` (and `python -m shared.runner`, which it execs): start everything, serve every
health within 60 s, and stop everything within 20 s on SIGTERM — to the runner, or to the
`make` process itself, which does not pass SIGTERM on — leaving no process behind.

Every test uses its own HR_DATA_DIR, which every process it starts carries in its environment:
that is how leftovers are found (see `pids_with_env`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from shared.runner import demo_password, demo_users
from shared.settings import SERVICES
from tests.e2e.harness import ROOT, free_port, pids_with_env, port_is_free

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STOP_WITHIN = 20.0


def _environment(data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HR_", "GUNICORN_", "MAKE")) and not k.endswith("_DATABASE_URL")
           and k not in {"MFLAGS", "MAKELEVEL"}}
    env["HR_DATA_DIR"] = str(data_dir)
    env["HR_WORKERS"] = "1"
    for name, port in ports.items():
        env[f"HR_{name.upper()}_PORT"] = str(port)
    return env


def _start(cmd: list[str], tmp_path: Path, override: dict[str, int] | None = None,
           ) -> tuple[subprocess.Popen[bytes], dict[str, int], Path, Path]:
    from tests.e2e.conftest import require

    require(*SERVICES)  # all four, as `make run` starts them
    # The console's server starts beside the services: on a free port too, never 8080.
    ports = {s: free_port() for s in (*SERVICES, "console")} | (override or {})
    data_dir = tmp_path / "var"
    out = tmp_path / "run.log"
    log = open(out, "wb")  # noqa: SIM115 - the child owns it
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_environment(data_dir, ports),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return proc, ports, data_dir, out


def _wait_healthy(proc, ports: dict[str, int], out: Path, timeout: float) -> None:
    pending = set(SERVICES)
    deadline = time.monotonic() + timeout
    while pending:
        if proc.poll() is not None:
            pytest.fail(f"exited ({proc.returncode}) before serving:\n{_tail(out)}")
        for name in list(pending):
            try:
                url = f"http://127.0.0.1:{ports[name]}/{name}/health"
                if requests.get(url, timeout=2).status_code == 200:
                    pending.discard(name)
            except requests.RequestException:
                pass
        if pending and time.monotonic() > deadline:
            _kill_everything(proc, out)
            pytest.fail(f"not healthy within {timeout:.0f} s: {sorted(pending)}\n{_tail(out)}")
        time.sleep(0.2)


def _tail(out: Path, lines: int = 60) -> str:
    return "\n".join(out.read_text(errors="replace").splitlines()[-lines:])


def _kill_everything(proc, out: Path) -> None:
    """Clean up after a failed test so that it cannot leak processes into the next ones."""
    data_dir = out.parent / "var"
    for pid in pids_with_env("HR_DATA_DIR", str(data_dir)) | {proc.pid}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _wait_banner(out: Path, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.read_text(errors="replace")
        if "HR platform is up" in text:
            return text
        time.sleep(0.1)
    return out.read_text(errors="replace")


def _assert_nothing_left(proc, ports: dict[str, int], data_dir: Path, children: set[int],
                         out: Path) -> None:
    # After a SIGKILLed runner the masters stop on their own, and the kernel may take a moment
    # to finish the last worker: poll.
    deadline = time.monotonic() + 15
    while True:
        left = pids_with_env("HR_DATA_DIR", str(data_dir))
        left |= {pid for pid in children if Path(f"/proc/{pid}").exists() and not _is_zombie(pid)}
        busy = [p for p in ports.values() if not port_is_free(p)]
        if not left and not busy:
            return
        if time.monotonic() > deadline:
            _kill_everything(proc, out)
            pytest.fail(f"left behind: pids {sorted(left)}, ports {busy}\n{_tail(out)}")
        time.sleep(0.1)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _stop_and_check(proc, ports, data_dir, out, sig=signal.SIGTERM) -> float:
    children = pids_with_env("HR_DATA_DIR", str(data_dir))
    assert len(children) >= 2 * len(SERVICES), f"expected masters and workers, got {children}"
    t0 = time.monotonic()
    proc.send_signal(sig)
    try:
        proc.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        _kill_everything(proc, out)
        pytest.fail(f"still running {STOP_WITHIN:.0f} s after {sig.name}:\n{_tail(out)}")
    elapsed = time.monotonic() - t0
    _assert_nothing_left(proc, ports, data_dir, children, out)
    return elapsed


def test_runner_serves_everything_and_stops_on_sigterm(tmp_path):
    proc, ports, data_dir, out = _start([sys.executable, "-m", "shared.runner"], tmp_path)
    _wait_healthy(proc, ports, out, timeout=60)
    text = _wait_banner(out)
    for name in SERVICES:
        assert f"http://127.0.0.1:{ports[name]}/{name}/docs" in text
    # The web console beside them, one origin for its files and the four services' APIs.
    console = f"http://127.0.0.1:{ports['console']}"
    assert f"{console}/console/" in text
    assert requests.get(f"{console}/console/health", timeout=5).status_code == 200
    assert requests.get(f"{console}/leave/health", timeout=5).json() == {"status": "ok"}
    # How to log in: the generated admin password, the demo users and their password.
    admin = (data_dir / "admin-credentials").read_text().strip()
    assert admin.startswith("admin:") and admin in text
    demo = demo_users()
    if demo:
        assert demo[0].split()[0] in text
        assert f"password: {demo_password()}" in text
    assert (data_dir / "service-clients.json").exists()
    elapsed = _stop_and_check(proc, ports, data_dir, out)
    assert proc.returncode == 0, _tail(out)
    assert elapsed < STOP_WITHIN


def test_make_run_stops_everything_on_sigterm_to_make(tmp_path):
    """What docs/api.md promises: SIGTERM to the `make` process stops all services in 20 s."""
    make = "make"
    proc, ports, data_dir, out = _start([make, "--no-print-directory", "run"], tmp_path)
    # A stale install stamp makes `make` reinstall first: allow for it.
    _wait_healthy(proc, ports, out, timeout=300)
    _wait_banner(out)
    elapsed = _stop_and_check(proc, ports, data_dir, out)
    assert elapsed < STOP_WITHIN


def test_services_die_with_a_killed_runner(tmp_path):
    """Even SIGKILL to the runner (nothing can be caught) leaves no service behind."""
    proc, ports, data_dir, out = _start([sys.executable, "-m", "shared.runner"], tmp_path)
    _wait_healthy(proc, ports, out, timeout=60)
    _stop_and_check(proc, ports, data_dir, out, sig=signal.SIGKILL)


def test_one_service_dying_stops_them_all(tmp_path):
    proc, ports, data_dir, out = _start([sys.executable, "-m", "shared.runner"], tmp_path)
    _wait_healthy(proc, ports, out, timeout=60)
    children = pids_with_env("HR_DATA_DIR", str(data_dir))
    victim = SERVICES[-1]
    masters = [p for p in children if _parent(p) == proc.pid]
    target = next(p for p in masters
                  if f"HR_SERVICE={victim}".encode() in Path(f"/proc/{p}/environ").read_bytes())
    os.kill(target, signal.SIGKILL)
    try:
        proc.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        _kill_everything(proc, out)
        pytest.fail(f"the runner kept going after {victim} died:\n{_tail(out)}")
    assert proc.returncode != 0
    assert f"{victim} exited unexpectedly" in _tail(out)
    _assert_nothing_left(proc, ports, data_dir, children, out)


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def test_a_service_that_cannot_start_stops_them_all(tmp_path):
    """Its port is taken: gunicorn gives up, the runner stops the others and exits 1."""
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        proc, ports, data_dir, out = _start([sys.executable, "-m", "shared.runner"], tmp_path,
                                            override={"leave": taken})
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _kill_everything(proc, out)
            pytest.fail(f"the runner kept waiting for leave:\n{_tail(out)}")
        assert proc.returncode == 1
        assert "leave exited during start-up" in _tail(out)
        ports.pop("leave")
        _assert_nothing_left(proc, ports, data_dir, set(), out)
