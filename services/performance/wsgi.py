"""gunicorn entry point: `services.performance.wsgi:app`."""

from services.performance.app import create_app

app = create_app()
