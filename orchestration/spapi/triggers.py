"""When SP-API syncs run: nightly at 03:00 in each store's time zone, and when Amazon lists a new settlement report."""

from collections.abc import Sequence
from datetime import timedelta

import duckdb
from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    sensor,
)

from connectors.spapi.accounts import Account, AccountConfigError, redact
from connectors.spapi.clients import build_clients
from connectors.spapi.money import iso_z
from connectors.spapi.retry import error_text
from connectors.spapi.settlement_reports import REPORT_TYPE
from orchestration.resources import WarehouseResource
from orchestration.spapi.assets import GROUP
from orchestration.spapi.resources import SpApiResource
from orchestration.spapi.stores import ConfiguredStore

SYNC_JOB_NAME = "spapi_sync"
# Settlement reports appear about every 14 days per store; a week of listing covers any missed poll.
SENSOR_LOOKBACK = timedelta(days=7)


# Partitioned like its assets: one store per run.
spapi_sync = define_asset_job(
    SYNC_JOB_NAME,
    selection=AssetSelection.groups(GROUP),
    description="Pull settlement reports, financial event groups, events and transactions for one store's account.",
)


def nightly_schedule(store: ConfiguredStore) -> ScheduleDefinition:
    """03:00 in the store's time zone: the store's previous day is over, and the cursor resumes from the last
    complete window, so the previous day (and any day a failed night missed) is pulled."""

    def request(context: ScheduleEvaluationContext) -> RunRequest:
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return RunRequest(partition_key=store.store_id, run_key=f"{store.store_id}:{day}")

    return ScheduleDefinition(
        name=f"spapi_nightly_{store.dagster_name}",
        cron_schedule="0 3 * * *",
        execution_timezone=store.time_zone,
        job=spapi_sync,
        execution_fn=request,
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"Nightly SP-API sync of {store.store_id} ({store.time_zone}).",
    )


def nightly_schedules(stores: Sequence[ConfiguredStore]) -> list[ScheduleDefinition]:
    return [nightly_schedule(store) for store in stores]


def new_settlement_reports(spapi: SpApiResource, warehouse: WarehouseResource, account: Account) -> list[str]:
    """Report ids of settlement reports Amazon lists for the account (last week) that the warehouse lacks.

    One getReports call per account: cheap against its quota (one request per 45 s, burst 10).
    """
    clients = build_clients(account, endpoint=spapi.endpoint, lwa_url=spapi.lwa_url, timeout=30)
    try:
        response = clients.reports.get_reports(
            reportTypes=[REPORT_TYPE], processingStatuses=["DONE"], pageSize=100,
            createdSince=iso_z(spapi.now() - SENSOR_LOOKBACK),
        )
    finally:
        clients.close()
    listed = [report["reportId"] for report in (response.payload or {}).get("reports") or []]
    return sorted(set(listed) - _fetched_report_ids(warehouse, account.account_id))


def _fetched_report_ids(warehouse: WarehouseResource, account_id: str) -> set[str]:
    path = warehouse.settings().warehouse
    if not path.exists():
        return set()
    with duckdb.connect(str(path), read_only=True) as conn:
        try:
            rows = conn.execute(
                "SELECT report_id FROM raw.spapi_settlement_reports WHERE account_id = ?", [account_id]
            ).fetchall()
        except duckdb.CatalogException:
            return set()
    return {row[0] for row in rows}


def settlement_report_sensor() -> SensorDefinition:
    @sensor(name="spapi_settlement_reports", job=spapi_sync, minimum_interval_seconds=900,
            default_status=DefaultSensorStatus.RUNNING)
    def _sensor(context: SensorEvaluationContext, spapi: SpApiResource, warehouse: WarehouseResource):
        """Requests a sync of an account's first store when Amazon lists settlement reports not yet fetched;
        the run key is the set of report ids, so the same reports never start two runs."""
        if not spapi.config_path:
            return SkipReason("no SP-API accounts configured (ACORN_SPAPI_CONFIG)")
        try:
            accounts = spapi.accounts()
        except AccountConfigError as exc:
            return SkipReason(str(exc))
        requests, problems = [], []
        for account in accounts:
            if not account.stores:
                continue
            try:
                new = new_settlement_reports(spapi, warehouse, account)
            except duckdb.IOException:
                return SkipReason("the warehouse is being written; checking again at the next tick")
            except Exception as exc:
                problems.append(f"{account.account_id}: {redact(error_text(exc), account.secrets())}")
                continue
            if new:
                requests.append(RunRequest(partition_key=account.stores[0].store_id,
                                           run_key=f"{account.account_id}:reports:{','.join(new)}"))
        for problem in problems:
            context.log.warning(f"getReports failed for {problem}")
        if not requests:
            return SkipReason("no new settlement reports" + (f" ({len(problems)} accounts failed)" if problems else ""))
        return SensorResult(run_requests=requests)

    return _sensor
