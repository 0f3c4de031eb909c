"""gunicorn entry point: `services.staff.wsgi:app`."""

from services.staff.app import create_app

app = create_app()
