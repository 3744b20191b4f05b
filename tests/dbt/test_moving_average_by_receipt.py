"""The moving average two ways on DuckDB, row for row: the portable branch (default__moving_average_costing, one
recursion level per movement, the refunded sales' costs carried as text) and DuckDB's own (one level per receipt,
the issues between receipts as running sums). They share only the per-movement rules (moving_average_step), so an
error in how the by-receipt branch splits the sequence shows up as a difference on movements built to hit every
edge: negative stock, stock emptied exactly, partial and repeated returns, returns of uncosted sales."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from config.settings import DBT_PROJECT_DIR
from tests.helpers.inventory_movements import hostile_movements, write_movements

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")
COSTS = "internal_sku, event_seq, unit_cost, value_moved, qty_after, value_after"


def compiled(branch: str, relation: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(DBT), "compile", "--quiet", "--inline", f"{{{{ acorn.{branch}__moving_average_costing('{relation}') }}}}",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def costed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("moving_average") / "acorn.duckdb"
    write_movements(warehouse, hostile_movements(seed=9, skus=60))
    env = {**os.environ, "ACORN_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"}
    queries = {branch: compiled(branch, "main.inventory_events", env) for branch in ("default", "duckdb")}
    with duckdb.connect(str(warehouse)) as con:
        for branch, sql in queries.items():
            con.execute(f"CREATE TABLE costed_{branch} AS {sql}")
    return warehouse


def test_by_receipt_costs_every_movement_as_the_per_movement_recursion_does(costed: Path):
    with duckdb.connect(str(costed), read_only=True) as con:
        [(movements,)] = con.execute("SELECT count(*) FROM main.inventory_events").fetchall()
        for left, right in (("default", "duckdb"), ("duckdb", "default")):
            only = con.execute(f"SELECT {COSTS} FROM costed_{left} EXCEPT ALL SELECT {COSTS} FROM costed_{right} "
                               "ORDER BY 1, 2 LIMIT 5").fetchall()
            assert only == [], f"only on {left}: {only}"
        [(rows,)] = con.execute("SELECT count(*) FROM costed_duckdb").fetchall()
    assert rows == movements > 10_000


def test_the_movements_reach_every_edge_of_the_method(costed: Path):
    with duckdb.connect(str(costed), read_only=True) as con:
        [edges] = con.execute("""
            SELECT
                count(*) FILTER (WHERE qty_after < 0),
                count(*) FILTER (WHERE qty_after = 0 AND movement_type IN ('sale', 'write_off')),
                count(*) FILTER (WHERE qty_after = 0 AND movement_type = 'sale' AND is_refunded_sale),
                count(*) FILTER (WHERE unit_cost IS NULL),
                count(*) FILTER (WHERE movement_type = 'return' AND original_sale_seq IS NULL),
                count(*) FILTER (WHERE movement_type = 'return' AND quantity < (
                    SELECT s.quantity FROM main.inventory_events s
                    WHERE s.internal_sku = c.internal_sku AND s.event_seq = c.original_sale_seq)),
                count(*) FILTER (WHERE movement_type = 'return' AND original_sale_seq IS NOT NULL
                                 AND unit_cost IS NOT NULL)
            FROM costed_duckdb c""").fetchall()
    negative, emptied, emptied_refunded, uncosted, unnamed_returns, partial_returns, costed_returns = edges
    assert min(negative, emptied, emptied_refunded, uncosted, unnamed_returns, partial_returns, costed_returns) > 0, edges
