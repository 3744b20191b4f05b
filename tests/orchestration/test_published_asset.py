"""Issue 8, case 6: the pipeline job itself publishes the read-only copy, so a scheduled or sensor run does too."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from config.settings import Settings
from orchestration.dbt_models.assets import acorn_dbt_models
from orchestration.definitions import defs
from orchestration.jobs import PIPELINE_JOB_NAME
from orchestration.pipeline import materialize_pipeline
from orchestration.published.assets import PUBLISHED_KEY
from tests.helpers.paths import SAMPLES

pytestmark = pytest.mark.slow
SETTLEMENT = "settlement_v1_flatfile_CA_CAD__adwweaver_Amazon-Settlement-Transformer__50011020300.txt"


def test_the_published_copy_waits_for_every_dbt_model_the_notifier_and_the_access_log():
    parents = defs.resolve_asset_graph().get(PUBLISHED_KEY).parent_keys
    assert set(acorn_dbt_models.keys) <= parents
    assert {AssetKey(["audit", "alert_deliveries"]), AssetKey(["audit", "access_log"])} <= parents
    assert PUBLISHED_KEY in defs.resolve_job_def(PIPELINE_JOB_NAME).asset_layer.selected_asset_keys


def test_a_run_of_the_pipeline_job_publishes_the_marts(samples, tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / SETTLEMENT, inbox / SETTLEMENT)
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "archive")
    published = settings.published_warehouse
    assert published is not None and not published.exists()

    # The runner only executes the job (the schedule's and the sensor's): the copy comes from the job's last asset.
    result = materialize_pipeline(settings, inbox)

    assert result.success, result.failures
    assert "published/warehouse" in result.materialized
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT settlement_id, header_total = lines_total "
                           "FROM marts.fct_settlement_reconciliation").fetchall() == [("23874396421", True)]
        assert con.execute("SELECT count(*) FROM marts.fct_ledger").fetchone()[0] > 0
