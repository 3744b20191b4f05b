"""Settings a warehouse is built with that every later build on it must reuse: the vendor as-of day.

A warehouse built as of a fixed day (the demo's vendor world, a replay of sample data) gives other answers when a
later run measures vendor ages on today: `make dagster`'s inbox sensor, a schedule or `acorn run` on the demo
warehouse would turn its 2 overdue invoices into 11. So the as-of day is recorded with the warehouse, in
`audit.build_settings`, by the build that used it. An explicit day (ACORN_AS_OF) wins and replaces the record;
`forget_as_of` (or `DELETE FROM audit.build_settings`) makes later builds measure on today again.
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb

from config.settings import Settings
from connectors.loader import connect

TABLE = "audit.build_settings"
_CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (as_of DATE NOT NULL, recorded_at TIMESTAMP NOT NULL)"


def settings_for_build(settings: Settings) -> Settings:
    """`settings` with the as-of day this build measures on: the explicit one (then recorded), else the recorded one."""
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        if settings.as_of is not None:
            _record(con, settings.as_of)
            return settings
        return replace(settings, as_of=_recorded(con))


def build_as_of(settings: Settings) -> date | None:
    """The as-of day a build of this warehouse measures on, as `settings_for_build` decides it, read without
    recording anything: the explicit day, else the recorded one."""
    return settings.as_of or recorded_as_of(settings)


def recorded_as_of(settings: Settings) -> date | None:
    """The as-of day recorded with the warehouse; None when it measures on today (or does not exist yet)."""
    if not settings.warehouse.exists():
        return None
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        if not con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'audit' AND table_name = 'build_settings'"
        ).fetchone():
            return None
        return _recorded(con)


def forget_as_of(settings: Settings) -> None:
    """Later builds on this warehouse measure vendor ages on today again (unless ACORN_AS_OF says otherwise)."""
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        con.execute(f"DELETE FROM {TABLE}")


def _recorded(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute(f"SELECT as_of FROM {TABLE}").fetchone()
    return row[0] if row else None


def _record(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(f"INSERT INTO {TABLE} VALUES (?, ?)", [as_of, datetime.now(UTC).replace(tzinfo=None)])
    con.execute("COMMIT")
