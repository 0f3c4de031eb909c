"""Settings read from the environment, one plain class per process.

Why a plain class: it is trivially subclassed for tests (`TestSettings`) and printed for
debugging without leaking secrets (`public()`), and there is nothing to learn.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SERVICES = ("auth", "staff", "leave", "performance")
DEFAULT_PORTS = {"auth": 8001, "staff": 8002, "leave": 8003, "performance": 8004}
#: Marker for a value that must be replaced before production; refused there.
DEV_DEFAULT = "dev-only-change-me"


class InsecureSettings(RuntimeError):
    """Raised when a production process would start with a development default."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


class Settings:
    """Everything a service reads from its environment, with safe local defaults."""

    TESTING = False

    def __init__(self, service: str, environ: dict[str, str] | None = None) -> None:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        env = dict(os.environ if environ is None else environ)
        self.service = service
        upper = service.upper()
        self.environment = env.get("HR_ENV", "development")
        self.data_dir = Path(env.get("HR_DATA_DIR", "./var")).resolve()
        self.host = env.get("HR_HOST", "127.0.0.1")
        self.port = int(env.get(f"HR_{upper}_PORT", DEFAULT_PORTS[service]))
        self.database_url = env.get(
            f"{upper}_DATABASE_URL", f"sqlite:///{self.data_dir / (service + '.db')}"
        )
        self.issuer = env.get("HR_ISSUER", "http://127.0.0.1:8001/auth")
        self.timezone = env.get("HR_TIMEZONE", "Asia/Shanghai")
        #: Demo data: on by default for a developer, off by default in production, where
        #: turning it on refuses to start (`check`).
        self.demo = _bool(env.get("HR_DEMO"), self.environment != "production")
        self.bootstrap_admin = env.get("HR_BOOTSTRAP_ADMIN") or None
        self.log_level = env.get("HR_LOG_LEVEL", "INFO")
        self.log_json = _bool(env.get("HR_LOG_JSON"), True)
        #: Base URLs of the other services (no prefix): service-to-service calls go there.
        self.urls = {
            name: env.get(f"HR_{name.upper()}_URL", f"http://127.0.0.1:{port}").rstrip("/")
            for name, port in DEFAULT_PORTS.items()
        }
        self.jwks_url = env.get("HR_JWKS_URL", f"{self.urls['auth']}/auth/.well-known/jwks.json")
        self.token_url = env.get("HR_TOKEN_URL", f"{self.urls['auth']}/auth/token")
        self.token_leeway = int(env.get("HR_TOKEN_LEEWAY", "10"))
        self.access_token_ttl = int(env.get("HR_ACCESS_TOKEN_TTL", "300"))
        self.refresh_token_ttl = int(env.get("HR_REFRESH_TOKEN_TTL", str(14 * 24 * 3600)))
        self.http_timeout = float(env.get("HR_HTTP_TIMEOUT", "3"))
        #: Proxies in front of the service that append to X-Forwarded-For (the gateway: 1).
        #: 0 (direct, `make run`): the header is ignored, so nobody can pick their address.
        self.proxy_hops = int(env.get("HR_PROXY_HOPS", "0"))
        #: Where webhook receivers may be (`shared.outbound`): host names, `*.` patterns,
        #: CIDR ranges. Unset: any non-link-local address in development, none in production.
        self.webhook_hosts = [h.strip() for h in env.get("HR_WEBHOOK_HOSTS", "").split(",")
                              if h.strip()]
        #: Encrypts auth's private signing keys at rest.
        self.key_encryption_key = env.get("HR_KEY_ENCRYPTION_KEY", DEV_DEFAULT)
        self.client_id, self.client_secret = self._client_credentials(env, upper)
        #: The secrets this process holds, by the variable that sets them (`check`).
        self.secrets = self._secrets(env)
        #: argon2id cost for auth's password hashes (RFC 9106's low-memory profile by default).
        self.argon2_time_cost = int(env.get("HR_ARGON2_TIME_COST", "3"))
        self.argon2_memory_kib = int(env.get("HR_ARGON2_MEMORY_KIB", "65536"))
        self.argon2_parallelism = int(env.get("HR_ARGON2_PARALLELISM", "4"))

    def _client_credentials(self, env: dict[str, str], upper: str) -> tuple[str, str]:
        """This service's own client for service-to-service calls.

        From `HR_<SERVICE>_CLIENT_ID`/`_SECRET` (compose), else from the credentials file
        that `make run` writes once (`HR_DATA_DIR/service-clients.json`), else a dev default.
        """
        cid = env.get(f"HR_{upper}_CLIENT_ID")
        secret = env.get(f"HR_{upper}_CLIENT_SECRET")
        if cid and secret:
            return cid, secret
        path = self.data_dir / "service-clients.json"
        if path.exists():
            entry = json.loads(path.read_text()).get(self.service)
            if entry:
                return entry["client_id"], entry["client_secret"]
        return f"svc-{self.service}", DEV_DEFAULT

    def _secrets(self, env: dict[str, str]) -> dict[str, str | None]:
        """Auth: its key-encryption key and every client secret it provisions; another
        service: its own client secret. Every service: its database password, if any."""
        found: dict[str, str | None] = {}
        if self.service == "auth":
            found["HR_KEY_ENCRYPTION_KEY"] = self.key_encryption_key
            for name in SERVICES[1:]:
                found[f"HR_{name.upper()}_CLIENT_SECRET"] = Settings(name, env).client_secret
        else:
            found[f"HR_{self.service.upper()}_CLIENT_SECRET"] = self.client_secret
        if not self.database_url.startswith("sqlite"):
            from sqlalchemy.engine import make_url

            try:
                password = make_url(self.database_url).password
            except Exception:  # an unreadable URL fails at connect, clearly
                password = None
            if password is not None:  # none: peer, certificate or .pgpass authentication
                found[f"{self.service.upper()}_DATABASE_URL password"] = str(password)
        return found

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check(self) -> None:
        """Refuse to start in production with demo data, SQLite, or any secret that is a
        development default, a value shipped in the repository, or too short to be random
        (`shared.settings_production` says what and why)."""
        if not self.is_production:
            return
        from shared.settings_production import (
            MissingExample,
            secret_problems,
            shipped_values,
        )

        bad = []
        if self.demo:
            bad.append("HR_DEMO is on (demo users share a published password)")
        if self.database_url.startswith("sqlite"):
            bad.append(f"{self.service.upper()}_DATABASE_URL (SQLite in production)")
        try:
            shipped = shipped_values(extra=[DEV_DEFAULT])
        except MissingExample as exc:
            bad.append(str(exc))
            shipped = frozenset({DEV_DEFAULT})
        bad += secret_problems(self.secrets, shipped)
        if self.service == "auth" and self.bootstrap_admin:
            bad += secret_problems({"HR_BOOTSTRAP_ADMIN password":
                                    self.bootstrap_admin.partition(":")[2]}, shipped,
                                   random=False)
        if bad:
            raise InsecureSettings("refusing to start in production: " + "; ".join(bad))

    def public(self) -> dict[str, object]:
        """What may be printed or logged: no secrets."""
        return {
            "service": self.service,
            "environment": self.environment,
            "port": self.port,
            "database": self.database_url.split("@")[-1],
            "issuer": self.issuer,
            "timezone": self.timezone,
            "client_id": self.client_id,
        }


class TestSettings(Settings):
    """Settings for tests: isolated data directory, no demo data, fast hashing."""

    TESTING = True
    __test__ = False  # not a pytest class

    def __init__(self, service: str, environ: dict[str, str] | None = None, **overrides: object):
        # Tests never reach the real services on 8001–8004: other services are at a closed
        # port unless a test points them somewhere on purpose.
        base = {f"HR_{name.upper()}_URL": "http://127.0.0.1:9" for name in SERVICES}
        base |= {"HR_ENV": "test", "HR_DEMO": "0", "HR_LOG_JSON": "1",
                "HR_ARGON2_TIME_COST": "1", "HR_ARGON2_MEMORY_KIB": "256",
                "HR_ARGON2_PARALLELISM": "1"}
        base.update(environ or {})
        super().__init__(service, base)
        for key, value in overrides.items():
            if not hasattr(self, key):
                raise AttributeError(f"no setting {key!r}")
            setattr(self, key, value)


def service_client_credentials(environ: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Every service's client id and secret (auth provisions them at start).

    Same sources, same order as `Settings._client_credentials`, so both sides agree.
    """
    env = dict(os.environ if environ is None else environ)
    return {
        name: Settings(name, env)._client_credentials(env, name.upper())
        for name in SERVICES if name != "auth"
    }


def write_service_clients_file(data_dir: Path) -> Path:
    """Create `service-clients.json` with random secrets once (`make run`); never overwrite."""
    import secrets

    path = Path(data_dir) / "service-clients.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        entries = {name: {"client_id": f"svc-{name}", "client_secret": secrets.token_urlsafe(32)}
                   for name in SERVICES if name != "auth"}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(entries, fh, indent=2)
    return path
