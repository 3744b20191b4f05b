"""Every dbt seed and model as a Dagster asset, every dbt test as an asset check."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_models.commands import build_args, environment, failed_nodes
from orchestration.dbt_models.project import acorn_dbt_project
from orchestration.resources import WarehouseResource

acorn_project = acorn_dbt_project()


class AcornDbtTranslator(DagsterDbtTranslator):
    """Groups dbt assets by warehouse schema (seeds, staging, intermediate, marts), so the UI mirrors the layers."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or super().get_group_name(dbt_resource_props)


@dbt_assets(manifest=acorn_project.manifest_path, project=acorn_project, dagster_dbt_translator=AcornDbtTranslator())
def acorn_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator:
    settings = warehouse.settings()
    with environment(settings.dbt_env()):
        invocation = dbt.cli(build_args(settings), context=context, raise_on_error=False)
    yield from invocation.stream()
    if not invocation.is_successful():
        run_results = invocation.get_artifact("run_results.json") if invocation.target_path.joinpath("run_results.json").exists() else {}
        failures = failed_nodes(run_results) or [str(invocation.get_error())]
        raise Failure(description="\n".join(failures))
