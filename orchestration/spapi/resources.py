"""The SP-API resource: which accounts and stores, where documents land, and which endpoint to call.

It holds no credential: `accounts()` reads them at run time from the environment (python-amazon-sp-api's
names, see connectors/spapi/accounts.py) or from the config file outside the repo, so nothing secret ever
reaches Dagster's run config, metadata or UI.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from config.settings import credentials_environ
from connectors.spapi.accounts import Account, AccountConfigError, load_accounts
from connectors.spapi.clients import LWA_URL
from connectors.spapi.engine import SyncOptions, utc_now
from connectors.spapi.money import parse_utc


class SpApiResource(ConfigurableResource):
    config_path: str | None = Field(default=None, description="JSON of accounts and stores (ACORN_SPAPI_CONFIG).")
    inbox_dir: str = Field(description="Settlement report documents land here; under the inbox, the inbox sensor loads them.")
    endpoint: str | None = Field(default=None, description="Call this endpoint instead of Amazon's regional one (the local fake).")
    lwa_url: str = Field(default=LWA_URL, description="Login with Amazon token endpoint.")
    as_of: str | None = Field(default=None, description="Sync as if it were this UTC time (replaying fixed sample data).")
    backfill_days: int = Field(default=90, description="How far back a first sync reaches (reports are kept 90 days).")

    def accounts(self) -> list[Account]:
        if not self.config_path:
            raise AccountConfigError("no SP-API accounts configured: set ACORN_SPAPI_CONFIG")
        return load_accounts(Path(self.config_path), credentials_environ())

    def account_for(self, store_id: str) -> Account:
        for account in self.accounts():
            if any(store.store_id == store_id for store in account.stores):
                return account
        raise AccountConfigError(f"store {store_id} belongs to no configured SP-API account")

    def now(self) -> datetime:
        return parse_utc(self.as_of) if self.as_of else utc_now()

    def sync_options(self, archive_dir: Path) -> SyncOptions:
        fixed = self.now() if self.as_of else None
        return SyncOptions(
            archive_dir=archive_dir,
            inbox_dir=Path(self.inbox_dir),
            now=(lambda: fixed) if fixed else utc_now,
            backfill=timedelta(days=self.backfill_days),
        )
