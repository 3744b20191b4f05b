"""When vendor syncs run: daily per vendor account, an hour before the daily pipeline builds the marts."""

from collections.abc import Sequence

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
)

from connectors.vendor.accounts import dagster_name
from orchestration.vendor.assets import GROUP

SYNC_JOB_NAME = "vendor_sync"
# 05:00 UTC: the daily pipeline (06:00 UTC) then builds the vendor marts from this morning's purchase orders and
# invoices. Vendor data has no marketplace day boundary to wait for: each source resumes from its cursor.
DAILY_CRON = "0 5 * * *"


# Partitioned like its assets: one vendor account per run.
vendor_sync = define_asset_job(
    SYNC_JOB_NAME,
    # The dbt source tests on these tables run with the daily pipeline's dbt build, not in the sync.
    selection=AssetSelection.groups(GROUP).without_checks(),
    description="Pull purchase orders, their status and Finances invoices for one vendor account, and "
    "refresh the status of its submitted invoices.",
)


def daily_schedule(account_id: str) -> ScheduleDefinition:
    def request(context: ScheduleEvaluationContext) -> RunRequest:
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return RunRequest(partition_key=account_id, run_key=f"{account_id}:{day}")

    return ScheduleDefinition(
        name=f"vendor_daily_{dagster_name(account_id)}",
        cron_schedule=DAILY_CRON,
        execution_timezone="UTC",
        job=vendor_sync,
        execution_fn=request,
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"Daily vendor sync of {account_id}.",
    )


def daily_schedules(account_ids: Sequence[str]) -> list[ScheduleDefinition]:
    return [daily_schedule(account_id) for account_id in account_ids]
