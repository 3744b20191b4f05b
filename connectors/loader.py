"""Inbox → raw archive → validation → `raw` tables, with every file accounted for in `audit.file_loads`."""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from config.settings import Settings
from connectors import alert_states, archive, csv_inputs, period_close, purchases, validation, warehouse
from connectors.file_kinds import describe_unknown, detect_kind
from connectors.parsing import ParseError, gunzip
from connectors.seller_reports import KINDS as SELLER_REPORT_KINDS
from connectors.seller_reports import TABLES as SELLER_REPORT_TABLES
from connectors.seller_reports import SellerReport, is_personal, parse_seller_report, stored_columns
from connectors.settlement_flatfile import LINE_COLUMNS, StagedSettlement, staged_settlement
from connectors.settlement_validation import validate_settlement
from connectors.vendor import exports as vendor_exports
from connectors.vendor.invoice_submissions import SUBMISSION_KIND, parse_submission
from connectors.warehouse_schema import create_statements
from connectors.warehouse_writer import write_rows, write_select

Progress = Callable[[str], None]

SETTLEMENT_KINDS = ("settlement_v2", "settlement_v1")
CSV_KINDS: dict[str, tuple[Callable[[bytes], list[Any]], str]] = {
    "bank_statement": (csv_inputs.parse_bank_statement, "raw.bank_transactions"),
    "store_config": (csv_inputs.parse_store_config, "raw.store_config"),
    "sku_map": (csv_inputs.parse_sku_map, "raw.sku_map"),
    "fx_rates": (csv_inputs.parse_fx_rates, "raw.fx_rate_overrides"),
    "purchases": (purchases.parse_purchases, "raw.purchases"),
    # Vendor Central exports, CSV or XLSX (rows keep source_sheet beside source_line).
    vendor_exports.REMITTANCE_KIND: (vendor_exports.parse_remittance, "raw.vendor_remittances"),
    vendor_exports.INVOICE_EXPORT_KIND: (vendor_exports.parse_invoice_export, "raw.vendor_central_invoices"),
    # Acknowledge / resolve from the Money-at-risk page (JSONL or CSV).
    alert_states.ALERT_STATES_KIND: (alert_states.parse_alert_states, "raw.alert_state_changes"),
    vendor_exports.SHIPMENT_EXPORT_KIND: (vendor_exports.parse_shipment_export, "raw.vendor_shipment_exports"),
}


@dataclass(frozen=True)
class FileLoad:
    file_name: str
    sha256: str
    kind: str
    status: str  # loaded / duplicate / quarantined
    message: str
    rows_loaded: int = 0


@dataclass
class LoadReport:
    files: list[FileLoad] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = Counter(f.status for f in self.files)
        return {status: counted.get(status, 0) for status in ("loaded", "duplicate", "quarantined")}

    @property
    def quarantined(self) -> list[FileLoad]:
        return [f for f in self.files if f.status == "quarantined"]

    def add(self, file_name: str, outcome: FileLoad | None, progress: Progress | None) -> None:
        """Record one file's outcome; None means this exact delivery was processed by an earlier run."""
        if outcome is None:
            self.unchanged.append(file_name)
            return
        self.files.append(outcome)
        if progress:
            progress(_describe(outcome))


class Quarantine(Exception):
    """A file that cannot be loaded as it is; the message names the file, the line and the rule."""


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing (waiting out a dashboard's momentary read lock), schema in place."""
    con = warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds, group=settings.file_group)
    con.execute(f"SET memory_limit = '{settings.load_memory_limit}'")
    for statement in create_statements():
        con.execute(statement)
    return con


def inbox_files(inbox: Path) -> list[Path]:
    """Every file under the inbox, in a stable order; hidden files (answer keys, OS litter) are not inputs."""
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox {inbox} is not a directory")
    files = [
        p for p in inbox.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(inbox).parts)
    ]
    # By stem first, so "report.txt" arrives before its re-download "report (1).txt".
    return sorted(files, key=lambda p: (str(p.parent), p.stem, p.suffix))


def load_inbox(settings: Settings, inbox: Path, progress: Progress | None = None) -> LoadReport:
    report = LoadReport()
    inputs = [(str(path.relative_to(inbox)), path) for path in inbox_files(inbox)]
    if settings.fx_rates_csv:
        # A standing rates file (say, PBoC central parity) kept outside the inbox, loaded like any input.
        inputs.append((settings.fx_rates_csv.name, settings.fx_rates_csv))
    con = connect(settings)
    try:
        for name, path in inputs:
            report.add(name, load_file(con, settings, name, path.read_bytes()), progress)
    finally:
        con.close()
    return report


def load_file(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    file_name: str,
    data: bytes,
    received_at: datetime | None = None,
) -> FileLoad | None:
    """Archive, classify, validate and load one file. None when this exact delivery was processed before."""
    sha = archive.sha256_of(data)
    if con.execute(
        "SELECT 1 FROM audit.file_loads WHERE sha256 = ? AND file_name = ?", [sha, file_name]
    ).fetchone():
        return None
    received_at = received_at or datetime.now(UTC).replace(tzinfo=None)
    stored = archive.store(settings.archive_dir, data, sha, settings.file_group)
    kind = "unknown"

    def record(status: str, message: str, rows: int = 0) -> FileLoad:
        con.execute(
            "INSERT INTO audit.file_loads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [file_name, sha, kind, received_at, status, message, rows, str(stored)],
        )
        return FileLoad(file_name, sha, kind, status, message, rows)

    # Every file's fate is decided inside this boundary: whatever this file's bytes make any step raise quarantines
    # this file alone, and the inbox goes on. A problem of the machine, not of the file, stops the run naming it.
    try:
        data = gunzip(data)
        kind = detect_kind(file_name, data)
        outcome = _decide(con, settings, file_name, sha, kind, data, record)
    except _ENVIRONMENT_ERRORS as problem:
        raise LoadInterrupted(f"{file_name}: loading stopped by {type(problem).__name__}: {problem}") from problem
    except ParseError as problem:
        outcome = record("quarantined", f"{file_name}: whole file: {problem}")
    except Exception as problem:  # the point of the boundary: anything this file makes a step raise
        outcome = record("quarantined", f"{file_name}: whole file: could not be loaded "
                                        f"({type(problem).__name__}: {_one_line(problem)})")
    # Only a delivery whose fate is committed enters the manifest, so a killed run is retried from scratch and a
    # rebuild never takes its received_at from a load that did not happen.
    archive.record_delivery(settings.archive_dir, archive.Delivery(sha, file_name, received_at), settings.file_group)
    return outcome


class LoadInterrupted(RuntimeError):
    """The machine, not the file, stopped a load (disk, lock, memory); the message names the file in hand."""


# Errors about the process's surroundings rather than the file's content: retrying later may succeed.
_ENVIRONMENT_ERRORS = (OSError, MemoryError, duckdb.IOException, duckdb.FatalException)


def _one_line(problem: BaseException) -> str:
    return " ".join(str(problem).split())[:300]


def _decide(
    con: duckdb.DuckDBPyConnection, settings: Settings, file_name: str, sha: str, kind: str, data: bytes,
    record: Callable[..., FileLoad],
) -> FileLoad:
    earlier = con.execute(
        "SELECT file_name FROM audit.file_loads WHERE sha256 = ? ORDER BY received_at LIMIT 1", [sha]
    ).fetchone()
    if earlier:
        return record("duplicate", f"{file_name}: same bytes as {earlier[0]}, already received")
    if kind == "unknown":
        return record("quarantined", describe_unknown(file_name, data))
    if kind in SETTLEMENT_KINDS:
        return _load_settlement(con, settings, file_name, sha, kind, data, record)
    try:
        batch = _prepare(file_name, sha, data, kind)
        _validate(con, settings, file_name, sha, kind, batch.frames)
    except Quarantine as problem:
        return record("quarantined", str(problem))

    con.execute("BEGIN TRANSACTION")
    try:
        for table, rows in batch.inserts:
            write_rows(con, table, rows)
        outcome = record("loaded", batch.summary, batch.rows)
        con.execute("COMMIT")
        return outcome
    except BaseException:
        con.execute("ROLLBACK")
        raise


@dataclass(frozen=True)
class _Batch:
    """A parsed file: the frames validation looks at, and the rows it will insert if they pass."""

    frames: dict[str, pd.DataFrame]
    inserts: list[tuple[str, list[dict[str, Any]]]]
    summary: str
    rows: int


def _prepare(file_name: str, sha: str, data: bytes, kind: str) -> _Batch:
    try:
        if kind == SUBMISSION_KIND:
            return _submission_batch(data)
        if kind == period_close.PERIOD_CLOSE_KIND:
            close, lines = period_close.parse_close_record(data, sha)
            return _Batch({"closes": pd.DataFrame([close]), "rows": pd.DataFrame(lines)},
                          [("raw.period_closes", [close]), ("raw.closed_journal_lines", lines)],
                          f"period {close['period']} closed ({len(lines)} journal lines)", len(lines))
        if kind in SELLER_REPORT_KINDS:
            return _seller_report_batch(file_name, sha, parse_seller_report(data, kind))
        parse, table = CSV_KINDS[kind]
        return _csv_batch(sha, kind, table, parse(data))
    except ParseError as problem:
        raise Quarantine(f"{file_name}: {problem}") from None


def _load_settlement(
    con: duckdb.DuckDBPyConnection, settings: Settings, file_name: str, sha: str, kind: str, data: bytes,
    record: Callable[..., FileLoad],
) -> FileLoad:
    """Stage the file in DuckDB, validate it there, and insert its lines with one INSERT ... SELECT."""
    try:
        with staged_settlement(con, data) as staged:
            _record_validation(con, file_name, sha, kind, validate_settlement(
                con, kind, staged, settings.plausible_dates()))
            return _insert_settlement(con, file_name, sha, staged, record)
    except ParseError as problem:
        return record("quarantined", f"{file_name}: {problem}")
    except Quarantine as problem:
        return record("quarantined", str(problem))


def _insert_settlement(
    con: duckdb.DuckDBPyConnection, file_name: str, sha: str, staged: StagedSettlement,
    record: Callable[..., FileLoad],
) -> FileLoad:
    header = staged.header_rows[0]
    con.execute("BEGIN TRANSACTION")
    try:
        already = con.execute(
            "SELECT source_file_name FROM raw.settlement_headers WHERE settlement_id = ?", [header.settlement_id]
        ).fetchone()
        if already:
            outcome = record("duplicate", f"{file_name}: settlement {header.settlement_id} already loaded from "
                                          f"{already[0]}")
            con.execute("COMMIT")
            return outcome
        write_rows(con, "raw.settlement_headers",
                   [{**_fields(header), "source_file_sha256": sha, "source_file_name": file_name}])
        write_select(con, "raw.settlement_lines", [*LINE_COLUMNS, "source_file_sha256"],
                     f"SELECT {', '.join(LINE_COLUMNS)}, ? FROM {staged.lines_table}", [sha])
        lines = staged.line_count(con)
        outcome = record("loaded", f"settlement {header.settlement_id} ({staged.report_format}, {lines} lines)", lines)
        con.execute("COMMIT")
        return outcome
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _csv_batch(sha: str, kind: str, table: str, rows: list[Any]) -> _Batch:
    frame = pd.DataFrame([_fields(r) for r in rows])
    if kind == "sku_map" and not frame.empty:
        # A blank cost is allowed; a cost that is present but unreadable is not. None is what the rule flags.
        frame["unit_cost_ok"] = [True if r.unit_cost is not None or not r.unit_cost_text.strip() else None for r in rows]
    if kind == "fx_rates" and not frame.empty:
        frame["rate_positive"] = [True if r.rate is not None and r.rate > 0 else None for r in rows]
    return _Batch({"rows": frame}, [(table, [{**_fields(r), "source_file_sha256": sha} for r in rows])],
                  f"{len(rows)} rows", len(rows))


def _seller_report_batch(file_name: str, sha: str, parsed: SellerReport) -> _Batch:
    columns = stored_columns(parsed.kind)
    rows = [{**{c: row[c] for c in columns}, "source_file_sha256": sha, "source_line": row["source_line"]}
            for row in parsed.rows]
    now = datetime.now(UTC).replace(tzinfo=None)
    # A column the parser does not know: its values stay out of the warehouse, its name is recorded.
    unknown = [{"sha256": sha, "file_name": file_name, "kind": parsed.kind, "column_name": name,
                "column_position": parsed.columns.index(name) + 1, "looks_personal": is_personal(name), "seen_at": now}
               for name in parsed.unknown_columns]
    frames = {"columns": pd.DataFrame([[""] * len(parsed.columns)], columns=parsed.columns),
              "rows": pd.DataFrame(parsed.rows)}
    note = f"; unknown column(s) {', '.join(parsed.unknown_columns)} not stored" if unknown else ""
    return _Batch(frames, [(SELLER_REPORT_TABLES[parsed.kind], rows), ("audit.report_unknown_columns", unknown)],
                  f"{len(rows)} {parsed.kind} rows{note}", len(rows))


def _submission_batch(data: bytes) -> _Batch:
    rows = parse_submission(data)
    return _Batch({"invoices": pd.DataFrame(rows.invoices), "rows": pd.DataFrame(rows.items)},
                  [("raw.vendor_invoice_submissions", rows.invoices), ("raw.vendor_invoice_submission_items", rows.items)],
                  f"{len(rows.invoices)} submitted invoice(s), transaction {rows.invoices[0]['transaction_id']}"
                  if rows.invoices else "no invoices", len(rows.items))


def _validate(
    con: duckdb.DuckDBPyConnection, settings: Settings, file_name: str, sha: str, kind: str,
    frames: dict[str, pd.DataFrame],
) -> None:
    _record_validation(con, file_name, sha, kind, validation.validate(kind, frames, settings.plausible_dates()))


def _record_validation(
    con: duckdb.DuckDBPyConnection, file_name: str, sha: str, kind: str, results: list[validation.RuleResult]
) -> None:
    """Keep every rule's verdict in audit.validation_results; a failed error-level rule quarantines the file."""
    now = datetime.now(UTC).replace(tzinfo=None)
    write_rows(con, "audit.validation_results", [
        {"sha256": sha, "file_name": file_name, "kind": kind, "rule": r.rule, "success": r.success,
         "failed_line": r.failed_line, "detail": r.detail or None, "validated_at": now}
        for r in results
    ])
    failures = [r for r in results if not r.success and r.severity == "error"]
    if failures:
        first = failures[0]
        where = f"line {first.failed_line}: " if first.failed_line else ""
        more = f" (and {len(failures) - 1} more rule failures)" if len(failures) > 1 else ""
        raise Quarantine(f"{file_name}: {where}{first.rule}: {first.detail}{more}")


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _fields(row: Any) -> dict[str, Any]:
    # Shallow on purpose: dataclasses.asdict deep-copies every value and dominated load time.
    return {name: getattr(row, name) for name in _field_names(type(row))}


def _describe(load: FileLoad) -> str:
    if load.status == "loaded":
        return f"loaded      {load.file_name}: {load.message}"
    return f"{load.status:<11} {load.message}"


def replay_archive(settings: Settings, source_archive: Path, progress: Progress | None = None) -> LoadReport:
    """Rebuild `raw` from an archive's manifest: the same deliveries, in the same order, at the same times."""
    from connectors.fx import ECB_KIND, load_ecb_rates

    report = LoadReport()
    con = connect(settings)
    try:
        for delivery in archive.deliveries(source_archive):
            data = archive.read(source_archive, delivery.sha256)
            if delivery.kind == ECB_KIND:
                load_ecb_rates(settings, con, data=data, received_at=delivery.received_at)
                continue
            outcome = load_file(con, settings, delivery.file_name, data, received_at=delivery.received_at)
            report.add(delivery.file_name, outcome, progress)
    finally:
        con.close()
    return report
