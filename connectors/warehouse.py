"""Opening the DuckDB warehouse, waiting out another process's momentary lock (a dashboard reading, a sync writing).

DuckDB lets one process write a database file, and no other process open it meanwhile, so a writer that arrives
while the file is held gets an IOException naming the lock; it waits and tries again rather than failing the run.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_fixed

LOCK_POLL_SECONDS = 0.25


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def connect(
    path: Path, *, read_only: bool = False, wait: float = 5.0, sleep: Callable[[float], None] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open `path`, retrying for up to `wait` seconds while another process holds its lock; other errors raise."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    retrying = Retrying(
        retry=retry_if_exception(is_lock_conflict),
        stop=stop_after_delay(wait),
        wait=wait_fixed(LOCK_POLL_SECONDS),
        reraise=True,
        **({"sleep": sleep} if sleep else {}),
    )
    return retrying(duckdb.connect, str(path), read_only=read_only)
