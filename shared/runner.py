"""`make run`: start the four services in the foreground, stop them all on Ctrl-C or SIGTERM.

Each service runs as its own gunicorn (`gunicorn -c python:shared.gunicorn_conf` with
`HR_SERVICE` set) in a process group of its own, so that it can be stopped as a whole. The
runner

* creates `HR_DATA_DIR` (default `./var`) and the service clients' credentials file;
* starts every service at once (auth first, but nobody waits for it: each service fetches
  auth's keys lazily, so any start order works);
* waits until every `GET /<svc>/health` answers 200 (at most `HR_RUN_TIMEOUT`, 60 s), then
  prints the URLs and how to log in;
* stops everything — SIGTERM to each gunicorn master, SIGKILL to whatever is left of its
  process group after 12 s — on SIGINT, SIGTERM or SIGHUP, when a service dies on its own
  (exit status 1), and when its parent dies (`make` does not pass SIGTERM on, so the runner
  asks Linux for a SIGTERM when its parent goes away; every gunicorn master asks the same of
  the runner, so nothing survives even a SIGKILLed runner).

`HR_RUN_SERVICES=leave,staff` starts only some services (for development and tests).
The web console (`console/server.py`: its static files, and the four prefixes passed to the
services, so the browser sees one origin) starts beside them on `HR_CONSOLE_PORT` (8080),
supervised like a service; `HR_CONSOLE=0` leaves it out.
Services log JSON to stderr, which is passed through; the runner's own lines go to stdout.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from shared.db import private_dir
from shared.settings import DEFAULT_PORTS, SERVICES, write_service_clients_file

ROOT = Path(__file__).resolve().parent.parent
DEMO_ORGANISATION = ROOT / "data" / "demo" / "organisation.yaml"
AUTH_DEMO_MODULE = ROOT / "services" / "auth" / "demo.py"

PR_SET_PDEATHSIG = 1
START_TIMEOUT = 60.0
STOP_GRACE = 12.0
CONSOLE_PORT = 8080
POLL = 0.2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stop(Exception):
    """Raised by the signal handlers to unwind into the shutdown path."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send `sig` to this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        pass


def _child_setup(parent_pid: int) -> Callable[[], None]:
    """`preexec_fn` for each gunicorn: die with the runner, even if it was SIGKILLed."""

    def setup() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # the runner blocks them
        die_with_parent(signal.SIGTERM)
        if os.getppid() != parent_pid:  # the runner died between fork and prctl
            os._exit(1)

    return setup


def gunicorn_command() -> list[str]:
    """The command that serves one service (`HR_SERVICE` in its environment says which).

    gunicorn ≥ 25.1 opens a control socket at one fixed per-user path by default; four
    masters (or several test runs) would fight over it, so it is turned off."""
    import gunicorn

    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:shared.gunicorn_conf"]
    if tuple(gunicorn.version_info[:2]) >= (25, 1):
        cmd.append("--no-control-socket")
    return cmd


def _log(message: str) -> None:
    print(f"[run] {message}", flush=True)


class Service:
    def __init__(self, name: str, port: int, env: dict[str, str],
                 command: list[str] | None = None) -> None:
        self.name = name
        self.port = port
        self.env = env
        self.command = command  # None: gunicorn (a service); else the console's server
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.base_url}/{self.name}/health"

    def start(self) -> None:
        cmd = self.command or gunicorn_command()
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            cmd, env=self.env, cwd=ROOT, start_new_session=True,
            preexec_fn=_child_setup(os.getpid()),  # the runner has no threads
        )

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as resp:  # noqa: S310
                return resp.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies do not count: an orphaned
    worker waiting for a PID 1 that does not reap is already gone)."""
    proc = Path("/proc")
    if not proc.is_dir():  # pragma: no cover - not Linux
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def stop_all(services: list[Service], grace: float = STOP_GRACE) -> None:
    """SIGTERM to each gunicorn master; after `grace` seconds SIGKILL every leftover in its
    process group (workers included). Returns once nothing of them is left."""
    running = [s for s in services if s.proc is not None]
    for svc in running:
        assert svc.proc is not None
        if svc.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                svc.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        for svc in running:
            assert svc.proc is not None
            svc.proc.poll()
        if all(s.proc.returncode is not None and not _group_alive(s.proc.pid)  # type: ignore[union-attr]
               for s in running):
            break
        time.sleep(0.1)
    for svc in running:
        assert svc.proc is not None
        # The group id is the master's pid (start_new_session); workers share it.
        if svc.proc.poll() is None or _group_alive(svc.proc.pid):
            _log(f"{svc.name} did not stop in {grace:.0f} s: killing it")
            _signal_group(svc.proc.pid, signal.SIGKILL)
        try:
            svc.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable (D state)
            _log(f"{svc.name} (pid {svc.proc.pid}) could not be reaped")
    # Workers are not our children: wait for the kernel to finish them off.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(_group_alive(s.proc.pid) for s in running):  # type: ignore[union-attr]
        time.sleep(0.05)


def _service_env(name: str, base: dict[str, str], ports: dict[str, int],
                 data_dir: Path) -> dict[str, str]:
    env = dict(base)
    env["HR_SERVICE"] = name
    env["HR_DATA_DIR"] = str(data_dir)
    env[f"HR_{name.upper()}_PORT"] = str(ports[name])
    return env


def _ports(env: dict[str, str]) -> dict[str, int]:
    return {name: int(env.get(f"HR_{name.upper()}_PORT") or DEFAULT_PORTS[name])
            for name in SERVICES}


def _selected(env: dict[str, str]) -> list[str]:
    raw = env.get("HR_RUN_SERVICES", "").strip()
    if not raw:
        return list(SERVICES)
    wanted = [s.strip() for s in raw.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SERVICES]
    if unknown:
        raise SystemExit(f"HR_RUN_SERVICES: unknown service(s) {', '.join(unknown)}")
    return [s for s in SERVICES if s in wanted]  # auth first, whatever the order given


def console_wanted(env: dict[str, str]) -> bool:
    return env.get("HR_CONSOLE", "1").strip().lower() not in {"0", "false", "no", "off"}


def console_port(env: dict[str, str]) -> int:
    return int(env.get("HR_CONSOLE_PORT") or CONSOLE_PORT)


def console_service(env: dict[str, str], data_dir: Path) -> Service:
    """The console's server (`python -m console.server`), health at `/console/health`."""
    port = console_port(env)
    cenv = dict(env, HR_DATA_DIR=str(data_dir), HR_CONSOLE_PORT=str(port))
    return Service("console", port, cenv, command=[sys.executable, "-m", "console.server"])


def base_environment(environ: dict[str, str], data_dir: Path) -> dict[str, str]:
    """The environment every service shares: where the others are, who issues tokens.

    `Settings` defaults the other services' URLs and the issuer to the default ports; when
    ports are overridden the runner points everybody at the real ones (unless set)."""
    env = dict(environ)
    ports = _ports(env)
    env["HR_DATA_DIR"] = str(data_dir)
    for name, port in ports.items():
        env.setdefault(f"HR_{name.upper()}_URL", f"http://127.0.0.1:{port}")
    env.setdefault("HR_ISSUER", f"{env['HR_AUTH_URL'].rstrip('/')}/auth")
    return env


def wait_healthy(services: list[Service], timeout: float, stopping: Callable[[], None]) -> None:
    """Until every health answers 200; raises RuntimeError naming the ones that did not."""
    pending = {s.name: s for s in services}
    deadline = time.monotonic() + timeout
    while pending:
        stopping()
        for name, svc in list(pending.items()):
            code = svc.exited()
            if code is not None:
                raise RuntimeError(f"{name} exited during start-up (status {code})")
            if svc.healthy():
                _log(f"{name} is up on {svc.base_url}")
                del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"not healthy within {timeout:.0f} s: "
                + ", ".join(f"{s.name} ({s.health_url})" for s in pending.values()))
        time.sleep(POLL)


# --- What to print once everything is up -------------------------------------------------

def demo_password() -> str | None:
    """`DEMO_PASSWORD` from services/auth/demo.py, read without importing it."""
    try:
        tree = ast.parse(AUTH_DEMO_MODULE.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
            value = node.value
        for target in targets:
            if (isinstance(target, ast.Name) and target.id == "DEMO_PASSWORD"
                    and isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return value.value
    return None


def demo_users() -> list[str]:
    """One line per demo user from data/demo/organisation.yaml's `users:` list."""
    try:
        import yaml

        data = yaml.safe_load(DEMO_ORGANISATION.read_text(encoding="utf-8")) or {}
    except Exception:  # missing or malformed demo data: print nothing
        return []
    users = data.get("users") if isinstance(data, dict) else None
    lines = []
    for user in users or []:
        if isinstance(user, str):
            lines.append(user)
            continue
        if not isinstance(user, dict) or not user.get("username"):
            continue
        roles = user.get("roles") or ([{"role": user["role"], "org": user.get("org")}]
                                      if user.get("role") else [])
        described = []
        for role in roles if isinstance(roles, list) else []:
            if isinstance(role, dict):
                described.append(f"{role.get('role')}@{role.get('org', '*')}")
            else:
                described.append(str(role))
        name = user.get("display_name") or user.get("name") or ""
        extra = "  ".join(x for x in (str(name), ", ".join(described)) if x)
        lines.append(f"{user['username']:<16} {extra}".rstrip())
    return lines


def login_help(env: dict[str, str], data_dir: Path, selected: list[str]) -> list[str]:
    lines: list[str] = []
    if "auth" not in selected:
        return lines
    bootstrap = env.get("HR_BOOTSTRAP_ADMIN")
    if bootstrap:
        lines.append(f"  admin: {bootstrap.split(':', 1)[0]} (password from HR_BOOTSTRAP_ADMIN)")
    else:
        creds = data_dir / "admin-credentials"
        try:
            text = creds.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            lines.append(f"  admin ({creds}):")
            lines.extend(f"    {line}" for line in text.splitlines())
        else:
            lines.append(f"  admin: see {creds} (not written: an admin already existed)")
    default = "0" if env.get("HR_ENV") == "production" else "1"  # as Settings.demo
    demo_on = (env.get("HR_DEMO") or default).strip().lower() not in {"0", "false", "no", "off"}
    users = demo_users() if demo_on else []
    if users:
        password = demo_password()
        lines.append("  demo users" + (f" (password: {password})" if password else "") + ":")
        lines.extend(f"    {u}" for u in users)
    return lines


def banner(services: list[Service], env: dict[str, str], data_dir: Path) -> str:
    console = [s for s in services if s.command is not None]
    services = [s for s in services if s.command is None]
    selected = [s.name for s in services]
    out = ["", "HR platform is up (Ctrl-C stops every service)", f"  data: {data_dir}", ""]
    width = max(len(f"{s.base_url}/{s.name}") for s in services)
    for svc in console:
        out.append(f"  {'console':<12} {svc.base_url}/console/  (the web console: log in "
                   "there with a user below)")
    for svc in services:
        out.append(f"  {svc.name:<12} {svc.base_url + '/' + svc.name:<{width}}  docs: "
                   f"{svc.base_url}/{svc.name}/docs")
    if "auth" in selected:
        auth = next(s for s in services if s.name == "auth")
        out += ["", "Log in:",
                f"  curl -s {auth.base_url}/auth/token -d grant_type=password "
                "-d username=USER -d password=PASS"]
        out += login_help(env, data_dir, selected)
    out.append("")
    return "\n".join(out)


# --- Main ---------------------------------------------------------------------------------

def main(environ: dict[str, str] | None = None) -> int:
    parent = os.getppid()
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:  # pragma: no cover - parent already gone
        return 1
    env0 = dict(os.environ if environ is None else environ)
    data_dir = Path(env0.get("HR_DATA_DIR") or "./var").resolve()
    os.umask(0o077)  # files at rest (SQLite, credentials) are owner-only
    private_dir(data_dir)  # 0700, an existing ./var tightened too
    write_service_clients_file(data_dir)
    env = base_environment(env0, data_dir)
    ports = _ports(env)
    selected = _selected(env)
    services = [Service(name, ports[name], _service_env(name, env, ports, data_dir))
                for name in selected]
    if console_wanted(env):
        services.append(console_service(env, data_dir))

    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        raise Stop(signum)

    def check_stop() -> None:
        if received:
            raise Stop(received[0])

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)

    status = 0
    try:
        # No signal may land between a fork and the bookkeeping of its child.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for svc in services:
                _log(f"starting {svc.name} on {svc.base_url}")
                svc.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        timeout = float(env.get("HR_RUN_TIMEOUT") or START_TIMEOUT)
        try:
            wait_healthy(services, timeout, check_stop)
        except RuntimeError as exc:
            _log(f"start-up failed: {exc}")
            status = 1
        else:
            print(banner(services, env, data_dir), flush=True)
            while True:
                for svc in services:
                    code = svc.exited()
                    if code is not None:
                        raise RuntimeError(f"{svc.name} exited unexpectedly (status {code})")
                time.sleep(POLL)
    except Stop as stop:
        _log(f"{signal.Signals(stop.signum).name}: stopping every service")
    except RuntimeError as exc:
        _log(f"{exc}: stopping every service")
        status = 1
    finally:
        # A second signal while stopping must not abandon the children.
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        stop_all(services)
        _log("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
