"""Amazon's genuine Amazon.ca settlements dropped with no stores.csv: they land in the store derived from the
marketplace (`amazon-ca`, never a demo store), and the data-quality page says it is unconfigured and what to do."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.fx import load_ecb_rates
from connectors.loader import load_inbox
from tests.helpers.dashboard_users import app_as
from tests.helpers.vendor_world import dbt_build, query

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_streamlit_cache")]

GENUINE_CA = {"23874396421", "23874397121", "24288684721", "24495221541"}


@pytest.fixture(scope="module")
def warehouse(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("unconfigured")
    inbox = root / "inbox"
    inbox.mkdir()
    for sample in samples.glob("settlement_v1_flatfile_CA_CAD_*.txt"):
        (inbox / sample.name).write_bytes(sample.read_bytes())
    settings = Settings.from_env(root / "acorn.duckdb")
    report = load_inbox(settings, inbox)
    assert report.counts()["loaded"] == len(GENUINE_CA)
    load_ecb_rates(settings)  # as every run does: the books convert every line
    dbt_build(settings, date(2025, 12, 31))
    return settings


def test_genuine_amazon_ca_settlements_land_in_a_store_derived_from_the_marketplace(warehouse: Settings):
    placed = query(warehouse, "select settlement_id, store_id, store_assignment from marts.fct_settlement_reconciliation")
    assert {(s, store) for s, store, _ in placed} == {(s, "amazon-ca") for s in GENUINE_CA}
    # three name Amazon.ca in their lines; the fourth names no marketplace and joins the only CAD store derived
    assert {a for _, _, a in placed} == {"derived"}
    assert query(warehouse, "select store_id, marketplace_id, marketplace_name, currency, time_zone, store_source, "
                            "n_settlements, is_configured from marts.dim_stores") == [
        ("amazon-ca", "A2EUQ1WTGCTBG2", "Amazon.ca", "CAD", "UTC", "derived", len(GENUINE_CA), False)]


def test_data_quality_page_says_the_store_is_unconfigured_and_what_to_do(warehouse: Settings, monkeypatch):
    monkeypatch.setenv("ACORN_WAREHOUSE", str(warehouse.warehouse))
    at = app_as("auditor", "views/data_quality.py")
    (warning,) = at.warning
    assert "`amazon-ca` (Amazon.ca)" in warning.value and "stores.csv" in warning.value
    assert "Unconfigured stores" in [h.value for h in at.subheader]
    unconfigured = at.dataframe[0].value
    assert list(unconfigured.store_id) == ["amazon-ca"] and list(unconfigured.n_settlements) == [str(len(GENUINE_CA))]
