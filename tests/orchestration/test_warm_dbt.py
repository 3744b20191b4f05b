"""Issue 10: a run's dbt is parsed while the inbox loads, and a build handed to it gives what dbt itself gives.

Real dbt throughout: `acorn-dbt` (the relay Dagster starts) against a process prepared by `prepared_dbt`, compared
with a `dbt` started cold on the same arguments."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from config.settings import DBT_PROJECT_DIR, Settings
from orchestration.dbt_models.assets import BUILD_TARGET, acorn_project
from orchestration.dbt_models.commands import profiles_yaml, vars_args
from orchestration.dbt_models.project import GLOBAL_FLAGS, dbt_resource
from orchestration.dbt_models.warm_dbt import (
    INVOCATION_ENV,
    PARTIAL_PARSE,
    REPARSED,
    REUSED,
    WARM_OPTION,
    PreparedDbt,
    dbt_executable,
    parse_inputs,
    prepared_dbt,
    relay_executable,
)

pytestmark = pytest.mark.skipif(relay_executable() is None, reason="acorn-dbt is installed by `make install`")


def _vars(as_of: str | None = None) -> list[str]:
    flags = vars_args(Settings.from_env())
    if as_of:
        flags[1] = json.dumps({**json.loads(flags[1]), "as_of": as_of}, sort_keys=True)
    return flags


def _prepared(tmp_path: Path):
    """A prepared dbt on this project, starting from the builds' partial parse when there is one (a copy)."""
    target = tmp_path / "build_target"
    target.mkdir()
    if (BUILD_TARGET / PARTIAL_PARSE).exists():
        shutil.copyfile(BUILD_TARGET / PARTIAL_PARSE, target / PARTIAL_PARSE)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = profiles_yaml(tmp_path / "acorn.duckdb")
    (profiles / "profiles.yml").write_text(text, encoding="utf-8")
    return prepared_dbt([*GLOBAL_FLAGS, *_vars()], DBT_PROJECT_DIR, text,
                        target), profiles, target


def _ls(executable: str, extra: list[str], profiles: Path, vars_: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [executable, *extra, "ls", "--quiet", "--resource-type", "model", "--output", "name", *vars_,
         "--profiles-dir", str(profiles)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600,
    )


def test_a_command_handed_to_the_prepared_dbt_reuses_its_manifest_and_lists_what_cold_dbt_lists(tmp_path):
    context, profiles, target = _prepared(tmp_path)
    with context as prepared:
        assert isinstance(prepared, PreparedDbt)
        warm = _ls(relay_executable(), [f"{WARM_OPTION}={prepared.socket}"], profiles, _vars())
        decisions = prepared.log.read_text(encoding="utf-8")
    cold = _ls(dbt_executable(), [], profiles, _vars())
    assert warm.returncode == cold.returncode == 0, warm.stdout + warm.stderr
    models = cold.stdout.split()
    assert len(models) > 100 and "fct_ledger" in models
    assert warm.stdout.split() == models
    assert REUSED in decisions.splitlines()
    # The parse it did is the builds' next starting point.
    assert (target / PARTIAL_PARSE).exists()


def test_a_command_asking_for_other_vars_is_parsed_anew(tmp_path):
    context, profiles, _ = _prepared(tmp_path)
    with context as prepared:
        warm = _ls(relay_executable(), [f"{WARM_OPTION}={prepared.socket}"], profiles, _vars(as_of="2026-01-31"))
        decisions = prepared.log.read_text(encoding="utf-8")
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert "fct_ledger" in warm.stdout.split()
    assert REPARSED in decisions.splitlines() and REUSED not in decisions.splitlines()
    assert "differs: --vars" in decisions.splitlines()


def test_a_failing_command_exits_as_cold_dbt_does_and_says_why(tmp_path):
    context, profiles, _ = _prepared(tmp_path)
    command = ["compile", "--inline", "select {{ no_such_macro() }}", *_vars(), "--profiles-dir", str(profiles)]
    with context as prepared:
        warm = subprocess.run([relay_executable(), f"{WARM_OPTION}={prepared.socket}", *command],
                              cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600)
    cold = subprocess.run([dbt_executable(), *command], cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
                          timeout=600)
    assert cold.returncode != 0
    assert warm.returncode == cold.returncode
    assert "no_such_macro" in warm.stdout + warm.stderr


def test_without_a_waiting_process_the_relay_runs_dbt_itself(tmp_path):
    relayed = subprocess.run([relay_executable(), f"{WARM_OPTION}={tmp_path / 'nobody.sock'}", "--version"],
                             capture_output=True, text=True, timeout=120)
    cold = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, timeout=120)
    assert relayed.returncode == cold.returncode == 0
    assert relayed.stdout.splitlines()[:2] == cold.stdout.splitlines()[:2]


def test_what_decides_the_manifest():
    env = {"HOME": "/root", "ACORN_FX": "ecb", "SHOP": "a"}
    base = parse_inputs(["build", "--vars", '{"a": 1}', "--select", "x"], env, read=["SHOP"])
    # The command, the selection, what dagster-dbt sets per invocation and variables dbt does not read do not
    # change the manifest ...
    same = {**env, **{name: "1" for name in INVOCATION_ENV}, "COLUMNS": "80", "HOME": "/x"}
    assert parse_inputs(["parse", "--vars", '{"a": 1}'], same, read=["SHOP"]) == base
    # ... the vars, the target, dbt's and ACORN's variables and those the project reads do.
    assert parse_inputs(["build", "--vars", '{"a": 2}'], env, read=["SHOP"]) != base
    assert parse_inputs(["build", "--vars", '{"a": 1}', "-t", "spark"], env, read=["SHOP"]) != base
    assert parse_inputs(["build", "--vars={\"a\": 1}", "--target=spark"], env) == parse_inputs(
        ["build", "--vars", '{"a": 1}', "-t", "spark"], env)
    assert parse_inputs(["build", "--vars", '{"a": 1}'], {**env, "ACORN_FX": "pboc"}, read=["SHOP"]) != base
    assert parse_inputs(["build", "--vars", '{"a": 1}'], {**env, "DBT_STATIC_PARSER": "0"}, read=["SHOP"]) != base
    assert parse_inputs(["build", "--vars", '{"a": 1}'], {**env, "SHOP": "b"}, read=["SHOP"]) != base


def test_a_run_with_a_prepared_dbt_starts_its_builds_through_the_relay(tmp_path):
    prepared = PreparedDbt(socket=tmp_path / "dbt.sock", log=tmp_path / "warm-dbt.log")
    resource = dbt_resource(acorn_project, prepared)
    assert resource.dbt_executable == relay_executable()
    assert resource.relay_args() == [f"{WARM_OPTION}={prepared.socket}"]
    plain = dbt_resource(acorn_project)
    assert plain.dbt_executable == dbt_executable() and plain.relay_args() == []
