"""The as-of day a warehouse was built for is recorded with it, so every later run on it gives the same answers."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context

from config.settings import Settings
from orchestration.assembly import build_definitions
from orchestration.build_settings import forget_as_of, recorded_as_of, settings_for_build
from orchestration.jobs import PIPELINE_JOB_NAME, inbox_sensor
from orchestration.resources import InboxResource

DAY = date(2026, 10, 15)


def _settings(tmp_path: Path, as_of: date | None = None) -> Settings:
    return Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "archive", as_of=as_of)


def test_a_build_without_an_as_of_day_uses_the_one_recorded_with_the_warehouse(tmp_path):
    assert recorded_as_of(_settings(tmp_path)) is None  # no warehouse yet: nothing recorded, nothing created
    assert not _settings(tmp_path).warehouse.exists()

    assert settings_for_build(_settings(tmp_path)).as_of is None  # never recorded: today
    assert settings_for_build(_settings(tmp_path, DAY)).as_of == DAY
    assert recorded_as_of(_settings(tmp_path)) == DAY
    assert settings_for_build(_settings(tmp_path)).as_of == DAY


def test_an_explicit_as_of_day_wins_and_replaces_the_record_and_forgetting_it_measures_on_today(tmp_path):
    settings_for_build(_settings(tmp_path, DAY))
    later = date(2026, 11, 30)

    assert settings_for_build(_settings(tmp_path, later)).as_of == later
    assert settings_for_build(_settings(tmp_path)).as_of == later
    with duckdb.connect(str(_settings(tmp_path).warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM audit.build_settings").fetchone() == (1,)

    forget_as_of(_settings(tmp_path))
    assert recorded_as_of(_settings(tmp_path)) is None
    assert settings_for_build(_settings(tmp_path)).as_of is None


def _vendor_alerts(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT alert_type, marketplace_name, purchase_order_number, invoice_number, as_of_date, message "
            "FROM marts.fct_alerts WHERE domain = 'vendor' ORDER BY ALL"
        ).fetchall()


@pytest.mark.slow
def test_the_inbox_sensor_on_the_demo_warehouse_keeps_the_demos_vendor_alerts(demo_warehouse, tmp_path, monkeypatch):
    """What `make dagster` does on the demo warehouse: the sensor sees the inbox and the pipeline runs again,
    with no ACORN_AS_OF; ages stay measured on the demo's day (2 overdue invoices, not 11)."""
    monkeypatch.delenv("ACORN_AS_OF", raising=False)
    # The session's demo warehouse is left as found: the run works on a copy of it and of its inbox.
    warehouse = tmp_path / "demo" / "acorn.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(demo_warehouse, warehouse)
    inbox = shutil.copytree(demo_warehouse.parent / "inbox", tmp_path / "demo" / "inbox")
    before = _vendor_alerts(warehouse)
    settings = Settings.from_env(warehouse)
    assert settings.as_of is None and recorded_as_of(settings) is not None

    evaluation = inbox_sensor(build_sensor_context(resources={"inbox": InboxResource(path=str(inbox))}))
    assert isinstance(evaluation, SensorResult) and len(evaluation.run_requests) == 1
    request = evaluation.run_requests[0]
    job = build_definitions(settings, inbox).resolve_job_def(PIPELINE_JOB_NAME)
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, run_config=request.run_config, tags=request.tags)

    assert result.success
    after = _vendor_alerts(warehouse)
    assert after == before
    assert len(after) == 8
    assert sum(1 for alert in after if alert[0] == "invoice_overdue") == 2
    assert {alert[4] for alert in after} == {recorded_as_of(settings)}
