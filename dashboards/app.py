"""ACORN dashboards: the Streamlit entry point (`acorn dashboards`)."""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="ACORN", page_icon=":material/account_balance:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/reconciliation.py", title="Reconciliation", icon=":material/rule:", default=True),
        st.Page("pages/pnl.py", title="Monthly P&L", icon=":material/bar_chart:"),
        st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
        st.Page("pages/vendor.py", title="Vendor Central", icon=":material/local_shipping:"),
        st.Page("pages/money_at_risk.py", title="资金风险 Money at risk", icon=":material/crisis_alert:"),
        st.Page("pages/sync_status.py", title="Sync status", icon=":material/sync:"),
    ]
)
page.run()
