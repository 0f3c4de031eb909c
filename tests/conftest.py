"""Fixtures every suite shares: the store under test, fresh databases, signing keys, tokens.

The store comes from `HR_TEST_STORE` (`sqlite`, the default, or `postgres`); `make test`
runs the suite once for each. On `postgres` a throwaway server is started here and removed
afterwards; if it cannot start, the run fails under `CI=true` and is skipped otherwise.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from shared.testing import DatabaseFactory, PostgresServer, SigningKey, TokenFactory
from shared.tokens import StaticKeySource, TokenVerifier

# No per-example deadline and no "too slow" health check: on a loaded two-core CI machine
# an example's time says nothing about the property under test.
settings.register_profile("suite", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

ISSUER = "http://issuer.test/auth"
STORE = os.environ.get("HR_TEST_STORE", "sqlite")


def pytest_report_header(config):
    return f"store: {STORE}"


@pytest.fixture(scope="session")
def store() -> str:
    return STORE


@pytest.fixture(scope="session")
def pg_server():
    if STORE != "postgres":
        yield None
        return
    try:
        server = PostgresServer().start()
    except Exception as exc:  # the server binaries may be missing on a developer machine
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL could not start under CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def databases(tmp_path_factory, pg_server) -> DatabaseFactory:
    return DatabaseFactory(STORE, tmp_path_factory.mktemp("db"), pg_server)


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey()


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    """A second, unrelated key: tokens it signs must be refused everywhere."""
    return SigningKey()


@pytest.fixture(scope="session")
def tokens(signing_key) -> TokenFactory:
    return TokenFactory(key=signing_key, issuer=ISSUER)


@pytest.fixture(scope="session")
def verifier(signing_key) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, keys=StaticKeySource(signing_key.jwks()))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def service_app(databases, *, name, app_module, models, verifier, tmp_path, load=None, **settings):
    """Yield a service's app on a fresh migrated database (a generator for fixtures).

    `load(session=...)` fills reference data; the database is dropped afterwards.
    """
    from shared.settings import TestSettings

    url = databases.fresh(name, app_module.MIGRATIONS)
    test_settings = TestSettings(name, {"HR_DATA_DIR": str(tmp_path)}, database_url=url,
                                 issuer=ISSUER, **settings)
    app = app_module.create_app(test_settings, verifier=verifier)
    with app.app_context():
        if load is not None:
            load(session=models.db.session)
    yield app
    with app.app_context():
        models.db.session.remove()
        models.db.engine.dispose()
    databases.drop(url)
