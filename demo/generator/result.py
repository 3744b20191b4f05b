"""What `generate` returns: the files written and the facts a test or benchmark checks them against."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

# Statuses `marts.fct_settlement_reconciliation` should report for the generated settlements.
TIED = "tied"
DEPOSIT_MISSING = "deposit_missing"
DEPOSIT_SHORT = "deposit_short"


@dataclass(frozen=True)
class SettlementSummary:
    store_id: str
    settlement_id: str
    cycle_index: int                   # 0 for the store's first cycle
    file_name: str
    currency: str
    period_start: datetime             # naive UTC
    period_end: datetime               # naive UTC
    deposit_at: datetime               # naive UTC
    deposit_date: date                 # store-local
    total_amount: Decimal              # the summary row's total-amount = sum of the amount lines
    line_count: int                    # amount lines (not counting the column header and summary row)
    reserve_released: Decimal          # Previous Reserve Amount Balance as written (0 in the first cycle)
    reserve_held: Decimal              # Current Reserve Amount as written (negative)
    bank_amount: Decimal | None = None
    bank_booking_date: date | None = None
    bank_line: int | None = None       # 1-based line in bank_statement.csv (header = 1)
    expected_status: str | None = None  # None for the malformed (quarantined) settlement
    quarantined: bool = False


@dataclass(frozen=True)
class Anomaly:
    kind: str                          # deposit_missing, deposit_short, duplicate_file, malformed_file
    store_id: str
    settlement_id: str
    file_name: str
    details: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    files: tuple[Path, ...]            # every file written, sorted by name, the answer key included
    settlements: tuple[SettlementSummary, ...]
    anomalies: tuple[Anomaly, ...]
    answer_key: Path
    line_count: int                    # settlement amount lines written, the duplicate copy not counted
    bank_rows: int
    # Per store, the money-at-risk reports by Amazon report type (the local SP-API serves these bytes).
    risk_reports: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def anomaly(self, kind: str) -> Anomaly:
        return next(a for a in self.anomalies if a.kind == kind)
