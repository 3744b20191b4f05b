"""Vendor Central: where is the money of each PO, what is overdue, what was deducted, what cash is coming."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboards import po_blockers, ui, vendor_queries
from dashboards.i18n import t
from dashboards.tables import Spec

viewer = ui.viewer()
scope = viewer.scope
st.title(t("vendor.title"))
warehouse = ui.warehouse()
options = ui.load(vendor_queries.vendor_options, warehouse, scope)
if not options.purchase_orders:
    st.info(t("vendor.empty"))
    st.stop()
fc = options.functional_currency
st.caption(t("vendor.caption", day=str(options.as_of)))

st.sidebar.header(t("filters"))
marketplaces = tuple(st.sidebar.multiselect(t("filter.marketplace"), options.marketplaces,
                                            placeholder=t("filter.all_marketplaces"), key="vendor_markets"))  # fmt: skip
ui.refresh_button()

st.subheader(t("vendor.alerts"))
alerts = ui.load(vendor_queries.open_alerts, warehouse, scope, marketplaces)
if alerts.empty:
    st.success(t("vendor.no_alerts"))
else:
    ui.table(alerts, "vendor_alerts", Spec(money=("amount",), currency_column="currency",
                                           names={"severity": "severity", "alert_type": "alert_type"}))  # fmt: skip

st.subheader(t("vendor.where_is_my_money"))
po = st.selectbox(t("vendor.po"), options.purchase_orders, key="vendor_po")
if po is not None:
    money = ui.load(vendor_queries.po_money, warehouse, scope, po)
    for row in money.itertuples(index=False):
        columns = st.columns(6)
        for column, (label, amount) in zip(columns, (
            ("ordered", row.ordered), ("received", row.received), ("invoiced", row.invoiced),
            ("paid", row.paid), ("deducted", row.deducted), ("outstanding", row.outstanding),
        )):  # fmt: skip
            column.metric(f"{t(f'vendor.kpi.{label}')} ({row.currency})", ui.money(amount, row.currency))
        if row.outstanding and row.outstanding > 0:
            st.write(t("vendor.still_to_come", amount=ui.money(row.outstanding, row.currency),
                       statuses=row.invoice_statuses, day=str(row.next_expected_payment)))  # fmt: skip
    steps = ui.load(vendor_queries.po_steps, warehouse, scope, po)
    st.markdown(f"**{t('vendor.steps')}**")
    ui.table(steps.drop(columns=["step_order"]), "po_steps", Spec())
    blockers = ui.load(vendor_queries.po_blockers, warehouse, scope, po)
    for blocker in po_blockers.texts(blockers):
        st.warning(blocker)
    lines = ui.load(vendor_queries.po_lines, warehouse, scope, po)
    st.markdown(f"**{t('vendor.lines')}**")
    ui.table(lines, "po_lines", Spec(money=("ordered_amount", "received_amount", "invoiced_amount", "paid_amount",
                                            "outstanding_amount"), currency_column="currency",
                                     names={"current_stage": "stage"}))  # fmt: skip
    invoices = ui.load(vendor_queries.po_invoices, warehouse, scope, po)
    st.markdown(f"**{t('vendor.invoices')}**")
    if invoices.empty:
        st.info(t("vendor.no_invoice"))
    else:
        ui.table(invoices, "po_invoices", Spec(money=("invoice_amount", "paid_amount", "discount_taken",
                                                      "deduction_amount", "outstanding_amount"),
                                               currency_column="currency", names={"status": "invoice_status"}))  # fmt: skip
    deductions = ui.load(vendor_queries.po_deductions, warehouse, scope, po)
    st.markdown(f"**{t('vendor.deductions')}**")
    if deductions.empty:
        st.info(t("vendor.no_deduction"))
    else:
        ui.table(deductions, "po_deductions", Spec(money=("amount",), currency_column="currency",
                                                   names={"deduction_type": "deduction_type"}))  # fmt: skip

aging_column, deductions_column = st.columns(2)
with aging_column:
    st.subheader(t("vendor.aging"))
    aging = ui.load(vendor_queries.invoice_aging, warehouse, scope, marketplaces)
    if aging.empty:
        st.info(t("vendor.nothing_outstanding"))
    else:
        ui.table(aging, "invoice_aging", Spec(money=("outstanding",), currency_column="currency",
                                              hidden=("functional_currency",), functional=("outstanding_functional",),
                                              functional_currency=fc))  # fmt: skip
with deductions_column:
    st.subheader(t("vendor.deductions_by_type"))
    by_type = ui.load(vendor_queries.deductions_by_type, warehouse, scope, marketplaces)
    if by_type.empty:
        st.info(t("vendor.no_deductions"))
    else:
        ui.table(by_type, "deductions_by_type", Spec(money=("amount",), currency_column="currency",
                                                     names={"deduction_type": "deduction_type"},
                                                     hidden=("functional_currency",), functional=("amount_functional",),
                                                     functional_currency=fc))  # fmt: skip

st.subheader(t("vendor.forecast"))
forecast = ui.load(vendor_queries.cashflow_forecast, warehouse, scope, marketplaces)
if viewer.scoped:
    st.info(t("vendor.forecast_scoped"))
elif forecast.empty:
    st.info(t("vendor.no_forecast"))
else:
    # Plotly only draws: floats are fine here, the table shows the exact amounts.
    chart = px.bar(
        forecast.assign(amount=forecast.expected_amount_functional.astype(float)),
        x="week_start", y="amount", color="marketplace_name", color_discrete_sequence=px.colors.qualitative.Alphabet,
        labels={"week_start": t("vendor.axis.week"), "amount": t("vendor.axis.expected", currency=fc),
                "marketplace_name": t("col.marketplace_name")},
    )  # fmt: skip
    st.plotly_chart(chart, width="stretch")
    ui.table(forecast, "cashflow_forecast", Spec(money=("expected_amount", "overdue_amount"), currency_column="currency",
                                                 hidden=("functional_currency",),
                                                 functional=("expected_amount_functional",), functional_currency=fc))  # fmt: skip
