"""The one job (materialize everything), run daily and whenever the inbox changes."""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    sensor,
)

from orchestration.inbox.fingerprint import inbox_fingerprint
from orchestration.resources import InboxResource

PIPELINE_JOB_NAME = "acorn_pipeline"

acorn_pipeline = define_asset_job(
    PIPELINE_JOB_NAME,
    # SP-API assets are partitioned per store, vendor assets per vendor account; each group runs in its own job
    # (orchestration/spapi, orchestration/vendor).
    selection=AssetSelection.all() - AssetSelection.groups("spapi", "vendor").without_checks(),
    description="Load the inbox and the ECB rates into `raw`, then `dbt build` every model and test.",
)


# 06:00 UTC: after the overnight settlement reports, before the working day in Europe.
daily_pipeline = ScheduleDefinition(
    name="daily_pipeline",
    job=acorn_pipeline,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)


@sensor(job=acorn_pipeline, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def inbox_sensor(context: SensorEvaluationContext, inbox: InboxResource) -> SensorResult | SkipReason:
    """Requests a run when the set of inbox files (name, size, mtime) changes; the cursor holds the last fingerprint."""
    fingerprint = inbox_fingerprint(inbox.directory)
    if fingerprint is None:
        return SkipReason(f"inbox {inbox.directory} has no files")
    if fingerprint == context.cursor:
        return SkipReason("inbox unchanged since the last run request")
    return SensorResult(run_requests=[RunRequest(run_key=fingerprint)], cursor=fingerprint)
