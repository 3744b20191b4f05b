"""dbt runs with the warehouse of its own settings: a profile per invocation, the process environment untouched."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import AssetKey, DagsterInstance, materialize

from config.settings import DBT_PROJECT_DIR, Settings
from orchestration.build_settings import recorded_as_of
from orchestration.dbt_models.assets import acorn_dbt_models, acorn_project
from orchestration.dbt_models.commands import PROFILES_FILE, WAREHOUSE_LINK, warehouse_profiles
from orchestration.dbt_models.project import dbt_resource
from orchestration.resources import WarehouseResource


def test_the_profile_of_an_invocation_is_the_projects_with_the_warehouse_written_in(tmp_path):
    warehouse = tmp_path / "wh" / "acorn.duckdb"
    project = yaml.safe_load((DBT_PROJECT_DIR / PROFILES_FILE).read_text())

    with warehouse_profiles(warehouse) as directory:
        written = yaml.safe_load((directory / PROFILES_FILE).read_text())
        # the path reaches the warehouse through the project's one link, so dbt sees the same path for every
        # warehouse of that name and keeps its partial parse
        output = written["acorn"]["outputs"]["local"]
        assert output["path"] == str(WAREHOUSE_LINK / "acorn.duckdb")
        assert Path(output["path"]).parent.resolve() == warehouse.parent.resolve()
    assert not directory.exists()

    # Everything else (adapter, threads, connection retries) is the project's.
    project["acorn"]["outputs"]["local"]["path"] = output["path"]
    assert written == project


def test_another_warehouse_gets_the_same_profile_and_its_own_file(tmp_path):
    paths = []
    for name in ("a", "b"):
        warehouse = tmp_path / name / "acorn.duckdb"
        warehouse.parent.mkdir()
        with warehouse_profiles(warehouse) as directory:
            paths.append((directory / PROFILES_FILE).read_text())
            with duckdb.connect(yaml.safe_load(paths[-1])["acorn"]["outputs"]["local"]["path"]) as con:
                con.execute(f"CREATE TABLE made_in_{name} AS SELECT 1 AS x")
    assert paths[0] == paths[1]
    assert _tables(tmp_path / "a" / "acorn.duckdb") == {"main.made_in_a"}
    assert _tables(tmp_path / "b" / "acorn.duckdb") == {"main.made_in_b"}
    # DuckDB's write-ahead log and any other file it keeps went beside the warehouse, not into the link's folder
    assert sorted(p.name for p in WAREHOUSE_LINK.parent.glob("acorn.duckdb*")) == []


def _tables(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {f"{s}.{t}" for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()}


@pytest.mark.slow
def test_two_warehouses_build_in_one_process_without_leaking_into_each_other(tmp_path):
    environment = dict(os.environ)
    first = Settings(warehouse=tmp_path / "a" / "acorn.duckdb", archive_dir=tmp_path / "a" / "archive",
                     as_of=date(2026, 10, 15))
    second = Settings(warehouse=tmp_path / "b" / "acorn.duckdb", archive_dir=tmp_path / "b" / "archive")

    for settings, seed in ((first, "currencies"), (second, "vendor_aging_buckets")):
        with DagsterInstance.ephemeral() as instance:
            result = materialize(
                [acorn_dbt_models], selection=[AssetKey(["seeds", seed])], instance=instance,
                resources={"dbt": dbt_resource(acorn_project), "warehouse": WarehouseResource.from_settings(settings)},
            )
        assert result.success

    assert "seeds.currencies" in _tables(first.warehouse) and "seeds.vendor_aging_buckets" not in _tables(first.warehouse)
    assert "seeds.vendor_aging_buckets" in _tables(second.warehouse) and "seeds.currencies" not in _tables(second.warehouse)
    assert dict(os.environ) == environment
    # Only the build given an as-of day recorded one.
    assert recorded_as_of(first) == date(2026, 10, 15) and recorded_as_of(second) is None
