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
