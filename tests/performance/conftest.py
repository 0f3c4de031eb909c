from __future__ import annotations

import pytest

from services.performance import app as app_module
from services.performance import models, service
from tests.conftest import service_app


@pytest.fixture
def app(databases, verifier, tmp_path):
    yield from service_app(databases, name="performance", app_module=app_module, models=models,
                           verifier=verifier, tmp_path=tmp_path,
                           load=service.load_reference_data)


@pytest.fixture
def client(app):
    return app.test_client()
