"""Retry with exponential backoff for throttling, server faults, dropped connections and expired tokens."""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
from sp_api.base.exceptions import (
    SellingApiBadRequestException,
    SellingApiException,
    SellingApiForbiddenException,
    SellingApiGatewayTimeoutException,
    SellingApiRequestThrottledException,
    SellingApiServerException,
    SellingApiTemporarilyUnavailableException,
)
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from connectors.spapi.pacing import Pacer

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVER_FAULTS = (
    SellingApiServerException,
    SellingApiTemporarilyUnavailableException,
    SellingApiGatewayTimeoutException,
)


class InvalidNextToken(Exception):
    """Amazon rejected a pagination token: the whole window must be fetched again."""


class RetriesExhausted(Exception):
    pass


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        # Equal jitter: at least half the exponential step, so a thundering herd spreads out.
        step = min(self.max_delay, self.base_delay * 2**attempt)
        return step / 2 + self.rng.uniform(0, step / 2)


@dataclass
class CallStats:
    calls: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)


def error_text(exc: BaseException) -> str:
    """A short description of an SP-API failure built from Amazon's error code and message only."""
    if isinstance(exc, SellingApiException):
        return f"{type(exc).__name__}: {getattr(exc, 'amzn_code', '')} {getattr(exc, 'message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


def _is_token_problem(exc: SellingApiForbiddenException) -> bool:
    # Amazon answers an expired, revoked or unknown access token with 403 code "Unauthorized"; a missing role
    # is also "Unauthorized", which is why a fresh token is tried only once per call.
    text = " ".join(f"{e.get('code', '')} {e.get('message', '')} {e.get('details', '')}" for e in exc.error or [])
    return "unauthorized" in text.lower() or "access token" in text.lower()


def _is_invalid_token(exc: SellingApiBadRequestException) -> bool:
    text = " ".join(f"{e.get('message', '')} {e.get('details', '')}" for e in exc.error or []).lower()
    return "nexttoken" in text.replace(" ", "") or "next token" in text


def call_with_retry(
    operation: str,
    fn: Callable[[], T],
    *,
    account_id: str,
    pacer: Pacer,
    policy: RetryPolicy,
    stats: CallStats,
    refresh_token: Callable[[], None],
) -> T:
    """Pace, call, and retry `fn` on 429, 5xx, transport errors and an expired access token.

    `sp_api.util.throttle_retry` retries 429 only, sleeps with `time.sleep` and cannot refresh a token or count
    retries, so the policy is written on tenacity: `retry` says which failures are worth another attempt, `after`
    does what must happen before it (drain the bucket, forget the token, count), `wait` is the policy's backoff.
    """
    token_refreshed = False

    def attempt() -> T:
        pacer.wait(account_id, operation)
        stats.calls += 1
        try:
            return fn()
        except SellingApiBadRequestException as exc:
            if _is_invalid_token(exc):
                raise InvalidNextToken(error_text(exc)) from None
            raise

    def retryable(exc: BaseException) -> bool:
        if isinstance(exc, SellingApiForbiddenException):
            # Once per call: a second "Unauthorized" after a fresh token is a missing role, not an expiry.
            return not token_refreshed and _is_token_problem(exc)
        return isinstance(exc, (SellingApiRequestThrottledException, *SERVER_FAULTS, httpx.TransportError))

    def before_next_attempt(state: RetryCallState) -> None:
        nonlocal token_refreshed
        failure = _failure(state)
        if isinstance(failure, SellingApiRequestThrottledException):
            pacer.throttled(account_id, operation)
        elif isinstance(failure, SellingApiForbiddenException):
            refresh_token()
            token_refreshed = True
        stats.retries += 1
        stats.errors.append(f"{operation}: {error_text(failure)}")
        log.warning("%s for %s failed (%s); retry %d", operation, account_id, error_text(failure),
                    state.attempt_number)

    def backoff(state: RetryCallState) -> float:
        # A fresh token is asked for at once; anything else waits the policy's backoff for this attempt.
        return 0.0 if isinstance(_failure(state), SellingApiForbiddenException) else policy.delay(state.attempt_number - 1)

    def give_up(state: RetryCallState) -> T:
        raise RetriesExhausted(f"{operation} for {account_id}: gave up after {policy.max_attempts} attempts")

    retrying = Retrying(
        retry=retry_if_exception(retryable),
        after=before_next_attempt,
        wait=backoff,
        stop=stop_after_attempt(policy.max_attempts),
        sleep=lambda seconds: policy.sleep(seconds) if seconds > 0 else None,
        retry_error_callback=give_up,
    )
    return retrying(attempt)


def _failure(state: RetryCallState) -> BaseException:
    assert state.outcome is not None and state.outcome.failed
    return state.outcome.exception()


@dataclass
class ApiCaller:
    """`call_with_retry` bound to one account's pacer, policy and token refresh."""

    account_id: str
    pacer: Pacer
    policy: RetryPolicy
    refresh_token: Callable[[], None]

    def __call__(self, operation: str, fn: Callable[[], T], stats: CallStats | None = None) -> T:
        return call_with_retry(operation, fn, account_id=self.account_id, pacer=self.pacer, policy=self.policy,
                               stats=stats if stats is not None else CallStats(), refresh_token=self.refresh_token)
