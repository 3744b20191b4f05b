"""The retry policy (tenacity underneath): what is retried, how long it waits, what it counts."""
from __future__ import annotations

import random

import httpx
import pytest
from sp_api.base.exceptions import (
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiNotFoundException,
    SellingApiRequestThrottledException,
    SellingApiServerException,
)

from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import ApiCaller, CallStats, InvalidNextToken, RetriesExhausted, RetryPolicy
from tests.helpers.fakes import FakeClock

UNAUTHORIZED = [{"code": "Unauthorized", "message": "The access token you provided has expired."}]


def failing(*failures: BaseException):
    """A call that raises `failures` in turn, then answers "ok"."""
    pending = list(failures)

    def call() -> str:
        if pending:
            raise pending.pop(0)
        return "ok"
    return call


def caller(clock: FakeClock, refreshed: list[str], attempts: int = 6, pacer: Pacer | None = None) -> ApiCaller:
    """Backoff sleeps go to `clock`; the pacer keeps its own clock unless one is given."""
    policy = RetryPolicy(max_attempts=attempts, sleep=clock.sleep, rng=random.Random(3))
    pacer = pacer or Pacer(clock=FakeClock(), sleep=lambda seconds: None)
    return ApiCaller("acct", pacer, policy, lambda: refreshed.append("fresh"))


def test_throttling_server_faults_and_dropped_connections_back_off_then_succeed():
    clock, pacer_clock, refreshed, stats = FakeClock(), FakeClock(), [], CallStats()
    call = failing(SellingApiRequestThrottledException([{"code": "QuotaExceeded", "message": "slow down"}]),
                   SellingApiServerException([{"code": "InternalFailure", "message": "boom"}]),
                   httpx.ConnectError("reset"))
    pacer = Pacer(clock=pacer_clock, sleep=pacer_clock.sleep)
    assert caller(clock, refreshed, pacer=pacer)("listTransactions", call, stats) == "ok"
    assert (stats.calls, stats.retries, refreshed) == (4, 3, [])
    assert [e.split(":")[1].strip() for e in stats.errors] == [
        "SellingApiRequestThrottledException", "SellingApiServerException", "ConnectError"]
    # Equal-jitter backoff from the policy: attempt n waits within [step/2, step], step = 2 * 2**n.
    assert len(clock.slept) == 3
    for n, delay in enumerate(clock.slept):
        assert 2 * 2**n / 2 <= delay <= 2 * 2**n
    # The 429 emptied the operation's bucket, so the next call waited for a token (0.5/s: 2 s at most).
    assert pacer_clock.slept and all(0 < wait <= 2.0 for wait in pacer_clock.slept)


def test_an_expired_token_is_refreshed_once_without_waiting_and_a_second_refusal_raises():
    clock, refreshed, stats = FakeClock(), [], CallStats()
    expired = SellingApiForbiddenException(UNAUTHORIZED)
    assert caller(clock, refreshed)("getReports", failing(expired), stats) == "ok"
    assert (refreshed, stats.retries, clock.slept) == (["fresh"], 1, [])
    with pytest.raises(SellingApiForbiddenException):
        caller(clock, refreshed)("getReports", failing(expired, SellingApiForbiddenException(UNAUTHORIZED)))
    assert refreshed == ["fresh", "fresh"]


def test_other_client_errors_raise_at_once_and_a_bad_next_token_restarts_the_window():
    clock, refreshed, stats = FakeClock(), [], CallStats()
    with pytest.raises(SellingApiNotFoundException):
        caller(clock, refreshed)("getReports", failing(SellingApiNotFoundException([{"code": "NotFound"}])), stats)
    assert (stats.calls, stats.retries) == (1, 0)
    bad_token = SellingApiBadRequestException([{"code": "InvalidInput", "message": "Invalid NextToken"}])
    with pytest.raises(InvalidNextToken):
        caller(clock, refreshed)("listFinancialEvents", failing(bad_token))
    with pytest.raises(SellingApiForbiddenException):   # a missing role is not an expired token
        caller(clock, refreshed)("getReports", failing(SellingApiForbiddenException([{"code": "AccessDenied"}])))
    assert refreshed == []


def test_retries_run_out_with_a_clear_error():
    clock, stats = FakeClock(), CallStats()
    faults = [SellingApiServerException([{"code": "InternalFailure"}]) for _ in range(3)]
    with pytest.raises(RetriesExhausted, match="getReports for acct: gave up after 3 attempts"):
        caller(clock, [], attempts=3)("getReports", failing(*faults), stats)
    assert (stats.calls, stats.retries) == (3, 3)
