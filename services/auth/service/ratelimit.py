"""The token endpoint's per-address brake: docs/api.md says it "answers 429 to an address after 60
failed requests within a minute, for a minute, before looking at any credential, so that a
right guess and a wrong one answer alike".

Shared by every worker and process:

- The count lives in auth's own database (`failed_requests`: address, at), not in process
  memory, so two gunicorn workers (or two hosts on one PostgreSQL) see one count of 60, not
  60 each. It is a sliding window: failures in the last `WINDOW`.
- Once an address has `FAILURES_PER_MINUTE` failures in the window, EVERY token request
  from it is answered 429 `too_many_requests` with `Retry-After` before its body or any
  credential is looked at, and is not counted again (so an address keeps at most about 60
  rows; older ones are pruned for that address on every insert, and for every address now
  and then). A right password and a wrong one answer alike: were a success still answered
  200 over the limit, the brake would tell an attacker which guess was right.
- It lifts by itself: as the oldest failures leave the window the address is under the
  limit again (`Retry-After` says when).

Trade-off: behind a gateway that hides client addresses every user shares one address, so
one attacker can stop everybody signing in for a minute at a time (the app sees the
gateway's address; trusting `X-Forwarded-For` is a deployment decision not made here). The
per-account lockout (`service.login`: 5 failed
passwords in 15 minutes lock the account, and a locked account answers exactly as a wrong
password does) stays as it was and protects each account whatever the address. The 429
depends on the address's count only, never on the account.

Concurrent failures from one address may overshoot the limit by the number of requests in
flight at once (count and insert are not one atomic step); the contract's number is a brake,
not a quota.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.auth.models import FailedRequest
from services.auth.service.common import aware

FAILURES_PER_MINUTE = 60
WINDOW = dt.timedelta(minutes=1)
#: How often (per process) rows of addresses that went quiet are swept away.
SWEEP_SECONDS = 300.0
#: `failed_requests.address` is String(64); IPv6 addresses fit, anything longer is cut.
ADDRESS_MAX = 64


class FailureLimiter:
    """Counts failed token requests per address in auth's database (see the module)."""

    def __init__(self, limit: int = FAILURES_PER_MINUTE, window: dt.timedelta = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._next_sweep = 0.0

    def over_limit(self, *, session: Session, address: str, now: dt.datetime) -> bool:
        """Does `address` already have `limit` failures in the window ending at `now`?"""
        count = session.scalar(
            select(func.count()).select_from(FailedRequest)
            .where(FailedRequest.address == address[:ADDRESS_MAX],
                   FailedRequest.at > now - self.window)) or 0
        return count >= self.limit

    def failed(self, *, session: Session, address: str, now: dt.datetime) -> None:
        """Count one failure (and prune this address's rows that left the window); commits."""
        address = address[:ADDRESS_MAX]
        cutoff = now - self.window
        session.execute(delete(FailedRequest).where(FailedRequest.address == address,
                                                    FailedRequest.at <= cutoff)
                        .execution_options(synchronize_session=False))
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            session.execute(delete(FailedRequest).where(FailedRequest.at <= cutoff)
                            .execution_options(synchronize_session=False))
        session.add(FailedRequest(address=address, at=now))
        session.commit()

    def retry_after(self, *, session: Session, address: str, now: dt.datetime) -> int:
        """Seconds until the oldest failure in the window leaves it (at least 1)."""
        oldest = session.scalar(
            select(func.min(FailedRequest.at))
            .where(FailedRequest.address == address[:ADDRESS_MAX],
                   FailedRequest.at > now - self.window))
        if oldest is None:
            return 1
        left = (aware(oldest) + self.window - now).total_seconds()  # type: ignore[operator]
        return max(1, math.ceil(left))
