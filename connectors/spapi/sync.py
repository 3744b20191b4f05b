"""Nightly extraction for one account: settlement reports, event groups, financial events, transactions.

Each source walks windows from its cursor. A window is fetched completely (all pages; an invalid NextToken
restarts it), then written in one transaction together with the cursor: rows of the window are deleted and
re-inserted, so a run killed half-way leaves the previous cursor and the next run repeats that window without
gaps or duplicates. Every window attempt is logged to `audit.sync_log`.
"""
from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from connectors import archive
from connectors.spapi import schema
from connectors.spapi.accounts import Account, redact
from connectors.spapi.clients import AccountClients
from connectors.spapi.cursors import API_DELAY, Window, get_cursor, plan_windows, set_cursor
from connectors.spapi.finances_v0 import flatten_event_groups, flatten_financial_events
from connectors.spapi.money import iso_z, parse_utc
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import CallStats, InvalidNextToken, RetryPolicy, call_with_retry, error_text
from connectors.spapi.settlement_reports import (
    REPORT_TYPE,
    DocumentUrlExpired,
    download_document,
    identify,
    inbox_file_name,
)
from connectors.spapi.transactions import flatten_transactions
from connectors.spapi.writers import insert_or_replace

log = logging.getLogger(__name__)

ACCOUNT_WIDE = "*"
SOURCES = ("settlement_reports", "financial_event_groups", "financial_events", "finance_transactions")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class SyncOptions:
    archive_dir: Path
    inbox_dir: Path                              # settlement documents land here for the file loader
    pacer: Pacer = field(default_factory=Pacer)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    now: Callable[[], datetime] = utc_now        # naive UTC
    backfill: timedelta = timedelta(days=90)     # first run: reports are retained 90 days
    window: timedelta = timedelta(days=30)       # capped at Amazon's 180 days
    # Amazon: events of the last 48 hours may still be missing, so the cursor never passes now - 48 h.
    settle_lag: timedelta = timedelta(hours=48)
    max_window_restarts: int = 3
    document_url_attempts: int = 3
    download_timeout: float = 120.0
    page_size: int = 100


@dataclass
class SourceResult:
    source: str
    windows: int = 0
    rows: int = 0
    files: list[Path] = field(default_factory=list)
    unknown_event_lists: dict[str, int] = field(default_factory=dict)


class WindowFailed(RuntimeError):
    pass


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    for statement in schema.create_statements():
        conn.execute(statement)


class AccountSync:
    def __init__(self, conn: duckdb.DuckDBPyConnection, clients: AccountClients, options: SyncOptions):
        self.conn = conn
        self.clients = clients
        self.account: Account = clients.account
        self.options = options
        self.run_id = uuid.uuid4().hex
        ensure_schema(conn)

    # ---- plumbing -------------------------------------------------------------------------------------

    def _call(self, operation: str, fn: Callable[[], Any], stats: CallStats) -> Any:
        return call_with_retry(
            operation,
            fn,
            account_id=self.account.account_id,
            pacer=self.options.pacer,
            policy=self.options.policy,
            stats=stats,
            refresh_token=self.clients.refresh_access_token,
        )

    def _pages(self, operation: str, request: Callable[[str | None], Any], stats: CallStats) -> list[dict]:
        """Every page of one listing; the token goes back with the same arguments (`request` decides how)."""
        pages, token = [], None
        while True:
            response = self._call(operation, lambda: request(token), stats)
            pages.append(response.payload or {})
            token = response.next_token
            if not token:
                return pages

    def _archive_page(self, page: dict) -> str:
        data = json.dumps(page, sort_keys=True, default=str).encode()
        sha = archive.sha256_of(data)
        archive.store(self.options.archive_dir, data, sha)
        return sha

    def _run_windows(
        self,
        source: str,
        windows: list[Window],
        fetch: Callable[[Window, CallStats], list[dict]],
        write: Callable[[Window, list[dict]], int],
        next_cursor: Callable[[Window], datetime],
    ) -> SourceResult:
        result = SourceResult(source)
        for window in windows:
            stats, restarts, started = CallStats(), 0, time.monotonic()
            started_at = self.options.now()
            try:
                while True:
                    try:
                        pages = fetch(window, stats)
                        break
                    except InvalidNextToken as exc:
                        restarts += 1
                        stats.errors.append(f"{source}: {exc}; window restarted")
                        log.warning("%s %s: invalid NextToken, restarting window", self.account.account_id, source)
                        if restarts > self.options.max_window_restarts:
                            raise
                self.conn.execute("BEGIN TRANSACTION")
                try:
                    rows = write(window, pages)
                    set_cursor(self.conn, self.account.account_id, ACCOUNT_WIDE, source, next_cursor(window),
                               self.options.now())
                    self._log(source, window, "complete", len(pages), rows, stats, restarts, started_at, started)
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
            except Exception as exc:
                self._log(source, window, "failed", 0, 0, stats, restarts, started_at, started, failure=exc)
                raise WindowFailed(
                    f"{self.account.account_id} {source} window {iso_z(window.start)}..{iso_z(window.end)}: "
                    f"{self._safe(error_text(exc))}"
                ) from None
            result.windows += 1
            result.rows += rows
        return result

    def _safe(self, text: str) -> str:
        return redact(text, self.account.secrets())

    def _log(self, source, window, status, pages, rows, stats, restarts, started_at, started, failure=None):
        errors = list(stats.errors) + ([f"{type(failure).__name__}: {failure}"] if failure else [])
        self.conn.execute(
            "INSERT OR REPLACE INTO audit.sync_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.run_id, self.account.account_id, ACCOUNT_WIDE, source, window.start, window.end, status,
                pages, rows, stats.calls, stats.retries, restarts,
                self._safe("; ".join(errors)) or None, started_at, int((time.monotonic() - started) * 1000),
            ],
        )

    def _windows(self, source: str) -> list[Window]:
        now = self.options.now()
        cursor = get_cursor(self.conn, self.account.account_id, ACCOUNT_WIDE, source) or now - self.options.backfill
        return plan_windows(cursor, now - API_DELAY, self.options.window)

    def _settled_cursor(self, window: Window) -> datetime:
        """Advance to the window's end, but not past now - settle_lag (late events get re-read)."""
        return max(window.start, min(window.end, self.options.now() - self.options.settle_lag))

    # ---- sources --------------------------------------------------------------------------------------

    def run(self, sources: tuple[str, ...] = SOURCES) -> dict[str, SourceResult]:
        runners = {
            "settlement_reports": self.sync_settlement_reports,
            "financial_event_groups": self.sync_event_groups,
            "financial_events": self.sync_financial_events,
            "finance_transactions": self.sync_transactions,
        }
        return {source: runners[source]() for source in sources}

    def sync_settlement_reports(self) -> SourceResult:
        reports_client = self.clients.reports
        files: list[Path] = []

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            def request(token: str | None):
                if token:
                    return reports_client.get_reports(nextToken=token)
                return reports_client.get_reports(
                    reportTypes=[REPORT_TYPE], processingStatuses=["DONE"], pageSize=self.options.page_size,
                    createdSince=iso_z(window.start), createdUntil=iso_z(window.end),
                )

            pages = self._pages("getReports", request, stats)
            reports = [report for page in pages for report in page.get("reports") or []]
            fetched = {
                row[0] for row in self.conn.execute(
                    "SELECT report_id FROM raw.spapi_settlement_reports WHERE account_id = ?",
                    [self.account.account_id],
                ).fetchall()
            }
            documents = []
            for report in sorted(reports, key=lambda r: (r.get("createdTime") or "", r["reportId"])):
                if report["reportId"] in fetched or report.get("processingStatus", "DONE") != "DONE":
                    continue
                documents.append((report, self._fetch_document(report["reportDocumentId"], stats)))
            return documents

        def write(window: Window, documents: list) -> int:
            for report, document in documents:
                identity = identify(document.data)
                store_id = self.account.store_for(marketplace=identity.marketplace, currency=identity.currency)
                name = inbox_file_name(store_id, identity.settlement_id)
                path = _write_atomically(self.options.inbox_dir / name, document.data)
                files.append(path)
                self.conn.execute(
                    "INSERT OR REPLACE INTO raw.spapi_settlement_reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        self.account.account_id, report["reportId"], report["reportDocumentId"],
                        parse_utc(report.get("createdTime")), parse_utc(report.get("dataStartTime")),
                        parse_utc(report.get("dataEndTime")), identity.settlement_id, store_id, name,
                        archive.sha256_of(document.data), len(document.data), document.charset, self.options.now(),
                    ],
                )
            return len(documents)

        result = self._run_windows("settlement_reports", self._windows("settlement_reports"), fetch, write,
                                   lambda window: window.end)
        result.files = files
        return result

    def _fetch_document(self, document_id: str, stats: CallStats):
        for _ in range(self.options.document_url_attempts):
            # The URL is presigned for 5 minutes: ask for a fresh one whenever a download finds it expired.
            meta = self._call("getReportDocument",
                              lambda: self.clients.reports.get_report_document(document_id), stats).payload
            try:
                return download_document(meta["url"], meta.get("compressionAlgorithm"), self.options.download_timeout)
            except DocumentUrlExpired as exc:
                stats.retries += 1
                stats.errors.append(f"download {document_id}: {exc}; URL re-requested")
        raise DocumentUrlExpired(f"document {document_id}: URL expired {self.options.document_url_attempts} times")

    def sync_event_groups(self) -> SourceResult:
        finances = self.clients.finances_v0

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            args = dict(FinancialEventGroupStartedAfter=iso_z(window.start),
                        FinancialEventGroupStartedBefore=iso_z(window.end), MaxResultsPerPage=self.options.page_size)
            return self._pages("listFinancialEventGroups",
                               lambda token: finances.list_financial_event_groups(**args, **_token("NextToken", token)),
                               stats)

        def write(window: Window, pages: list[dict]) -> int:
            rows = []
            for page in pages:
                sha = self._archive_page(page)
                for group in flatten_event_groups(page):
                    store_id = self.account.store_for(currency=group.original_currency)
                    rows.append([self.account.account_id, *asdict(group).values(), store_id, sha, self.options.now()])
            count = insert_or_replace(self.conn, "raw.financial_event_groups", rows)
            # Events fetched before their group appeared, or while it was open, get (re)assigned now.
            self._assign_groups(window=None)
            return count

        def next_cursor(window: Window) -> datetime:
            # An open group changes until it closes: keep re-reading from the earliest one still open.
            open_start = self.conn.execute(
                "SELECT min(group_start_at) FROM raw.financial_event_groups "
                "WHERE account_id = ? AND coalesce(processing_status, '') <> 'Closed'",
                [self.account.account_id],
            ).fetchone()[0]
            return min(window.end, open_start) if open_start else window.end

        return self._run_windows("financial_event_groups", self._windows("financial_event_groups"), fetch, write,
                                 next_cursor)

    def sync_financial_events(self) -> SourceResult:
        finances = self.clients.finances_v0
        unknown: dict[str, int] = {}

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            args = dict(PostedAfter=iso_z(window.start), PostedBefore=iso_z(window.end),
                        MaxResultsPerPage=self.options.page_size)
            return self._pages("listFinancialEvents",
                               lambda token: finances.list_financial_events(**args, **_token("NextToken", token)),
                               stats)

        def write(window: Window, pages: list[dict]) -> int:
            account_id = self.account.account_id
            self.conn.execute(
                "DELETE FROM raw.financial_events WHERE account_id = ? AND posted_at >= ? AND posted_at < ?",
                [account_id, window.start, window.end],
            )
            rows: list[list] = []
            for page in pages:
                sha = self._archive_page(page)
                flat = flatten_financial_events(page)
                for event_list, events in flat.unknown_lists.items():
                    unknown[event_list] = unknown.get(event_list, 0) + events
                    log.warning("%s: unknown Finances v0 event list %s (%d events) kept, page %s archived",
                                account_id, event_list, events, sha)
                    self.conn.execute(
                        "INSERT OR IGNORE INTO audit.spapi_unknown_event_lists VALUES (?, ?, ?, ?, ?)",
                        [account_id, event_list, sha, events, self.options.now()],
                    )
                rows += [
                    [
                        account_id, row.row_id,
                        self.account.store_for(marketplace=row.marketplace, currency=row.currency),
                        row.group_id, row.event_list, row.event_type, row.known_list, row.amount_path,
                        row.amount_kind, row.amount_type, row.amount_role, row.is_adjustment, row.amount,
                        row.currency, row.order_id, row.seller_order_id, row.sku, row.quantity, row.posted_at,
                        row.marketplace, row.description, row.promotion_id, window.start, window.end, sha,
                    ]
                    for row in flat.rows
                ]
            count = insert_or_replace(self.conn, "raw.financial_events", rows)
            self._assign_groups(window)
            return count

        result = self._run_windows("financial_events", self._windows("financial_events"), fetch, write,
                                   self._settled_cursor)
        result.unknown_event_lists = unknown
        return result

    def _assign_groups(self, window: Window | None) -> None:
        """A v0 event names no group; it belongs to the group whose span, in its currency, holds its posting.

        Only rows without a group or on a group not yet closed are (re)assigned: a closed group's span is final.
        """
        self.conn.execute(
            """
            UPDATE raw.financial_events AS e SET group_id = g.group_id
            FROM raw.financial_event_groups AS g
            WHERE e.account_id = $account AND ($window_start IS NULL OR e.window_start = $window_start)
              AND (e.group_id IS NULL OR e.group_id IN (
                    SELECT group_id FROM raw.financial_event_groups
                    WHERE account_id = $account AND coalesce(processing_status, '') <> 'Closed'))
              AND g.account_id = e.account_id AND g.original_currency = e.currency
              AND e.posted_at >= g.group_start_at AND (g.group_end_at IS NULL OR e.posted_at < g.group_end_at)
            """,
            {"account": self.account.account_id, "window_start": window.start if window else None},
        )

    def sync_transactions(self) -> SourceResult:
        finances = self.clients.finances_2024

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            pages = []
            # Without transactionStatus Amazon returns released transactions only; deferred ones need a pass.
            for status in (None, "DEFERRED"):
                args = dict(postedAfter=iso_z(window.start), postedBefore=iso_z(window.end))
                if status:
                    args["transactionStatus"] = status
                pages += self._pages(
                    "listTransactions",
                    lambda token: finances.list_transactions(**args, **_token("nextToken", token)),
                    stats,
                )
            return pages

        def write(window: Window, pages: list[dict]) -> int:
            account_id = self.account.account_id
            self.conn.execute(
                "DELETE FROM raw.finance_transaction_breakdowns WHERE account_id = ? AND transaction_id IN ("
                "SELECT transaction_id FROM raw.finance_transactions WHERE account_id = ? "
                "AND posted_at >= ? AND posted_at < ?)",
                [account_id, account_id, window.start, window.end],
            )
            self.conn.execute(
                "DELETE FROM raw.finance_transactions WHERE account_id = ? AND posted_at >= ? AND posted_at < ?",
                [account_id, window.start, window.end],
            )
            transactions: list[list] = []
            breakdowns: list[list] = []
            for page in pages:
                sha = self._archive_page(page)
                flat = flatten_transactions(page)
                transactions += [
                    [
                        account_id, t.transaction_id, t.transaction_status, t.transaction_type, t.description,
                        t.posted_at, t.total_amount, t.currency, t.marketplace_id,
                        self.account.store_for(marketplace=t.marketplace_id, currency=t.currency),
                        t.selling_partner_id, t.group_id, t.settlement_id, t.order_id, t.related_identifiers,
                        window.start, window.end, sha,
                    ]
                    for t in flat.transactions
                ]
                breakdowns += [
                    [account_id, b.transaction_id, b.position, b.breakdown_type, b.amount, b.currency, b.depth, b.is_leaf]
                    for b in flat.breakdowns
                ]
            # A transaction seen again (a deferral released, a late page) replaces its breakdown wholesale.
            ids = [row[1] for row in transactions]
            if ids:
                self.conn.execute(
                    "DELETE FROM raw.finance_transaction_breakdowns "
                    "WHERE account_id = ? AND list_contains(?, transaction_id)",
                    [account_id, ids],
                )
            insert_or_replace(self.conn, "raw.finance_transaction_breakdowns", breakdowns)
            return insert_or_replace(self.conn, "raw.finance_transactions", transactions)

        return self._run_windows("finance_transactions", self._windows("finance_transactions"), fetch, write,
                                 self._settled_cursor)


def _token(name: str, token: str | None) -> dict[str, str]:
    return {name: token} if token else {}


def _write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return path
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path
