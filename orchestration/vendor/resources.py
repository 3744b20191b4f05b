"""The vendor resource: which vendor configuration, which endpoint, which clock.

It holds no credential: `account()` reads them at run time from the environment, so nothing secret reaches
Dagster's run config, metadata or UI.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from config.settings import credentials_environ
from connectors.spapi.accounts import Account, AccountConfigError
from connectors.spapi.clients import LWA_URL
from connectors.spapi.engine import SyncOptions, utc_now
from connectors.spapi.money import parse_utc
from connectors.vendor.accounts import vendor_account
from connectors.vendor.config import VendorConfig, load_vendor_config


class VendorResource(ConfigurableResource):
    config_path: str | None = Field(default=None, description="Vendor configuration JSON (ACORN_VENDOR_CONFIG).")
    endpoint: str | None = Field(default=None, description="Call this endpoint instead of Amazon's regional one (the local fake).")
    lwa_url: str = Field(default=LWA_URL, description="Login with Amazon token endpoint.")
    as_of: str | None = Field(default=None, description="Sync as if it were this UTC time (replaying fixed sample data).")
    backfill_days: int = Field(default=90, description="How far back a first purchase-order sync reaches.")

    def config(self) -> VendorConfig:
        if not self.config_path:
            raise AccountConfigError("no vendor accounts configured: set ACORN_VENDOR_CONFIG")
        return load_vendor_config(Path(self.config_path))

    def account(self, account_id: str) -> Account:
        return vendor_account(self.config(), account_id, credentials_environ())

    def now(self) -> datetime:
        return parse_utc(self.as_of) if self.as_of else utc_now()

    def sync_options(self, archive_dir: Path) -> SyncOptions:
        fixed = self.now() if self.as_of else None
        return SyncOptions(
            # Vendor sources write no documents: the inbox directory is never used.
            archive_dir=archive_dir,
            inbox_dir=archive_dir,
            now=(lambda: fixed) if fixed else utc_now,
            backfill=timedelta(days=self.backfill_days),
        )
