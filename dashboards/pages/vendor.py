"""Vendor Central: where is the money of each PO, what is overdue, what was deducted, what cash is coming."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboards import ui, vendor_queries

MONEY = st.column_config.NumberColumn(format="%.2f")

st.title("Vendor Central")
warehouse = ui.warehouse()
options = ui.load(vendor_queries.vendor_options, warehouse)
if not options.purchase_orders:
    st.info("No purchase orders loaded yet. Sync a vendor account or run `acorn run` with Vendor Central exports.")
    st.stop()
st.caption(f"Purchase orders from order to payment, measured on {options.as_of}.")

st.sidebar.header("Filters")
marketplaces = tuple(
    st.sidebar.multiselect("Marketplace", options.marketplaces, placeholder="All marketplaces", key="vendor_markets")
)
ui.refresh_button()

st.subheader("Open alerts")
alerts = ui.load(vendor_queries.open_alerts, warehouse, marketplaces)
if alerts.empty:
    st.success("No open alerts.")
else:
    st.dataframe(alerts, hide_index=True, width="stretch", column_config={"amount": MONEY})

st.subheader("Where is my money for this PO?")
po = st.selectbox("Purchase order", options.purchase_orders, key="vendor_po")
if po is not None:
    money = ui.load(vendor_queries.po_money, warehouse, po)
    for row in money.itertuples(index=False):
        columns = st.columns(6)
        for column, (label, amount) in zip(columns, (
            ("Ordered", row.ordered), ("Received", row.received), ("Invoiced", row.invoiced),
            ("Paid", row.paid), ("Deducted", row.deducted), ("Outstanding", row.outstanding),
        )):  # fmt: skip
            column.metric(f"{label} ({row.currency})", ui.money(amount, row.currency))
        if row.outstanding and row.outstanding > 0:
            st.write(
                f"**{ui.money(row.outstanding, row.currency)}** still to come "
                f"(invoices: {row.invoice_statuses}; next expected {row.next_expected_payment})."
            )
    steps = ui.load(vendor_queries.po_steps, warehouse, po)
    st.markdown("**Ordered → acknowledged → shipped → received → invoiced → paid**")
    st.dataframe(steps.drop(columns=["step_order"]), hide_index=True, width="stretch")
    blockers = ui.load(vendor_queries.po_blockers, warehouse, po)
    for blocker in blockers.blocker:
        st.warning(blocker)
    lines = ui.load(vendor_queries.po_lines, warehouse, po)
    st.markdown("**Lines**")
    st.dataframe(
        lines,
        hide_index=True,
        width="stretch",
        column_config={
            name: MONEY
            for name in ("ordered_amount", "received_amount", "invoiced_amount", "paid_amount", "outstanding_amount")
        },
    )
    invoices = ui.load(vendor_queries.po_invoices, warehouse, po)
    st.markdown("**Invoices and payments**")
    if invoices.empty:
        st.info("No invoice bills this PO yet.")
    else:
        st.dataframe(
            invoices,
            hide_index=True,
            width="stretch",
            column_config={
                name: MONEY
                for name in ("invoice_amount", "paid_amount", "discount_taken", "deduction_amount", "outstanding_amount")
            },
        )
    deductions = ui.load(vendor_queries.po_deductions, warehouse, po)
    st.markdown("**Deductions**")
    if deductions.empty:
        st.info("No deduction names this PO.")
    else:
        st.dataframe(deductions, hide_index=True, width="stretch", column_config={"amount": MONEY})

aging_column, deductions_column = st.columns(2)
with aging_column:
    st.subheader("Invoice aging")
    aging = ui.load(vendor_queries.invoice_aging, warehouse, marketplaces)
    if aging.empty:
        st.info("Nothing outstanding.")
    else:
        st.dataframe(
            aging, hide_index=True, width="stretch",
            column_config={"outstanding": MONEY, "outstanding_functional": MONEY},
        )  # fmt: skip
with deductions_column:
    st.subheader("Deductions by type")
    by_type = ui.load(vendor_queries.deductions_by_type, warehouse, marketplaces)
    if by_type.empty:
        st.info("No deductions.")
    else:
        st.dataframe(
            by_type, hide_index=True, width="stretch", column_config={"amount": MONEY, "amount_functional": MONEY}
        )

st.subheader("Cash-flow forecast")
forecast = ui.load(vendor_queries.cashflow_forecast, warehouse, marketplaces)
if forecast.empty:
    st.info("No open invoice: no receipts expected.")
else:
    # Plotly only draws: floats are fine here, the table shows the exact amounts.
    chart = px.bar(
        forecast.assign(amount=forecast.expected_amount_functional.astype(float)),
        x="week_start", y="amount", color="marketplace_name",
        labels={"week_start": "Week", "amount": f"Expected ({options.functional_currency})", "marketplace_name": ""},
    )  # fmt: skip
    st.plotly_chart(chart, width="stretch")
    st.dataframe(
        forecast, hide_index=True, width="stretch",
        column_config={name: MONEY for name in ("expected_amount", "overdue_amount", "expected_amount_functional")},
    )  # fmt: skip
