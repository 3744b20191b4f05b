"""Sync status: how fresh each store's SP-API data is, what went wrong lately, and what was set aside."""
from __future__ import annotations

import streamlit as st

from dashboards import sync_queries, ui
from dashboards.i18n import t
from dashboards.tables import Spec

viewer = ui.viewer()
scope = viewer.scope
st.title(t("sync.title"))
st.caption(t("sync.caption"))

warehouse = ui.warehouse()
ui.refresh_button()
freshness = ui.load(sync_queries.freshness, warehouse, scope)
if freshness.empty:
    st.info(t("sync.empty"))
else:
    totals = ui.load(sync_queries.totals, warehouse, scope)
    failing = int(freshness.failing.sum())
    for column, (label, value) in zip(
        st.columns(4),
        ((t("sync.kpi.stores"), freshness.store_id.nunique()), (t("sync.kpi.failing"), failing),
         (t("sync.kpi.retries"), totals["retries"]), (t("sync.kpi.restarts"), totals["window_restarts"])),
    ):  # fmt: skip
        column.metric(label, value)
    if failing:
        st.error(t("sync.failing", count=failing))

    st.subheader(t("sync.freshness"))
    ui.table(freshness, "sync_freshness")

    st.subheader(t("sync.errors"))
    errors = ui.load(sync_queries.recent_errors, warehouse, scope)
    if errors.empty:
        st.success(t("sync.no_errors"))
    else:
        ui.table(errors, "sync_errors", Spec(names={"status": "run_status"}), column_config={"errors": st.column_config.TextColumn(t("col.errors"), width="large")})

st.subheader(t("sync.quarantined"))
ui.quarantined_files(warehouse, t("sync.none_quarantined"), "sync_quarantined")
