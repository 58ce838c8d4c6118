"""Per-key request quotas with the IETF RateLimit headers and 429 + Retry-After.

A fixed window per key in this process. With several server workers each keeps its own
window, so the effective quota is the quota times the workers.
"""

from __future__ import annotations

import math
import threading
import time
from typing import NamedTuple

from qudao.core.errors import TooManyRequests
from qudao.core.i18n import N_


class Decision(NamedTuple):
    """A tuple, not a dataclass: one is made per partner API call, and this costs a fifth."""

    remaining: int
    reset: int

    def headers(self, policy: str) -> dict[str, str]:
        return {"RateLimit-Policy": policy, "RateLimit": self.limit()}

    def limit(self) -> str:
        """The value of the RateLimit header."""
        return f'"default";r={self.remaining};t={self.reset}'


class RateLimiter:
    def __init__(self, quota: int, window_seconds: int) -> None:
        self.quota = quota
        self.window = window_seconds
        self.policy = f'"default";q={quota};w={window_seconds}'
        self._lock = threading.Lock()
        self._windows: dict[object, tuple[float, int]] = {}

    def hit(self, key: object) -> Decision:
        now = time.monotonic()
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now - start >= self.window:
                start, used = now, 0
            reset = max(1, math.ceil(start + self.window - now))
            if used >= self.quota:
                error = TooManyRequests(
                    N_("Too many requests for this key: at most %(quota)s per %(window)s "
                       "seconds. Retry after %(seconds)s seconds."),
                    retry_after=reset, quota=self.quota, window=self.window, seconds=reset)
                error.headers.update(Decision(0, reset).headers(self.policy))
                self._windows[key] = (start, used)
                raise error
            used += 1
            self._windows[key] = (start, used)
            if len(self._windows) > 100_000:
                self._windows = {k: v for k, v in self._windows.items()
                                 if now - v[0] < self.window}
            return Decision(self.quota - used, reset)
