"""Rate limits on what an attacker would repeat: sign-in, sign-up, guests, tokens.

Counted in memory by default; in Redis when one is configured, so that every worker and
every machine counts together. Built on the `limits` library (moving windows).
"""

from __future__ import annotations

import math
import time
import uuid

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

RULES: dict[str, str] = {
    "signin-username": "10 per 15 minutes",  # guessing one learner's password
    "signin-client": "30 per 15 minutes",  # guessing many, from one address
    "signup-client": "10 per hour",
    "guest-client": "30 per hour",
    "token-learner": "20 per hour",
}


class TooMany(Exception):
    """Over a rate limit; retry_after in seconds."""

    def __init__(self, what: str, retry_after: int):
        super().__init__(f"too many {what} attempts; try again in {retry_after} s")
        self.retry_after = retry_after


class RateLimits:
    def __init__(self, storage_uri: str = "memory://", namespace: str | None = None):
        # A namespace keeps two sites on one Redis (tests, say) from counting together.
        self.namespace = namespace or "glossa"
        self._storage = storage_from_string(storage_uri)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._rules: dict[str, RateLimitItem] = {name: parse(rule) for name, rule in RULES.items()}

    @classmethod
    def isolated(cls) -> RateLimits:
        return cls(namespace=uuid.uuid4().hex)

    def hit(self, rule: str, key: str, what: str) -> None:
        """Count one attempt; TooMany when over the limit (the attempt is not counted)."""
        item = self._rules[rule]
        if not self._limiter.hit(item, self.namespace, rule, key):
            stats = self._limiter.get_window_stats(item, self.namespace, rule, key)
            raise TooMany(what, max(1, math.ceil(stats.reset_time - time.time())))
