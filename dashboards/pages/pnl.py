"""Monthly P&L by store, in the functional currency."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboards import queries, ui

st.title("Monthly P&L")

warehouse = ui.warehouse()
options = ui.load(queries.pnl_options, warehouse)
if not options.stores:
    st.info("No P&L yet. Run `acorn run` with settlement files in the inbox.")
    st.stop()
currency = options.functional_currency
MONEY = st.column_config.NumberColumn(format="%.2f")

st.caption(
    f"Settlement amounts by P&L line, converted to the functional currency ({currency}) at the "
    "rate of each posting date. Fees Amazon charges without naming a SKU are allocated to SKUs."
)

st.sidebar.header("Filters")
stores = tuple(st.sidebar.multiselect("Store", options.stores, placeholder="All stores", key="pnl_stores"))
month_from, month_to = ui.date_range("Months between", options.first_month, options.last_month, key="pnl_months")
ui.refresh_button()

by_month = ui.load(queries.pnl_by_month, warehouse, stores, month_from, month_to)
if by_month.empty:
    st.info("No P&L rows match these filters.")
    st.stop()
by_month["month"] = by_month["month"].map(lambda d: d.strftime("%Y-%m"))
lines = by_month[by_month.pnl_line != "Net"]

# Plotly only draws: floats are fine here, the table below shows the exact amounts.
chart = px.bar(
    lines.assign(amount=lines.amount_functional.astype(float)),
    x="month",
    y="amount",
    color="pnl_line",
    facet_col="store_id",
    facet_col_wrap=2,
    barmode="relative",
    labels={"amount": f"Amount ({currency})", "month": "Month", "pnl_line": "P&L line"},
)
st.plotly_chart(chart, width="stretch")

st.subheader(f"P&L by store and month ({currency})")
pivot = by_month.pivot(index=["store_id", "pnl_line"], columns="month", values="amount_functional")
pivot = pivot.reindex(by_month[["store_id", "pnl_line"]].drop_duplicates().itertuples(index=False))
st.dataframe(
    pivot.astype(object).where(pivot.notna(), None),
    width="stretch",
    column_config={month: MONEY for month in pivot.columns},
)

st.subheader(f"By SKU for the selected months ({currency})")
by_sku = ui.load(queries.pnl_by_sku, warehouse, stores, month_from, month_to)
st.dataframe(
    by_sku,
    hide_index=True,
    width="stretch",
    column_config={
        "amount_functional": MONEY,
        "allocated_functional": st.column_config.NumberColumn(
            "allocated", format="%.2f", help="Part of the amount that came from allocated fees"
        ),
    },
)
