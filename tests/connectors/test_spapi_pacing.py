"""Client-side pacing at Amazon's documented rate and burst, checked on a fake clock (no real waiting)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from connectors.spapi.cursors import plan_windows
from connectors.spapi.pacing import RATE_LIMITS, Pacer
from connectors.spapi.retry import RetryPolicy
from tests.helpers.fakes import FakeClock


def test_documented_limits():
    assert RATE_LIMITS["listFinancialEvents"] == (0.5, 30)
    assert RATE_LIMITS["listTransactions"] == (0.5, 10)
    assert RATE_LIMITS["getReports"] == (0.0222, 10)
    assert RATE_LIMITS["getReportDocument"] == (0.0167, 15)


@pytest.mark.parametrize("operation", ["listTransactions", "getReports", "listFinancialEvents"])
def test_burst_then_rate(operation):
    rate, burst = RATE_LIMITS[operation]
    clock = FakeClock(start=1000.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(burst):
        assert pacer.wait("acct", operation) == 0
    assert clock.slept == []
    # Past the burst every request waits one refill interval.
    for _ in range(3):
        assert pacer.wait("acct", operation) == pytest.approx(1 / rate)
    assert clock.now - 1000.0 == pytest.approx(3 / rate)


def test_buckets_are_per_account_and_refill_over_time():
    clock = FakeClock(start=1000.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(10):
        pacer.wait("a", "listTransactions")
    assert pacer.wait("b", "listTransactions") == 0      # another seller has its own quota
    clock.now += 4.0                                       # 0.5/s for 4 s: two tokens back
    assert pacer.wait("a", "listTransactions") == 0
    assert pacer.wait("a", "listTransactions") == 0
    assert pacer.wait("a", "listTransactions") == pytest.approx(2.0)


def test_throttled_empties_the_bucket():
    clock = FakeClock(start=1000.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.wait("a", "listFinancialEvents")
    pacer.throttled("a", "listFinancialEvents")
    assert pacer.wait("a", "listFinancialEvents") == pytest.approx(2.0)


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_delay=2, max_delay=60, rng=random.Random(1))
    delays = [policy.delay(n) for n in range(8)]
    for n, delay in enumerate(delays):
        step = min(60, 2 * 2**n)
        assert step / 2 <= delay <= step


def test_windows_never_exceed_180_days():
    start = datetime(2024, 1, 1)
    windows = plan_windows(start, start + timedelta(days=400), timedelta(days=365))
    assert [w.end - w.start for w in windows] == [timedelta(days=180), timedelta(days=180), timedelta(days=40)]
    assert all(a.end == b.start for a, b in zip(windows, windows[1:]))
