"""What auth's store must not hold in production (`shared.settings_production` asks).

Demo users share a password printed in the README; a store that holds them — loaded by a
demo run before `HR_ENV=production` was set, or restored from a demo backup — would let
anyone who read the README sign in. Production refuses to start until they are gone.

What makes a user a demo user is the published password, not the name: the demo names are
common pinyin (`zhangwei`), and a real 张伟 may well sign in as `zhangwei` with a password
of their own. Without the demo list the answer is unknown, so production refuses (fail
closed).
"""

from __future__ import annotations

import yaml
from sqlalchemy import select

from services.auth.demo import DEMO_FILE, DEMO_PASSWORD
from services.auth.models import User
from services.auth.service.passwords import verify_or_dummy
from shared.db import session_for
from shared.settings import Settings


def demo_usernames() -> list[str]:
    """The demo users' names, as `services.auth.demo` creates them (lower-cased)."""
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")) or {}
    return sorted({str(u["username"]).strip().lower() for u in data.get("users") or []})


def stored_demo_data(settings: Settings) -> list[str]:
    """Why this store is not fit for production (an empty list when it is)."""
    if not DEMO_FILE.exists():
        return [f"the demo user list ({DEMO_FILE.name}) is missing, so demo users cannot be "
                "told apart; restore it"]
    names = demo_usernames()
    with session_for(settings.database_url) as session:
        rows = session.execute(select(User.username, User.password_hash)
                               .where(User.username.in_(names))
                               .order_by(User.username)).all()
    present = [name for name, stored in rows
               if stored and verify_or_dummy(settings, stored, DEMO_PASSWORD)]
    if not present:
        return []
    shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
    return [f"auth's store holds {len(present)} demo user(s) with the published demo "
            f"password ({shown}); delete them or change their passwords first"]
