"""gunicorn entry point: `services.auth.wsgi:app`."""

from services.auth.app import create_app

app = create_app()
