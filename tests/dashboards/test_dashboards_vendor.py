"""The Vendor Central page on the generated vendor data set built by dbt: the PO chain answers
"where is my money" for every PO, and the aging, deduction, forecast and alert sections show the marts' figures."""
from __future__ import annotations

from decimal import Decimal

import pytest

from dashboards import po_blockers, vendor_queries
from dashboards.scope import EVERYTHING
from tests.helpers.dashboard_users import app_as
from tests.helpers.vendor_world import VendorWarehouse, query

pytestmark = pytest.mark.slow


@pytest.fixture
def built(vendor_warehouse: VendorWarehouse) -> VendorWarehouse:
    return vendor_warehouse


@pytest.fixture(autouse=True)
def _environment(built: VendorWarehouse, monkeypatch, fresh_streamlit_cache):
    monkeypatch.setenv("ACORN_WAREHOUSE", str(built.settings.warehouse))


def vendor_page():
    return app_as("auditor", "views/vendor.py")


def test_the_po_chain_answers_for_every_po(built: VendorWarehouse) -> None:
    at = vendor_page()
    selector = at.selectbox(key="vendor_po")
    purchase_orders = [po["purchase_order_number"] for po in built.answer_key["purchase_orders"]]
    assert sorted(selector.options) == sorted(purchase_orders)
    for po in purchase_orders:
        at.selectbox(key="vendor_po").set_value(po).run()
        assert not at.exception, (po, [e.value for e in at.exception])
        metrics = {m.label: m.value for m in at.metric}
        currency = next(p["currency"] for p in built.answer_key["purchase_orders"] if p["purchase_order_number"] == po)
        assert {f"{label} ({currency})" for label in ("Ordered", "Received", "Invoiced", "Paid", "Deducted", "Outstanding")} <= set(metrics), po
        lines = query(built.settings, "select count(*) from marts.fct_po_lifecycle where purchase_order_number = ?", [po])[0][0]
        steps = at.dataframe[1].value
        assert list(steps.step) == ["ordered", "acknowledged", "shipped", "received", "invoiced", "paid"], po
        assert len(at.dataframe[2].value) == lines, po


def situation(built: VendorWarehouse, kind: str) -> dict:
    return next(s for s in built.answer_key["situations"] if s["kind"] == kind)


def test_each_step_of_a_po_has_its_date_and_quantity_and_what_blocks_the_next(built: VendorWarehouse) -> None:
    warehouse = str(built.settings.warehouse)
    transit = situation(built, "shipment_in_transit")
    steps = vendor_queries.po_steps(warehouse, EVERYTHING, transit["purchase_order_number"]).set_index("step")
    assert steps.loc["shipped", "quantity"] == transit["shipped_quantity"] and steps.loc["received", "quantity"] == 0
    assert str(steps.loc["shipped", "reached_on"]) == transit["shipped_at"][:10]
    def blockers(po: str, lang: str = "en") -> list[str]:
        return po_blockers.texts(vendor_queries.po_blockers(warehouse, EVERYTHING, po), lang)

    assert blockers(transit["purchase_order_number"]) == [
        f"{transit['shipped_quantity']} units in transit (estimated delivery {transit['estimated_delivery_at'][:10]})"]
    assert blockers(transit["purchase_order_number"], "zh") == [
        f"{transit['shipped_quantity']} 件在途（预计 {transit['estimated_delivery_at'][:10]} 送达）"]
    hold = situation(built, "invoice_compliance_hold")
    assert blockers(hold["purchase_order_number"]) == [
        "Invoice held back: line 1: VAT registration number of vendor ACMD1 is required in DE and not configured"]
    assert blockers(hold["purchase_order_number"], "zh") == ["发票被拦截：第 1 行：DE 要求供应商 ACMD1 的 VAT 登记号，但尚未配置"]
    partly = situation(built, "partly_invoiced")
    assert blockers(partly["purchase_order_number"])[0] == (
        f"{partly['remaining_quantity']} units received and not invoiced: acorn vendor-invoices offers them")
    overdue = situation(built, "invoice_overdue")
    assert blockers(overdue["purchase_order_number"]) == [
        f"Waiting for payment of {overdue['invoice_number']} (overdue, due {overdue['due_date']})"]
    assert blockers(overdue["purchase_order_number"], "zh") == [
        f"等待付款：{overdue['invoice_number']}（逾期，到期 {overdue['due_date']}）"]


def test_an_overdue_po_says_how_much_is_still_to_come(built: VendorWarehouse) -> None:
    overdue = next(s for s in built.answer_key["situations"] if s["kind"] == "invoice_overdue" and s["marketplace"] == "ca")
    at = vendor_page()
    at.selectbox(key="vendor_po").set_value(overdue["purchase_order_number"]).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Outstanding (CAD)"] == f"{Decimal(overdue['amount']):,.2f} CAD"
    assert any("still to come" in m.value and "overdue" in m.value for m in at.markdown)


def test_po_money_is_exact_and_ties_to_the_marts(built: VendorWarehouse) -> None:
    chargeback = next(s for s in built.answer_key["situations"] if s["kind"] == "chargeback")
    money = vendor_queries.po_money(str(built.settings.warehouse), EVERYTHING, chargeback["purchase_order_number"])
    row = money.iloc[0]
    assert row.currency == "USD" and row.deducted == Decimal(chargeback["amount"]) and isinstance(row.paid, Decimal)
    assert row.invoiced == row.paid and row.outstanding == 0


def test_alerts_aging_deductions_and_forecast_sections(built: VendorWarehouse) -> None:
    at = vendor_page()
    warehouse = str(built.settings.warehouse)
    alerts = vendor_queries.open_alerts(warehouse, EVERYTHING)
    assert len(alerts) == len(built.answer_key["expected_alerts"])
    assert len(at.dataframe[0].value) == len(alerts)
    aging = vendor_queries.invoice_aging(warehouse, EVERYTHING)
    assert list(aging.aging_bucket.unique()) == ["not_due", "31-60"]  # buckets in their seed order
    by_type = vendor_queries.deductions_by_type(warehouse, EVERYTHING)
    assert set(by_type.deduction_type) == {"shortage_claim", "shortage_claim_reversal", "chargeback", "price_claim", "coop"}
    forecast = vendor_queries.cashflow_forecast(warehouse, EVERYTHING, ("Amazon.de",))
    assert set(forecast.marketplace_name) == {"Amazon.de"}
    assert len(at.get("plotly_chart")) == 1


def test_a_vendor_account_scope_filters_every_vendor_query(built: VendorWarehouse) -> None:
    from dashboards.scope import Scope

    warehouse, na = str(built.settings.warehouse), Scope(stores=(), vendor_accounts=("acme-vendor-na",))
    codes = {c for (c,) in query(built.settings, "select distinct vendor_code from marts.fct_po_lifecycle "
                                                 "where account_id = 'acme-vendor-na'")}  # fmt: skip
    options = vendor_queries.vendor_options(warehouse, na)
    assert options.purchase_orders and "Amazon.de" not in options.marketplaces
    for po in options.purchase_orders:
        assert set(vendor_queries.po_lines(warehouse, na, po).vendor_code) <= codes
    everyone = vendor_queries.vendor_options(warehouse, EVERYTHING)
    other = next(po for po in everyone.purchase_orders if po not in options.purchase_orders)
    assert vendor_queries.po_lines(warehouse, na, other).empty and vendor_queries.po_money(warehouse, na, other).empty
    assert vendor_queries.po_invoices(warehouse, na, other).empty and vendor_queries.po_deductions(warehouse, na, other).empty
    assert "Amazon.de" not in set(vendor_queries.open_alerts(warehouse, na).marketplace_name)
    assert vendor_queries.cashflow_forecast(warehouse, na).empty
    nothing = Scope(stores=("acme-us",), vendor_accounts=())
    assert not vendor_queries.vendor_options(warehouse, nothing).purchase_orders
    at = app_as("ops-us", "views/vendor.py")
    shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    assert "Amazon.de" not in shown and "ACMD1" not in shown
