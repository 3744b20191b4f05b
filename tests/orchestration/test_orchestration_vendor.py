"""Vendor orchestration: partitions per configured vendor account, a daily schedule per account, a job of its own,
and a real Dagster materialization of one account's partition against the fake SP-API with faults injected."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance, build_schedule_context

from config.settings import Settings
from connectors.spapi.accounts import CREDENTIAL_ENV
from demo.fake_spapi import FakeData, FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import generate_vendor
from orchestration.assembly import build_definitions
from orchestration.jobs import PIPELINE_JOB_NAME
from orchestration.vendor.assets import ALL_KEYS, GROUP, SUBMISSIONS_KEY
from orchestration.vendor.resources import VendorResource
from orchestration.vendor.triggers import SYNC_JOB_NAME

ACCOUNTS = ("acme-vendor-na", "acme-vendor-eu")
EU_MARKETPLACE = "A1PA6795UKMFR9"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated vendor world (exports, config, answer key) of the default seed."""
    return generate_vendor(tmp_path_factory.mktemp("vendor_orchestration") / "inbox")


def settings_for(root: Path, config: Path | None) -> Settings:
    return Settings(warehouse=root / "wh" / "acorn.duckdb", archive_dir=root / "archive", vendor_config=config)


def credentials_in_env(monkeypatch, account_id: str) -> dict[str, str]:
    values = {key: f"{key}-{account_id}-test-secret" for key in CREDENTIAL_ENV}
    for key, name in CREDENTIAL_ENV.items():
        monkeypatch.setenv(f"{name}_{account_id}", values[key])
    return values


def test_configured_vendor_accounts_become_partitions_schedules_and_a_separate_job(generated, tmp_path):
    defs = build_definitions(settings_for(tmp_path, generated.config), tmp_path / "inbox")
    job = defs.resolve_job_def(SYNC_JOB_NAME)
    assert job.partitions_def.get_partition_keys() == list(ACCOUNTS)
    assert set(job.asset_layer.executable_asset_keys) == set(ALL_KEYS)
    # The vendor assets produce exactly the keys the dbt vendor sources name: no second source of raw tables.
    assert {k.to_user_string() for k in ALL_KEYS} == {
        "raw/vendor_purchase_orders", "raw/vendor_purchase_order_items", "raw/vendor_purchase_order_status",
        "raw/vendor_invoices", "raw/vendor_invoice_breakdowns", "raw/vendor_invoice_related_ids",
        "raw/vendor_invoice_lines", "raw/vendor_invoice_submissions", "raw/vendor_shipments", "raw/vendor_shipment_items",
        "raw/vendor_config_parties"}
    graph = defs.resolve_asset_graph()
    staging = graph.get(AssetKey(["staging", "stg_vendor__purchase_orders"]))
    assert AssetKey(["raw", "vendor_purchase_orders"]) in staging.parent_keys
    for key in ALL_KEYS:
        node = graph.get(key)
        assert node.is_materializable and node.group_name == GROUP
        assert node.assets_def.op.retry_policy.max_retries == 3
    # The file pipeline never runs a vendor asset without its account.
    pipeline = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert not set(ALL_KEYS) & set(pipeline.asset_layer.executable_asset_keys)
    for account in ACCOUNTS:
        schedule = defs.resolve_schedule_def(f"vendor_daily_{account.replace('-', '_')}")
        assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("0 5 * * *", "UTC", SYNC_JOB_NAME)
        context = build_schedule_context(repository_def=defs.get_repository_def(),
                                         scheduled_execution_time=datetime(2026, 10, 16, 5, 0, tzinfo=UTC))
        requests = schedule.evaluate_tick(context).run_requests
        assert [(r.partition_key, r.run_key) for r in requests] == [(account, f"{account}:2026-10-16")]


def test_without_config_definitions_hold_no_vendor_partitions_or_schedules(tmp_path):
    defs = build_definitions(settings_for(tmp_path, None), tmp_path / "inbox")
    assert defs.resolve_job_def(SYNC_JOB_NAME).partitions_def.get_partition_keys() == []
    assert not [s.name for s in defs.schedules if s.name.startswith("vendor_")]


@pytest.mark.slow
def test_materialize_one_vendor_account_against_the_fake(generated, tmp_path, monkeypatch, caplog):
    root = tmp_path
    settings = settings_for(root, generated.config)
    settings.warehouse.parent.mkdir(parents=True)
    secrets = credentials_in_env(monkeypatch, "acme-vendor-eu")
    world = generated.world
    data = build_vendor_fake_data(world, {"acme-vendor-eu": secrets, "acme-vendor-na": {
        key: f"unused-{key}" for key in CREDENTIAL_ENV}})
    with FakeSpApi(FakeData([], []), vendor=data) as server:
        vendor = VendorResource(config_path=str(generated.config), endpoint=server.url, lwa_url=server.lwa_url,
                                as_of=world.as_of.isoformat() + "Z", backfill_days=(world.as_of.date() - world.start).days + 1)
        defs = build_definitions(settings, root / "inbox", vendor=vendor)
        server.inject("getInvoice", "500", times=1)                 # retried inside the step
        server.inject("getPurchaseOrders", "expired_token", times=1)
        server.inject("getShipmentDetails", "429", times=1)
        with DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def(SYNC_JOB_NAME).execute_in_process(
                partition_key="acme-vendor-eu", instance=instance, raise_on_error=False)
            logs = instance.all_logs(result.run_id)

    assert result.success
    materialized = {e.asset_key: e for e in result.all_events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}
    assert set(materialized) == set(ALL_KEYS)
    assert {e.partition for e in materialized.values()} == {"acme-vendor-eu"}
    metadata = {key.path[-1]: e.step_materialization_data.materialization.metadata for key, e in materialized.items()}
    assert metadata["vendor_invoices"]["retries"].value == 1 and metadata["vendor_invoice_lines"]["retries"].value == 1
    assert metadata["vendor_purchase_orders"]["retries"].value == 1
    assert metadata["vendor_invoices"]["cursors"].value.keys() == {f"vendor_invoices:{EU_MARKETPLACE}"}
    assert metadata["vendor_purchase_order_status"]["rows_written"].value > 0
    assert metadata["vendor_shipments"]["retries"].value == 1 and metadata["vendor_shipments"]["rows_written"].value > 0
    assert metadata["vendor_invoice_submissions"]["transactions_checked"].value == 0
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        count = lambda table: conn.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]  # noqa: E731
        accounts = {a for table in ("vendor_purchase_orders", "vendor_purchase_order_status", "vendor_invoices")
                    for (a,) in conn.execute(f"SELECT DISTINCT account_id FROM raw.{table}").fetchall()}
        invoices = {n for (n,) in conn.execute("SELECT DISTINCT invoice_number FROM raw.vendor_invoices").fetchall()}
        errors = conn.execute("SELECT string_agg(errors, ' | ') FROM audit.sync_log WHERE errors IS NOT NULL").fetchone()[0]
        failed = conn.execute("SELECT count(*) FROM audit.sync_log WHERE status <> 'complete'").fetchone()[0]
        assert count("vendor_purchase_order_items") > count("vendor_purchase_orders") > 0
        assert count("vendor_invoice_lines") > 0
    assert accounts == {"acme-vendor-eu"}
    assert invoices == {i.number for i in world.invoices if i.marketplace.key == "de"}
    # Both injected faults were absorbed (and logged), no window failed.
    assert "InternalFailure" in errors and "Unauthorized" in errors and failed == 0

    # No credential in the Dagster event log (messages, metadata, errors) nor in Python's logs.
    blob = "\n".join([repr(record) for record in logs] + [caplog.text])
    assert "acme-vendor-eu" in blob and "vendor_invoices" in blob
    for secret in secrets.values():
        assert secret not in blob


def test_a_vendor_account_without_credentials_fails_without_retries(generated, tmp_path, monkeypatch):
    for name in CREDENTIAL_ENV.values():
        monkeypatch.delenv(f"{name}_acme-vendor-na", raising=False)
        monkeypatch.delenv(name, raising=False)
    settings = settings_for(tmp_path, generated.config)
    defs = build_definitions(settings, tmp_path / "inbox",
                             vendor=VendorResource(config_path=str(generated.config), lwa_url="https://unused.invalid/"))
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(SYNC_JOB_NAME).execute_in_process(
            partition_key="acme-vendor-na", instance=instance, raise_on_error=False, asset_selection=[SUBMISSIONS_KEY])
    assert not result.success
    failures = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert len(failures) == 1
    assert "SP_API_REFRESH_TOKEN_acme-vendor-na" in failures[0].step_failure_data.user_failure_data.description
    assert not [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
