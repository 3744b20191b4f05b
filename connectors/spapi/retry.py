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
    """Pace, call, and retry `fn` on 429, 5xx, transport errors and an expired access token."""
    token_refreshed = False
    for attempt in range(policy.max_attempts):
        pacer.wait(account_id, operation)
        stats.calls += 1
        try:
            return fn()
        except SellingApiRequestThrottledException as exc:
            pacer.throttled(account_id, operation)
            failure = exc
        except SERVER_FAULTS as exc:
            failure = exc
        except SellingApiForbiddenException as exc:
            if token_refreshed or not _is_token_problem(exc):
                raise
            refresh_token()
            token_refreshed = True
            failure = exc
        except SellingApiBadRequestException as exc:
            if _is_invalid_token(exc):
                raise InvalidNextToken(error_text(exc)) from None
            raise
        except httpx.TransportError as exc:
            failure = exc
        stats.retries += 1
        stats.errors.append(f"{operation}: {error_text(failure)}")
        log.warning("%s for %s failed (%s); retry %d", operation, account_id, error_text(failure), attempt + 1)
        if not isinstance(failure, SellingApiForbiddenException):
            policy.sleep(policy.delay(attempt))
    raise RetriesExhausted(f"{operation} for {account_id}: gave up after {policy.max_attempts} attempts")
