"""Facts read back from the warehouse after a load: table sizes and the expectations evaluated on a run's files."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from config.settings import Settings


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
