"""What auth's store must not hold in production (`shared.settings_production` asks).

Demo users share a password printed in the README; a store that holds them — loaded by a
demo run before `HR_ENV=production` was set, or restored from a demo backup — would let
anyone who read the README sign in. Production refuses to start until they are gone.
"""

from __future__ import annotations

import yaml
from sqlalchemy import select

from services.auth.demo import DEMO_FILE
from services.auth.models import User
from shared.db import session_for
from shared.settings import Settings


def demo_usernames() -> list[str]:
    """The demo users' names, as `services.auth.demo` creates them (lower-cased)."""
    if not DEMO_FILE.exists():
        return []
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")) or {}
    return sorted({str(u["username"]).strip().lower() for u in data.get("users") or []})


def stored_demo_data(settings: Settings) -> list[str]:
    """Why this store is not fit for production (an empty list when it is)."""
    names = demo_usernames()
    if not names:
        return []
    with session_for(settings.database_url) as session:
        present = session.scalars(select(User.username).where(User.username.in_(names))
                                  .order_by(User.username)).all()
    if not present:
        return []
    shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
    return [f"auth's store holds {len(present)} demo user(s) ({shown}); delete them first"]
