"""Data quality: what the loader did with every file, and why it set some aside."""
from __future__ import annotations

import streamlit as st

from dashboards import queries, ui

st.title("Data quality")
st.caption(
    "Every file received is archived and recorded. Quarantined files were not loaded: fix the "
    "file (or the rule) and drop it into the inbox again."
)

warehouse = ui.warehouse()
ui.refresh_button()
counts = ui.load(queries.file_load_counts, warehouse)
if not counts:
    st.info("No files received yet. Put files in the inbox and run `acorn run`.")
    st.stop()

for column, status in zip(st.columns(3), ("loaded", "duplicate", "quarantined")):
    column.metric(status.capitalize(), counts.get(status, 0))

unconfigured = ui.load(queries.unconfigured_stores, warehouse)
if not unconfigured.empty:
    st.subheader("Unconfigured stores")
    names = ", ".join(f"`{store}` ({market})" for store, market in
                      zip(unconfigured["store_id"], unconfigured["marketplace_name"], strict=True))
    st.warning(
        f"Settlements of a marketplace no store is configured for were filed under a store named after it: {names}. "
        "Add a row for each to `stores.csv` (store_id, seller_id, marketplace_id, marketplace_name, currency, "
        "time_zone) and drop it into the inbox; the next `acorn run` files them under your store, with its time zone.",
        icon=":material/storefront:",
    )
    st.dataframe(unconfigured, hide_index=True, width="stretch")

st.subheader("Quarantined files")
ui.quarantined_files(warehouse, "No file is quarantined.")

st.subheader("Failed expectations")
failed = ui.load(queries.failed_expectations, warehouse)
if failed.empty:
    st.success("Every expectation passed.")
else:
    st.dataframe(failed, hide_index=True, width="stretch")

st.subheader("All files")
statuses = tuple(st.multiselect("Status", sorted(counts), placeholder="All statuses", key="dq_statuses"))
st.dataframe(ui.load(queries.file_loads, warehouse, statuses), hide_index=True, width="stretch")
