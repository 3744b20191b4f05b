"""The vendor part of ACORN's one `Definitions`: assets, the sync job and a daily schedule per vendor account.

Built from the configured vendor accounts (ACORN_VENDOR_CONFIG): without a config the assets exist with no
partitions and there is no schedule, so the file pipeline works exactly as before.
"""
from __future__ import annotations

from pathlib import Path

from dagster import Definitions, StaticPartitionsDefinition

from connectors.vendor.accounts import configured_account_ids
from orchestration.vendor.assets import vendor_assets
from orchestration.vendor.triggers import daily_schedules, vendor_sync


def vendor_definitions(config_path: Path | None) -> Definitions:
    account_ids = configured_account_ids(config_path)
    return Definitions(
        assets=vendor_assets(StaticPartitionsDefinition(account_ids)),
        jobs=[vendor_sync],
        schedules=daily_schedules(account_ids),
    )
