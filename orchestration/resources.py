"""Resources for the external systems ACORN's assets touch: the DuckDB warehouse and the inbox directory."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from config.settings import REPO_ROOT, Settings

DEFAULT_INBOX = REPO_ROOT / "data" / "inbox"


def default_inbox() -> Path:
    return Path(os.environ.get("ACORN_INBOX") or DEFAULT_INBOX).resolve()


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse and the settings that shape what is loaded into it.

    Carries every `Settings` field so a run uses exactly the settings it was launched with,
    not whatever the environment of the run worker happens to hold.
    """

    path: str = Field(description="Path of the DuckDB warehouse file.")
    archive_dir: str = Field(description="Directory of the SHA-256 raw archive.")
    functional_currency: str = Field(default="CNY")
    fx_rates_csv: str | None = Field(default=None, description="Optional CSV of FX rate overrides.")
    allocation_driver: str = Field(default="revenue")
    as_of: str | None = Field(default=None, description="Vendor ages are measured on this ISO day instead of today.")

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(
            path=str(settings.warehouse),
            archive_dir=str(settings.archive_dir),
            functional_currency=settings.functional_currency,
            fx_rates_csv=str(settings.fx_rates_csv) if settings.fx_rates_csv else None,
            allocation_driver=settings.allocation_driver,
            as_of=settings.as_of.isoformat() if settings.as_of else None,
        )

    def settings(self) -> Settings:
        return Settings(
            warehouse=Path(self.path),
            archive_dir=Path(self.archive_dir),
            functional_currency=self.functional_currency,
            fx_rates_csv=Path(self.fx_rates_csv) if self.fx_rates_csv else None,
            allocation_driver=self.allocation_driver,
            as_of=date.fromisoformat(self.as_of) if self.as_of else None,
        )


class InboxResource(ConfigurableResource):
    """The directory users (or `acorn generate`) drop settlement files and CSV inputs into."""

    path: str = Field(description="Directory scanned for new input files.")

    @property
    def directory(self) -> Path:
        return Path(self.path)
