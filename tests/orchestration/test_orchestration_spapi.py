"""SP-API orchestration: partitions per configured store, nightly schedules in store time, the report sensor,
and a real Dagster materialization of one store's partition against the fake SP-API."""
from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    SensorResult,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
)

from config.settings import Settings
from connectors.spapi.accounts import CREDENTIAL_ENV
from demo.api_demo import prepare_demo_api
from demo.fake_spapi import FakeSpApi
from demo.generator import generate
from orchestration.assembly import build_definitions
from orchestration.jobs import PIPELINE_JOB_NAME
from orchestration.resources import WarehouseResource
from orchestration.spapi.assets import GROUP, SOURCE_KEYS
from orchestration.spapi.resources import SpApiResource
from orchestration.spapi.triggers import SYNC_JOB_NAME

STORES = ("acme-us", "acme-de", "acme-jp")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A one-month generated inbox served by the fake, its account config, and fresh fake credentials."""
    root = tmp_path_factory.mktemp("spapi_orchestration")
    generate(root / "generated", seed=3, months=1, orders_per_day=3)
    before = dict(os.environ)
    api = prepare_demo_api(root / "generated", root)
    # Sync a few days after the last report (the demo syncs on its much later money-at-risk day, past the 90 days
    # Amazon keeps reports listed, which a one-month world would fall out of).
    now = max(report.created for report in api.data.reports) + timedelta(days=5)
    api = dataclasses.replace(api, now=now, backfill=now - min(event.posted for event in api.data.events) + timedelta(days=1))
    secrets = [os.environ[k] for k in os.environ if k not in before and k.startswith(tuple(CREDENTIAL_ENV.values()))]
    assert len(secrets) == 9
    yield root, api, secrets
    for name in set(os.environ) - set(before):
        del os.environ[name]


def settings_for(root: Path, api) -> Settings:
    return Settings(warehouse=root / "wh" / "acorn.duckdb", archive_dir=root / "archive", spapi_config=api.config_path)


def spapi_resource(root: Path, api, server: FakeSpApi | None = None) -> SpApiResource:
    return SpApiResource(
        config_path=str(api.config_path), inbox_dir=str(root / "inbox" / "spapi"),
        endpoint=server.url if server else None, lwa_url=server.lwa_url if server else "https://unused.invalid/",
        as_of=api.now.isoformat() + "Z", backfill_days=api.backfill.days + 1,
    )


def test_configured_stores_become_partitions_schedules_and_a_separate_job(world):
    root, api, _ = world
    defs = build_definitions(settings_for(root, api), root / "inbox")
    job = defs.resolve_job_def(SYNC_JOB_NAME)
    assert sorted(job.partitions_def.get_partition_keys()) == sorted(STORES)
    assert {k for k in job.asset_layer.executable_asset_keys} == set(SOURCE_KEYS.values())
    # the file pipeline never runs a partitioned SP-API asset without its store
    pipeline = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert not set(SOURCE_KEYS.values()) & set(pipeline.asset_layer.executable_asset_keys)
    graph = defs.resolve_asset_graph()
    for key in SOURCE_KEYS.values():
        node = graph.get(key)
        assert node.group_name == GROUP and node.assets_def.op.retry_policy.max_retries == 3
    zones = {"acme-us": "America/Los_Angeles", "acme-de": "Europe/Berlin", "acme-jp": "Asia/Tokyo"}
    for store, zone in zones.items():
        schedule = defs.resolve_schedule_def(f"spapi_nightly_{store.replace('-', '_')}")
        assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("0 3 * * *", zone, SYNC_JOB_NAME)
        context = build_schedule_context(repository_def=defs.get_repository_def(),
                                         scheduled_execution_time=datetime(2026, 9, 15, 10, 0, tzinfo=UTC))
        requests = schedule.evaluate_tick(context).run_requests
        assert [(r.partition_key, r.run_key) for r in requests] == [(store, f"{store}:2026-09-15")]


def test_without_config_definitions_hold_no_spapi_partitions_or_schedules(tmp_path):
    defs = build_definitions(Settings(warehouse=tmp_path / "w.duckdb", archive_dir=tmp_path / "a"), tmp_path / "inbox")
    assert defs.resolve_job_def(SYNC_JOB_NAME).partitions_def.get_partition_keys() == []
    assert [s.name for s in defs.schedules] == ["daily_pipeline"]
    sensor = defs.resolve_sensor_def("spapi_settlement_reports")
    resources = {"spapi": SpApiResource(inbox_dir=str(tmp_path)), "warehouse": WarehouseResource.from_settings(
        Settings(warehouse=tmp_path / "w.duckdb", archive_dir=tmp_path / "a"))}
    result = sensor(build_sensor_context(resources=resources))
    assert isinstance(result, SkipReason) and "no SP-API accounts" in result.skip_message


@pytest.mark.slow
def test_materialize_one_store_partition_against_the_fake(world, caplog):
    root, api, secrets = world
    settings = settings_for(root, api)
    warehouse = WarehouseResource.from_settings(settings)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with FakeSpApi(api.data) as server:
        spapi = spapi_resource(root, api, server)
        sensor_resources = {"spapi": spapi, "warehouse": warehouse}
        defs = build_definitions(settings, root / "inbox", spapi=spapi)
        sensor = defs.resolve_sensor_def("spapi_settlement_reports")
        before = sensor(build_sensor_context(resources=sensor_resources))
        assert isinstance(before, SensorResult)
        requested = {r.partition_key: r.run_key for r in before.run_requests}
        assert "acme-us" in requested and requested["acme-us"].startswith("acme-us:reports:")

        server.inject("listTransactions", "500", times=1)        # retried inside the step
        server.inject("listFinancialEvents", "expired_token", times=1)
        with DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def(SYNC_JOB_NAME).execute_in_process(
                partition_key="acme-us", instance=instance, raise_on_error=False)
            logs = instance.all_logs(result.run_id)
        after = sensor(build_sensor_context(resources=sensor_resources))

    assert result.success
    materialized = {e.asset_key: e for e in result.all_events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}
    assert set(materialized) == set(SOURCE_KEYS.values())
    assert {e.partition for e in materialized.values()} == {"acme-us"}
    metadata = {key.path[-1]: e.step_materialization_data.materialization.metadata for key, e in materialized.items()}
    assert metadata["finance_transactions"]["retries"].value == 1
    assert metadata["financial_events"]["rows_written"].value > 0
    documents = metadata["spapi_settlement_reports"]["documents"].value
    # The money-at-risk reports land beside them, from their own assets.
    settlement_files = sorted(p.name for p in (root / "inbox" / "spapi").iterdir() if p.name.startswith("settlement_"))
    assert documents and settlement_files == documents
    # The documents are the generated files byte for byte, under the generator's names.
    for name in documents:
        assert (root / "inbox" / "spapi" / name).read_bytes() == (root / "generated" / name).read_bytes()
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        accounts = conn.execute("SELECT DISTINCT account_id FROM raw.financial_events").fetchall()
        cursors = conn.execute("SELECT count(*) FROM audit.sync_cursors WHERE account_id = 'acme-us'").fetchone()
    # four seller sources and the three money-at-risk reports
    assert accounts == [("acme-us",)] and cursors == (7,)
    # The sensor no longer asks for acme-us: its reports are in the warehouse.
    assert isinstance(after, SkipReason) or "acme-us" not in {r.partition_key for r in after.run_requests}

    # No credential in the Dagster event log (messages, metadata, errors) nor in Python's logs.
    texts = [repr(record) for record in logs] + [caplog.text]
    blob = "\n".join(texts)
    assert "finance_transactions" in blob and "acme-us" in blob
    for secret in secrets:
        assert secret not in blob


def test_a_store_without_credentials_fails_without_retries(world, monkeypatch):
    root, api, _ = world
    for name in CREDENTIAL_ENV.values():
        monkeypatch.delenv(f"{name}_acme-de")
    settings = settings_for(root, api)
    defs = build_definitions(settings, root / "inbox", spapi=spapi_resource(root, api))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(SYNC_JOB_NAME).execute_in_process(
            partition_key="acme-de", instance=instance, raise_on_error=False,
            asset_selection=[AssetKey(["raw", "financial_event_groups"])])
    assert not result.success
    failures = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert len(failures) == 1 and "SP_API_REFRESH_TOKEN_acme-de" in failures[0].step_failure_data.user_failure_data.description
    assert not [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
