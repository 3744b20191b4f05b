"""Incremental extraction state: per account, scope and source, the end of the last complete window."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

# Amazon: "dates must be more than 2 minutes before the request"; leave a little more.
API_DELAY = timedelta(minutes=3)
MAX_WINDOW = timedelta(days=180)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def plan_windows(cursor: datetime, until: datetime, size: timedelta) -> list[Window]:
    """Consecutive windows [cursor, until) of at most `size` (never more than Amazon's 180 days)."""
    size = min(size, MAX_WINDOW)
    windows = []
    start = cursor
    while start < until:
        end = min(start + size, until)
        windows.append(Window(start, end))
        start = end
    return windows


def get_cursor(conn: duckdb.DuckDBPyConnection, account_id: str, scope: str, source: str) -> datetime | None:
    row = conn.execute(
        "SELECT cursor_at FROM audit.sync_cursors WHERE account_id = ? AND scope = ? AND source = ?",
        [account_id, scope, source],
    ).fetchone()
    return row[0] if row else None


def set_cursor(
    conn: duckdb.DuckDBPyConnection, account_id: str, scope: str, source: str, cursor_at: datetime, now: datetime
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO audit.sync_cursors VALUES (?, ?, ?, ?, ?)",
        [account_id, scope, source, cursor_at, now],
    )
