"""Test doubles shared by several test modules."""
from __future__ import annotations


class FakeClock:
    """Pacing and backoff on a fake clock: waits cost no test time, and what was slept is recorded."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
