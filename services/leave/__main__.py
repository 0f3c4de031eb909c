import sys

from services.leave.app import prepare
from shared.cli import main

sys.exit(main("leave", prepare))
