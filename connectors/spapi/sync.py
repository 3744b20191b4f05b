"""Nightly extraction for one seller account: settlement reports, event groups, financial events, transactions.

Each source walks windows from its cursor through `connectors.spapi.engine.SyncEngine` (paging, pacing, retries,
window restarts, one transaction per window with its cursor and `audit.sync_log` row). Rows of a window are
deleted and re-inserted, so repeating a window after a killed run leaves neither gaps nor duplicates.
"""
from __future__ import annotations

import logging
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from connectors import archive
from connectors.spapi.clients import AccountClients
from connectors.spapi.cursors import Window
from connectors.spapi.engine import Listing, SourceResult, SyncEngine, SyncOptions
from connectors.spapi.finances_v0 import flatten_event_groups, flatten_financial_events
from connectors.spapi.money import iso_z, parse_utc
from connectors.spapi.retry import CallStats
from connectors.spapi.risk_reports import CANCELLED, DONE, REPORT_SOURCES, ReportFailed
from connectors.spapi.risk_reports import inbox_file_name as report_file_name
from connectors.spapi.settlement_reports import (
    REPORT_TYPE,
    DocumentUrlExpired,
    download_document,
    identify,
    inbox_file_name,
)
from connectors.spapi.transactions import flatten_transactions
from connectors.warehouse_writer import write_rows

log = logging.getLogger(__name__)

SOURCES = ("settlement_reports", "financial_event_groups", "financial_events", "finance_transactions")
# The money-at-risk reports, requested per window (connectors/spapi/risk_reports.py).
RISK_REPORT_SOURCES = tuple(REPORT_SOURCES)

# How each listing pages: Reports wants the token alone, Finances v0 `NextToken` beside the same arguments,
# Finances 2024-06-19 `nextToken` beside them.
GET_REPORTS = Listing("getReports", token_param="nextToken", token_only=True)
LIST_EVENT_GROUPS = Listing("listFinancialEventGroups", token_param="NextToken")
LIST_EVENTS = Listing("listFinancialEvents", token_param="NextToken")
LIST_TRANSACTIONS = Listing("listTransactions", token_param="nextToken")


class AccountSync:
    """The seller account's four sources, described to one `SyncEngine`."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, clients: AccountClients, options: SyncOptions):
        self.conn = conn
        self.clients = clients
        self.account = clients.account
        self.options = options
        self.engine = SyncEngine(conn, clients.account, options, clients.refresh_access_token)

    @property
    def run_id(self) -> str:
        return self.engine.run_id

    # ---- sources --------------------------------------------------------------------------------------

    def run(self, sources: tuple[str, ...] = SOURCES) -> dict[str, SourceResult]:
        runners = {
            "settlement_reports": self.sync_settlement_reports,
            "financial_event_groups": self.sync_event_groups,
            "financial_events": self.sync_financial_events,
            "finance_transactions": self.sync_transactions,
        }
        self.record_authorization()
        return {source: runners[source]() if source in runners else self.sync_report(source) for source in sources}

    def record_authorization(self) -> None:
        """When the seller granted this authorization (config `authorized_at`): Amazon's last a year."""
        self.conn.execute(
            "INSERT OR REPLACE INTO raw.spapi_authorizations VALUES (?, ?, ?, ?)",
            [self.account.account_id, self.account.seller_id, self.account.authorized_at, self.options.now()],
        )

    def sync_report(self, source: str) -> SourceResult:
        """One money-at-risk report type, requested window by window for all the account's marketplaces."""
        report_type, longest = REPORT_SOURCES[source]
        reports_client = self.clients.reports
        marketplaces = [store.marketplace_id for store in self.account.stores]
        files: list[Path] = []

        def fetch(window: Window, stats: CallStats) -> list[tuple[dict, Any]]:
            created = self.engine.call("createReport", lambda: reports_client.create_report(
                reportType=report_type, marketplaceIds=marketplaces, dataStartTime=iso_z(window.start),
                dataEndTime=iso_z(window.end)), stats).payload
            report = self._await_report(created["reportId"], stats)
            if report.get("processingStatus") == CANCELLED:
                return []  # Amazon's way of saying the window holds no data
            return [(report, self._fetch_document(report["reportDocumentId"], stats))]

        def write(window: Window, documents: list[tuple[dict, Any]]) -> int:
            store_id = self.account.stores[0].store_id if len(self.account.stores) == 1 else None
            for report, document in documents:
                name = report_file_name(source, self.account.account_id, window.start, window.end)
                files.append(_write_atomically(self.options.inbox_dir / name, document.data))
                self.conn.execute(
                    "INSERT OR REPLACE INTO raw.spapi_report_documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [self.account.account_id, report_type, report["reportId"], report["reportDocumentId"],
                     window.start, window.end, store_id, name, archive.sha256_of(document.data),
                     len(document.data), self.options.now()],
                )
            return len(documents)

        result = self.engine.run(source, self.engine.windows(source, min(self.options.window_for_reports, longest)),
                                 fetch, write, self.engine.settled)
        result.files = files
        return result

    def _await_report(self, report_id: str, stats: CallStats) -> dict:
        for _ in range(self.options.report_poll_attempts):
            report = self.engine.call("getReport", lambda: self.clients.reports.get_report(report_id), stats).payload
            if report.get("processingStatus") in (DONE, CANCELLED):
                return report
            if report.get("processingStatus") == "FATAL":
                raise ReportFailed(f"report {report_id}: Amazon answered FATAL")
            self.options.sleep(self.options.report_poll_seconds)
        raise ReportFailed(f"report {report_id}: not done after {self.options.report_poll_attempts} polls")

    def sync_settlement_reports(self) -> SourceResult:
        reports_client = self.clients.reports
        files: list[Path] = []

        def fetch(window: Window, stats: CallStats) -> list[tuple[dict, Any]]:
            pages = self.engine.pages(
                GET_REPORTS, reports_client.get_reports, stats, reportTypes=[REPORT_TYPE], processingStatuses=["DONE"],
                pageSize=self.options.page_size, createdSince=iso_z(window.start), createdUntil=iso_z(window.end))
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

        def write(window: Window, documents: list[tuple[dict, Any]]) -> int:
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

        result = self.engine.run("settlement_reports", self.engine.windows("settlement_reports"), fetch, write,
                                 lambda window: window.end)
        result.files = files
        return result

    def _fetch_document(self, document_id: str, stats: CallStats) -> Any:
        for _ in range(self.options.document_url_attempts):
            # The URL is presigned for 5 minutes: ask for a fresh one whenever a download finds it expired.
            meta = self.engine.call("getReportDocument",
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
            return self.engine.pages(
                LIST_EVENT_GROUPS, finances.list_financial_event_groups, stats,
                FinancialEventGroupStartedAfter=iso_z(window.start), FinancialEventGroupStartedBefore=iso_z(window.end),
                MaxResultsPerPage=self.options.page_size)

        def write(window: Window, pages: list[dict]) -> int:
            rows = []
            for page in pages:
                sha = self.engine.archive(page)
                for group in flatten_event_groups(page):
                    store_id = self.account.store_for(currency=group.original_currency)
                    rows.append([self.account.account_id, *asdict(group).values(), store_id, sha, self.options.now()])
            count = write_rows(self.conn, "raw.financial_event_groups", rows, on_conflict="replace")
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

        return self.engine.run("financial_event_groups", self.engine.windows("financial_event_groups"), fetch, write,
                               next_cursor)

    def sync_financial_events(self) -> SourceResult:
        finances = self.clients.finances_v0
        unknown: dict[str, int] = {}

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            return self.engine.pages(LIST_EVENTS, finances.list_financial_events, stats, PostedAfter=iso_z(window.start),
                                     PostedBefore=iso_z(window.end), MaxResultsPerPage=self.options.page_size)

        def write(window: Window, pages: list[dict]) -> int:
            account_id = self.account.account_id
            self.conn.execute(
                "DELETE FROM raw.financial_events WHERE account_id = ? AND posted_at >= ? AND posted_at < ?",
                [account_id, window.start, window.end],
            )
            rows: list[list] = []
            for page in pages:
                sha = self.engine.archive(page)
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
            count = write_rows(self.conn, "raw.financial_events", rows, on_conflict="replace")
            self._assign_groups(window)
            return count

        result = self.engine.run("financial_events", self.engine.windows("financial_events"), fetch, write,
                                 self.engine.settled)
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
            for status in ({}, {"transactionStatus": "DEFERRED"}):
                pages += self.engine.pages(LIST_TRANSACTIONS, finances.list_transactions, stats,
                                           postedAfter=iso_z(window.start), postedBefore=iso_z(window.end), **status)
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
                sha = self.engine.archive(page)
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
            write_rows(self.conn, "raw.finance_transaction_breakdowns", breakdowns, on_conflict="replace")
            return write_rows(self.conn, "raw.finance_transactions", transactions, on_conflict="replace")

        return self.engine.run("finance_transactions", self.engine.windows("finance_transactions"), fetch, write,
                               self.engine.settled)


def _write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return path
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path
