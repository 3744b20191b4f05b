"""Issue 10: the marts of a warehouse built in two steps (incrementally) equal those of one build on the same files."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from demo.generator import generate
from demo.generator.risk_reports import RISK_AS_OF_DAYS
from demo.generator.world import DEFAULT_START
from orchestration.dbt_models.assets import BUILD_TARGET
from orchestration.dbt_models.incremental import TABLE, forget_incremental_state
from orchestration.pipeline import materialize_pipeline
from tests.helpers.marts_fingerprint import marts_fingerprint

pytestmark = pytest.mark.slow


def _settings(root: Path) -> Settings:
    # The seller demo's as-of day: both warehouses must measure ages on the same day.
    return replace(Settings(warehouse=root / "acorn.duckdb", archive_dir=root / "archive"),
                   as_of=DEFAULT_START + timedelta(days=RISK_AS_OF_DAYS))


def _build(settings: Settings, inbox: Path) -> None:
    result = materialize_pipeline(settings, inbox)
    assert result.success, result.failures


def _batches(settings: Settings) -> set[str]:
    """The dbt builds the ledger's lines come from."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return {b for (b,) in con.execute("SELECT DISTINCT build_id FROM intermediate.int_ledger_lines").fetchall()}


def _built_nodes() -> set[str]:
    """The models, seeds and tests the last dbt build ran."""
    results = json.loads((BUILD_TARGET / "run_results.json").read_text())["results"]
    return {r["unique_id"] for r in results}


def _split(inbox: Path, first: Path, rest: Path) -> list[str]:
    """Every file in `first` but each store's last settlement and one earlier settlement of acme-de (a late file
    for a month the first build already holds), which go to `rest`."""
    settlements = sorted(p.name for p in inbox.glob("settlement_*.txt"))
    stores = sorted({name.split("_")[1] for name in settlements})
    held = {max(n for n in settlements if n.split("_")[1] == store) for store in stores}
    held.add(sorted(n for n in settlements if n.split("_")[1] == "acme-de")[1])
    for directory in (first, rest):
        directory.mkdir()
    for path in inbox.iterdir():
        if path.is_file():
            shutil.copy(path, (rest if path.name in held else first) / path.name)
    return sorted(held)


def test_two_incremental_builds_give_the_marts_of_one_full_build(tmp_path: Path):
    inbox = tmp_path / "inbox"
    # the demo's world at a quarter of its orders: the same files, anomalies and months, a shorter build
    generate(inbox, seed=7, orders_per_day=5)
    held = _split(inbox, tmp_path / "first", tmp_path / "rest")
    assert len(held) == 4

    stepwise = _settings(tmp_path / "stepwise")
    _build(stepwise, tmp_path / "first")
    first_batch = _batches(stepwise)
    everything = _built_nodes()
    _build(stepwise, tmp_path / "rest")
    # the second build continued the first: the first build's lines stayed, the new ones came in a batch of their own
    assert len(first_batch) == 1 and first_batch < _batches(stepwise) and len(_batches(stepwise)) == 2
    # ... and built and tested only what new settlements reach: the ledger, the books, not the bank's staging
    continued = _built_nodes()
    assert {"model.acorn.fct_ledger", "model.acorn.fct_journal_lines", "model.acorn.int_inventory_costed"} < continued
    assert "model.acorn.stg_bank__transactions" in everything - continued
    assert not any(uid.startswith("seed.") for uid in continued)

    # a run that brings nothing new builds nothing and changes nothing
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    before = marts_fingerprint(stepwise.warehouse)
    _build(stepwise, nothing)
    assert not any(uid.startswith(("model.", "test.")) for uid in _built_nodes())
    assert marts_fingerprint(stepwise.warehouse) == before

    whole = _settings(tmp_path / "whole")
    _build(whole, inbox)
    assert len(_batches(whole)) == 1

    incremental = marts_fingerprint(stepwise.warehouse)
    assert incremental == marts_fingerprint(whole.warehouse)

    # a full refresh of the stepwise warehouse changes nothing either
    forget_incremental_state(stepwise)
    _build(stepwise, nothing)
    assert _built_nodes() == everything
    assert len(_batches(stepwise)) == 1
    assert marts_fingerprint(stepwise.warehouse) == incremental


def test_a_changed_reference_input_refreshes_fully(tmp_path: Path):
    """A new stores.csv (or FX rates, seeds, vars, SQL) may change rows already built: the next build starts over."""
    inbox = tmp_path / "inbox"
    generate(inbox, seed=7, months=1, orders_per_day=2)
    settings = _settings(tmp_path / "wh")
    _build(settings, inbox)
    built = _batches(settings)
    with duckdb.connect(str(settings.warehouse)) as con:
        assert con.execute(f"SELECT count(*) FROM {TABLE}").fetchone() == (1,)
        # the user changes a store's time zone: every line's local date may move
        con.execute("UPDATE raw.store_config SET time_zone = 'Asia/Tokyo' WHERE store_id = 'acme-us'")
    empty = tmp_path / "empty"
    empty.mkdir()
    _build(settings, empty)
    assert len(_batches(settings)) == 1 and _batches(settings) != built
