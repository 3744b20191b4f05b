"""The Streamlit dashboards against a small warehouse holding the marts contract columns."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from config.settings import Settings
from dashboards import launch, queries
from dashboards.scope import EVERYTHING
from tests.helpers.dashboard_users import app_as
from tests.helpers.dashboard_warehouse import build_warehouse
from tests.helpers.paths import REPO

pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")

DASHBOARDS = REPO / "dashboards"
APP = str(DASHBOARDS / "app.py")
TIMEOUT = 30

@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = build_warehouse(tmp_path / "acorn.duckdb")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def run_app(page: str | None = None, user: str = "auditor") -> AppTest:
    return app_as(user, page, TIMEOUT)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- queries ---------------------------------------------------------------------------------


def test_reconciliation_puts_flagged_settlements_first_with_exact_differences(warehouse):
    table = queries.reconciliation(str(warehouse), EVERYTHING)
    assert list(table.columns) == list(queries.RECONCILIATION_COLUMNS)
    assert list(table.status[:2]) == ["deposit_short", "mismatch"]
    assert list(table.status[2:]) == ["pending_deposit", "tied", "tied"]
    mismatch = table[table.settlement_id == "1001"].iloc[0]
    assert mismatch.difference == Decimal("0.01") and isinstance(mismatch.difference, Decimal)
    assert table[table.settlement_id == "3001"].iloc[0].bank_amount is None


def test_reconciliation_filters_by_store_status_and_period(warehouse):
    wh = str(warehouse)
    assert set(queries.reconciliation(wh, EVERYTHING, stores=("acme-de",)).settlement_id) == {"2001", "2002"}
    assert set(queries.reconciliation(wh, EVERYTHING, statuses=("tied",)).settlement_id) == {"1002", "2002"}
    february = queries.reconciliation(wh, EVERYTHING, period_from=date(2026, 2, 1), period_to=date(2026, 2, 28))
    assert set(february.settlement_id) == {"2002", "3001"}
    both = queries.reconciliation(wh, EVERYTHING, stores=("acme-us", "acme-jp"), period_to=date(2026, 1, 20))
    assert list(both.settlement_id) == ["1001"]


def test_reconciliation_counts_and_differences_are_summed_in_sql(warehouse):
    wh = str(warehouse)
    assert queries.reconciliation_counts(wh, EVERYTHING) == {"settlements": 5, "tied": 2, "flagged": 2, "pending": 1}
    differences = {r.currency: r for r in queries.reconciliation_differences(wh, EVERYTHING).itertuples()}
    assert differences["USD"].difference == Decimal("0.01")
    assert differences["EUR"].bank_difference == Decimal("-12.34")
    assert differences["JPY"].bank_difference == Decimal("0")
    options = queries.reconciliation_options(wh, EVERYTHING)
    assert options.stores == ["acme-de", "acme-jp", "acme-us"]
    assert (options.first_period_end, options.last_period_end) == (date(2026, 1, 15), date(2026, 2, 24))


def test_settlement_lines_sum_exactly(warehouse):
    lines = queries.settlement_lines(str(warehouse), EVERYTHING, "1002")
    assert len(lines) == 1
    assert lines.iloc[0].amount == Decimal("0.30") and lines.iloc[0].lines == 2
    mismatch = queries.settlement_lines(str(warehouse), EVERYTHING, "1001")
    by_description = dict(zip(mismatch.amount_description, mismatch.amount))
    assert by_description == {
        "Principal": Decimal("1200.00"),
        "Commission": Decimal("-180.00"),
        "FBAPerUnitFulfillmentFee": Decimal("-20.00"),
    }


def test_pnl_by_month_has_an_exact_net_row_per_store_month(warehouse):
    pnl = queries.pnl_by_month(str(warehouse), EVERYTHING)
    us_january = pnl[(pnl.store_id == "acme-us") & (pnl.month == date(2026, 1, 1))]
    assert list(us_january.pnl_line) == ["Product sales", "Referral fees", "Storage fees", "Net"]
    assert us_january.iloc[-1].amount_functional == Decimal("7344.00")
    only_de = queries.pnl_by_month(str(warehouse), EVERYTHING, stores=("acme-de",), month_from=date(2026, 2, 1))
    assert set(only_de.store_id) == {"acme-de"} and set(only_de.month) == {date(2026, 2, 1)}
    by_sku = queries.pnl_by_sku(str(warehouse), EVERYTHING, stores=("acme-us",))
    storage = by_sku[by_sku.pnl_line == "Storage fees"].iloc[0]
    assert storage.allocated_functional == Decimal("-0.72")
    options = queries.pnl_options(str(warehouse), EVERYTHING)
    assert options.functional_currency == "CNY"
    assert options.months == [date(2026, 1, 1), date(2026, 2, 1)]


def test_settlements_without_a_store_can_still_be_picked(warehouse):
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_settlement_reconciliation set store_id = null where settlement_id = '3001'")
    wh = str(warehouse)
    assert queries.reconciliation_options(wh, EVERYTHING).stores == ["(unassigned)", "acme-de", "acme-us"]
    assert list(queries.reconciliation(wh, EVERYTHING, stores=("(unassigned)",)).settlement_id) == ["3001"]


def test_audit_queries_name_the_quarantined_file_and_rule(warehouse):
    assert queries.file_load_counts(str(warehouse)) == {"duplicate": 1, "loaded": 1, "quarantined": 1}
    quarantined = queries.file_loads(str(warehouse), ("quarantined",))
    assert list(quarantined.file_name) == ["settlement_bad.txt"]
    assert "line 7: amount_parses" in quarantined.iloc[0].message
    assert list(queries.failed_expectations(str(warehouse)).rule) == ["amount_parses"]


def test_missing_warehouse_and_missing_marts_explain_what_to_run(tmp_path):
    with pytest.raises(queries.WarehouseMissing, match="make demo"):
        queries.reconciliation(str(tmp_path / "nowhere.duckdb"), EVERYTHING)
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    with pytest.raises(queries.MartsMissing, match="acorn run"):
        queries.reconciliation(str(tmp_path / "empty.duckdb"), EVERYTHING)


# --- connections -----------------------------------------------------------------------------

HOLD_WRITE_LOCK = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def writer(warehouse):
    """Another process holding the warehouse open for writing, as a pipeline run does."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


def test_query_while_pipeline_writes_raises_busy(writer, warehouse):
    with pytest.raises(queries.WarehouseBusy):
        queries.reconciliation(str(warehouse), EVERYTHING)


def test_page_while_pipeline_writes_asks_to_retry(writer):
    at = run_app()
    assert not at.exception
    assert "pipeline is running" in at.warning[0].value
    assert [b.label for b in at.button if b.label == "Retry"]
    assert not at.dataframe


def test_pages_leave_no_connection_open(warehouse):
    for page in (None, "views/pnl.py", "views/data_quality.py"):
        run_app(page)
    # A read-only connection still open in this process would make this read-write one fail.
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_settlement_reconciliation set status = 'tied'")


# --- pages -----------------------------------------------------------------------------------


def test_reconciliation_page_shows_flagged_rows_kpis_and_lines(warehouse):
    at = run_app()
    assert at.title[0].value == "Settlement reconciliation"
    table = at.dataframe[0].value
    assert len(table) == 5
    mismatch = table[table.settlement_id == "1001"].iloc[0]
    # The grid shows money as text in the currency's minor units, status by its name; exports keep numbers.
    assert mismatch.status == "mismatch" and mismatch.difference == "0.01"
    assert table[table.settlement_id == "3001"].iloc[0].header_total == "98,765"
    kpis = metrics(at)
    assert kpis["Settlements"] == "5" and kpis["Flagged"] == "2" and kpis["Tied"] == "2"
    assert kpis["Total difference (USD)"] == "0.01 USD"
    # The drill-down starts on the first (flagged) settlement: 2001, a single Principal line.
    assert at.selectbox(key="recon_settlement").value == "2001"
    at.selectbox(key="recon_settlement").set_value("1001").run()
    lines = at.dataframe[1].value
    assert dict(zip(lines.amount_description, lines.amount))["Principal"] == "1,200.00"
    assert metrics(at)["Difference"] == "0.01 USD"
    at.selectbox(key="recon_settlement").set_value("2001").run()
    assert metrics(at)["Bank difference"] == "-12.34 EUR"


def test_reconciliation_page_filters_by_store_and_status(warehouse):
    at = run_app()
    at.multiselect(key="recon_stores").set_value(["acme-de"]).run()
    table = at.dataframe[0].value
    assert set(table.settlement_id) == {"2001", "2002"}
    assert metrics(at)["Total difference (EUR)"] == "0.00 EUR"
    at.multiselect(key="recon_statuses").set_value(["tied"]).run()
    assert list(at.dataframe[0].value.settlement_id) == ["2002"]
    at.date_input(key="recon_period").set_value((date(2026, 1, 15), date(2026, 1, 31))).run()
    assert not at.dataframe and "No settlement matches" in at.info[0].value


def test_pnl_page_draws_a_chart_and_an_exact_pivot(warehouse):
    at = run_app("views/pnl.py", user="management")
    assert at.title[0].value == "Monthly P&L"
    assert len(at.get("plotly_chart")) == 1
    pivot = at.dataframe[0].value.set_index(["store_id", "pnl_line"])
    assert pivot.loc[("acme-us", "Net"), "2026-01"] == "7,344.00"
    assert pivot.loc[("acme-de", "Product sales"), "2026-01"] == "9,623.48"
    # Lines in report order (the seed's sort order), the net last; a month without postings is zero.
    assert list(pivot.loc["acme-us"].index) == ["Product sales", "Referral fees", "Storage fees", "Net"]
    assert pivot.loc[("acme-de", "Product sales"), "2026-02"] == "0.00"
    at.multiselect(key="pnl_stores").set_value(["acme-de"]).run()
    assert set(at.dataframe[0].value.store_id) == {"acme-de"}
    at.select_slider(key="pnl_months").set_value((date(2026, 2, 1), date(2026, 2, 1))).run()
    assert list(at.dataframe[0].value.columns) == ["store_id", "pnl_line", "2026-02"]
    by_sku = at.dataframe[1].value
    assert list(by_sku.allocated_functional) == ["-1.56"]


def test_data_quality_page_lists_quarantined_files_with_reasons(warehouse):
    at = run_app("views/data_quality.py")
    assert metrics(at) == {"Loaded": "1", "Duplicate": "1", "Quarantined": "1"}
    quarantined = at.dataframe[0].value
    assert list(quarantined.file_name) == ["settlement_bad.txt"]
    assert "amount_parses" in quarantined.iloc[0].message


def test_page_without_a_warehouse_says_how_to_create_one(tmp_path, monkeypatch):
    monkeypatch.setenv("ACORN_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    at = run_app()
    assert "make demo" in at.info[0].value
    assert not (tmp_path / "missing.duckdb").exists()


def test_launch_command_runs_the_app_headless_on_localhost(tmp_path):
    settings = Settings.from_env(tmp_path / "w.duckdb")
    cmd = launch.command(settings, 8765)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == APP
    flags = dict(zip(cmd[5::2], cmd[6::2]))
    assert flags == {
        "--server.headless": "true",
        "--server.address": "127.0.0.1",
        "--server.port": "8765",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",
        "--client.disableDataExport": "true",
    }
    assert launch.environment(settings, {})["ACORN_WAREHOUSE"] == str(tmp_path / "w.duckdb")
