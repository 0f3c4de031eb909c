"""`python -m services.<svc> <command>`: the few commands every service answers the same way."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from shared.settings import Settings
from shared.settings_production import refuse_stored_demo_data


def main(service: str, prepare: Callable[[Settings], None],
         extra: dict[str, Callable[[Settings, list[str]], int]] | None = None,
         argv: list[str] | None = None) -> int:
    extra = extra or {}
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    parser.add_argument("command", choices=["prepare", "settings", "makemigration", *extra])
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    settings = Settings(service)
    settings.check()
    if ns.command == "prepare":
        prepare(settings)
        refuse_stored_demo_data(settings)
        return 0
    if ns.command == "settings":
        json.dump(settings.public(), sys.stdout, indent=2)
        print()
        return 0
    if ns.command == "makemigration":
        from pathlib import Path

        from shared.db import make_revision

        make_revision(Path("services") / service / "migrations", " ".join(ns.args) or "change")
        return 0
    return extra[ns.command](settings, ns.args)
