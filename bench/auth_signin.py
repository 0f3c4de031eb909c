"""Many users signed in for the bench's mixes, through auth's own issuance code, in-process.

The `/auth/check` mix needs 1,000 users' tokens. Logging each in over HTTP costs one argon2
verification at the service's cost (~0.35 s of CPU here): ~3 minutes of a 15-minute bench,
measuring nothing the login rows (`bench.auth_scenarios`, failures at the same cost) do not
already measure. So the bench signs them in the way the password grant does once the
password is verified — a new sign-in (refresh family), the refresh token, the access token
signed with auth's active key, the `login.succeeded` audit row — by calling the grant's own
code (`grants._user_tokens`) on auth's database, with the server's settings. The tokens are
the service's tokens: same claims, same key, same rows behind them; a check cannot tell them
from a login's. `sign_in` also logs one user in over HTTP and refuses to go on if the two
tokens differ in shape (header, claim names), so a change to the grant cannot silently
leave the bench measuring something else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.auth_scenarios import FORM, PASSWORD, _database_url, _login_body, _post
from bench.servers import Environment
from shared.db import engine_options, normalise_url


def _shape(token: str) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
    """The header (alg, kid, typ) and the claims' names."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    return tuple(sorted(header.items())), tuple(sorted(claims))


def sign_in(env: Environment, usernames: list[str]) -> list[str]:
    """An access token for each of `usernames` (in order), as auth's password grant issues."""
    from services.auth.models import User
    from services.auth.service import grants, refresh
    from shared.audit import Actor
    from shared.settings import Settings

    server = env.service("auth")
    status, body = _post(server.base_url + "/auth/token", _login_body(usernames[0], PASSWORD),
                         FORM)
    if status != 200:
        raise RuntimeError(f"login {usernames[0]}: {status} {body}")
    reference = body["access_token"]
    url = _database_url(env)
    settings = Settings("auth", environ={**env._base_env(), "HR_SERVICE": "auth",
                                         "AUTH_DATABASE_URL": url})
    database_url = normalise_url(settings.database_url)
    engine = create_engine(database_url, **engine_options(database_url))
    tokens: list[str] = []
    try:
        with Session(engine) as session:
            users = {u.username: u for u in session.scalars(
                select(User).where(User.username.in_(usernames)))}
            for username in usernames:
                user = users[username]
                now = dt.datetime.now(dt.UTC)
                actor = Actor(sub=f"bench-signin:{username}", kind="system",
                              remote_addr="127.0.0.1")
                family = refresh.new_family(session=session, user_id=user.id, now=now)
                answer: dict[str, Any] = grants._user_tokens(  # the grant, past the password
                    session, settings, user, family, now, login_actor=actor)
                tokens.append(answer["access_token"])
    finally:
        engine.dispose()
    if _shape(tokens[0]) != _shape(reference):
        raise RuntimeError(f"in-process sign-in issues {_shape(tokens[0])}, the password grant "
                           f"{_shape(reference)}: update bench/auth_signin.py")
    return tokens
