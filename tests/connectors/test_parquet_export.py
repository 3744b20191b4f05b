"""The raw layer as Parquet for Spark: every raw/audit table, its DECIMALs exact, nothing from the modelled schemas."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from connectors.parquet_export import export_raw_parquet


def test_raw_and_audit_tables_round_trip_exactly_and_marts_stay_behind(tmp_path: Path):
    warehouse = tmp_path / "acorn.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for schema in ("raw", "audit", "marts"):
            con.execute(f"CREATE SCHEMA {schema}")
        con.execute("CREATE TABLE raw.settlement_lines (amount DECIMAL(18,2), rate DECIMAL(18,8), posted TIMESTAMP, "
                    "day DATE, note VARCHAR)")
        con.execute("INSERT INTO raw.settlement_lines VALUES (-1234567890123.45, 0.12345678, "
                    "'2026-01-31 23:59:59.123456', '2026-02-01', 'l''Oréal 退款'), (NULL, NULL, NULL, NULL, NULL)")
        con.execute("CREATE TABLE audit.file_loads (sha256 VARCHAR)")
        con.execute("CREATE TABLE marts.fct_ledger (amount DECIMAL(18,2))")

    written = export_raw_parquet(warehouse, tmp_path / "out")

    assert [p.relative_to(tmp_path / "out").as_posix() for p in written] == ["audit/file_loads",
                                                                              "raw/settlement_lines"]
    with duckdb.connect() as con:
        relation = f"read_parquet('{tmp_path / 'out' / 'raw' / 'settlement_lines' / 'data.parquet'}')"
        assert con.execute(f"SELECT * FROM {relation} ORDER BY amount NULLS LAST").fetchall() == [
            (Decimal("-1234567890123.45"), Decimal("0.12345678"), datetime(2026, 1, 31, 23, 59, 59, 123456),
             date(2026, 2, 1), "l'Oréal 退款"),
            (None, None, None, None, None),
        ]
        assert [t for (_, t, *_) in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()][:2] == ["DECIMAL(18,2)",
                                                                                           "DECIMAL(18,8)"]
