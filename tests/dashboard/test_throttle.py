"""The sign-in throttle on its own, with a fake clock."""

from __future__ import annotations

from dashboard.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_max_failures_until_the_window_passes() -> None:
    """3 failures at t=0,10,20 with a 60 s window: blocked until t=60, free after."""
    clock = Clock()
    throttle = LoginThrottle(3, 60, clock=clock)
    for step in (0, 10, 20):
        clock.now = 1000 + step
        assert throttle.retry_after("k") == 0
        throttle.record_failure("k")
    assert throttle.retry_after("k") == 40  # the first failure leaves the window at t=60
    clock.now = 1060
    assert throttle.retry_after("k") == 0


def test_keys_are_independent_and_reset_forgets() -> None:
    clock = Clock()
    throttle = LoginThrottle(1, 60, clock=clock)
    throttle.record_failure("a")
    assert throttle.retry_after("a") > 0
    assert throttle.retry_after("b") == 0
    throttle.reset("a")
    assert throttle.retry_after("a") == 0
