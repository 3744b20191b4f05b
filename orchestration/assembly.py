"""Assembles ACORN's one `Definitions` from its parts; `definitions.py` and the CLI both build it here."""
from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from dagster import Definitions, LoggerDefinition, in_process_executor
from dagster_dbt import DbtCliResource

from config.settings import Settings
from orchestration.dbt_models.assets import acorn_dbt_models, acorn_project
from orchestration.jobs import acorn_pipeline, daily_pipeline, inbox_sensor
from orchestration.raw.assets import fx_ecb_rates, inbox_spec, inbox_tables
from orchestration.resources import InboxResource, WarehouseResource, default_inbox
from orchestration.spapi.definitions import spapi_definitions
from orchestration.spapi.resources import SpApiResource
from orchestration.vendor.definitions import vendor_definitions
from orchestration.vendor.resources import VendorResource

ASSETS = [inbox_spec, inbox_tables, fx_ecb_rates, acorn_dbt_models]


def dbt_executable() -> str:
    """The dbt installed beside this Python, so `.venv/bin/acorn` works without the venv on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def resources_for(
    settings: Settings, inbox: Path, spapi: SpApiResource | None = None, vendor: VendorResource | None = None
) -> dict[str, object]:
    return {
        "warehouse": WarehouseResource.from_settings(settings),
        "inbox": InboxResource(path=str(inbox)),
        # Documents land under the inbox, so the inbox sensor and load pick them up like dropped files.
        "spapi": spapi or SpApiResource(
            config_path=str(settings.spapi_config) if settings.spapi_config else None, inbox_dir=str(inbox / "spapi")
        ),
        "vendor": vendor or VendorResource(config_path=str(settings.vendor_config) if settings.vendor_config else None),
        # Plain text: dbt's errors end up in one-line CLI messages and in Dagster's compute logs.
        "dbt": DbtCliResource(
            project_dir=acorn_project, global_config_flags=["--no-use-colors"], dbt_executable=dbt_executable()
        ),
    }


def build_definitions(
    settings: Settings | None = None,
    inbox: Path | None = None,
    loggers: Mapping[str, LoggerDefinition] | None = None,
    spapi: SpApiResource | None = None,
    vendor: VendorResource | None = None,
) -> Definitions:
    """`spapi` and `vendor` override the SP-API and vendor resources (an endpoint for the local fake, a fixed clock)."""
    settings = settings or Settings.from_env()
    sp = spapi_definitions(settings.spapi_config)
    vc = vendor_definitions(settings.vendor_config)
    return Definitions(
        assets=[*ASSETS, *sp.assets, *vc.assets],
        jobs=[acorn_pipeline, sp.job, vc.job],
        schedules=[daily_pipeline, *sp.schedules, *vc.schedules],
        sensors=[inbox_sensor, *sp.sensors],
        resources=resources_for(settings, inbox or default_inbox(), spapi, vendor),
        # One DuckDB file admits one writer: steps must run one after another, never in parallel processes.
        executor=in_process_executor,
        loggers=loggers,
    )
