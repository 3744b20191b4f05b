"""The Books page on a hand-made books warehouse: trial balance, drill-down to the archived file and line, the CAS
tables and the voucher preview with its download; a store-scoped user's books hold only their store."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import books_queries
from dashboards.scope import EVERYTHING, Scope
from tests.helpers.books_warehouse import DE_ENTRIES, ENTRIES, SETTLEMENT_SHA, build_books_warehouse
from tests.helpers.dashboard_users import app_as
from tests.helpers.paths import REPO

pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")

APP = str(REPO / "dashboards" / "app.py")


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = build_books_warehouse(tmp_path / "acorn.duckdb")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def books_page() -> AppTest:
    # An auditor: the Books page and the archive download are theirs, in English (the demo's finance user reads 中文).
    return app_as("auditor", "views/books.py")


def test_queries_keep_decimals_and_lead_from_a_journal_line_to_the_file_line(warehouse):
    wh = str(warehouse)
    assert books_queries.books_periods(wh, EVERYTHING) == ["2026-09", "2026-08"]
    overview = books_queries.period_overview(wh, EVERYTHING, "2026-08")
    assert (overview.entries, overview.lines, overview.unbalanced, overview.closed) == (3, 9, 0, False)
    assert overview.debit == overview.credit == Decimal("13851.78")
    commission = books_queries.line_sources(wh, EVERYTHING, "settlement:1001:2026-08:2")
    assert list(commission["file_name"]) == ["settlement_1001.txt"] and list(commission["source_line"]) == [4]
    assert commission.iloc[0]["amount"] == Decimal("-150.00") and commission.iloc[0]["source_file_sha256"] == SETTLEMENT_SHA
    preview = books_queries.voucher_preview(wh, EVERYTHING, "2026-08")
    assert list(preview.columns[:9]) == ["日期", "凭证字", "凭证号", "附单据数", "摘要", "科目代码", "科目名称", "借方金额", "贷方金额"]
    assert sum(preview["借方金额"]) == sum(preview["贷方金额"]) == Decimal("13851.78")
    allocation = books_queries.cas_table(wh, EVERYTHING, "成本分摊表", "2026-08")
    assert list(allocation["internal_sku"]) == ["ACN-1001"]
    assert books_queries.cas_table(wh, EVERYTHING, "成本分摊表", "2026-09").empty


def test_the_page_drills_from_an_account_to_the_archived_file(warehouse):
    at = books_page()
    at.selectbox(key="books_period").select("2026-08").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Entries"] == "3" and metrics["Unbalanced"] == "0"
    assert metrics["Debits (CNY)"] == metrics["Credits (CNY)"] == "13,851.78 CNY"
    assert any("Every entry of 2026-08 balances" in s.value for s in at.success)
    at.selectbox(key="books_account").select("6601.01").run()
    at.selectbox(key="books_entry").select("settlement:1001:2026-08").run()
    at.selectbox(key="books_line").select("settlement:1001:2026-08:2").run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [frame.value for frame in at.dataframe]
    sources = next(f for f in frames if "file_name" in f.columns)
    assert list(sources["file_name"]) == ["settlement_1001.txt"] and list(sources["source_line"]) == ["4"]
    # The voucher preview: Kingdee's columns, money in the functional currency's minor units with separators.
    assert "6,918.89" in next(f for f in frames if "科目代码" in f.columns)["贷方金额"].tolist()


def test_a_cogs_line_says_it_summarises_no_ledger_line(warehouse):
    at = books_page()
    at.selectbox(key="books_period").select("2026-08").run()
    at.selectbox(key="books_account").select("6401").run()
    assert any("summarises no ledger line" in i.value for i in at.info)


def test_without_books_marts_the_page_says_what_to_run(tmp_path, monkeypatch):
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("ACORN_WAREHOUSE", str(empty))
    at = books_page()
    assert any("marts are not built yet" in i.value for i in at.info)


@pytest.fixture
def two_stores(tmp_path, monkeypatch) -> Path:
    path = build_books_warehouse(tmp_path / "acorn.duckdb", ENTRIES + DE_ENTRIES)
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def test_a_scoped_trial_balance_is_computed_from_the_stores_journal_lines(two_stores):
    wh, de = str(two_stores), Scope(("acme-de",), ())
    balances = books_queries.trial_balance(wh, de, "2026-09")
    rows = {r.account_code: (r.opening_balance, r.debit, r.credit, r.closing_balance) for r in balances.itertuples()}
    assert rows == {
        "1122.01": (Decimal("777.77"), Decimal("222.22"), Decimal("0.00"), Decimal("999.99")),
        "6001": (Decimal("-777.77"), Decimal("0.00"), Decimal("222.22"), Decimal("-999.99")),
    }
    assert books_queries.period_overview(wh, de, "2026-08").debit == Decimal("777.77")
    assert set(books_queries.voucher_preview(wh, de, "2026-08")["店铺"]) == {"acme-de"}
    # Another store's lines and their evidence are out of reach even by id.
    assert books_queries.entry_lines(wh, de, "settlement:1001:2026-08").empty
    assert books_queries.line_sources(wh, de, "settlement:1001:2026-08:2").empty
    assert books_queries.account_entries(wh, de, "2026-08", "6601.01").empty
    for title in books_queries.CAS_TABLES:  # the hand-made CAS rows all belong to acme-us
        assert books_queries.cas_table(wh, de, title, "2026-08").empty, title
    assert not books_queries.cas_table(wh, EVERYTHING, "汇兑损益明细", "2026-08").empty


def test_a_store_scoped_finance_user_sees_only_their_stores_books_in_chinese(two_stores):
    at = app_as("finance-de", "views/books.py")
    assert at.title[0].value == "账簿"
    metrics = {m.label: m.value for m in at.metric}  # the latest period, 2026-09
    assert metrics["分录"] == "1" and metrics["借方合计（CNY）"] == "222.22 CNY"
    balances = at.dataframe[0].value
    assert list(balances["opening_balance"]) == ["777.77", "-777.77"]
    assert list(balances["closing_balance"]) == ["999.99", "-999.99"]
    for period, own in (("2026-09", "222.22"), ("2026-08", "777.77")):
        at.selectbox(key="books_period").select(period).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = "\n".join(f.value.to_string() for f in at.dataframe)
        assert own in shown and "acme-de" in shown
        for other in ("acme-us", "1,000.00", "5,633.71", "6,918.89", "1,283.40", "1,070.97"):
            assert other not in shown, (period, other)
        assert not [w.value for w in at.warning]


VENDOR_ENTRIES = [
    ("vendor_invoice:ACME1:INV-7", "2026-09", date(2026, 9, 5), "ACME1", "vendor_invoice", "INV-7",
     "亚马逊供应商发票 INV-7", SETTLEMENT_SHA, [
         ("1122.01", "444.44", "0", "USD", "62.00", "7.16838710"),
         ("6001", "0", "444.44", "USD", "-62.00", "7.16838710"),
     ]),
]


@pytest.fixture
def with_vendor_money(tmp_path, monkeypatch) -> Path:
    import duckdb

    path = build_books_warehouse(tmp_path / "acorn.duckdb", ENTRIES + VENDOR_ENTRIES)
    with duckdb.connect(str(path)) as con:
        con.execute("insert into marts.fct_po_lifecycle values ('ACME1', 'acme-vendor-na')")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def test_vendor_money_is_in_scope_through_the_vendor_account_of_its_vendor_code(with_vendor_money):
    wh = str(with_vendor_money)
    vendor_only = Scope((), ("acme-vendor-na",))
    balances = books_queries.trial_balance(wh, vendor_only, "2026-09")
    assert {r.account_code: r.debit for r in balances.itertuples()} == {
        "1122.01": Decimal("444.44"), "6001": Decimal("0.00")}
    assert set(books_queries.voucher_preview(wh, vendor_only, "2026-09")["店铺"]) == {"ACME1"}
    # Neither a store-only viewer nor another vendor account's viewer reaches the vendor's lines.
    assert books_queries.entry_lines(wh, Scope(("acme-us",), ()), "vendor_invoice:ACME1:INV-7").empty
    assert books_queries.entry_lines(wh, Scope((), ("acme-vendor-eu",)), "vendor_invoice:ACME1:INV-7").empty
    assert not books_queries.entry_lines(wh, vendor_only, "vendor_invoice:ACME1:INV-7").empty
