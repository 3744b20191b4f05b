"""The Money-at-risk page on hand-made marts: every section, acknowledge / resolve written for the loader, and
"no data yet" where a seller mart is not built."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import risk_queries
from tests.helpers.alerts_warehouse import (
    ACKNOWLEDGED,
    SELLER_CLAIM,
    SELLER_LOSS,
    SELLER_MARTS,
    VENDOR_OVERDUE,
    build_alerts_warehouse,
)
from tests.helpers.dashboard_users import app_as
from tests.helpers.paths import REPO

APP = str(REPO / "dashboards" / "app.py")
ALERTS = [SELLER_LOSS, SELLER_CLAIM, VENDOR_OVERDUE, ACKNOWLEDGED]


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch, fresh_streamlit_cache) -> Path:
    monkeypatch.setenv("ACORN_INBOX", str(tmp_path / "inbox"))
    return tmp_path / "inbox"


def page(warehouse: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("ACORN_WAREHOUSE", str(warehouse))
    return app_as("operations", "pages/money_at_risk.py")


def test_every_section_shows_its_mart(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)
    at = page(warehouse, monkeypatch)
    frames = [f.value for f in at.dataframe]
    alerts, refunds, store_rates, sku_rates, by_state, claims, opportunities = frames
    assert list(alerts["alert_id"]) == [SELLER_LOSS["alert_id"], SELLER_CLAIM["alert_id"], VENDOR_OVERDUE["alert_id"]]
    assert refunds.loc[refunds.store_id == "acme-us", "net_cost"].item() == Decimal("0.36")  # exact, not 0.36000001
    assert list(store_rates["week_start"].astype(str)) == ["2026-01-05"]  # the latest week only
    assert sku_rates["change_vs_baseline"].item() == Decimal("2.2000")
    assert claims.iloc[0]["filing_deadline"].isoformat() == "2026-01-09" and claims.iloc[0]["days_to_deadline"] == 4
    assert set(by_state["state"]) == {"open", "not_filed"}
    assert opportunities["case_id"].iloc[0] == "CASE-77" and pd.isna(opportunities["case_id"].iloc[1])
    assert not [i.value for i in at.info], "every mart is there: no 'no data yet'"


def test_the_cases_csv_lists_each_opportunity_with_its_case_id(tmp_path, inbox):
    warehouse = str(build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS))
    data = risk_queries.cases_to_file_csv(risk_queries.reimbursement_opportunities(warehouse))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["opportunity_id"], r["case_id"], r["amount"]) for r in rows] == [
        ("reimbursement_reversed:R-9", "CASE-77", "12.34"), ("refund_not_returned:111-1:WIDGET-1", "", "0.10")]


def test_acknowledge_writes_a_state_file_into_the_inbox(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)
    at = page(warehouse, monkeypatch)
    at.selectbox(key="risk_alert").set_value(SELLER_CLAIM["alert_id"])
    at.text_input(key="risk_who").input("li.wei")
    at.text_input(key="risk_note").input("已联系买家")
    next(b for b in at.button if b.label == "确认 Acknowledge").click().run()
    assert not at.exception
    (written,) = (inbox / "alert_states").glob("*.jsonl")
    record = json.loads(written.read_text(encoding="utf-8"))
    assert {k: record[k] for k in ("alert_id", "state", "changed_by", "note")} == {
        "alert_id": SELLER_CLAIM["alert_id"], "state": "acknowledged", "changed_by": "li.wei", "note": "已联系买家"}
    assert any("已记录" in s.value for s in at.success)


def test_sections_whose_mart_is_missing_say_no_data_yet(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS)
    at = page(warehouse, monkeypatch)
    assert len(at.dataframe) == 1  # the alerts
    assert sum("No data yet" in i.value for i in at.info) == 5  # refunds, two rate tabs, claims, opportunities


def test_a_store_scoped_user_is_shown_no_money_at_risk(tmp_path, inbox, monkeypatch):
    # Its queries are not filtered by store yet: a scoped operations user must see nothing of other stores.
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)
    monkeypatch.setenv("ACORN_WAREHOUSE", str(warehouse))
    at = app_as("ops-us", "pages/money_at_risk.py")
    assert any("not yet filtered by store" in w.value for w in at.warning)
    assert not at.dataframe and not at.button
