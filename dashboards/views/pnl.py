"""Monthly P&L by store, in the functional currency."""
from __future__ import annotations

import calendar
from decimal import Decimal

import plotly.express as px
import streamlit as st

from dashboards import queries, ui
from dashboards.i18n import lookup, t
from dashboards.tables import Spec

viewer = ui.viewer()
scope = viewer.scope
st.title(t("pnl.title"))

warehouse = ui.warehouse()
options = ui.load(queries.pnl_options, warehouse, scope)
if not options.stores:
    st.info(t("pnl.empty"))
    st.stop()
currency = options.functional_currency
st.caption(t("pnl.caption", currency=currency))

st.sidebar.header(t("filters"))
stores = tuple(st.sidebar.multiselect(t("filter.store"), options.stores, placeholder=t("filter.all_stores"),
                                      key="pnl_stores"))  # fmt: skip
month_from, month_to = st.sidebar.select_slider(
    t("pnl.months"), options.months, value=(options.months[0], options.months[-1]),
    format_func=lambda month: month.strftime("%Y-%m"), key="pnl_months",
)  # fmt: skip
ui.refresh_button()

by_month = ui.load(queries.pnl_by_month, warehouse, scope, stores, month_from, month_to)
if by_month.empty:
    st.info(t("pnl.no_match"))
    st.stop()

last_month = max(by_month.month)
last_posted = ui.load(queries.last_posting, warehouse, scope)
month_end = last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])
if last_posted is not None and last_posted < month_end and last_posted >= last_month:
    st.info(t("pnl.partial", month=last_month.strftime("%Y-%m"), day=last_posted.isoformat()),
            icon=":material/event_upcoming:")  # fmt: skip

by_month["month"] = by_month["month"].map(lambda d: d.strftime("%Y-%m"))
lines = by_month[by_month.pnl_line != "Net"]
line_order = list(lines.sort_values("pnl_sort_order", kind="stable").pnl_line.drop_duplicates())
months = sorted(by_month.month.unique())

# Plotly only draws: floats are fine here, the tables show the exact amounts. One colour per line (26 distinct).
chart_lines = lines.assign(amount=lines.amount_functional.astype(float), line=lines.pnl_line.map(lambda v: lookup("pnl_line", v)))
chart = px.bar(
    chart_lines, x="month", y="amount", color="line", facet_col="store_id", facet_col_wrap=2, barmode="relative",
    category_orders={"line": [lookup("pnl_line", v) for v in line_order], "month": months},
    color_discrete_sequence=px.colors.qualitative.Alphabet,
    labels={"amount": t("pnl.axis.amount", currency=currency), "month": t("pnl.axis.month"),
            "line": t("col.pnl_line"), "store_id": t("col.store_id")},
)  # fmt: skip
chart.update_xaxes(type="category")
chart.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
st.plotly_chart(chart, width="stretch")

st.subheader(t("pnl.by_month", currency=currency))
rows = by_month[["store_id", "pnl_line"]].drop_duplicates()
rows = rows.assign(order=rows.pnl_line.map({line: i for i, line in enumerate([*line_order, "Net"])}))
pivot = (
    by_month.pivot(index=["store_id", "pnl_line"], columns="month", values="amount_functional")
    .reindex(rows.sort_values(["store_id", "order"]).set_index(["store_id", "pnl_line"]).index)
    # A line with no postings in a month is zero for that month.
    .astype(object)
    .fillna(Decimal("0.00"))
    .reset_index()
)
pivot.columns = [str(c) for c in pivot.columns]
net_rows = list(pivot.pnl_line == "Net")
ui.table(
    pivot, "pnl_by_month", Spec(money=tuple(months), currency=currency, names={"pnl_line": "pnl_line"}),
    style=lambda styler: styler.apply(lambda row: ["font-weight: 700" if net_rows[row.name] else ""] * len(row), axis=1),
)  # fmt: skip

st.subheader(t("pnl.by_sku", currency=currency))
by_sku = ui.load(queries.pnl_by_sku, warehouse, scope, stores, month_from, month_to)
ui.table(by_sku, "pnl_by_sku", Spec(money=("amount_functional", "allocated_functional"), currency=currency,
                                    names={"pnl_line": "pnl_line"}, hidden=("functional_currency",)))  # fmt: skip
