"""`acorn close --period P`: freeze one period's journal as a close record, loaded like any input.

The record is a file (archived with its SHA-256, recorded in audit.file_loads), not a row written behind the
loader's back, so `acorn rebuild --from-archive` closes the same periods with the same frozen journal. The marts
rebuild afterwards (the caller's job: outbound does not run the pipeline) reads the frozen lines for the closed
period and posts later differences as adjustments in the first open period.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from config.settings import Settings
from connectors.loader import FileLoad, connect, load_file
from connectors.period_close import render_close_record
from outbound.vouchers.journal import JournalRefused, read_period, refuse_unbalanced


@dataclass(frozen=True)
class Closed:
    period: str
    record: Path
    lines: int
    load: FileLoad


def closes_dir(settings: Settings) -> Path:
    """Beside the warehouse, like the inbox and archive it sits with."""
    return settings.warehouse.parent / "closes"


def closed_periods(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [period for (period,) in con.execute("select period from raw.period_closes order by period").fetchall()]


def close_period(settings: Settings, period: str, closed_by: str | None = None,
                 now: datetime | None = None) -> Closed:
    """Refuse an unbalanced or already closed period; else write the close record and load it."""
    lines = read_period(settings.warehouse, period)
    if period in closed_periods(settings.warehouse):
        raise JournalRefused(f"period {period} is already closed")
    refuse_unbalanced(period, lines)
    closed_at = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    data = render_close_record(period, closed_at, closed_by or getpass.getuser(), lines)
    record = closes_dir(settings) / f"close_{period}.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_bytes(data)
    con = connect(settings)
    try:
        load = load_file(con, settings, f"closes/{record.name}", data)
    finally:
        con.close()
    if load is None or load.status != "loaded":
        message = load.message if load else "this exact record was loaded before"
        raise JournalRefused(f"the close record of {period} did not load: {message}")
    return Closed(period, record, len(lines), load)
