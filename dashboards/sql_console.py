"""The auditor's SQL console: one SELECT at a time on a connection that can neither write nor reach files or
the network, with a row limit and a time limit.

The guard has three layers, each enough on its own for what it covers:
1. the text is split and typed by DuckDB's own parser (`extract_statements`): exactly one statement, of type
   SELECT (no ATTACH, COPY, INSTALL/LOAD, PRAGMA, SET, CALL, EXPORT, writes);
2. the warehouse is opened `read_only`, so any write fails in DuckDB itself;
3. `enable_external_access = false` then `lock_configuration = true`: no `read_csv('/etc/passwd')`, no
   http(s), no attaching other files, and no statement can turn that back on.
The access log is copied into a temporary table `access_log` before the lock, so auditors can query it too.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

# What the console lists for auditors: the documented marts and the audit trail.
SCHEMAS = ("marts", "audit")


class Refused(Exception):
    """The statement is not a single SELECT the console runs; `reason` names the catalogue message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Result:
    frame: pd.DataFrame
    truncated: bool
    seconds: float


def check(sql: str) -> str:
    """The one SELECT in `sql`, or `Refused` saying why not."""
    if not sql.strip():
        raise Refused("sql.empty")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise Refused("sql.parse_error", str(exc).splitlines()[0]) from None
    if len(statements) != 1:
        raise Refused("sql.one_statement", str(len(statements)))
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise Refused("sql.select_only", statement.type.name)
    return statement.query


def connect(warehouse: Path, access_log: Path | None) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        if access_log is not None and access_log.exists() and access_log.stat().st_size:
            conn.execute("create temp table access_log as select * from read_json_auto(?)", [str(access_log)])
        else:
            conn.execute('create temp table access_log ("at" timestamp, event varchar, username varchar, '
                         'what varchar, stores varchar)')  # fmt: skip
        conn.execute("set enable_external_access = false")
        conn.execute("set lock_configuration = true")
    except BaseException:
        conn.close()
        raise
    return conn


def run(warehouse: Path, sql: str, *, row_limit: int, timeout_seconds: float, access_log: Path | None = None) -> Result:
    """Run the auditor's SELECT; at most `row_limit` rows, interrupted after `timeout_seconds`."""
    query = check(sql)
    conn = connect(warehouse, access_log)
    timer = threading.Timer(timeout_seconds, conn.interrupt)
    started = time.monotonic()
    try:
        timer.start()
        try:
            cursor = conn.execute(query)
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchmany(row_limit + 1)
        except duckdb.InterruptException:
            raise Refused("sql.timeout", f"{timeout_seconds:g}") from None
        except duckdb.PermissionException as exc:
            raise Refused("sql.no_external_access", str(exc).splitlines()[0]) from None
        except duckdb.Error as exc:
            raise Refused("sql.error", str(exc).splitlines()[0]) from None
    finally:
        timer.cancel()
        conn.close()
    frame = pd.DataFrame.from_records(rows[:row_limit], columns=columns).astype(object)
    return Result(frame, len(rows) > row_limit, time.monotonic() - started)


def tables(warehouse: Path) -> pd.DataFrame:
    """The tables and views the console offers, with their columns."""
    conn = connect(warehouse, None)
    try:
        cursor = conn.execute(
            """select table_schema, table_name, string_agg(column_name, ', ' order by ordinal_position) as columns
               from information_schema.columns where table_schema in (select unnest(?)) or table_name = 'access_log'
               group by table_schema, table_name order by table_schema, table_name""",
            [list(SCHEMAS)],
        )
        names = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)
    finally:
        conn.close()
