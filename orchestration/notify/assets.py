"""The notifier as the last asset of every pipeline run: downstream of fct_alerts, and never the reason a run fails.

Without ACORN_NOTIFY_CONFIG it records that nothing is configured. With it, each new open alert goes once to each
channel (outbound/notify); a channel that fails is a warning here and a 'failed' row in audit.alert_deliveries.
"""
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.resources import WarehouseResource
from outbound.notify.config import NotifyConfigError
from outbound.notify.notifier import notify

GROUP = "notify"
ALERTS_KEY = AssetKey(["marts", "fct_alerts"])


@asset(key=["audit", "alert_deliveries"], deps=[ALERTS_KEY], group_name=GROUP, kinds={"duckdb"})
def alert_deliveries(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """Each new open alert sent once to every channel of the notify config; one row per alert × channel attempt."""
    settings = warehouse.settings()
    if settings.notify_config is None:
        return MaterializeResult(metadata={"channels": 0, "note": "ACORN_NOTIFY_CONFIG is not set: nothing sent"})
    try:
        report = notify(settings)
    except NotifyConfigError as problem:
        context.log.warning(f"alerts not sent: {problem}")
        return MaterializeResult(metadata={"error": str(problem)})
    except Exception as problem:  # the pipeline's marts are built: a notifier bug must not fail the run
        context.log.warning(f"alerts not sent: {type(problem).__name__}")
        return MaterializeResult(metadata={"error": type(problem).__name__})
    for line in report.lines():
        (context.log.warning if " failed: " in line or "not set" in line else context.log.info)(line)
    return MaterializeResult(metadata={
        "open_alerts": report.alerts_open,
        "sent": MetadataValue.json(report.sent),
        "failed": MetadataValue.json(report.failed),
        "problems": MetadataValue.json(report.problems),
    })
