"""`python -m services.staff prepare|settings|makemigration|load-catalogue|load-demo|
deliver-events|apply-scheduled [YYYY-MM-DD]`."""

import datetime as dt
import json
import sys

from services.staff.app import MIGRATIONS, apply_scheduled, deliver_events, prepare
from services.staff.service import loading
from shared.cli import main
from shared.db import session_for, upgrade
from shared.settings import Settings


def load_catalogue(settings: Settings, _args: list[str]) -> int:
    """Add the catalogue's positions the store lacks (existing ones, maybe edited, stay)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        print(json.dumps({"positions_added": loading.load_catalogue(session=session)}))
    return 0


def load_demo(settings: Settings, _args: list[str]) -> int:
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        print(json.dumps(loading.load_demo(session=session)))
    return 0


def deliver(settings: Settings, _args: list[str]) -> int:
    counts = deliver_events(settings)
    print(json.dumps(counts))
    return 0 if not counts["failed"] else 1


def apply_due(settings: Settings, args: list[str]) -> int:
    """Apply the dated changes due by today (or the date given): for cron, shortly after
    local midnight; the services also do it on their first request of the day."""
    upgrade(MIGRATIONS, settings.database_url)
    today = dt.date.fromisoformat(args[0]) if args else None
    counts = apply_scheduled(settings, today)
    print(json.dumps(counts))
    return 0


sys.exit(main("staff", prepare, extra={"load-catalogue": load_catalogue,
                                       "load-demo": load_demo, "deliver-events": deliver,
                                       "apply-scheduled": apply_due}))
