"""`python -m services.performance prepare|settings|makemigration|deliver-messages`."""

import json
import sys

from services.performance.app import deliver_messages, prepare
from shared.cli import main
from shared.settings import Settings


def deliver(settings: Settings, _args: list[str]) -> int:
    """Deliver every message owed to staff now (e.g. from cron while staff was down)."""
    counts = deliver_messages(settings)
    print(json.dumps(counts))
    return 0 if not counts["failed"] else 1


sys.exit(main("performance", prepare, extra={"deliver-messages": deliver}))
