import sys

from services.leave.app import deliver_events, prepare
from shared.cli import main

sys.exit(main("leave", prepare, {"deliver-events": deliver_events}))
