"""Spark's moving average (a fold over each SKU's receipts) against DuckDB's portable per-movement recursion, row
for row and decimals exact, on movements built to hit every edge of the method (tests/helpers/inventory_movements.py).
The demo's equality test covers the same branch on ordinary data; this one covers negative stock, emptied stock,
partial and repeated returns and the half cents where a float division would round the other way."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from config.settings import DBT_PROJECT_DIR
from tests.helpers.inventory_movements import hostile_movements, write_movements

pytestmark = pytest.mark.slow

pyspark_sql = pytest.importorskip("pyspark.sql", reason="the spark extra is not installed (pip install -e '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java on PATH)", allow_module_level=True)

DBT = Path(sys.executable).with_name("dbt")
COSTS = "internal_sku, event_seq, unit_cost, value_moved, qty_after, value_after"


def compiled(branch: str, target: str, relation: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(DBT), "compile", "--quiet", "--target", target, "--inline",
         f"{{{{ acorn.{branch}__moving_average_costing('{relation}') }}}}",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # a Spark session may log to stdout before the compiled query
    return result.stdout[result.stdout.index("with"):]


def test_spark_costs_hostile_movements_as_duckdb_does(tmp_path: Path):
    warehouse = tmp_path / "acorn.duckdb"
    write_movements(warehouse, hostile_movements(seed=8, skus=40))
    env = {**os.environ, "ACORN_WAREHOUSE": str(warehouse), "ACORN_SPARK_HOME": str(tmp_path / "spark"),
           "DO_NOT_TRACK": "1"}
    on_duckdb = compiled("default", "local", "main.inventory_events", env)
    on_spark = compiled("spark", "spark", "inventory_events", env)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE TABLE costed_duckdb AS {on_duckdb}")
        con.execute(f"COPY main.inventory_events TO '{tmp_path / 'events.parquet'}' (FORMAT parquet)")

    spark = (pyspark_sql.SparkSession.builder.master("local[2]").appName("acorn-moving-average")
             .config("spark.sql.ansi.enabled", "true").config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    try:
        spark.read.parquet(str(tmp_path / "events.parquet")).createOrReplaceTempView("inventory_events")
        spark.sql(on_spark).write.parquet(str(tmp_path / "costed_spark"))
    finally:
        spark.stop()

    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE TABLE costed_spark AS SELECT * FROM read_parquet('{tmp_path / 'costed_spark'}/*.parquet')")
        for left, right in (("duckdb", "spark"), ("spark", "duckdb")):
            only = con.execute(f"SELECT {COSTS} FROM costed_{left} EXCEPT ALL SELECT {COSTS} FROM costed_{right} "
                               "ORDER BY 1, 2 LIMIT 5").fetchall()
            assert only == [], f"only on {left}: {only}"
        [(rows, returns_costed)] = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE movement_type = 'return' AND unit_cost IS NOT NULL) "
            "FROM costed_spark").fetchall()
    assert rows > 5_000 and returns_costed > 100
