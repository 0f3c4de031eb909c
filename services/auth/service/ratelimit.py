"""The token endpoint's per-address brake: 60 FAILED requests within a minute → 429.

Only failures are counted (`failed()` after an error answer); `exceeded()` is asked before
doing any work, so an address over the limit gets 429 even for a request that would have
succeeded — otherwise the brake would still let an attacker learn which guess was right.
Successful requests never count, so a busy gateway address is never throttled by logins that
work. A moving window over `limits` storage: `memory://` (per process) by default, or any
`limits` URI (e.g. `redis://…`) from `settings.rate_limit_storage` to share it across workers.
"""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

FAILURES_PER_MINUTE = 60


class FailureLimiter:
    def __init__(self, storage_uri: str, limit: int = FAILURES_PER_MINUTE) -> None:
        self.item = RateLimitItemPerMinute(limit)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def exceeded(self, address: str) -> bool:
        return not self.limiter.test(self.item, "auth-token-failures", address)

    def failed(self, address: str) -> None:
        self.limiter.hit(self.item, "auth-token-failures", address)

    def retry_after(self, address: str) -> int:
        stats = self.limiter.get_window_stats(self.item, "auth-token-failures", address)
        return max(1, int(stats.reset_time - time.time()) + 1)
