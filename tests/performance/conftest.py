from __future__ import annotations

import pytest

from services.performance import service
from services.performance.app import MIGRATIONS, create_app
from services.performance.models import db
from shared.settings import TestSettings
from tests.conftest import ISSUER


@pytest.fixture
def app(databases, verifier, tmp_path):
    url = databases.fresh("performance", MIGRATIONS)
    settings = TestSettings("performance", {"HR_DATA_DIR": str(tmp_path)}, database_url=url,
                            issuer=ISSUER)
    app = create_app(settings, verifier=verifier)
    with app.app_context():
        service.load_reference_data(session=db.session)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


@pytest.fixture
def client(app):
    return app.test_client()
