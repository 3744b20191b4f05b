"""The dbt project as Dagster sees it, with a manifest that is (re)generated whenever it is missing or stale.

A clean clone has no `target/manifest.json`; `dbt parse` writes it in a few seconds, so the project is
prepared on first load instead of relying on a build step someone might forget.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from config.settings import DBT_PROJECT_DIR, Settings
from orchestration.dbt_models.commands import environment, parse_args

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


@cache
def acorn_dbt_project() -> DbtProject:
    settings = Settings.from_env()
    project = DbtProject(project_dir=DBT_PROJECT_DIR, prepare_project_cli_args=parse_args(settings))
    if manifest_is_stale(project.manifest_path, project.project_dir):
        with environment(settings.dbt_env()):
            project.preparer.prepare(project)
    return project
