"""Sync status: how fresh each store's SP-API data is, what went wrong lately, and what was set aside."""
from __future__ import annotations

import streamlit as st

from dashboards import sync_queries, ui

st.title("Sync status")
st.caption(
    "Settlement reports, financial events and transactions are pulled from Amazon's SP-API per seller "
    "account; each store shows its account's progress. *Synced until* is where the next sync resumes."
)

warehouse = ui.warehouse()
ui.refresh_button()
freshness = ui.load(sync_queries.freshness, warehouse)
if freshness.empty:
    st.info("No SP-API sync has run yet. Configure accounts (ACORN_SPAPI_CONFIG) and run the `spapi_sync` job, "
            "or try `acorn demo --source api`.")
else:
    totals = ui.load(sync_queries.totals, warehouse)
    failing = int(freshness.failing.sum())
    for column, (label, value) in zip(
        st.columns(4),
        (("Stores", freshness.store_id.nunique()), ("Failing sources", failing),
         ("Retries", totals["retries"]), ("Window restarts", totals["window_restarts"])),
    ):
        column.metric(label, value)
    if failing:
        st.error(f"{failing} store sources failed after their last success and are stuck at their cursor.")

    st.subheader("Freshness per store and source")
    st.dataframe(freshness, hide_index=True, width="stretch")

    st.subheader("Last errors")
    errors = ui.load(sync_queries.recent_errors, warehouse)
    if errors.empty:
        st.success("No window has logged an error.")
    else:
        st.dataframe(
            errors,
            hide_index=True,
            width="stretch",
            column_config={"errors": st.column_config.TextColumn("errors", width="large")},
        )

st.subheader("Quarantined inputs")
ui.quarantined_files(warehouse, "No input is quarantined.")
