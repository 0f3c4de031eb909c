"""The client-credentials row (issue #12: "client-credentials grants ≥ 240/s"): 1,000 outside
systems, each with its own random 256-bit secret, asking `/auth/token` in turn.

The clients go straight into auth's migrated store (as `bench/auth_scenarios.py` loads its
users), hashed the way auth hashes a client secret (SHA-256: a generated secret has 256 bits
of entropy, so a password hash would only cost time — `services/auth/service/clients.py`).
Each request is a different client, sent as a form with HTTP Basic credentials, so nothing
about one grant helps the next: every answer is a freshly signed token."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import sys
import time
from typing import Any
from urllib.parse import quote

from bench.auth_scenarios import _bulk_insert, _database_url, load_auth_data
from bench.load import Result, http_load
from bench.scenarios import Run, scenario

CLIENTS = 1_000
FORM = "application/x-www-form-urlencoded"
_loaded: dict[int, list[tuple[str, str]]] = {}


def load_clients(run: Run) -> list[tuple[str, str]]:
    """(client_id, secret) of 1,000 active clients holding `auth:check`."""
    if id(run.env) in _loaded:
        return _loaded[id(run.env)]
    from sqlalchemy import create_engine

    from services.auth.models import Client
    from services.auth.service.common import sha256_hex

    load_auth_data(run.env)  # auth is up and migrated
    t0 = time.perf_counter()
    pairs = [(f"bench-system-{n:04d}", secrets.token_urlsafe(32)) for n in range(CLIENTS)]
    now = dt.datetime.now(dt.UTC)
    engine = create_engine(_database_url(run.env))
    try:
        with engine.begin() as conn:
            # COPY writes text: the JSON column gets JSON text there, a list elsewhere.
            permissions: Any = (json.dumps(["auth:check"])
                                if conn.dialect.name == "postgresql" else ["auth:check"])
            _bulk_insert(conn, Client.__table__, [
                {"client_id": cid, "name": f"Bench system {cid[-4:]}",
                 "secret_hash": sha256_hex(secret), "permissions": permissions,
                 "kind": "client", "status": "active", "created_at": now}
                for cid, secret in pairs])
    finally:
        engine.dispose()
    print(f"  auth clients: {CLIENTS:,} loaded in {time.perf_counter() - t0:.1f}s",
          file=sys.stderr, flush=True)
    _loaded[id(run.env)] = pairs
    return pairs


@scenario("auth POST /auth/token client_credentials (1,000 clients, in turn)")
def client_credentials(run: Run) -> Result:
    pairs = load_clients(run)
    # HTTP Basic, as RFC 6749 §2.3.1 has clients authenticate (credentials in the body are
    # "NOT RECOMMENDED"); until session 8 this row sent them in the form, which auth answers
    # only on its documented path — so the row never measured the grant clients make.
    variants = [("/auth/token",
                 {"Authorization": "Basic " + base64.b64encode(
                     f"{quote(cid, safe='')}:{quote(secret, safe='')}".encode()).decode(),
                  "Content-Type": FORM},
                 b"grant_type=client_credentials") for cid, secret in pairs]
    url = load_auth_data(run.env).server.base_url + "/auth/token"
    result = http_load(url, method="POST", variants=variants, concurrency=run.concurrency,
                       duration=run.duration, max_requests=run.max_requests,
                       warmup=run.warmup)
    result.note = ("each request a different client (HTTP Basic, 256-bit secret, SHA-256 "
                   "hash); target ≥ 240/s")
    return result
