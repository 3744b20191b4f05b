"""Plain helpers around the dbt CLI: the arguments of a build and a readable summary of what failed."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from config.settings import Settings

_FAILED_STATUSES = {"error", "fail", "runtime error"}


def vars_args(settings: Settings) -> list[str]:
    return ["--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]


def parse_args(settings: Settings) -> list[str]:
    """Parse with the same vars (and environment) a build will use, so the build can reuse dbt's partial parse."""
    return ["parse", "--quiet", *vars_args(settings)]


def build_args(settings: Settings) -> list[str]:
    """`dbt build` runs models, seeds and tests in dependency order, so tests gate what is built after them."""
    return ["build", *vars_args(settings)]


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


@contextmanager
def environment(overrides: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a subprocess launch.

    DbtCliResource hands dbt a copy of `os.environ` and has no per-call environment, yet the warehouse
    path reaches dbt's profile only through ACORN_WAREHOUSE.
    """
    previous = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
