"""Every use of dagster-dbt internals, in one place, checked against the version pinned in pyproject.

`tests/orchestration/test_dagster_dbt_adapter.py` fails when the installed version is not `CHECKED_VERSION`: re-read
`dagster_dbt/core/resource.py` (`DbtCliResource.cli`) for each item below, then move the pin.

Before each `dbt build`, `DbtCliResource.cli` pays for two things ACORN never uses, about 8 s of every run on a
2-core machine (py-spy, `benchmarks/pipeline_throughput.py`):
- `_cli_version` runs `dbt --version` in a subprocess: a second dbt start-up (~4.5 s of imports), plus a request to
  PyPI for the latest release. The dbt that builds is the dbt-core installed beside this Python
  (`warm_dbt.dbt_executable`), so its package metadata gives the same version without starting it.
- `_initialize_dbt_core_adapter` loads the project and its macros in this process, only to serve
  `fetch_row_counts()` and `fetch_column_metadata()`, which ACORN's assets do not call. dagster-dbt already treats
  a missing adapter as "not available" (it catches the adapter's failure and passes `adapter=None`).
"""
from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.dbt_models.warm_dbt import WARM_OPTION

CHECKED_VERSION = "0.29.27"


class InstalledDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource for the dbt-core installed beside this Python (dbt Core, never Fusion)."""

    # Where a dbt process parsed for this run waits for its build (warm_dbt.py); None: each build starts dbt.
    prepared_socket: str | None = None

    def relay_args(self) -> list[str]:
        """What a build's arguments start with so that `acorn-dbt` hands it to the prepared process."""
        return [f"{WARM_OPTION}={self.prepared_socket}"] if self.prepared_socket else []

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
