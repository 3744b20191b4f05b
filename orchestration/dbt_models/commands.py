"""Plain helpers around the dbt CLI: the arguments of a build, the profile it runs with, and a readable
summary of what failed."""
from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from config.settings import DBT_PROJECT_DIR, Settings

_FAILED_STATUSES = {"error", "fail", "runtime error"}
PROFILES_FILE = "profiles.yml"
# dbt throws its partial parse away whenever a connection field of the profile changes, DuckDB's `path` among them
# (dbt/parser/manifest.py, build_manifest_state_check), though only the file's name reaches the parsed project.
# So every build names its warehouse through this one link, pointed at the warehouse's folder for the build.
WAREHOUSE_LINK = DBT_PROJECT_DIR / "target" / "warehouse"


def vars_args(settings: Settings) -> list[str]:
    return ["--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]


def parse_args(settings: Settings) -> list[str]:
    """Parse with the same vars a build will use, so the build can reuse dbt's partial parse."""
    return ["parse", "--quiet", *vars_args(settings)]


def build_args(settings: Settings, profiles_dir: Path, *, full_refresh: bool = False) -> list[str]:
    """`dbt build` runs models, seeds and tests in dependency order, so tests gate what is built after them;
    `full_refresh` rebuilds the incremental models from scratch (orchestration/dbt_models/incremental.py).

    Unit tests check the models' SQL on given rows, not the data: they change only when the SQL does, so they run
    in the test suite's builds (tests/dbt), not in every run of the product (about 2 s of each).
    """
    return ["build", *vars_args(settings), "--profiles-dir", str(profiles_dir), "--exclude-resource-type", "unit_test",
            *(["--full-refresh"] if full_refresh else [])]


@contextmanager
def warehouse_profiles(warehouse: Path, template: Path = DBT_PROJECT_DIR / PROFILES_FILE,
                       link: Path = WAREHOUSE_LINK) -> Iterator[Path]:
    """A profiles directory for one dbt invocation: the project's profiles with `warehouse`, reached through
    `link`, as every DuckDB path. Holds a lock on the link until the invocation ends, so a concurrent build of
    another warehouse waits instead of re-pointing the link under this one.

    dagster-dbt hands dbt a copy of this process's environment and takes no environment per call, while the
    project's profile reads the path from ACORN_WAREHOUSE: a profile per invocation lets two warehouses build
    in one process without touching `os.environ`. The path is not a dbt var on purpose: a var changes dbt's
    parse state too.
    """
    link.parent.mkdir(parents=True, exist_ok=True)
    with open(link.with_name(link.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _point(link, warehouse.absolute().parent)
        with tempfile.TemporaryDirectory(prefix="acorn-dbt-profiles-") as directory:
            (Path(directory) / PROFILES_FILE).write_text(profiles_yaml(warehouse, template, link), encoding="utf-8")
            yield Path(directory)


def profiles_yaml(warehouse: Path, template: Path = DBT_PROJECT_DIR / PROFILES_FILE, link: Path = WAREHOUSE_LINK) -> str:
    """The project's profiles with every DuckDB path at `warehouse` through `link`: the same text for every build
    of `warehouse`, as dbt's partial parse requires."""
    profiles = yaml.safe_load(template.read_text(encoding="utf-8"))
    for profile in profiles.values():
        for output in profile.get("outputs", {}).values():
            if output.get("type") == "duckdb":  # a Spark output has no file
                # DuckDB keeps its WAL beside the path it opened: through the link, beside the warehouse
                output["path"] = str(link / warehouse.name)
    return yaml.safe_dump(profiles, sort_keys=False)


def _point(link: Path, folder: Path) -> None:
    """`link` -> `folder`, replaced in one rename so no reader ever finds it missing."""
    staged = link.with_name(f".{link.name}.{os.getpid()}")
    staged.unlink(missing_ok=True)
    staged.symlink_to(folder, target_is_directory=True)
    os.replace(staged, link)


def failed_nodes(run_results: Mapping[str, Any]) -> list[str]:
    """One line per dbt node that errored or whose test failed, e.g. `test not_null_x: fail: Got 3 results`."""
    failures = []
    for result in run_results.get("results", []):
        if str(result.get("status")) not in _FAILED_STATUSES:
            continue
        resource_type, _, name = result["unique_id"].split(".", 2)
        message = (result.get("message") or "").strip().splitlines()
        failures.append(f"dbt {resource_type} {name}: {result['status']}: {message[0] if message else 'no message'}")
    return failures


def error_lines(error_description: str) -> list[str]:
    """The errors dbt logged (e.g. a compilation error), without dagster-dbt's boilerplate around them."""
    _, marker, errors = error_description.partition("Errors parsed from dbt logs:")
    lines = [line.strip() for line in (errors if marker else error_description).splitlines()]
    return [line for line in lines if line and not line.endswith("Encountered an error:")] or [
        "dbt failed without an error message"
    ]
