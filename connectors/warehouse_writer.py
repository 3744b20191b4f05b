"""The one way rows reach a warehouse table: an Arrow table typed by the target table itself.

The Arrow schema is read from DuckDB's own description of the table, so a Python Decimal lands in its exact
DECIMAL(p, s) and nothing is inferred from the values (a column of Nones, an int where a DECIMAL is due). The batch
is registered under an explicit name for the one statement and unregistered after, instead of relying on DuckDB
picking up a local Python variable. One statement per batch: row-by-row `executemany` took seconds per window.
Rows DuckDB already holds (a staged file) go in with `write_select`, never through Python.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import duckdb
import pyarrow as pa

OnConflict = Literal["error", "ignore", "replace"]
_VERBS: dict[str, str] = {"error": "INSERT", "ignore": "INSERT OR IGNORE", "replace": "INSERT OR REPLACE"}
_BATCH = "acorn_write_batch"


def table_schema(conn: duckdb.DuckDBPyConnection, table: str) -> pa.Schema:
    """The Arrow schema DuckDB gives `table`'s columns, in table order."""
    return conn.sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().schema


def _array(values: list[Any], kind: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=kind)
    except pa.ArrowInvalid:
        if not pa.types.is_decimal(kind):
            raise
    # A Decimal finer than the column (a per-unit share of a fee) is rounded half away from zero, as DuckDB's own
    # DECIMAL cast rounds it; Arrow would refuse it. Floats are still refused (ArrowTypeError above).
    step = Decimal(1).scaleb(-kind.scale)
    return pa.array([v.quantize(step, ROUND_HALF_UP) if isinstance(v, Decimal) else v for v in values], type=kind)


def write_rows(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[Mapping[str, Any]] | Iterable[Sequence[Any]],
    *,
    on_conflict: OnConflict = "error",
) -> int:
    """Insert `rows` into `table`; returns how many rows were given.

    A row is either a mapping by column name (a missing column is NULL) or a sequence holding every column in the
    table's order. `on_conflict`: "error" (a duplicate key fails the statement), "ignore" (the row already there
    wins), "replace" (the new row wins).
    """
    rows = list(rows)
    if not rows:
        return 0
    schema = table_schema(conn, table)
    if isinstance(rows[0], Mapping):
        columns = [[row.get(name) for row in rows] for name in schema.names]
    else:
        if any(len(row) != len(schema) for row in rows):
            raise ValueError(f"{table}: every row must hold its {len(schema)} columns in table order")
        columns = [list(values) for values in zip(*rows, strict=True)]
    batch = pa.Table.from_arrays(
        [_array(values, column.type) for values, column in zip(columns, schema, strict=True)], schema=schema
    )
    conn.register(_BATCH, batch)
    try:
        conn.execute(f"{_VERBS[on_conflict]} INTO {table} SELECT * FROM {_BATCH}")
    finally:
        conn.unregister(_BATCH)
    return len(rows)


def write_select(
    conn: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], select: str, params: Sequence[Any] = (),
) -> None:
    """Insert the rows of `select` (its columns in the order of `columns`) into `table`, inside DuckDB."""
    conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) {select}", list(params))
