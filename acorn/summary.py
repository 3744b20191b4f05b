"""What a run tells the user at the end: files, settlements by status, where to look next."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import duckdb

from acorn.settings import Settings

STATUS_ORDER = ("tied", "pending_deposit", "mismatch", "deposit_missing", "deposit_short")


def settlement_statuses(warehouse: Path) -> list[tuple[Any, ...]]:
    """(status, store_id, settlement_id, currency, difference, bank_difference, header_total), flagged first."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            """
            SELECT status, store_id, settlement_id, currency, difference, bank_difference, header_total
            FROM marts.fct_settlement_reconciliation
            ORDER BY status = 'tied', status = 'pending_deposit', store_id, period_start
            """
        ).fetchall()


def print_summary(settings: Settings, result: Any, say: Callable[[str], None], demo: bool) -> None:
    report = result.load_report
    counts = report.counts()
    say("")
    say("Files")
    say(f"  loaded {counts['loaded']}, duplicate {counts['duplicate']}, quarantined {counts['quarantined']}"
        + (f", unchanged since last run {len(report.unchanged)}" if report.unchanged else ""))
    for load in report.files:
        if load.status != "loaded":
            say(f"  {load.status}: {load.message}")
    if not result.success:
        say("")
        say("The pipeline failed:")
        for failure in result.failures:
            say(f"  {failure}")
        return
    rows = settlement_statuses(settings.warehouse)
    say("")
    say(f"Settlements ({len(rows)})")
    by_status: dict[str, int] = {}
    for status, *_ in rows:
        by_status[status] = by_status.get(status, 0) + 1
    say("  " + ", ".join(f"{status} {by_status[status]}" for status in STATUS_ORDER if status in by_status))
    for status, store, settlement, currency, difference, bank_difference, header_total in rows:
        if status in ("tied", "pending_deposit"):
            continue
        if status == "deposit_missing":
            detail = f"no bank deposit found for {header_total} {currency}"
        elif status == "deposit_short":
            detail = f"bank deposit differs by {bank_difference} {currency}"
        else:
            detail = f"lines differ from the header total by {difference} {currency}"
        say(f"  {status:<16} {store or '(no store)'} settlement {settlement}: {detail}")
    if demo:
        _check_answer_key(settings, rows, report, say)
    say("")
    say(f"Warehouse: {settings.warehouse}")
    say("Next:")
    say(f"  acorn dashboards --warehouse {settings.warehouse}")
    say(f"  duckdb -readonly {settings.warehouse} \"SELECT * FROM marts.fct_settlement_reconciliation\"")
    say("  dagster dev   (the same pipeline in the Dagster UI; see README)")


def _check_answer_key(settings: Settings, rows: list[tuple[Any, ...]], report: Any, say: Callable[[str], None]) -> None:
    key_path = settings.warehouse.parent / "inbox" / ".expected_anomalies.json"
    if not key_path.exists():
        return
    expected = expected_flags(json.loads(key_path.read_text(encoding="utf-8")))
    found = {(status, str(settlement)) for status, _, settlement, *_ in rows if status not in ("tied", "pending_deposit")}
    found |= {(f.status, f.file_name) for f in report.files if f.status != "loaded"}
    say("")
    if found == expected:
        say(f"Demo check: exactly the {len(expected)} injected anomalies were flagged, nothing else.")
    else:
        say(f"Demo check FAILED: missed {sorted(expected - found)}, unexpected {sorted(found - expected)}")


def expected_flags(answer_key: dict[str, Any]) -> set[tuple[str, str]]:
    """The (status, settlement id or file name) pairs a correct run flags, from the generator's answer key."""
    flags: set[tuple[str, str]] = set()
    for anomaly in answer_key["anomalies"]:
        kind = anomaly["kind"]
        if kind in ("deposit_missing", "deposit_short"):
            flags.add((kind, str(anomaly["settlement_id"])))
        elif kind == "malformed_file":
            flags.add(("quarantined", anomaly["file_name"]))
        elif kind == "duplicate_file":
            flags.add(("duplicate", anomaly["duplicate_file_name"]))
        else:
            raise ValueError(f"answer key names an anomaly ACORN does not know: {kind}")
    return flags
