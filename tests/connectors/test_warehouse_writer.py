"""The one warehouse writer and the one lock-wait, on real DuckDB files."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors import warehouse
from connectors.warehouse_writer import write_rows

TABLE = """CREATE TABLE raw.t (id VARCHAR PRIMARY KEY, amount DECIMAL(18,2), rate DECIMAL(18,8), n INTEGER,
           day DATE, seen_at TIMESTAMP, flag BOOLEAN, note VARCHAR)"""


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(TABLE)
        yield con


def test_decimals_arrive_exact_in_the_tables_own_types(conn):
    rows = [{"id": "a", "amount": Decimal("0.10"), "rate": Decimal("7.12345678"), "n": 3, "day": date(2026, 1, 2),
             "seen_at": datetime(2026, 1, 2, 3, 4, 5), "flag": True, "note": "x"},
            {"id": "b", "amount": None, "rate": None}]   # an all-None column is still typed by the table
    assert write_rows(conn, "raw.t", rows) == 2
    assert conn.execute("SELECT * FROM raw.t ORDER BY id").fetchall() == [
        ("a", Decimal("0.10"), Decimal("7.12345678"), 3, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, 5), True, "x"),
        ("b", None, None, None, None, None, None, None),
    ]
    assert conn.execute("SELECT typeof(amount), typeof(rate) FROM raw.t LIMIT 1").fetchone() == (
        "DECIMAL(18,2)", "DECIMAL(18,8)")
    # The batch was registered for the statement only.
    with pytest.raises(duckdb.CatalogException):
        conn.execute("SELECT * FROM acorn_write_batch")


def test_sequence_rows_in_column_order_and_the_three_conflict_rules(conn):
    def row(note: str) -> list:
        return ["a", Decimal("1.00"), None, None, None, None, None, note]

    write_rows(conn, "raw.t", [row("first")])
    write_rows(conn, "raw.t", [row("ignored")], on_conflict="ignore")
    assert conn.execute("SELECT note FROM raw.t").fetchall() == [("first",)]
    write_rows(conn, "raw.t", [row("replaced")], on_conflict="replace")
    assert conn.execute("SELECT note FROM raw.t").fetchall() == [("replaced",)]
    with pytest.raises(duckdb.ConstraintException):
        write_rows(conn, "raw.t", [row("duplicate")])
    with pytest.raises(ValueError, match="8 columns"):
        write_rows(conn, "raw.t", [["short", Decimal("1")]])


def test_floats_are_refused_and_finer_decimals_round_like_duckdb(conn):
    with pytest.raises(TypeError):   # pyarrow's ArrowTypeError is a TypeError
        write_rows(conn, "raw.t", [{"id": "f", "amount": 1.5}])
    values = [Decimal("18.143333333333334"), Decimal("1.005"), Decimal("-1.005"), Decimal("2.675")]
    write_rows(conn, "raw.t", [{"id": str(i), "amount": v} for i, v in enumerate(values)])
    written = [a for (a,) in conn.execute("SELECT amount FROM raw.t ORDER BY id").fetchall()]
    duckdb_cast = [conn.execute(f"SELECT {v}::DECIMAL(38,18)::DECIMAL(18,2)").fetchone()[0] for v in values]
    assert written == duckdb_cast == [Decimal("18.14"), Decimal("1.01"), Decimal("-1.01"), Decimal("2.68")]


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_connect_waits_out_another_process_lock(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    holder = _hold(path, 1.5)
    try:
        started = time.monotonic()
        with warehouse.connect(path, wait=20) as con:
            assert con.execute("SELECT 1").fetchone() == (1,)
        assert time.monotonic() - started > 0.5       # it really waited for the other process
    finally:
        holder.wait(timeout=30)


def test_connect_gives_up_after_wait_and_other_errors_raise_at_once(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    holder = _hold(path, 5)
    try:
        with pytest.raises(warehouse.WarehouseLocked, match="still locked by another process after 0.5 s"):
            warehouse.connect(path, wait=0.5, notice=lambda _: None)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    slept: list[float] = []
    not_a_database = tmp_path / "text.duckdb"
    not_a_database.write_text("hello")
    with pytest.raises(duckdb.Error):
        warehouse.connect(not_a_database, sleep=slept.append)
    assert slept == []
