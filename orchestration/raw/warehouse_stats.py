"""Facts read back from the warehouse after a load: table sizes, the expectations evaluated on a run's files, and
what a run did with each input."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from config.settings import Settings
from connectors.loader import FileLoad, LoadReport, inbox_files


@dataclass
class ExpectationSummary:
    evaluated: int = 0
    failed: list[str] = field(default_factory=list)  # `<file>: line N: <rule>: <detail>`


def row_counts(settings: Settings, tables: Iterable[str]) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse)) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}


def expectation_summaries(settings: Settings, sha256s: Iterable[str]) -> dict[str, ExpectationSummary]:
    """Per file kind, the Great Expectations rules recorded in audit.validation_results for these files."""
    shas = sorted(set(sha256s))
    summaries: dict[str, ExpectationSummary] = {}
    if not shas:
        return summaries
    with duckdb.connect(str(settings.warehouse)) as con:
        rows = con.execute(
            """
            SELECT kind, file_name, rule, success, failed_line, detail
            FROM audit.validation_results
            WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))
            ORDER BY file_name, failed_line NULLS FIRST, rule
            """,
            [shas],
        ).fetchall()
    for kind, file_name, rule, success, failed_line, detail in rows:
        summary = summaries.setdefault(kind, ExpectationSummary())
        summary.evaluated += 1
        if not success:
            where = f"line {failed_line}: " if failed_line is not None else ""
            summary.failed.append(f"{file_name}: {where}{rule}: {detail or 'failed'}")
    return summaries


def input_names(settings: Settings, inbox: Path) -> list[str]:
    """The names `load_inbox` files its inputs under, in its order: the inbox's files, then the standing FX file."""
    names = [str(path.relative_to(inbox)) for path in inbox_files(inbox)] if inbox.is_dir() else []
    return names + ([settings.fx_rates_csv.name] if settings.fx_rates_csv else [])


def load_report_since(settings: Settings, inbox: Path, since: datetime) -> LoadReport:
    """The `LoadReport` of a load of `inbox` that began at `since` (naive UTC), read from `audit.file_loads`.

    The table is the durable record: every input a load processes gets one row there, received when it is loaded;
    an input with no row since `since` was already processed by an earlier run (unchanged).
    """
    names = input_names(settings, inbox)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            SELECT file_name, sha256, kind, status, message, rows_loaded
            FROM audit.file_loads
            WHERE received_at >= ? AND file_name IN (SELECT unnest(?::VARCHAR[]))
            ORDER BY received_at
            """,
            [since, names],
        ).fetchall()
    loads = {row[0]: FileLoad(*row) for row in rows}
    return LoadReport(
        files=[loads[name] for name in names if name in loads],
        unchanged=[name for name in names if name not in loads],
    )
