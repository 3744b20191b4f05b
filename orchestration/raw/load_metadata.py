"""What a `LoadReport` means for each raw table: materialization metadata and the quarantine check.

Pure functions of the report, so tests read the same summary the Dagster UI shows.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from connectors.loader import CSV_KINDS, SETTLEMENT_KINDS, FileLoad, LoadReport
from connectors.period_close import PERIOD_CLOSE_KIND
from connectors.seller_reports import TABLES as SELLER_REPORT_TABLES

# Which file kinds feed each table the inbox load writes; None: every kind, including 'unknown'.
TABLE_KINDS: dict[str, tuple[str, ...] | None] = {
    "raw.settlement_headers": SETTLEMENT_KINDS,
    "raw.settlement_lines": SETTLEMENT_KINDS,
    **{table: (kind,) for kind, (_parser, table) in CSV_KINDS.items()},
    # `acorn close` records: the dbt sources of the books' frozen journal (raw/period_closes, raw/closed_journal_lines).
    "raw.period_closes": (PERIOD_CLOSE_KIND,),
    "raw.closed_journal_lines": (PERIOD_CLOSE_KIND,),
    **{table: (kind,) for kind, table in SELLER_REPORT_TABLES.items()},
    "audit.report_unknown_columns": tuple(SELLER_REPORT_TABLES),
    "audit.file_loads": None,
    "audit.validation_results": None,
}

STATUSES = ("loaded", "duplicate", "quarantined")


@dataclass(frozen=True)
class QuarantineCheck:
    passed: bool
    quarantined: list[str]  # the loader's messages, which start with the file name


def files_for(report: LoadReport, kinds: tuple[str, ...] | None) -> list[FileLoad]:
    return [f for f in report.files if kinds is None or f.kind in kinds]


def status_counts(files: Iterable[FileLoad]) -> dict[str, int]:
    counts = Counter(f.status for f in files)
    return {status: counts.get(status, 0) for status in STATUSES}


def quarantine_check(files: Iterable[FileLoad]) -> QuarantineCheck:
    """Passes when none of this run's files was quarantined; the messages name the file, line and rule."""
    quarantined = [f.message for f in files if f.status == "quarantined"]
    return QuarantineCheck(passed=not quarantined, quarantined=quarantined)


def file_records(report: LoadReport) -> list[dict]:
    """The report as JSON-ready records, shown on the archive materialization in the Dagster UI."""
    return [asdict(f) for f in report.files]
