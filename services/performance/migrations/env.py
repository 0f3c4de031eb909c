from services.performance.models import db
from shared.alembic_env import run

run(db.metadata)
