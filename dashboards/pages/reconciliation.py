"""Settlement reconciliation: does each settlement tie to its lines and to the bank deposit?"""
from __future__ import annotations

import streamlit as st

from dashboards import queries, ui

MONEY = st.column_config.NumberColumn(format="%.2f")


def _flag(status: str) -> str:
    if status in flagged_statuses:
        return "color: #b3261e; font-weight: 600"
    return "color: #8a6d00" if status == "pending_deposit" else ""


st.title("Settlement reconciliation")
st.caption(
    "Each Amazon settlement checked twice: its header total against the sum of its lines, and its "
    "deposit against the bank statement. Flagged settlements come first."
)

warehouse = ui.warehouse()
flagged_statuses = ui.load(queries.flagged_statuses, warehouse)
options = ui.load(queries.reconciliation_options, warehouse)
if not options.stores:
    st.info("No settlements loaded yet. Run `acorn run` with settlement files in the inbox.")
    st.stop()

st.sidebar.header("Filters")
stores = tuple(st.sidebar.multiselect("Store", options.stores, placeholder="All stores", key="recon_stores"))
period_from, period_to = ui.date_range(
    "Period end between", options.first_period_end, options.last_period_end, key="recon_period"
)
statuses = tuple(
    st.sidebar.multiselect("Status", options.statuses, placeholder="All statuses", key="recon_statuses")
)
ui.refresh_button()

filters = (warehouse, stores, statuses, period_from, period_to)
counts = ui.load(queries.reconciliation_counts, *filters)
differences = ui.load(queries.reconciliation_differences, *filters)
table = ui.load(queries.reconciliation, *filters)

settlements, tied, flagged, pending = st.columns(4)
settlements.metric("Settlements", counts["settlements"])
tied.metric("Tied", counts["tied"])
flagged.metric("Flagged", counts["flagged"], help=", ".join(flagged_statuses))
pending.metric("Pending deposit", counts["pending"])

if not differences.empty:
    for column, row in zip(st.columns(len(differences)), differences.itertuples(index=False)):
        column.metric(
            f"Total difference ({row.currency})",
            ui.money(row.difference, row.currency),
            help="Header totals minus the sums of their lines",
        )
        column.metric(
            f"Bank difference ({row.currency})",
            ui.money(row.bank_difference, row.currency),
            help="Bank deposits minus header totals, where a deposit was matched",
        )

st.subheader("Settlements")
if table.empty:
    st.info("No settlement matches these filters.")
    st.stop()

st.dataframe(
    table.style.map(_flag, subset=["status"]),
    hide_index=True,
    width="stretch",
    column_config={
        "status": st.column_config.TextColumn(width="medium"),
        **{
            name: MONEY
            for name in (
                "header_total", "lines_total", "difference", "reserve_previous",
                "reserve_current", "bank_amount", "bank_difference",
            )
        },
    },  # fmt: skip
)

st.subheader("Settlement lines")
labels = {row.settlement_id: f"{row.settlement_id} · {row.store_id} · {row.status}" for row in table.itertuples()}
settlement_id = st.selectbox("Settlement", list(labels), format_func=labels.get, key="recon_settlement")
if settlement_id is not None:
    header = table[table.settlement_id == settlement_id].iloc[0]
    lines = ui.load(queries.settlement_lines, warehouse, settlement_id)
    header_col, lines_col, difference_col, bank_col = st.columns(4)
    header_col.metric("Header total", ui.money(header.header_total, header.currency))
    lines_col.metric("Lines total", ui.money(header.lines_total, header.currency))
    difference_col.metric("Difference", ui.money(header.difference, header.currency))
    bank_col.metric("Bank difference", ui.money(header.bank_difference, header.currency))
    st.dataframe(lines, hide_index=True, width="stretch", column_config={"amount": MONEY})
