"""The bench's rows: one function per row, registered with `@scenario(name)`.

A scenario gets a `Run` (the environment, the load settings) and returns a `load.Result`.
Adding a row is one function here (or in any module imported at the bottom):

    @scenario("auth POST /auth/token (password)", needs=("auth",))
    def auth_password_grant(run):
        server = run.env.service("auth")
        return run.http(server.base_url + "/auth/...", headers=...)

`needs` names the services the row starts (one of shared.settings.SERVICES, or "bare");
a row whose service does not exist yet is shown as skipped. The row named BASELINE is the
one every other row is compared with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.load import Result, call_loop, http_load
from bench.servers import ISSUER, Environment

BASELINE = "bare Flask GET /bare/health"


@dataclass
class Run:
    env: Environment
    concurrency: int = 8
    duration: float = 5.0
    max_requests: int = 50_000
    warmup: float = 1.0

    def http(self, url: str, **kw: Any) -> Result:
        kw.setdefault("concurrency", self.concurrency)
        kw.setdefault("duration", self.duration)
        kw.setdefault("max_requests", self.max_requests)
        kw.setdefault("warmup", self.warmup)
        return http_load(url, **kw)


@dataclass
class Scenario:
    name: str
    func: Callable[[Run], Result]
    needs: tuple[str, ...] = ()
    default: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, Scenario] = {}


def scenario(name: str, *, needs: tuple[str, ...] = (), default: bool = True,
             tags: tuple[str, ...] = ()) -> Callable[[Callable[[Run], Result]],
                                                      Callable[[Run], Result]]:
    """Register a row. `default=False` rows run only when named with `--only`."""

    def register(func: Callable[[Run], Result]) -> Callable[[Run], Result]:
        if name in REGISTRY:
            raise ValueError(f"two bench scenarios named {name!r}")
        REGISTRY[name] = Scenario(name=name, func=func, needs=needs, default=default, tags=tags)
        return func

    return register


# --- the baseline -------------------------------------------------------------------------

@scenario(BASELINE, needs=("bare",))
def bare_health(run: Run) -> Result:
    return run.http(run.env.service("bare").base_url + "/bare/health")


#: The floor of a row that reads the store on every answer (`bench.bare_app`).
ONE_READ = "bare Flask + one PostgreSQL read, GET /bare/one-read (the floor of a store read)"


def bare_one_read(run: Run, concurrency: int | None = None) -> Result:
    """The bare endpoint plus one `SELECT 1` through psycopg: PostgreSQL only."""
    if run.env.store != "postgres":
        from bench.servers import ServiceMissing

        raise ServiceMissing("the one-read floor is measured on PostgreSQL")
    kw = {} if concurrency is None else {"concurrency": concurrency}
    result = run.http(run.env.service("bare").base_url + "/bare/one-read", **kw)
    result.note = ("bare Flask and one SELECT 1 over psycopg (no ORM, no token, no log): "
                   "no row that reads the store per answer costs less")
    return result


scenario(ONE_READ, needs=("bare",))(bare_one_read)


# --- in-process -----------------------------------------------------------------------------

@scenario("offline token verification (TokenVerifier.verify)")
def token_verification(run: Run) -> Result:
    from shared.tokens import StaticKeySource, TokenVerifier

    verifier = TokenVerifier(issuer=ISSUER, keys=StaticKeySource(run.env.key.jwks()))
    token = run.env.user_token()
    result = call_loop(lambda: verifier.verify(token), duration=min(run.duration, 3.0),
                       max_calls=run.max_requests * 4, unit="verify")
    result.note = "in-process, one thread"
    return result


@scenario("offline token verification, a token already seen (TokenVerifier.principal)")
def token_seen(run: Run) -> Result:
    """What a request pays for a token it has seen before (issue #12: ≤ 30 µs): the
    verifier's remembered principal, looked up by the token, until its `exp` + leeway."""
    from shared.tokens import StaticKeySource, TokenVerifier

    verifier = TokenVerifier(issuer=ISSUER, keys=StaticKeySource(run.env.key.jwks()))
    token = run.env.user_token()
    verifier.principal(token)  # verified once, as the token's first request does
    result = call_loop(lambda: verifier.principal(token), duration=min(run.duration, 3.0),
                       max_calls=run.max_requests * 40, unit="verify")
    result.note = "in-process, one thread"
    return result


# --- services ---------------------------------------------------------------------------------

def _health(name: str) -> Callable[[Run], Result]:
    def run_health(run: Run) -> Result:
        return run.http(run.env.service(name).base_url + f"/{name}/health")

    run_health.__name__ = f"{name}_health"
    return run_health


for _name in ("auth", "staff", "leave", "performance"):
    scenario(f"{_name} GET /{_name}/health", needs=(_name,))(_health(_name))


@scenario("leave GET /leave/types (token)", needs=("leave",))
def leave_types(run: Run) -> Result:
    return run.http(run.env.service("leave").base_url + "/leave/types",
                    headers=run.env.bearer(emp="E1", roles=[]))


@scenario("performance GET /performance/rules (token)", needs=("performance",))
def performance_rules(run: Run) -> Result:
    return run.http(run.env.service("performance").base_url + "/performance/rules",
                    headers=run.env.bearer(emp="E1", roles=[]))


@scenario("performance GET /performance/rules no token (401)", needs=("performance",),
          default=False)
def performance_rules_unauthenticated(run: Run) -> Result:
    return run.http(run.env.service("performance").base_url + "/performance/rules",
                    expect=401)


from bench import auth_clients as _auth_clients  # noqa: E402,F401 - client-credentials grants
from bench import auth_mix as _auth_mix  # noqa: E402,F401 - /auth/check under the mix
from bench import auth_scenarios as _auth_scenarios  # noqa: E402,F401 - registers the auth rows
from bench import leave_scenarios as _leave_scenarios  # noqa: E402,F401 - the leave 1M rows
from bench import performance_scenarios as _performance  # noqa: E402,F401 - performance 200k
from bench import staff_mix as _staff_mix  # noqa: E402,F401 - staff under the many-caller mix
from bench import staff_scenarios as _staff_scenarios  # noqa: E402,F401 - the staff 100k rows
