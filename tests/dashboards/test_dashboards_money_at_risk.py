"""The Money-at-risk page on hand-made marts: every section, acknowledge / resolve written for the loader under the
logged-in user, "no data yet" where a seller mart is not built, and a store-scoped user's page holding only their
stores."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config.settings import Settings
from dashboards import access_log, risk_queries
from dashboards.scope import EVERYTHING, Scope
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
    return app_as("operations", "views/money_at_risk.py")


def test_every_section_shows_its_mart(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)
    at = page(warehouse, monkeypatch)
    assert at.title[0].value == "Money at risk"
    frames = [f.value for f in at.dataframe]
    alerts, refunds, store_rates, sku_rates, by_state, claims, opportunities = frames
    assert list(alerts["alert_id"]) == [SELLER_LOSS["alert_id"], SELLER_CLAIM["alert_id"], VENDOR_OVERDUE["alert_id"]]
    assert list(alerts["alert_type"])[:2] == ["daily net loss", "A-to-z claim"]  # names from the catalogue
    assert "message_zh" not in alerts.columns or not alerts["message_zh"].str.contains("净亏损").any()
    assert refunds.loc[refunds.store_id == "acme-us", "net_cost"].item() == "0.36"  # exact, not 0.36000001
    assert list(store_rates["week_start"]) == ["2026-01-05"]  # the latest week only
    assert sku_rates["change_vs_baseline"].item() == "220.0%" and sku_rates["refund_rate"].item() == "16.0%"
    assert claims.iloc[0]["filing_deadline"] == "2026-01-09" and claims.iloc[0]["days_to_deadline"] == "4"
    assert set(by_state["state"]) == {"open", "not filed"}
    assert list(opportunities["case_id"]) == ["CASE-77", ""]
    assert not [i.value for i in at.info], "every mart is there: no 'no data yet'"


def test_the_cases_come_in_the_case_forms_order_with_their_case_id(tmp_path, inbox):
    warehouse = str(build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS))
    cases = risk_queries.reimbursement_opportunities(warehouse, EVERYTHING)
    assert list(cases.columns[:3]) == ["opportunity_id", "case_id", "opportunity_type"]
    assert [(r.opportunity_id, r.amount) for r in cases.itertuples()] == [
        ("reimbursement_reversed:R-9", Decimal("12.34")), ("refund_not_returned:111-1:WIDGET-1", Decimal("0.10"))]
    assert list(cases["case_id"].fillna("")) == ["CASE-77", ""]


def test_acknowledge_records_the_logged_in_user_in_the_inbox(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)
    at = page(warehouse, monkeypatch)
    assert not [i for i in at.text_input if i.key == "risk_who"], "nobody types who they are"
    at.selectbox(key="risk_alert").set_value(SELLER_CLAIM["alert_id"])
    at.text_input(key="risk_note").input("已联系买家")
    next(b for b in at.button if b.label == "Acknowledge").click().run()
    assert not at.exception
    (written,) = (inbox / "alert_states").glob("*.jsonl")
    record = json.loads(written.read_text(encoding="utf-8"))
    assert {k: record[k] for k in ("alert_id", "state", "changed_by", "note")} == {
        "alert_id": SELLER_CLAIM["alert_id"], "state": "acknowledged", "changed_by": "operations", "note": "已联系买家"}
    assert any("Recorded" in s.value for s in at.success)
    logged = [(e.event, e.username, e.what) for e in access_log.events(Settings.from_env().access_log)]
    assert ("alert_state", "operations", f"{SELLER_CLAIM['alert_id']} → acknowledged") in logged


def test_an_auditor_reads_the_alerts_but_cannot_change_them(tmp_path, inbox, monkeypatch):
    monkeypatch.setenv("ACORN_WAREHOUSE", str(build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)))
    at = app_as("auditor", "views/money_at_risk.py")
    assert at.dataframe and not [b for b in at.button if b.label in ("Acknowledge", "Resolve")]


def test_sections_whose_mart_is_missing_say_no_data_yet(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS)
    at = page(warehouse, monkeypatch)
    assert len(at.dataframe) == 1  # the alerts
    assert sum("No data yet" in i.value for i in at.info) == 5  # refunds, two rate tabs, claims, opportunities


def test_a_store_scoped_user_sees_only_their_stores_money_at_risk(tmp_path, inbox, monkeypatch):
    warehouse = build_alerts_warehouse(tmp_path / "acorn.duckdb", ALERTS, SELLER_MARTS)
    us = Scope(("acme-us",), ("acme-vendor-na",))
    assert list(risk_queries.alerts(str(warehouse), us)["alert_id"]) == [SELLER_LOSS["alert_id"]]
    assert list(risk_queries.alerts(str(warehouse), Scope((), ("vendor-eu",)))["alert_id"]) == [VENDOR_OVERDUE["alert_id"]]
    monkeypatch.setenv("ACORN_WAREHOUSE", str(warehouse))
    at = app_as("ops-us", "views/money_at_risk.py")
    assert len(at.dataframe) == 7 and not [w.value for w in at.warning]
    shown = "\n".join(f.value.to_string() for f in at.dataframe)
    assert "acme-us" in shown and "612.40" in shown
    for other in ("acme-de", "89.90", "94.90", "GADGET-9", "302-1", "INV-77", "1,234.50"):
        assert other not in shown, other
    labels = at.selectbox(key="risk_alert").options
    assert len(labels) == 1 and SELLER_LOSS["alert_id"] in labels[0]
