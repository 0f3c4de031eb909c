from __future__ import annotations

import pytest

from services.performance import app as app_module
from services.performance import models, service
from tests.conftest import service_app
from tests.performance.fakes import FakeStaff


@pytest.fixture
def staff() -> FakeStaff:
    """The staff service as performance sees it (recording; can be taken down)."""
    return FakeStaff()


@pytest.fixture
def app(databases, verifier, tmp_path, staff):
    for app in service_app(databases, name="performance", app_module=app_module, models=models,
                           verifier=verifier, tmp_path=tmp_path,
                           load=service.load_reference_data):
        app.extensions["performance_staff"] = staff
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def perf(client, tokens):
    from tests.performance.helpers import Perf

    return Perf(client, tokens)
