"""The demos print the faults they inject into the local SP-API as expected faults, through the real retry loop."""
from __future__ import annotations

from sp_api.base.exceptions import SellingApiRequestThrottledException, SellingApiServerException

from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import CallStats, RetryPolicy, call_with_retry
from demo.injected_faults import describe, reporting_injected_faults


def call_failing_once(error: Exception, operation: str = "getPurchaseOrders") -> str:
    failures = [error]

    def fn() -> str:
        if failures:
            raise failures.pop()
        return "ok"

    return call_with_retry(operation, fn, account_id="acme-vendor-na", pacer=Pacer({operation: (10.0, 10)}, sleep=lambda _: None),
                           policy=RetryPolicy(sleep=lambda _: None), stats=CallStats(), refresh_token=lambda: None)


def throttled() -> Exception:
    return SellingApiRequestThrottledException([{"code": "QuotaExceeded", "message": "You exceeded your quota."}], {})


def test_an_injected_fault_is_printed_as_one():
    lines: list[str] = []
    with reporting_injected_faults([("getPurchaseOrders", "429", 2)], lines.append):
        assert call_failing_once(throttled()) == "ok"

    assert lines == ["  injected fault absorbed: 429 on getPurchaseOrders for acme-vendor-na (retry 1)"]


def test_a_fault_the_demo_did_not_inject_is_shown_as_logged():
    lines: list[str] = []
    server_fault = SellingApiServerException([{"code": "InternalFailure", "message": "boom"}], {})
    with reporting_injected_faults([("getPurchaseOrders", "429", 1)], lines.append):
        call_failing_once(server_fault)

    assert len(lines) == 1 and "failed (SellingApiServerException: InternalFailure boom); retry 1" in lines[0]
    assert "injected" not in lines[0]


def test_a_restarted_window_is_an_injected_invalid_next_token():
    message = "acme-us financial_events: invalid NextToken, restarting window"
    assert describe(message, [("listFinancialEvents", "invalid_next_token", 1)]) == (
        "injected fault absorbed: invalid_next_token on financial_events for acme-us (window restarted)")
    assert describe(message, [("listFinancialEvents", "429", 1)]) == message


def test_nothing_is_reported_after_the_sync():
    lines: list[str] = []
    with reporting_injected_faults([("getPurchaseOrders", "429", 1)], lines.append):
        pass
    call_failing_once(throttled())
    assert lines == []
