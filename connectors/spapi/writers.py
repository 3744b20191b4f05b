"""Bulk, idempotent inserts into the SP-API tables.

Rows go through an Arrow table (DuckDB inserts it in one statement; row-by-row `executemany` took
seconds per window). Arrow infers DECIMAL from Python Decimals, so money never passes through a float.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa


def insert_or_replace(conn: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[object]]) -> int:
    """INSERT OR REPLACE `rows` (values in the table's column order) into `table`; primary keys dedupe."""
    if not rows:
        return 0
    columns = [d[0] for d in conn.execute(f"SELECT * FROM {table} LIMIT 0").description]
    batch = pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows])  # noqa: F841
    conn.execute(f"INSERT OR REPLACE INTO {table} SELECT * FROM batch")
    return len(rows)
