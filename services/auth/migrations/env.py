from services.auth.models import db
from shared.alembic_env import run

run(db.metadata)
