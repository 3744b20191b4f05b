"""The Books page on a hand-made books warehouse: trial balance, drill-down to the archived file and line, the CAS
tables and the voucher preview with its download."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import books_queries
from tests.helpers.books_warehouse import SETTLEMENT_SHA, build_books_warehouse
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
    return app_as("auditor", "pages/books.py")


def test_queries_keep_decimals_and_lead_from_a_journal_line_to_the_file_line(warehouse):
    wh = str(warehouse)
    assert books_queries.books_periods(wh) == ["2026-09", "2026-08"]
    overview = books_queries.period_overview(wh, "2026-08")
    assert (overview.entries, overview.lines, overview.unbalanced, overview.closed) == (3, 9, 0, False)
    assert overview.debit == overview.credit == Decimal("13851.78")
    commission = books_queries.line_sources(wh, "settlement:1001:2026-08:2")
    assert list(commission["file_name"]) == ["settlement_1001.txt"] and list(commission["source_line"]) == [4]
    assert commission.iloc[0]["amount"] == Decimal("-150.00") and commission.iloc[0]["source_file_sha256"] == SETTLEMENT_SHA
    preview = books_queries.voucher_preview(wh, "2026-08")
    assert list(preview.columns[:9]) == ["日期", "凭证字", "凭证号", "附单据数", "摘要", "科目代码", "科目名称", "借方金额", "贷方金额"]
    assert sum(preview["借方金额"]) == sum(preview["贷方金额"]) == Decimal("13851.78")
    allocation = books_queries.cas_table(wh, "成本分摊表", "2026-08")
    assert list(allocation["internal_sku"]) == ["ACN-1001"]
    assert books_queries.cas_table(wh, "成本分摊表", "2026-09").empty


def test_the_page_drills_from_an_account_to_the_archived_file(warehouse):
    at = books_page()
    at.selectbox(key="books_period").select("2026-08").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Entries 分录"] == "3" and metrics["Unbalanced 不平衡"] == "0"
    assert metrics["Debits 借方合计"] == metrics["Credits 贷方合计"] == "13,851.78"
    assert any("Every entry of 2026-08 balances" in s.value for s in at.success)
    at.selectbox(key="books_account").select("6601.01").run()
    at.selectbox(key="books_entry").select("settlement:1001:2026-08").run()
    at.selectbox(key="books_line").select("settlement:1001:2026-08:2").run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [frame.value for frame in at.dataframe]
    sources = next(f for f in frames if "file_name" in f.columns)
    assert list(sources["file_name"]) == ["settlement_1001.txt"] and list(sources["source_line"]) == [4]
    assert any("6918.89" in f.astype(str).to_string() for f in frames if "科目代码" in f.columns)


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


def test_a_store_scoped_user_is_shown_no_books(warehouse):
    # Its queries are not filtered by store yet: a scoped auditor must see nothing of other stores.
    at = app_as("audit-de", "pages/books.py")
    assert any("not yet filtered by store" in w.value for w in at.warning)
    assert not at.metric and not at.dataframe
