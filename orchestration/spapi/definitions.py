"""The SP-API part of ACORN's one `Definitions`: assets, the sync job, nightly schedules and the report sensor.

Built from the configured stores (ACORN_SPAPI_CONFIG): without a config the assets exist with no
partitions, there is no schedule, and the sensor skips, so the file pipeline works exactly as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dagster import (
    AssetsDefinition,
    ScheduleDefinition,
    SensorDefinition,
    StaticPartitionsDefinition,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from orchestration.spapi.assets import spapi_assets
from orchestration.spapi.stores import configured_stores
from orchestration.spapi.triggers import nightly_schedules, settlement_report_sensor, sync_job


@dataclass(frozen=True)
class SpApiDefinitions:
    assets: list[AssetsDefinition]
    job: UnresolvedAssetJobDefinition
    schedules: list[ScheduleDefinition]
    sensors: list[SensorDefinition]


def spapi_definitions(config_path: Path | None) -> SpApiDefinitions:
    stores = configured_stores(config_path)
    partitions = StaticPartitionsDefinition([store.store_id for store in stores])
    job = sync_job()
    return SpApiDefinitions(
        assets=spapi_assets(partitions),
        job=job,
        schedules=nightly_schedules(stores, job),
        sensors=[settlement_report_sensor(job)],
    )
