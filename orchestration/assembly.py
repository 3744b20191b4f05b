"""Assembles ACORN's one `Definitions` from its parts; `definitions.py` and the CLI both build it here.

Each integration folder returns a plain `Definitions` of its assets, jobs, schedules and sensors; resources,
the executor and loggers are set once, here, and `Definitions.merge` joins them.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dagster import Definitions, LoggerDefinition, in_process_executor

from config.settings import Settings
from orchestration.dbt_models.assets import acorn_project
from orchestration.dbt_models.definitions import dbt_definitions
from orchestration.dbt_models.project import dbt_resource
from orchestration.dbt_models.warm_dbt import PreparedDbt
from orchestration.jobs import acorn_pipeline, daily_pipeline, inbox_sensor
from orchestration.notify.definitions import notify_definitions
from orchestration.published.definitions import published_definitions
from orchestration.raw.definitions import raw_definitions
from orchestration.resources import InboxResource, WarehouseResource, default_inbox
from orchestration.spapi.definitions import spapi_definitions
from orchestration.spapi.resources import SpApiResource
from orchestration.vendor.definitions import vendor_definitions
from orchestration.vendor.resources import VendorResource


def resources_for(
    settings: Settings, inbox: Path, spapi: SpApiResource | None = None, vendor: VendorResource | None = None,
    prepared_dbt: PreparedDbt | None = None,
) -> dict[str, object]:
    return {
        "warehouse": WarehouseResource.from_settings(settings),
        "inbox": InboxResource(path=str(inbox)),
        # Documents land under the inbox, so the inbox sensor and load pick them up like dropped files.
        "spapi": spapi or SpApiResource(
            config_path=str(settings.spapi_config) if settings.spapi_config else None, inbox_dir=str(inbox / "spapi")
        ),
        "vendor": vendor or VendorResource(config_path=str(settings.vendor_config) if settings.vendor_config else None),
        "dbt": dbt_resource(acorn_project, prepared_dbt),
    }


def build_definitions(
    settings: Settings | None = None,
    inbox: Path | None = None,
    loggers: Mapping[str, LoggerDefinition] | None = None,
    spapi: SpApiResource | None = None,
    vendor: VendorResource | None = None,
    prepared_dbt: PreparedDbt | None = None,
) -> Definitions:
    """`spapi` and `vendor` override the SP-API and vendor resources (an endpoint for the local fake, a fixed clock);
    `prepared_dbt` is a dbt process parsed for this run's build (`orchestration.dbt_models.assets.prepared_build`)."""
    settings = settings or Settings.from_env()
    return Definitions.merge(
        raw_definitions(),
        dbt_definitions(),
        notify_definitions(),
        published_definitions(),
        spapi_definitions(settings.spapi_config),
        vendor_definitions(settings.vendor_config),
        Definitions(
            # The one job over the inbox and dbt parts, run daily and whenever the inbox changes.
            jobs=[acorn_pipeline],
            schedules=[daily_pipeline],
            sensors=[inbox_sensor],
            resources=resources_for(settings, inbox or default_inbox(), spapi, vendor, prepared_dbt),
            # One DuckDB file admits one writer: steps must run one after another, never in parallel processes.
            executor=in_process_executor,
            loggers=loggers,
        ),
    )
