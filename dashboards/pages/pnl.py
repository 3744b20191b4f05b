"""Monthly P&L by store, in the functional currency."""
from __future__ import annotations

from decimal import Decimal

import plotly.express as px
import streamlit as st

from dashboards import queries, ui

MONEY = st.column_config.NumberColumn(format="%.2f")

st.title("Monthly P&L")

warehouse = ui.warehouse()
options = ui.load(queries.pnl_options, warehouse)
if not options.stores:
    st.info("No P&L yet. Run `acorn run` with settlement files in the inbox.")
    st.stop()
currency = options.functional_currency

st.caption(
    f"Settlement amounts by P&L line, converted to the functional currency ({currency}) at the "
    "rate of each posting date. Fees Amazon charges without naming a SKU are allocated to SKUs."
)

st.sidebar.header("Filters")
stores = tuple(st.sidebar.multiselect("Store", options.stores, placeholder="All stores", key="pnl_stores"))
month_from, month_to = st.sidebar.select_slider(
    "Months",
    options.months,
    value=(options.months[0], options.months[-1]),
    format_func=lambda month: month.strftime("%Y-%m"),
    key="pnl_months",
)
ui.refresh_button()

by_month = ui.load(queries.pnl_by_month, warehouse, stores, month_from, month_to)
if by_month.empty:
    st.info("No P&L rows match these filters.")
    st.stop()
by_month["month"] = by_month["month"].map(lambda d: d.strftime("%Y-%m"))
lines = by_month[by_month.pnl_line != "Net"]
line_order = list(lines.sort_values("pnl_sort_order", kind="stable").pnl_line.drop_duplicates())

# Plotly only draws: floats are fine here, the tables show the exact amounts.
chart = px.bar(
    lines.assign(amount=lines.amount_functional.astype(float)),
    x="month",
    y="amount",
    color="pnl_line",
    facet_col="store_id",
    facet_col_wrap=2,
    barmode="relative",
    category_orders={"pnl_line": line_order},
    labels={"amount": f"Amount ({currency})", "month": "Month", "pnl_line": "P&L line"},
)
chart.update_xaxes(type="category")
chart.for_each_annotation(lambda a: a.update(text=a.text.removeprefix("store_id=")))
st.plotly_chart(chart, width="stretch")

st.subheader(f"P&L by store and month ({currency})")
rows = by_month[["store_id", "pnl_line"]].drop_duplicates()
rows = rows.assign(order=rows.pnl_line.map({line: i for i, line in enumerate([*line_order, "Net"])}))
pivot = (
    by_month.pivot(index=["store_id", "pnl_line"], columns="month", values="amount_functional")
    .reindex(rows.sort_values(["store_id", "order"]).set_index(["store_id", "pnl_line"]).index)
    # A line with no postings in a month is zero for that month.
    .astype(object)
    .fillna(Decimal("0.00"))
)
st.dataframe(
    pivot.style.apply(lambda row: ["font-weight: 700" if row.name[1] == "Net" else ""] * len(row), axis=1),
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
