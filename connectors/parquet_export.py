"""The raw and audit tables as Parquet: how the raw layer reaches an engine other than DuckDB (Spark).

One directory per table (`<out>/<schema>/<table>/data.parquet`) because Spark's `CREATE TABLE ... LOCATION` wants a
directory; dbt's on-run-start hook on Spark (dbt_project/macros/spark_raw_sources.sql) registers each one. DuckDB
writes DECIMAL, DATE and TIMESTAMP as Parquet's own logical types, so money stays exact on the way.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

RAW_SCHEMAS = ("raw", "audit")


def export_raw_parquet(warehouse: Path, out_dir: Path, schemas: tuple[str, ...] = RAW_SCHEMAS) -> list[Path]:
    """Every table of `schemas` as Parquet under `out_dir`; returns the directories written (sorted)."""
    written = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (SELECT unnest(?)) AND table_type = 'BASE TABLE' ORDER BY 1, 2",
            [list(schemas)],
        ).fetchall()
        for schema, table in tables:
            directory = out_dir / schema / table
            directory.mkdir(parents=True, exist_ok=True)
            target = str(directory / "data.parquet").replace("'", "''")
            con.execute(f'COPY "{schema}"."{table}" TO \'{target}\' (FORMAT parquet)')
            written.append(directory)
    return written
