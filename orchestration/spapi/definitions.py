"""The SP-API part of ACORN's one `Definitions`: assets, the sync job, nightly schedules and the report sensor.

Built from the configured stores (ACORN_SPAPI_CONFIG): without a config the assets exist with no
partitions, there is no schedule, and the sensor skips, so the file pipeline works exactly as before.
"""
from __future__ import annotations

from pathlib import Path

from dagster import Definitions, StaticPartitionsDefinition

from orchestration.spapi.assets import spapi_assets
from orchestration.spapi.stores import configured_stores
from orchestration.spapi.triggers import nightly_schedules, settlement_report_sensor, spapi_sync


def spapi_definitions(config_path: Path | None) -> Definitions:
    stores = configured_stores(config_path)
    return Definitions(
        assets=spapi_assets(StaticPartitionsDefinition([store.store_id for store in stores])),
        jobs=[spapi_sync],
        schedules=nightly_schedules(stores),
        sensors=[settlement_report_sensor()],
    )
