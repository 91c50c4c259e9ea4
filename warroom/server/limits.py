"""Per-token rate limiting: a token bucket, refilled continuously.

It guards the server from one runaway script, not from people: a responder at a
keyboard makes a few requests a minute, a board a handful on reconnect. The limit
is checked before anything is stored, so a refused request (429 with
``Retry-After``) has changed nothing and is safe to retry with the same event id.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

DEFAULT_RATE = 200.0  # requests per second per token, sustained
DEFAULT_BURST = 400.0


@dataclass(slots=True)
class _Bucket:
    level: float
    stamp: float


class RateLimiter:
    """``rate`` requests per second per key with bursts up to ``burst``; ``rate <= 0`` disables it."""

    def __init__(self, rate: float = DEFAULT_RATE, burst: float | None = None, clock=time.monotonic):
        self.rate = rate
        self.burst = max(burst if burst is not None else 2 * rate, 1.0)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> float | None:
        """Spend one request for ``key``; ``None`` if allowed, else seconds until one is."""
        if not self.enabled:
            return None
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        else:
            bucket.level = min(self.burst, bucket.level + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.level >= 1.0:
            bucket.level -= 1.0
            return None
        return (1.0 - bucket.level) / self.rate

    @staticmethod
    def retry_after_header(seconds: float) -> str:
        """Retry-After takes whole seconds; never say 0 (clients would hammer)."""
        return str(max(1, math.ceil(seconds)))
