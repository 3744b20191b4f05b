"""Opening the DuckDB warehouse, waiting out another process's lock; publishing the read-only copy readers open.

DuckDB lets one process write a database file, and no other process open it meanwhile, so a writer that arrives
while the file is held gets an IOException naming the lock; it says so once and waits, up to a limit, rather than
failing the run. Readers are kept off the working file altogether: after a run, `publish` copies the checkpointed
warehouse beside it and swaps the copy in with one rename, so a reader holding the old copy keeps a consistent
snapshot for as long as it likes and the next reader opens the new one.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_delay, wait_fixed

from connectors.file_modes import protect

LOCK_POLL_SECONDS = 0.25
DEFAULT_LOCK_WAIT_SECONDS = 600.0


class WarehouseLocked(RuntimeError):
    """Another process kept the warehouse for longer than this run was allowed to wait."""


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def connect(
    path: Path,
    *,
    read_only: bool = False,
    wait: float = DEFAULT_LOCK_WAIT_SECONDS,
    sleep: Callable[[float], None] | None = None,
    notice: Callable[[str], None] = _say,
    group: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open `path`, waiting up to `wait` seconds while another process holds its lock; other errors raise.

    The first conflict prints one line saying who is waited for; running out of patience raises `WarehouseLocked`
    with one line. A warehouse this creates is readable by its owner only (and `group`, when given).
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    told: list[bool] = []

    def waiting(state: RetryCallState) -> None:
        if not told:
            told.append(True)
            notice(f"acorn: waiting for {path}: another process holds its lock (a read-only session on the working "
                   f"file?); waiting up to {wait:g} s")

    retrying = Retrying(
        retry=retry_if_exception(is_lock_conflict),
        stop=stop_after_delay(wait),
        wait=wait_fixed(LOCK_POLL_SECONDS),
        reraise=True,
        before_sleep=waiting,
        **({"sleep": sleep} if sleep else {}),
    )
    existed = path.exists()
    try:
        con = retrying(duckdb.connect, str(path), read_only=read_only)
    except duckdb.IOException as problem:
        if not is_lock_conflict(problem):
            raise
        raise WarehouseLocked(
            f"{path} is still locked by another process after {wait:g} s: close the session holding it (readers "
            f"belong on the published copy) or raise ACORN_LOCK_WAIT_SECONDS"
        ) from None
    if not existed and not read_only:
        protect(path, group)
    return con


def publish(working: Path, published: Path, *, wait: float = DEFAULT_LOCK_WAIT_SECONDS,
            group: str | None = None) -> Path:
    """Swap a consistent copy of `working` in at `published` with one atomic rename; readers of the old copy go on."""
    published.parent.mkdir(parents=True, exist_ok=True)
    partial = published.with_name(f".{published.name}.{os.getpid()}.partial")
    # Holding the working file's write lock while copying: no writer can change it between checkpoint and copy.
    with connect(working, wait=wait) as con:
        con.execute("CHECKPOINT")
        shutil.copyfile(working, partial)
    protect(partial, group)
    os.replace(partial, published)
    return published
