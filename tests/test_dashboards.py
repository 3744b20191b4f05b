"""The Streamlit dashboards against a small warehouse holding the marts contract columns."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from acorn.settings import Settings
from connectors.warehouse_schema import create_statements
from dashboards import launch, queries

pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")

DASHBOARDS = Path(__file__).resolve().parent.parent / "dashboards"
APP = str(DASHBOARDS / "app.py")
TIMEOUT = 30

MARTS_DDL = [
    "create schema if not exists marts",
    """create table marts.fct_settlement_reconciliation (
        store_id varchar, settlement_id varchar, period_start date, period_end date,
        deposit_date date, currency varchar, header_total decimal(18,2), lines_total decimal(18,2),
        difference decimal(18,2), reserve_previous decimal(18,2), reserve_current decimal(18,2),
        bank_amount decimal(18,2), bank_date date, bank_difference decimal(18,2), status varchar)""",
    """create table marts.fct_ledger (
        store_id varchar, settlement_id varchar, transaction_type varchar, amount_type varchar,
        amount_description varchar, fee_category varchar, account varchar, order_id varchar,
        sku varchar, quantity integer, posted_at timestamp, posted_date date,
        amount decimal(18,2), currency varchar, fx_rate decimal(18,8), fx_rate_date date,
        amount_functional decimal(18,2), functional_currency varchar,
        source_file_sha256 varchar, source_line integer)""",
    """create table marts.fct_pnl_monthly (
        store_id varchar, month date, internal_sku varchar, brand varchar, category varchar,
        pnl_line varchar, pnl_section varchar, pnl_sort_order integer, allocation_method varchar,
        is_allocated boolean, currency varchar, amount decimal(38,2), functional_currency varchar,
        amount_functional decimal(38,2), n_lines bigint)""",
]

SETTLEMENTS = [
    # store, id, start, end, deposit, ccy, header, lines, diff, res prev, res cur, bank, bank date, bank diff, status
    ("acme-us", "1001", "2026-01-01", "2026-01-15", "2026-01-17", "USD", "1000.01", "1000.00", "0.01",
     "0.00", "0.00", "1000.01", "2026-01-19", "0.00", "mismatch"),
    ("acme-us", "1002", "2026-01-15", "2026-01-29", "2026-01-31", "USD", "0.30", "0.30", "0.00",
     "0.00", "0.00", "0.30", "2026-02-02", "0.00", "tied"),
    ("acme-de", "2001", "2026-01-01", "2026-01-15", "2026-01-17", "EUR", "1234.56", "1234.56", "0.00",
     "10.00", "12.00", "1222.22", "2026-01-19", "-12.34", "deposit_short"),
    ("acme-de", "2002", "2026-02-01", "2026-02-15", "2026-02-17", "EUR", "500.00", "500.00", "0.00",
     "0.00", "0.00", "500.00", "2026-02-19", "0.00", "tied"),
    ("acme-jp", "3001", "2026-02-10", "2026-02-24", "2026-02-26", "JPY", "98765.00", "98765.00", "0.00",
     "0.00", "0.00", None, None, None, "pending_deposit"),
]  # fmt: skip

LEDGER = [
    # store, settlement, transaction type, amount type, description, amount
    ("acme-us", "1001", "Order", "ItemPrice", "Principal", "600.00"),
    ("acme-us", "1001", "Order", "ItemPrice", "Principal", "600.00"),
    ("acme-us", "1001", "Order", "ItemFees", "Commission", "-180.00"),
    ("acme-us", "1001", "Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-20.00"),
    # 0.1 + 0.2 is not 0.3 in floating point: the sum must stay exact.
    ("acme-us", "1002", "Order", "ItemPrice", "Principal", "0.10"),
    ("acme-us", "1002", "Order", "ItemPrice", "Principal", "0.20"),
    ("acme-de", "2001", "Order", "ItemPrice", "Principal", "1234.56"),
]

# P&L lines as in the pnl_lines seed: (line, section, sort order).
PNL_LINES = {
    "Product sales": ("Revenue", 10),
    "Referral fees": ("Amazon fees", 60),
    "Storage fees": ("Amazon fees", 80),
}

PNL = [
    # store, month, sku, line, amount, ccy, amount in CNY, allocation method
    ("acme-us", "2026-01-01", "WIDGET-1", "Storage fees", "-0.10", "USD", "-0.72", "allocated"),
    ("acme-us", "2026-01-01", "WIDGET-1", "Product sales", "1200.10", "USD", "8640.72", "direct"),
    ("acme-us", "2026-01-01", "WIDGET-1", "Referral fees", "-180.00", "USD", "-1296.00", "direct"),
    ("acme-us", "2026-02-01", "WIDGET-1", "Product sales", "0.30", "USD", "2.16", "direct"),
    ("acme-de", "2026-01-01", "GADGET-9", "Product sales", "1234.56", "EUR", "9623.48", "direct"),
    ("acme-de", "2026-02-01", "GADGET-9", "Storage fees", "-0.20", "EUR", "-1.56", "allocated"),
]

FILE_LOADS = [
    ("settlement_acme-us_1001.txt", "a" * 64, "settlement_v2", "loaded", None, 5),
    ("copy_of_1001.txt", "a" * 64, "settlement_v2", "duplicate", "same bytes as settlement_acme-us_1001.txt", 0),
    ("settlement_bad.txt", "b" * 64, "settlement_v2", "quarantined",
     "settlement_bad.txt: line 7: amount_parses: '12,3x' is not an amount", 0),
]  # fmt: skip


def _settlement_row(row: tuple) -> tuple:
    store, settlement, start, end, deposit, currency, *amounts, bank_amount, bank_date, bank_diff, status = row
    return (
        store, settlement, date.fromisoformat(start), date.fromisoformat(end),
        date.fromisoformat(deposit), currency, *(Decimal(a) for a in amounts),
        bank_amount and Decimal(bank_amount), bank_date and date.fromisoformat(bank_date),
        bank_diff and Decimal(bank_diff), status,
    )  # fmt: skip


def build_warehouse(path: Path) -> Path:
    """A warehouse file with the marts and audit tables the dashboards read, typed as in the contract."""
    with duckdb.connect(str(path)) as conn:
        for statement in [*create_statements(), *MARTS_DDL]:
            conn.execute(statement)
        conn.executemany(
            "insert into marts.fct_settlement_reconciliation values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [_settlement_row(row) for row in SETTLEMENTS],
        )
        conn.executemany(
            """insert into marts.fct_ledger (store_id, settlement_id, transaction_type, amount_type,
               amount_description, amount, currency) values (?,?,?,?,?,?,?)""",
            [(*row[:5], Decimal(row[5]), "USD" if row[0] == "acme-us" else "EUR") for row in LEDGER],
        )
        conn.executemany(
            "insert into marts.fct_pnl_monthly values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (store, date.fromisoformat(month), sku, "Acme", "Gadgets", line, *PNL_LINES[line], method,
                 method != "direct", ccy, Decimal(amount), "CNY", Decimal(functional), 1)
                for store, month, sku, line, amount, ccy, functional, method in PNL
            ],  # fmt: skip
        )
        conn.executemany(
            """insert into audit.file_loads (file_name, sha256, kind, received_at, status, message,
               rows_loaded, archive_path) values (?,?,?,?,?,?,?,?)""",
            [(n, h, k, datetime(2026, 3, 1, 9, 0), s, m, r, f"archive/{h}") for n, h, k, s, m, r in FILE_LOADS],
        )
        conn.execute(
            """insert into audit.validation_results values
               (?, 'settlement_bad.txt', 'settlement_v2', 'amount_parses', false, 7, '''12,3x''', ?)""",
            ["b" * 64, datetime(2026, 3, 1, 9, 0)],
        )
    return path


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = build_warehouse(tmp_path / "acorn.duckdb")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- queries ---------------------------------------------------------------------------------


def test_reconciliation_puts_flagged_settlements_first_with_exact_differences(warehouse):
    table = queries.reconciliation(str(warehouse))
    assert list(table.columns) == list(queries.RECONCILIATION_COLUMNS)
    assert list(table.status[:2]) == ["deposit_short", "mismatch"]
    assert list(table.status[2:]) == ["pending_deposit", "tied", "tied"]
    mismatch = table[table.settlement_id == "1001"].iloc[0]
    assert mismatch.difference == Decimal("0.01") and isinstance(mismatch.difference, Decimal)
    assert table[table.settlement_id == "3001"].iloc[0].bank_amount is None


def test_reconciliation_filters_by_store_status_and_period(warehouse):
    wh = str(warehouse)
    assert set(queries.reconciliation(wh, stores=("acme-de",)).settlement_id) == {"2001", "2002"}
    assert set(queries.reconciliation(wh, statuses=("tied",)).settlement_id) == {"1002", "2002"}
    february = queries.reconciliation(wh, period_from=date(2026, 2, 1), period_to=date(2026, 2, 28))
    assert set(february.settlement_id) == {"2002", "3001"}
    both = queries.reconciliation(wh, stores=("acme-us", "acme-jp"), period_to=date(2026, 1, 20))
    assert list(both.settlement_id) == ["1001"]


def test_reconciliation_counts_and_differences_are_summed_in_sql(warehouse):
    wh = str(warehouse)
    assert queries.reconciliation_counts(wh) == {"settlements": 5, "tied": 2, "flagged": 2, "pending": 1}
    differences = {r.currency: r for r in queries.reconciliation_differences(wh).itertuples()}
    assert differences["USD"].difference == Decimal("0.01")
    assert differences["EUR"].bank_difference == Decimal("-12.34")
    assert differences["JPY"].bank_difference == Decimal("0")
    options = queries.reconciliation_options(wh)
    assert options.stores == ["acme-de", "acme-jp", "acme-us"]
    assert (options.first_period_end, options.last_period_end) == (date(2026, 1, 15), date(2026, 2, 24))


def test_settlement_lines_sum_exactly(warehouse):
    lines = queries.settlement_lines(str(warehouse), "1002")
    assert len(lines) == 1
    assert lines.iloc[0].amount == Decimal("0.30") and lines.iloc[0].lines == 2
    mismatch = queries.settlement_lines(str(warehouse), "1001")
    by_description = dict(zip(mismatch.amount_description, mismatch.amount))
    assert by_description == {
        "Principal": Decimal("1200.00"),
        "Commission": Decimal("-180.00"),
        "FBAPerUnitFulfillmentFee": Decimal("-20.00"),
    }


def test_pnl_by_month_has_an_exact_net_row_per_store_month(warehouse):
    pnl = queries.pnl_by_month(str(warehouse))
    us_january = pnl[(pnl.store_id == "acme-us") & (pnl.month == date(2026, 1, 1))]
    assert list(us_january.pnl_line) == ["Product sales", "Referral fees", "Storage fees", "Net"]
    assert us_january.iloc[-1].amount_functional == Decimal("7344.00")
    only_de = queries.pnl_by_month(str(warehouse), stores=("acme-de",), month_from=date(2026, 2, 1))
    assert set(only_de.store_id) == {"acme-de"} and set(only_de.month) == {date(2026, 2, 1)}
    by_sku = queries.pnl_by_sku(str(warehouse), stores=("acme-us",))
    storage = by_sku[by_sku.pnl_line == "Storage fees"].iloc[0]
    assert storage.allocated_functional == Decimal("-0.72")
    options = queries.pnl_options(str(warehouse))
    assert options.functional_currency == "CNY"
    assert options.months == [date(2026, 1, 1), date(2026, 2, 1)]


def test_settlements_without_a_store_can_still_be_picked(warehouse):
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_settlement_reconciliation set store_id = null where settlement_id = '3001'")
    wh = str(warehouse)
    assert queries.reconciliation_options(wh).stores == ["(unassigned)", "acme-de", "acme-us"]
    assert list(queries.reconciliation(wh, stores=("(unassigned)",)).settlement_id) == ["3001"]


def test_audit_queries_name_the_quarantined_file_and_rule(warehouse):
    assert queries.file_load_counts(str(warehouse)) == {"duplicate": 1, "loaded": 1, "quarantined": 1}
    quarantined = queries.file_loads(str(warehouse), ("quarantined",))
    assert list(quarantined.file_name) == ["settlement_bad.txt"]
    assert "line 7: amount_parses" in quarantined.iloc[0].message
    assert list(queries.failed_expectations(str(warehouse)).rule) == ["amount_parses"]


def test_missing_warehouse_and_missing_marts_explain_what_to_run(tmp_path):
    with pytest.raises(queries.WarehouseMissing, match="make demo"):
        queries.reconciliation(str(tmp_path / "nowhere.duckdb"))
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    with pytest.raises(queries.MartsMissing, match="acorn run"):
        queries.reconciliation(str(tmp_path / "empty.duckdb"))


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
        queries.reconciliation(str(warehouse))


def test_page_while_pipeline_writes_asks_to_retry(writer):
    at = run_app()
    assert not at.exception
    assert "pipeline is running" in at.warning[0].value
    assert [b.label for b in at.button if b.label == "Retry"]
    assert not at.dataframe


def test_pages_leave_no_connection_open(warehouse):
    for page in (None, "pages/pnl.py", "pages/data_quality.py"):
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
    assert mismatch.status == "mismatch" and mismatch.difference == Decimal("0.01")
    kpis = metrics(at)
    assert kpis["Settlements"] == "5" and kpis["Flagged"] == "2" and kpis["Tied"] == "2"
    assert kpis["Total difference (USD)"] == "0.01 USD"
    # The drill-down starts on the first (flagged) settlement: 2001, a single Principal line.
    assert at.selectbox(key="recon_settlement").value == "2001"
    at.selectbox(key="recon_settlement").set_value("1001").run()
    lines = at.dataframe[1].value
    assert dict(zip(lines.amount_description, lines.amount))["Principal"] == Decimal("1200.00")
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
    at = run_app("pages/pnl.py")
    assert at.title[0].value == "Monthly P&L"
    assert len(at.get("plotly_chart")) == 1
    pivot = at.dataframe[0].value
    assert pivot.loc[("acme-us", "Net"), "2026-01"] == Decimal("7344.00")
    assert pivot.loc[("acme-de", "Product sales"), "2026-01"] == Decimal("9623.48")
    # Lines in report order (the seed's sort order), the net last; a month without postings is zero.
    assert list(pivot.loc["acme-us"].index) == ["Product sales", "Referral fees", "Storage fees", "Net"]
    assert pivot.loc[("acme-de", "Product sales"), "2026-02"] == Decimal("0.00")
    at.multiselect(key="pnl_stores").set_value(["acme-de"]).run()
    assert set(at.dataframe[0].value.index.get_level_values(0)) == {"acme-de"}
    at.select_slider(key="pnl_months").set_value((date(2026, 2, 1), date(2026, 2, 1))).run()
    assert list(at.dataframe[0].value.columns) == ["2026-02"]
    by_sku = at.dataframe[1].value
    assert list(by_sku.allocated_functional) == [Decimal("-1.56")]


def test_data_quality_page_lists_quarantined_files_with_reasons(warehouse):
    at = run_app("pages/data_quality.py")
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
    }
    assert launch.environment(settings, {})["ACORN_WAREHOUSE"] == str(tmp_path / "w.duckdb")
