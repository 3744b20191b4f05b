"""The access log, for auditors: logins, page views of financial data, SQL queries and exports."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import access_log, ui
from dashboards.i18n import t
from dashboards.tables import Spec

viewer = ui.viewer()
st.title(t("log.title"))
st.caption(t("log.caption", path=str(viewer.settings.access_log)))
events = access_log.events(viewer.settings.access_log)
if not events:
    st.info(t("log.empty"))
    st.stop()
frame = pd.DataFrame([e.__dict__ for e in reversed(events)]).astype(object)
kinds = st.multiselect(t("log.events"), access_log.EVENTS, format_func=lambda e: t(f"event.{e}"), key="log_events",
                       placeholder=t("log.all_events"))  # fmt: skip
if kinds:
    frame = frame[frame.event.isin(kinds)]
ui.table(frame, "access_log", Spec(names={"event": "event"}))
