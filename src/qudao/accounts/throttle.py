"""Login throttling that answers the same for a known and an unknown e-mail.

Failures are counted per e-mail and per client address in this process. The account's own
counter, kept in the database, adds the hard cap that survives restarts.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qudao.core import clock

WINDOW = timedelta(minutes=15)
FREE_FAILURES = 5
MAX_DELAY = timedelta(minutes=15)
IP_FAILURES = 50


def delay_after(failures: int) -> timedelta:
    """No delay for the first failures, then 2, 4, 8 … seconds, up to 15 minutes."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_DELAY, timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))


@dataclass
class _Failures:
    times: deque[datetime] = field(default_factory=deque)

    def prune(self, at: datetime) -> None:
        while self.times and at - self.times[0] > WINDOW:
            self.times.popleft()


class LoginThrottle:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_email: dict[str, _Failures] = {}
        self._by_ip: dict[str, _Failures] = {}

    def retry_after(self, email: str, ip: str | None) -> int:
        """Seconds to wait before another try, 0 when a try is allowed now."""
        at = clock.now()
        with self._lock:
            waits = [0.0]
            mail = self._by_email.get(email)
            if mail:
                mail.prune(at)
                if mail.times:
                    until = mail.times[-1] + delay_after(len(mail.times))
                    waits.append((until - at).total_seconds())
            if ip and (by_ip := self._by_ip.get(ip)):
                by_ip.prune(at)
                if len(by_ip.times) >= IP_FAILURES:
                    waits.append((by_ip.times[0] + WINDOW - at).total_seconds())
            wait = max(waits)
            return 0 if wait <= 0 else int(wait) + 1

    def failed(self, email: str, ip: str | None) -> None:
        at = clock.now()
        with self._lock:
            self._by_email.setdefault(email, _Failures()).times.append(at)
            if ip:
                self._by_ip.setdefault(ip, _Failures()).times.append(at)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._by_email.pop(email, None)

    def reset(self) -> None:
        with self._lock:
            self._by_email.clear()
            self._by_ip.clear()


throttle = LoginThrottle()
