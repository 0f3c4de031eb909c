"""`python -m services.auth prepare|settings|makemigration|rotate-keys`."""

import sys

from services.auth.app import prepare
from services.auth.commands import rotate_keys
from shared.cli import main

sys.exit(main("auth", prepare, extra={"rotate-keys": rotate_keys}))
