"""The one engine for windowed, paged, paced, resumable SP-API extraction; seller and vendor syncs hold one each.

A source hands the engine its windows and three functions: `fetch` (every page of one window, through
`SyncEngine.pages`), `write` (the window's rows) and `next_cursor`. A window is fetched completely (an invalid
NextToken restarts it), then written in one transaction together with its cursor and its `audit.sync_log` row, so a
run killed half-way leaves the previous cursor and the next run repeats that window without gaps or duplicates.
A failed window is logged too, and ends the source with `WindowFailed` (credentials redacted).
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from sp_api.base import ApiResponse
from sp_api.util import load_all_pages

from connectors import archive
from connectors.spapi import schema
from connectors.spapi.accounts import Account, redact
from connectors.spapi.cursors import API_DELAY, Window, get_cursor, plan_windows, set_cursor
from connectors.spapi.money import iso_z
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import ApiCaller, CallStats, InvalidNextToken, RetryPolicy, error_text

log = logging.getLogger(__name__)
P = TypeVar("P")

ACCOUNT_WIDE = "*"


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
    # Requested reports (money at risk): window per request (capped per report type), and how to wait for one.
    window_for_reports: timedelta = timedelta(days=90)
    report_poll_seconds: float = 30.0
    report_poll_attempts: int = 40
    sleep: Callable[[float], None] = time.sleep


@dataclass
class SourceResult:
    source: str
    windows: int = 0
    rows: int = 0
    files: list[Path] = field(default_factory=list)
    unknown_event_lists: dict[str, int] = field(default_factory=dict)


class WindowFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Listing:
    """A paged SP-API operation and how its next token goes back: in `token_param`, with the same arguments, or
    alone (`token_only`, as the Reports API wants)."""

    operation: str
    token_param: str = "nextToken"
    token_only: bool = False


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """The SP-API tables: the sync's own state (`audit.sync_cursors`, `audit.sync_log`) and the seller raw tables,
    which the dbt sources of any warehouse, vendor-only included, expect to exist."""
    for statement in schema.create_statements():
        conn.execute(statement)


class SyncEngine:
    def __init__(self, conn: duckdb.DuckDBPyConnection, account: Account, options: SyncOptions,
                 refresh_token: Callable[[], None]):
        ensure_schema(conn)
        self.conn = conn
        self.account = account
        self.options = options
        self.run_id = uuid.uuid4().hex
        self.call = ApiCaller(account.account_id, options.pacer, options.policy, refresh_token)

    # ---- windows and cursors --------------------------------------------------------------------------

    def cursor(self, source: str) -> datetime | None:
        return get_cursor(self.conn, self.account.account_id, ACCOUNT_WIDE, source)

    def windows(self, source: str, size: timedelta | None = None) -> list[Window]:
        """From the cursor (first run: `backfill` ago) to now less Amazon's delay, in windows of `size`."""
        now = self.options.now()
        start = self.cursor(source) or now - self.options.backfill
        return plan_windows(start, now - API_DELAY, size or self.options.window)

    def settled(self, window: Window) -> datetime:
        """Advance to the window's end, but not past now - settle_lag (late events get re-read)."""
        return max(window.start, min(window.end, self.options.now() - self.options.settle_lag))

    # ---- calls and pages ------------------------------------------------------------------------------

    def pages(self, listing: Listing, method: Callable[..., ApiResponse], stats: CallStats,
              **args: Any) -> list[dict]:
        """Every page's payload of one listing, each call paced and retried; an invalid token raises
        `InvalidNextToken` (the window restarts)."""
        @load_all_pages(throttle_by_seconds=0, next_token_param=listing.token_param,
                        next_token_only=listing.token_only)
        def page(**kwargs: Any) -> ApiResponse:
            # The pacer spaces the calls; the library's own sleep between pages is switched off (0 s).
            return self.call(listing.operation, lambda: method(**kwargs), stats)

        return [response.payload or {} for response in page(**args)]

    def archive(self, page: dict) -> str:
        """Store the page's JSON by its SHA-256 and return the hash (rows carry it as their source)."""
        data = json.dumps(page, sort_keys=True, default=str).encode()
        sha = archive.sha256_of(data)
        archive.store(self.options.archive_dir, data, sha)
        return sha

    # ---- one source -----------------------------------------------------------------------------------

    def run(
        self,
        source: str,
        windows: list[Window],
        fetch: Callable[[Window, CallStats], list[P]],
        write: Callable[[Window, list[P]], int],
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
                    f"{self.safe(error_text(exc))}"
                ) from None
            result.windows += 1
            result.rows += rows
        return result

    def safe(self, text: str) -> str:
        return redact(text, self.account.secrets())

    def _log(self, source: str, window: Window, status: str, pages: int, rows: int, stats: CallStats,
             restarts: int, started_at: datetime, started: float, failure: BaseException | None = None) -> None:
        errors = list(stats.errors) + ([f"{type(failure).__name__}: {failure}"] if failure else [])
        self.conn.execute(
            "INSERT OR REPLACE INTO audit.sync_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.run_id, self.account.account_id, ACCOUNT_WIDE, source, window.start, window.end, status,
                pages, rows, stats.calls, stats.retries, restarts,
                self.safe("; ".join(errors)) or None, started_at, int((time.monotonic() - started) * 1000),
            ],
        )
