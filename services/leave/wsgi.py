"""gunicorn entry point: `services.leave.wsgi:app`."""

from services.leave.app import create_app

app = create_app()
