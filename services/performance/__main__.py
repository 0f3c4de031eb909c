import sys

from services.performance.app import prepare
from shared.cli import main

sys.exit(main("performance", prepare))
