"""The notifier asset: part of the pipeline job, downstream of fct_alerts, sends once, never fails the run."""
from __future__ import annotations

import json
import socket
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, materialize

from config.settings import Settings
from orchestration.definitions import defs
from orchestration.jobs import PIPELINE_JOB_NAME
from orchestration.notify.assets import alert_deliveries
from orchestration.resources import WarehouseResource
from tests.helpers.alerts_warehouse import SELLER_CLAIM, SELLER_LOSS, build_alerts_warehouse, start_http_server

pytestmark = pytest.mark.slow
KEY = AssetKey(["audit", "alert_deliveries"])


def test_the_notifier_runs_in_the_pipeline_job_after_the_alerts_mart():
    graph = defs.resolve_asset_graph()
    assert AssetKey(["marts", "fct_alerts"]) in graph.get(KEY).parent_keys
    assert KEY in defs.resolve_job_def(PIPELINE_JOB_NAME).asset_layer.selected_asset_keys


def run_asset(settings: Settings):
    return materialize([alert_deliveries], resources={"warehouse": WarehouseResource.from_settings(settings)},
                       raise_on_error=False)


def test_the_asset_sends_once_and_a_dead_channel_never_fails_the_run(tmp_path: Path, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", [SELLER_LOSS, SELLER_CLAIM])
    config = tmp_path / "notify.json"
    config.write_text(json.dumps({"retry": {"attempts": 2, "backoff_seconds": 0}, "channels": [
        {"name": "hook", "type": "webhook", "url_env": "ACORN_TEST_HOOK"}]}))
    settings = Settings(warehouse=warehouse, archive_dir=tmp_path / "archive", notify_config=config)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        dead = free.getsockname()[1]
    monkeypatch.setenv("ACORN_TEST_HOOK", f"http://127.0.0.1:{dead}/hook")
    down = run_asset(settings)
    assert down.success
    (materialization,) = down.asset_materializations_for_node(alert_deliveries.op.name)
    assert materialization.metadata["sent"].value == {"hook": 0}
    server = start_http_server()
    try:
        monkeypatch.setenv("ACORN_TEST_HOOK", f"{server.url}/hook")
        assert run_asset(settings).success and run_asset(settings).success
    finally:
        server.server.shutdown()
    assert len(server.requests) == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status, count(*) from audit.alert_deliveries group by all order by 1").fetchall() == [
            ("failed", 4), ("sent", 2)]


def test_without_a_notify_config_the_asset_records_that_nothing_is_configured(tmp_path: Path):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", [SELLER_LOSS])
    result = run_asset(Settings(warehouse=warehouse, archive_dir=tmp_path / "archive"))
    assert result.success
    (materialization,) = result.asset_materializations_for_node(alert_deliveries.op.name)
    assert materialization.metadata["channels"].value == 0
