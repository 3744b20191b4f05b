"""The auditor's SQL console: a SELECT over the marts and the audit schema, on a connection that cannot write,
read files or reach the network (dashboards/sql_console.py); every query, run or refused, is logged."""
from __future__ import annotations

import streamlit as st

from dashboards import sql_console, ui
from dashboards.i18n import t

viewer = ui.viewer()
settings = viewer.settings
st.title(t("sql.title"))
st.caption(t("sql.caption", rows=settings.sql_row_limit, seconds=f"{settings.sql_timeout_seconds:g}"))

with st.expander(t("sql.tables")):
    try:
        st.dataframe(sql_console.tables(settings.warehouse), hide_index=True, width="stretch")
    except Exception as exc:  # a missing or locked warehouse: the console says so below when run
        st.caption(str(exc).splitlines()[0])

with st.form("sql_form"):
    sql = st.text_area(t("sql.query"), key="sql_text", height=160,
                       placeholder="select store_id, status, count(*) from marts.fct_settlement_reconciliation group by all")
    submitted = st.form_submit_button(t("sql.run"), type="primary")

if submitted:
    try:
        result = sql_console.run(settings.warehouse, sql, row_limit=settings.sql_row_limit,
                                 timeout_seconds=settings.sql_timeout_seconds, access_log=settings.access_log)
    except sql_console.Refused as refused:
        viewer.log("sql_refused", f"{refused.reason}: {sql}")
        st.error(t(refused.reason, detail=refused.detail), icon=":material/block:")
    else:
        viewer.log("sql_query", sql)
        st.caption(t("sql.result", rows=len(result.frame), seconds=f"{result.seconds:.2f}"))
        if result.truncated:
            st.warning(t("sql.truncated", rows=settings.sql_row_limit))
        ui.table(result.frame, "sql_result")
