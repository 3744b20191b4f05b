"""The published read-only copy of the warehouse, the pipeline's very last asset.

Readers (dashboards, auditors' `duckdb -readonly`, BI tools) open this copy, never the working file, so they never
block a run. Downstream of every dbt model, the notifier and the access log: Dagster runs it only when all of them
succeeded in the same run, so a failed build leaves the last good copy in place. As an asset, a scheduled or
sensor-triggered run publishes exactly like `acorn run`.
"""
from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from connectors.warehouse import publish
from orchestration.dbt_models.assets import acorn_dbt_models
from orchestration.notify.assets import alert_deliveries
from orchestration.raw.assets import access_log
from orchestration.resources import WarehouseResource

GROUP = "published"
PUBLISHED_KEY = AssetKey(["published", "warehouse"])


@asset(key=PUBLISHED_KEY, deps=[*acorn_dbt_models.keys, *alert_deliveries.keys, *access_log.keys], group_name=GROUP,
       kinds={"duckdb"})
def published_warehouse(warehouse: WarehouseResource) -> MaterializeResult:
    """A consistent copy of the warehouse, swapped in atomically at Settings.published_warehouse."""
    settings = warehouse.settings()
    path = publish(settings.warehouse, settings.published_warehouse, wait=settings.lock_wait_seconds,
                   group=settings.file_group)
    return MaterializeResult(metadata={"path": MetadataValue.path(str(path))})
