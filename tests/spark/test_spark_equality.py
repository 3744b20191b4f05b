"""The demo built by the same dbt models on DuckDB and on a local Spark (local[2]): every mart, row for row.

Spark reads the raw layer as the Parquet that connectors/parquet_export.py writes from the DuckDB raw schema; its
marts land as Parquet tables under the Spark warehouse directory, which DuckDB reads back for the comparison, so
both sides come through the same reader and DECIMALs are compared as Decimals, exactly. The full builds cost stock
by the default method (moving average); FIFO and month-end average run on Spark through the costing unit tests.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from config.settings import DBT_PROJECT_DIR
from connectors.parquet_export import export_raw_parquet

pytestmark = pytest.mark.slow

pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install -e '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java on PATH)", allow_module_level=True)

DBT = Path(sys.executable).with_name("dbt")
# The day the demo measures ages on (its vendor world's as_of), so the DuckDB side rebuilds the demo's own marts.
VARS = {"as_of": "2026-10-15"}
# Change detectors of the incremental builds, not data: each engine digests a store-month with its own hash function.
ENGINE_DIGESTS = {"fct_fee_allocations": {"store_month_digest"}}
# Every cost method, through the costing models' unit tests (each sets var cost_method).
COSTING_UNIT_TESTS = ("test_type:unit,int_inventory_costed", "test_type:unit,int_inventory_refund_write_offs")


def _dbt(args: list[str], env: dict[str, str], variables: dict[str, str] = VARS) -> float:
    started = time.monotonic()
    result = subprocess.run([str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                             str(DBT_PROJECT_DIR), "--vars", json.dumps(variables)],
                            env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    return time.monotonic() - started


def _shown(sql: str, env: dict[str, str], target: str) -> list[dict[str, Any]]:
    """The rows of `dbt show --inline` on `target` (no hooks run: the raw sources are not needed)."""
    result = subprocess.run([str(DBT), "show", "--inline", sql, "--output", "json", "--quiet", "--target", target,
                             "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
                            env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(result.stdout[result.stdout.index("{"):])["show"]


def _normalised(value: Any) -> Any:
    # Spark writes its session-zone (UTC) timestamps as instants, DuckDB's are naive UTC wall times: same moment.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _rows(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list[tuple]:
    selected = ", ".join(f'"{c}"' for c in columns)
    rows = [tuple(_normalised(v) for v in row) for row in con.execute(f"SELECT {selected} FROM {relation}").fetchall()]
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def two_builds(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("spark")
    warehouse = root / "acorn.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    export_raw_parquet(warehouse, root / "raw_parquet")
    env = {**os.environ, "ACORN_WAREHOUSE": str(warehouse), "ACORN_SPARK_HOME": str(root / "spark"),
           "ACORN_RAW_PARQUET": str(root / "raw_parquet"), "DO_NOT_TRACK": "1"}
    duckdb_seconds = _dbt(["build", "--resource-type", "model", "--resource-type", "seed"], env)
    spark_seconds = _dbt(["build", "--target", "spark", "--resource-type", "model", "--resource-type", "seed"], env)
    print(f"\ndbt models+seeds on the demo: DuckDB {duckdb_seconds:.0f} s, Spark local[2] {spark_seconds:.0f} s")
    return {"warehouse": warehouse, "spark_marts": root / "spark" / "warehouse" / "marts.db", "env": env}


def test_every_mart_is_equal_on_spark_and_duckdb(two_builds: dict[str, Any]):
    with duckdb.connect(str(two_builds["warehouse"]), read_only=True) as con:
        marts = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        assert len(marts) > 30
        differing, compared_rows = {}, 0
        for mart in marts:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ? "
                "ORDER BY ordinal_position", [mart]).fetchall() if c not in ENGINE_DIGESTS.get(mart, set())]
            spark_files = str(two_builds["spark_marts"] / mart / "*.parquet")
            on_duckdb = _rows(con, f'marts."{mart}"', columns)
            on_spark = _rows(con, f"read_parquet('{spark_files}')", columns)
            compared_rows += len(on_duckdb)
            if on_duckdb != on_spark:
                only_duckdb = [r for r in on_duckdb if r not in on_spark][:3]
                only_spark = [r for r in on_spark if r not in on_duckdb][:3]
                differing[mart] = {"rows": (len(on_duckdb), len(on_spark)), "duckdb": only_duckdb, "spark": only_spark}
        assert not differing, differing
        assert compared_rows > 1000


def test_money_comes_back_from_spark_as_exact_decimals(two_builds: dict[str, Any]):
    spark_files = str(two_builds["spark_marts"] / "fct_ledger" / "*.parquet")
    with duckdb.connect() as con:
        kinds = {type(v) for (v,) in con.execute(f"SELECT amount FROM read_parquet('{spark_files}')").fetchall()}
    assert kinds == {Decimal}


def test_the_costing_unit_tests_pass_on_spark(two_builds: dict[str, Any]):
    # The full builds cost stock by the default method only; the costing models' unit tests (dbt_project/models/
    # intermediate/books/_books_unit_tests.yml) set cost_method to each of FIFO, month-end and moving average, and
    # their fixtures are small, so the recursive costing runs on Spark in seconds (a demo-sized FIFO build: minutes).
    seconds = _dbt(["test", "--target", "spark", "--select", *COSTING_UNIT_TESTS], two_builds["env"])
    print(f"\ncosting unit tests on Spark: {seconds:.0f} s")


def test_evidence_json_escapes_quotes_and_backslashes_alike_on_both_engines(tmp_path: Path):
    # The value is built with the project's backslash() because a '\\' literal itself reads differently on Spark.
    sql = ("select {{ evidence_json([('said', \"'say \\\"hi\\\" in c:' || \" ~ backslash() ~ \" || 'tmp'\"), "
           "('none', 'null')]) }} as evidence")
    env = {**os.environ, "ACORN_WAREHOUSE": str(tmp_path / "acorn.duckdb"), "ACORN_SPARK_HOME": str(tmp_path / "spark"),
           "DO_NOT_TRACK": "1"}
    for target in ("local", "spark"):
        [row] = _shown(sql, env, target)
        assert json.loads(row["evidence"]) == {"said": 'say "hi" in c:\\tmp', "none": None}, target
