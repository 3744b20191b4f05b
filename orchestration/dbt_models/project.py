"""The dbt project as Dagster sees it, with a manifest that is (re)generated whenever it is missing or stale.

A clean clone has no `target/manifest.json`; `dbt parse` writes it in a few seconds, so the project is
prepared on first load instead of relying on a build step someone might forget.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from config.settings import DBT_PROJECT_DIR, Settings
from orchestration.dbt_models.commands import parse_args
from orchestration.dbt_models.dagster_dbt_adapter import InstalledDbtCliResource
from orchestration.dbt_models.warm_dbt import PreparedDbt, dbt_executable, relay_executable

# Plain text: dbt's errors end up in one-line CLI messages and in Dagster's compute logs. The file log keeps
# warnings and errors only: at dbt's default (debug, every statement) it writes ~15 MB a build, ~3 s of CPU,
# while Dagster reads dbt's events from stdout and failures come from run_results.json.
GLOBAL_FLAGS = ["--no-use-colors", "--log-level-file", "warn"]

# Directories dbt writes into (or that hold installed packages): edits there never change the manifest.
_GENERATED_DIRS = {"target", "logs", "dbt_packages"}


def newest_source_mtime(project_dir: Path) -> float:
    """The most recent modification time among the files dbt parses (models, macros, seeds, YAML)."""
    newest = 0.0
    for path in project_dir.rglob("*"):
        relative = path.relative_to(project_dir)
        if relative.parts[0] in _GENERATED_DIRS or not path.is_file():
            continue
        newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale(manifest_path: Path, project_dir: Path) -> bool:
    return not manifest_path.exists() or manifest_path.stat().st_mtime < newest_source_mtime(project_dir)


def dbt_resource(project: DbtProject, prepared: PreparedDbt | None = None) -> InstalledDbtCliResource:
    """dbt as Dagster runs it; with `prepared`, builds go through `acorn-dbt` to the dbt process parsed beforehand
    (orchestration/dbt_models/warm_dbt.py)."""
    relay = relay_executable() if prepared else None
    return InstalledDbtCliResource(project_dir=project, global_config_flags=GLOBAL_FLAGS,
                                   dbt_executable=relay or dbt_executable(),
                                   prepared_socket=str(prepared.socket) if prepared and relay else None)


@cache
def acorn_dbt_project() -> DbtProject:
    args = parse_args(Settings.from_env())
    project = DbtProject(project_dir=DBT_PROJECT_DIR, prepare_project_cli_args=args)
    if manifest_is_stale(project.manifest_path, project.project_dir):
        # Parsing reads no warehouse, so the project's own profile (and its default path) serves. Not through
        # `project.preparer`: it runs the `dbt` on PATH, which a caller of `.venv/bin/acorn` need not have.
        dbt_resource(project).cli(args, target_path=project.target_path).wait()
    return project
