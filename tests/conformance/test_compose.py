"""docker-compose.yml, its init script and the gateway template, checked without Docker.

The structure is asserted from the parsed YAML; if a compose binary is installed
(`docker-compose` v1 — Debian package `docker-compose` — or `docker compose` v2), it also
validates the file with `config -q`: with the `.env` that `make secrets` writes it passes;
with the shipped example (which holds no usable secret) or nothing, compose refuses and says
to run `make secrets`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shared.settings import DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
INIT = ROOT / "deploy" / "postgres-init" / "01-databases.sh"
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_every_service_database_and_gateway_is_there(compose):
    assert set(compose["services"]) == {*SERVICES, "postgres", "gateway"}
    assert compose["services"]["postgres"]["image"].split(":")[1].startswith("15")


@pytest.mark.parametrize("name", SERVICES)
def test_service_shape(compose, name):
    svc = compose["services"][name]
    env = _env(svc)
    upper = name.upper()
    assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (ROOT / svc["build"]["context"] / svc["build"]["dockerfile"]).exists()
    assert env["HR_SERVICE"] == name
    assert env["HR_HOST"] == "0.0.0.0"  # noqa: S104 - inside its container
    assert env["HR_ENV"] == "production"
    url = env[f"{upper}_DATABASE_URL"]
    assert re.fullmatch(rf"postgresql://{name}:\$\{{{upper}_DB_PASSWORD:\?[^}}]*\}}"
                        rf"@postgres:5432/{name}", url), url
    assert env["HR_ISSUER"].endswith("http://localhost:8080/auth}")
    for other, port in DEFAULT_PORTS.items():
        assert env[f"HR_{other.upper()}_URL"] == f"http://{other}:{port}"
    if name == "auth":
        # Only auth holds private keys; it mints its own tokens, so it needs no client secret.
        assert env["HR_KEY_ENCRYPTION_KEY"].startswith("${HR_KEY_ENCRYPTION_KEY:?")
    else:
        # Its own client credentials, the secret required from the environment.
        assert env[f"HR_{upper}_CLIENT_ID"] == f"svc-{name}"
        assert env[f"HR_{upper}_CLIENT_SECRET"].startswith(f"${{HR_{upper}_CLIENT_SECRET:?")
        assert "HR_KEY_ENCRYPTION_KEY" not in env
    # Healthy when its own health answers 200; started once PostgreSQL is healthy.
    test = " ".join(svc["healthcheck"]["test"])
    assert f"http://127.0.0.1:{DEFAULT_PORTS[name]}/{name}/health" in test
    assert "urllib" in test
    assert svc["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    # Not published: only the gateway is.
    assert "ports" not in svc


def test_auth_provisions_every_service_client(compose):
    env = _env(compose["services"]["auth"])
    for name in SERVICES:
        if name != "auth":
            assert env[f"HR_{name.upper()}_CLIENT_ID"] == f"svc-{name}"
            assert env[f"HR_{name.upper()}_CLIENT_SECRET"].startswith("${")


def test_no_service_waits_for_auth(compose):
    """Either start order works (keys are fetched lazily), so none depends on auth."""
    for name in SERVICES:
        assert "auth" not in compose["services"][name]["depends_on"]


def test_gateway(compose):
    gw = compose["services"]["gateway"]
    assert gw["image"].startswith("nginx:")
    assert any(str(p).endswith(":8080") and "8080" in str(p) for p in gw["ports"])
    assert "./deploy/nginx.conf.template:/etc/nginx/templates/default.conf.template:ro" \
        in gw["volumes"]
    env = _env(gw)
    assert env["GATEWAY_PORT"] == "8080"
    for name, port in DEFAULT_PORTS.items():
        assert env[f"{name.upper()}_UPSTREAM"] == f"{name}:{port}"
        assert gw["depends_on"][name] == {"condition": "service_healthy"}
    assert "healthcheck" in gw


def test_postgres_runs_the_init_script(compose):
    pg = compose["services"]["postgres"]
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in pg["volumes"]
    env = _env(pg)
    for name in SERVICES:
        assert env[f"{name.upper()}_DB_PASSWORD"].startswith(f"${{{name.upper()}_DB_PASSWORD:?")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])


def test_init_script_creates_one_database_per_service():
    text = INIT.read_text(encoding="utf-8")
    assert INIT.stat().st_mode & 0o111, "the postgres image runs it only if executable"
    loop = re.search(r"for service in ([a-z ]+); do", text)
    assert loop and loop.group(1).split() == list(SERVICES)
    assert 'CREATE DATABASE :"service" OWNER :"service"' in text
    assert 'CREATE ROLE :"service" LOGIN' in text
    assert "REVOKE ALL ON DATABASE" in text
    assert "ON_ERROR_STOP=1" in text
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", str(INIT)], check=True)


def test_template_routes_every_prefix_without_rewriting():
    text = TEMPLATE.read_text(encoding="utf-8")
    for name in SERVICES:
        assert re.search(rf"upstream hr_{name}\s*{{\s*server \$\{{{name.upper()}_UPSTREAM\}};",
                         text)
        assert re.search(rf"location /{name}/\s*{{\s*proxy_pass http://hr_{name};\s*}}", text)
    assert re.search(r"location /\.well-known/\s*{\s*proxy_pass http://hr_auth;\s*}", text)
    assert "listen ${GATEWAY_PORT};" in text
    assert "proxy_set_header X-Request-ID" in text
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text


def test_renderer_fills_every_placeholder(tmp_path):
    out = tmp_path / "gw.conf"
    subprocess.run([sys.executable, str(ROOT / "deploy" / "render_gateway.py"), "-o", str(out)],
                   check=True, env={})
    text = out.read_text()
    assert "listen 8080;" in text
    assert "server 127.0.0.1:8001;" in text
    directives = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "${" in line]
    bad = subprocess.run([sys.executable, str(ROOT / "deploy" / "render_gateway.py"),
                          "--template", str(_template_with_typo(tmp_path))],
                         capture_output=True, text=True, env={})
    assert bad.returncode == 2
    assert "AUTH_UPSTREAMM" in bad.stderr


def _template_with_typo(tmp_path: Path) -> Path:
    path = tmp_path / "typo.template"
    path.write_text("upstream a { server ${AUTH_UPSTREAMM}; }\n")
    return path


def test_env_example_names_every_required_variable(compose):
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text(encoding="utf-8")))
    example = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines()
               if line and not line.startswith("#")}
    assert required <= example, sorted(required - example)


def test_dockerfile():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "pip install ." in text
    assert 'CMD ["gunicorn", "-c", "python:shared.gunicorn_conf"]' in text
    assert re.search(r"^USER \w+", text, re.M), "the services must not run as root"


# --- With a compose binary ------------------------------------------------------------------

def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 check=False).returncode == 0:
        return [docker, "compose"]
    return None


def _make_secrets(output: Path, *extra: str) -> subprocess.CompletedProcess:
    """`make secrets ENV_FILE=output` — the documented command itself."""
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "secrets",
                           f"ENV_FILE={output}", *extra], capture_output=True, text=True)


def test_the_example_ships_no_usable_secret(compose):
    """Every variable compose requires is empty in the example, so it cannot be used as is."""
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text(encoding="utf-8")))
    values = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
                  if line and not line.startswith("#"))
    assert {name: values[name] for name in required} == dict.fromkeys(required, "")


def test_make_secrets_writes_fresh_random_values_owner_only_and_never_overwrites(tmp_path):
    from shared.settings_production import MIN_BITS, randomness_bits, shipped_values

    first, second = tmp_path / "a.env", tmp_path / "b.env"
    assert _make_secrets(first).returncode == 0
    assert _make_secrets(second).returncode == 0
    assert first.stat().st_mode & 0o777 == 0o600
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text(encoding="utf-8")))
    a, b = (dict(line.split("=", 1) for line in p.read_text().splitlines()
                 if line and not line.startswith("#")) for p in (first, second))
    for name in required:
        assert a[name] != b[name]
        assert randomness_bits(a[name]) >= MIN_BITS and a[name] not in shipped_values()
    before = first.read_text()
    again = _make_secrets(first)
    assert again.returncode != 0 and "not overwritten" in again.stderr
    assert first.read_text() == before
    assert _make_secrets(first, "FORCE=1").returncode == 0
    assert first.read_text() != before


def test_compose_config_validates(tmp_path):
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("no docker-compose (v1, Debian package docker-compose) or docker compose v2")
    base = [*cmd, "--project-directory", str(ROOT), "-f", str(COMPOSE)]
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    # A fresh clone after `make secrets`: the configuration is complete.
    secrets_file = tmp_path / "fresh.env"
    assert _make_secrets(secrets_file).returncode == 0
    ok = subprocess.run([*base, "--env-file", str(secrets_file), "config", "-q"],
                        capture_output=True, text=True, env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    # The example as shipped, or nothing: compose refuses and says what to do.
    empty = tmp_path / "empty.env"
    empty.write_text("")
    for env_file in (ENV_EXAMPLE, empty):
        bad = subprocess.run([*base, "--env-file", str(env_file), "config", "-q"],
                             capture_output=True, text=True, env=env, cwd=tmp_path)
        assert bad.returncode != 0
        assert "run make secrets" in bad.stderr
