"""Data quality: what the loader did with every file, and why it set some aside."""
from __future__ import annotations

import streamlit as st

from dashboards import queries, ui
from dashboards.i18n import t
from dashboards.tables import Spec

viewer = ui.viewer()
st.title(t("dq.title"))
st.caption(t("dq.caption"))

warehouse = ui.warehouse()
ui.refresh_button()

unconfigured = ui.load(queries.unconfigured_stores, warehouse, viewer.scope)
if not unconfigured.empty:
    st.subheader(t("dq.unconfigured"))
    names = ", ".join(f"`{store}` ({market})" for store, market in
                      zip(unconfigured["store_id"], unconfigured["marketplace_name"], strict=True))
    st.warning(t("dq.unconfigured_advice", names=names), icon=":material/storefront:")
    ui.table(unconfigured, "unconfigured_stores")

if not ui.unscoped_only(viewer):
    st.stop()
counts = ui.load(queries.file_load_counts, warehouse)
if not counts:
    st.info(t("dq.no_files"))
    st.stop()

for column, status in zip(st.columns(3), ("loaded", "duplicate", "quarantined")):
    column.metric(t(f"load_status.{status}"), counts.get(status, 0))

st.subheader(t("dq.quarantined"))
ui.quarantined_files(warehouse, t("dq.none_quarantined"), "quarantined_files")

st.subheader(t("dq.failed"))
failed = ui.load(queries.failed_expectations, warehouse)
if failed.empty:
    st.success(t("dq.all_passed"))
else:
    ui.table(failed, "failed_expectations")

st.subheader(t("dq.all_files"))
statuses = tuple(st.multiselect(t("filter.status"), sorted(counts), placeholder=t("filter.all_statuses"),
                                format_func=lambda s: t(f"load_status.{s}"), key="dq_statuses"))  # fmt: skip
ui.table(ui.load(queries.file_loads, warehouse, statuses), "file_loads", Spec(names={"status": "load_status"}))
