"""Resources for the external systems ACORN's assets touch: the DuckDB warehouse and the inbox directory."""
from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from config.settings import Settings
from config.settings import default_inbox as default_inbox  # where the inbox sensor looks; config reads ACORN_INBOX


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse and the settings that shape what is loaded into it.

    Holds the whole `Settings`, field for field as text, so a run uses exactly the settings it was launched
    with, not whatever the environment of the run worker happens to hold, and a field added to `Settings`
    travels without anyone remembering to copy it here.
    """

    settings_fields: dict[str, str | None] = Field(
        description="Every Settings field by name (paths, ISO dates), as written by Settings.to_strings().")

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(settings_fields=settings.to_strings())

    def settings(self) -> Settings:
        return Settings.from_strings(self.settings_fields)


class InboxResource(ConfigurableResource):
    """The directory users (or `acorn generate`) drop settlement files and CSV inputs into."""

    path: str = Field(description="Directory scanned for new input files.")

    @property
    def directory(self) -> Path:
        return Path(self.path)
