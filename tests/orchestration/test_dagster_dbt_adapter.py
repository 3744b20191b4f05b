"""The one module touching dagster-dbt internals, checked against the version it was read for, and shown to do what
it claims on the real dbt: the same version, and a dbt invocation that starts dbt once."""
from __future__ import annotations

import importlib.metadata
import re
import subprocess

import pytest

from orchestration.dbt_models import dagster_dbt_adapter
from orchestration.dbt_models.assets import acorn_project
from orchestration.dbt_models.project import dbt_resource
from orchestration.dbt_models.warm_dbt import dbt_executable


def test_the_adapter_was_checked_against_the_installed_dagster_dbt():
    installed = importlib.metadata.version("dagster-dbt")
    assert installed == dagster_dbt_adapter.CHECKED_VERSION == "0.29.27", (
        f"dagster-dbt is {installed}, the adapter was checked against {dagster_dbt_adapter.CHECKED_VERSION}: re-read "
        "orchestration/dbt_models/dagster_dbt_adapter.py against DbtCliResource.cli of the new version, then move "
        "CHECKED_VERSION and this pin.")


def test_the_version_is_the_one_the_dbt_executable_reports():
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    core = re.search(r"installed:\s*(\d+\.\d+\.\d+)", printed).group(1)
    assert str(dbt_resource(acorn_project)._cli_version) == core


@pytest.mark.slow
def test_an_invocation_starts_dbt_once(tmp_path, monkeypatch):
    from dagster_dbt.core import resource

    def no_second_dbt(args, *rest, **kwargs):
        raise AssertionError(f"started {args}")

    # dagster-dbt's own `dbt --version` goes through this name: the invocation must not reach it.
    monkeypatch.setattr(resource, "check_output", no_second_dbt)
    invocation = dbt_resource(acorn_project).cli(["ls", "--resource-type", "seed", "--quiet"], target_path=tmp_path)
    invocation.wait()
    assert invocation.is_successful()
    assert invocation.adapter is None
