"""Counting failed sign-ins, so that passwords cannot be guessed at full speed.

The counter lives in the memory of one process. That is enough for the single-process
server of ``rounds run``; with several WSGI workers each keeps its own count (an attacker
gets at most ``workers x max_failures`` tries per window), and behind a reverse proxy the
client address is the proxy's unless ``werkzeug.middleware.proxy_fix.ProxyFix`` is set up.
A shared store (the database or Redis) is the upgrade path if that ever matters.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


class LoginThrottle:
    """At most ``max_failures`` failures per key within a sliding window of ``window_s`` seconds.

    Parameters
    ----------
    max_failures
        Failures after which the key is refused until the oldest failure leaves the window.
    window_s
        Length of the sliding window in seconds.
    clock
        Monotonic time source (seconds); tests pass a fake one.
    """

    def __init__(
        self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0.0
            return max(0.0, times[-self.max_failures] + self.window_s - now)

    def record_failure(self, key: Hashable) -> None:
        """Count one failed attempt for ``key``."""
        with self._lock:
            now = self._clock()
            self._failures.setdefault(key, deque()).append(now)
            self._recent(key, now)
            if len(self._failures) > 10_000:  # keep memory bounded under a spray attack
                for stale in [k for k, v in self._failures.items() if v[-1] <= now - self.window_s]:
                    del self._failures[stale]

    def reset(self, key: Hashable) -> None:
        """Forget the failures of ``key`` (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(key, None)
