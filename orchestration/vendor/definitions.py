"""The vendor part of ACORN's one `Definitions`: assets, the sync job and a daily schedule per vendor account.

Built from the configured vendor accounts (ACORN_VENDOR_CONFIG): without a config the assets exist with no
partitions and there is no schedule, so the file pipeline works exactly as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dagster import AssetsDefinition, ScheduleDefinition, StaticPartitionsDefinition
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from connectors.vendor.accounts import configured_account_ids
from orchestration.vendor.assets import vendor_assets
from orchestration.vendor.triggers import daily_schedules, sync_job


@dataclass(frozen=True)
class VendorDefinitions:
    assets: list[AssetsDefinition]
    job: UnresolvedAssetJobDefinition
    schedules: list[ScheduleDefinition]


def vendor_definitions(config_path: Path | None) -> VendorDefinitions:
    account_ids = configured_account_ids(config_path)
    job = sync_job()
    return VendorDefinitions(
        assets=vendor_assets(StaticPartitionsDefinition(account_ids)),
        job=job,
        schedules=daily_schedules(account_ids, job),
    )
