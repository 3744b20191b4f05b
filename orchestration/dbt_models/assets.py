"""Every dbt seed and model as a Dagster asset, every dbt test as an asset check."""

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from dagster import AssetExecutionContext, Failure, MaterializeResult
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliInvocation, dbt_assets

from config.settings import Settings
from orchestration.build_settings import build_as_of, settings_for_build
from orchestration.dbt_models.commands import (
    build_args,
    error_lines,
    failed_nodes,
    profiles_yaml,
    vars_args,
    warehouse_profiles,
)
from orchestration.dbt_models.dagster_dbt_adapter import InstalledDbtCliResource
from orchestration.dbt_models.incremental import UNCHANGED, begin_build, exclude_args, record_build
from orchestration.dbt_models.project import GLOBAL_FLAGS, acorn_dbt_project
from orchestration.dbt_models.warm_dbt import PreparedDbt, prepared_dbt
from orchestration.resources import WarehouseResource

acorn_project = acorn_dbt_project()
# One target directory for every build: dbt reuses its partial parse from the last build, and runs do not
# pile up a fresh copy of the manifest each (dagster-dbt's default is a new directory per invocation).
BUILD_TARGET = acorn_project.project_dir / acorn_project.target_path / "dagster_build"


@contextmanager
def prepared_build(settings: Settings) -> Iterator[PreparedDbt | None]:
    """A dbt process parsing the project as this run's build will (its vars, profile and target directory) while
    the steps before it run; `dbt_resource(..., prepared)` sends the build to it."""
    settings = replace(settings, as_of=build_as_of(settings))
    with prepared_dbt([*GLOBAL_FLAGS, *vars_args(settings)],
                      acorn_project.project_dir, profiles_yaml(settings.warehouse), BUILD_TARGET) as prepared:
        yield prepared


class AcornDbtTranslator(DagsterDbtTranslator):
    """Groups dbt assets by warehouse schema (seeds, staging, intermediate, marts), so the UI mirrors the layers."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or super().get_group_name(dbt_resource_props)


# Source tests become checks on the raw tables the loader writes, beside the loader's own checks.
_translator = AcornDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))


@dbt_assets(manifest=acorn_project.manifest_path, project=acorn_project, dagster_dbt_translator=_translator)
def acorn_dbt_models(context: AssetExecutionContext, dbt: InstalledDbtCliResource,
                     warehouse: WarehouseResource) -> Iterator:
    settings = settings_for_build(warehouse.settings())
    if settings.as_of:
        context.log.info(f"vendor ages measured as of {settings.as_of}")
    plan = begin_build(settings, acorn_project.manifest_path)
    if plan.full_refresh:
        context.log.info("incremental models built in full: no complete build of these inputs on record")
    else:
        context.log.info(f"continuing the last build: changed inputs {plan.changed or 'none'}, "
                         f"{len(plan.skipped)} models, seeds and tests left as they are")
    # A subset is what the user picked: it is built as picked.
    skip = [] if context.is_subset else exclude_args(plan.exclude)
    if skip:
        # A model no changed input reaches is as current as this run's others. Saying so (first: Dagster wants a
        # multi-asset's outputs parents first) keeps the assets downstream of it running, the published copy and
        # the notifier: Dagster skips a step when an output it depends on is missing.
        manifest = json.loads(acorn_project.manifest_path.read_text(encoding="utf-8"))
        selected = set(context.selected_asset_keys)
        for uid in plan.unchanged:
            key = _translator.get_asset_key(manifest["nodes"][uid])
            if key in selected:
                yield MaterializeResult(asset_key=key, metadata={UNCHANGED: "no changed input reaches it"})
    with warehouse_profiles(settings.warehouse) as profiles:
        invocation = dbt.cli([*dbt.relay_args(), *build_args(settings, profiles, full_refresh=plan.full_refresh), *skip],
                             context=context, raise_on_error=False, target_path=BUILD_TARGET)
        yield from invocation.stream()
    if not invocation.is_successful():
        raise Failure(description="\n".join(_failures(invocation)))
    # A subset leaves the models it skipped behind the ones it built: only a whole build may be continued.
    if not context.is_subset:
        record_build(settings, plan)


def _failures(invocation: DbtCliInvocation) -> list[str]:
    """The failed nodes from dbt's run results or, when dbt stopped before running any, its logged errors."""
    results_path = invocation.target_path / "run_results.json"
    run_results = json.loads(results_path.read_text()) if results_path.exists() else {}
    return failed_nodes(run_results) or error_lines(str(invocation.get_error()))

