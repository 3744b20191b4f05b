"""Client-side pacing: one token bucket per (account, operation) at Amazon's documented rate and burst.

Amazon meters each operation per selling partner and application, so buckets are per account and operation.
The clock and sleep are injectable so tests can check pacing without waiting.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# (requests per second, burst) from the usage plans in Amazon's API models (reports_2021-06-30.json,
# financesV0.json, finances_2024-06-19.json, vendorOrders.json, vendorInvoices.json, vendorTransactionStatus.json,
# vendorShipments.json).
RATE_LIMITS: dict[str, tuple[float, int]] = {
    "getReports": (0.0222, 10),
    "getReport": (2.0, 15),
    "createReport": (0.0167, 15),
    "getReportDocument": (0.0167, 15),
    "listFinancialEventGroups": (0.5, 30),
    "listFinancialEvents": (0.5, 30),
    "listFinancialEventsByGroupId": (0.5, 30),
    "listTransactions": (0.5, 10),
    "getPurchaseOrders": (10.0, 10),
    "getPurchaseOrdersStatus": (10.0, 10),
    "submitInvoices": (10.0, 10),
    "getTransaction": (10.0, 20),
    "getShipmentDetails": (10.0, 10),
    # The Finances Invoices model states no limit, so ACORN stays at a conservative 2/s.
    "getInvoiceHeaders": (2.0, 10),
    "getInvoice": (2.0, 10),
}


@dataclass
class TokenBucket:
    rate: float
    burst: int
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; return how long the caller must wait before sending."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def drain(self, now: float) -> None:
        """Amazon said 429: our view of the bucket was optimistic, so start from empty."""
        self.tokens = min(self.tokens, 0.0)
        self.updated = now


class Pacer:
    def __init__(
        self,
        limits: dict[str, tuple[float, int]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.limits = dict(RATE_LIMITS if limits is None else limits)
        self.clock = clock
        self.sleep = sleep
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, account_id: str, operation: str) -> TokenBucket:
        key = (account_id, operation)
        if key not in self._buckets:
            rate, burst = self.limits[operation]
            self._buckets[key] = TokenBucket(rate, burst, float(burst), self.clock())
        return self._buckets[key]

    def wait(self, account_id: str, operation: str) -> float:
        """Block until a request for `operation` may be sent; return the seconds waited."""
        with self._lock:
            delay = self._bucket(account_id, operation).take(self.clock())
        if delay > 0:
            self.sleep(delay)
        return delay

    def throttled(self, account_id: str, operation: str) -> None:
        with self._lock:
            self._bucket(account_id, operation).drain(self.clock())
