"""Issue 10: a build that continues the last one builds and tests only what its changed inputs reach."""
from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from config.settings import DBT_PROJECT_DIR
from orchestration.dbt_models.assets import acorn_project
from orchestration.dbt_models.incremental import (
    CLOCK,
    clock_readers,
    exclude_args,
    exclusion_selectors,
    unaffected_nodes,
)
from orchestration.dbt_models.warm_dbt import dbt_executable


def _node(uid: str, raw_code: str = "", macros: tuple[str, ...] = ()) -> dict[str, Any]:
    kind, package, name = uid.split(".")
    return {"resource_type": kind, "package_name": package, "fqn": [package, "marts", name], "raw_code": raw_code,
            "depends_on": {"macros": list(macros)}}


def _manifest() -> dict[str, Any]:
    nodes = [
        _node("model.acorn.stg_lines"),
        _node("model.acorn.fct_ledger"),
        _node("model.acorn.stg_bank"),
        _node("model.acorn.fct_bank"),
        _node("model.acorn.int_today", "select {{ dbt.current_timestamp() }}"),
        _node("model.acorn.fct_ages", "select 1", macros=("macro.acorn.aged",)),
        _node("model.acorn.fct_both"),
        _node("seed.acorn.fee_categories"),
        _node("test.acorn.not_null_fct_ledger_id"),
        _node("test.acorn.not_null_fct_bank_id"),
        _node("test.acorn.relationships_fct_bank_ledger"),
        _node("operation.acorn.on_run_start"),
    ]
    children = {
        "source.acorn.amazon.lines": ["model.acorn.stg_lines"],
        "model.acorn.stg_lines": ["model.acorn.fct_ledger", "model.acorn.fct_both"],
        "model.acorn.fct_ledger": ["test.acorn.not_null_fct_ledger_id", "test.acorn.relationships_fct_bank_ledger"],
        "source.acorn.bank.transactions": ["model.acorn.stg_bank"],
        "model.acorn.stg_bank": ["model.acorn.fct_bank", "model.acorn.fct_both"],
        "model.acorn.fct_bank": ["test.acorn.not_null_fct_bank_id", "test.acorn.relationships_fct_bank_ledger"],
        "seed.acorn.fee_categories": ["model.acorn.fct_ledger"],
    }
    macros = {
        "macro.acorn.aged": {"package_name": "acorn", "macro_sql": "{{ days_since() }}",
                             "depends_on": {"macros": ["macro.acorn.days_since"]}},
        "macro.acorn.days_since": {"package_name": "acorn", "macro_sql": "{{ var('as_of') }}",
                                   "depends_on": {"macros": []}},
        # dbt's own macros read the clock on behalf of whoever calls them: only the project's macros count
        "macro.dbt.current_timestamp": {"package_name": "dbt", "macro_sql": "now()", "depends_on": {"macros": []}},
    }
    sources = {uid: {"package_name": "acorn", "source_name": uid.split(".")[2], "name": uid.split(".")[3]}
               for uid in ("source.acorn.amazon.lines", "source.acorn.bank.transactions")}
    return {"nodes": {n_uid: n for n in nodes for n_uid in [f"{n['resource_type']}.acorn.{n['fqn'][-1]}"]},
            "sources": sources, "child_map": children, "macros": macros, "metadata": {"project_name": "acorn"}}


def test_new_settlement_lines_skip_what_they_do_not_reach():
    skipped = unaffected_nodes(_manifest(), ["source.acorn.amazon.lines"])
    # the bank's own models and test are left as built; a test over both a changed and an unchanged model runs;
    # seeds only change with the project's files, which refresh everything; the run-start hook always runs
    assert skipped == sorted(["model.acorn.stg_bank", "model.acorn.fct_bank", "model.acorn.int_today",
                              "model.acorn.fct_ages", "seed.acorn.fee_categories", "test.acorn.not_null_fct_bank_id"])


def test_the_exclusion_names_the_lowest_unreached_nodes_with_their_ancestry():
    # fct_bank stands for stg_bank and the bank's source above it; tests are left to cautious selection
    assert sorted(exclusion_selectors(_manifest(), ["source.acorn.amazon.lines"])) == [
        "+fqn:acorn.marts.fct_ages", "+fqn:acorn.marts.fct_bank", "+fqn:acorn.marts.fee_categories",
        "+fqn:acorn.marts.int_today"]
    # nothing changed: every lowest model stands for all above it, the sources too
    assert sorted(exclusion_selectors(_manifest(), [])) == [
        "+fqn:acorn.marts.fct_ages", "+fqn:acorn.marts.fct_bank", "+fqn:acorn.marts.fct_both",
        "+fqn:acorn.marts.fct_ledger", "+fqn:acorn.marts.int_today"]
    # a source nothing is built from is named itself
    manifest = _manifest()
    manifest["sources"]["source.acorn.books.closes"] = {"package_name": "acorn", "source_name": "books", "name": "closes"}
    assert "+source:acorn.books.closes" in exclusion_selectors(manifest, [])


def test_no_changed_input_skips_every_model_and_test():
    skipped = unaffected_nodes(_manifest(), [])
    assert len(skipped) == 11 and "operation.acorn.on_run_start" not in skipped


def test_a_new_day_rebuilds_the_models_that_read_the_clock():
    manifest = _manifest()
    assert clock_readers(manifest) == ["model.acorn.fct_ages", "model.acorn.int_today"]
    skipped = unaffected_nodes(manifest, [CLOCK])
    assert "model.acorn.int_today" not in skipped and "model.acorn.fct_ages" not in skipped
    assert "model.acorn.fct_ledger" in skipped


def test_exclude_args_are_one_dbt_flag_or_none():
    assert exclude_args([]) == []
    assert exclude_args(["+fqn:a.b", "+fqn:a.c"]) == ["--indirect-selection", "cautious", "--exclude",
                                                     "+fqn:a.b fqn:a.c".replace(" ", " +")]


@pytest.mark.slow
@pytest.mark.parametrize("changed", [
    ["source.acorn.amazon.settlement_lines", "source.acorn.amazon.settlement_headers", "source.acorn.audit.file_loads",
     CLOCK],
    [CLOCK],
])
def test_dbt_selects_exactly_the_nodes_a_changed_input_reaches(changed):
    """The project's own manifest through dbt's own selection: what the build runs is what the plan says."""
    manifest = json.loads(acorn_project.manifest_path.read_text(encoding="utf-8"))
    skipped = set(unaffected_nodes(manifest, changed))
    listed = subprocess.run(
        [dbt_executable(), "ls", "--quiet", "--output", "json", "--output-keys", "unique_id", "--resource-type",
         "model", "seed", "test", "--select", "fqn:*", *exclude_args(exclusion_selectors(manifest, changed)),
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        capture_output=True, text=True, check=True).stdout
    selected = {json.loads(line)["unique_id"] for line in listed.splitlines() if line.startswith("{")}
    expected = {uid for uid, node in manifest["nodes"].items()
                if node["resource_type"] in ("model", "seed", "test") and uid not in skipped}
    assert selected == expected
    # tests over a reached model and an unreached one (a relationship to a seed) are among them
    assert any(set(manifest["nodes"][uid]["depends_on"]["nodes"]) & skipped for uid in selected
               if uid.startswith("test."))
