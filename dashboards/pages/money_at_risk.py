"""资金风险 Money at risk: open alerts to acknowledge or resolve, refunds and refund rates, claims with SAFE-T
deadlines, and reimbursement opportunities to file."""
from __future__ import annotations

import getpass

import streamlit as st

from dashboards import risk_queries, ui
from dashboards.alert_state_file import record_state_change

MONEY = st.column_config.NumberColumn(format="%.2f")
RATE = st.column_config.NumberColumn(format="percent")


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return ""


NO_DATA = "暂无数据 No data yet: this mart is built once the seller reports are loaded (`acorn run`)."

st.title("资金风险 Money at risk")
ui.whole_page_unscoped_only()
warehouse = ui.warehouse()
ui.refresh_button()

st.subheader("待处理告警 Open alerts")
show = st.sidebar.multiselect("告警状态 Alert state", ["open", "acknowledged", "resolved"], default=["open"],
                              key="risk_states")
open_alerts = ui.load(risk_queries.alerts, warehouse, tuple(show))
if open_alerts is None:
    st.info(NO_DATA)
elif open_alerts.empty:
    st.success("没有待处理的告警 No alerts in this state.")
else:
    st.dataframe(open_alerts, hide_index=True, width="stretch", column_config={"amount": MONEY})
    with st.form("alert_state", clear_on_submit=True):
        labels = {
            row.alert_id: f"[{row.severity}] {row.alert_type} · {row.store_id or row.vendor_code or row.account_id or ''}"
                          f" · {ui.money(row.amount, row.currency)} · {row.alert_id}"
            for row in open_alerts.itertuples(index=False)
        }
        chosen = st.selectbox("告警 Alert", list(labels), format_func=labels.get, key="risk_alert")
        who = st.text_input("处理人 Changed by", value=_current_user(), key="risk_who")
        note = st.text_input("备注 Note (case id, what was done)", key="risk_note")
        acknowledge, resolve = st.columns(2)
        new_state = None
        if acknowledge.form_submit_button("确认 Acknowledge"):
            new_state = "acknowledged"
        if resolve.form_submit_button("解决 Resolve"):
            new_state = "resolved"
        if new_state and chosen:
            written = record_state_change(chosen, new_state, who, note)
            st.success(f"已记录 Recorded: {chosen} → {new_state}. 下次运行 `acorn run` 后生效 "
                       f"(takes effect at the next pipeline run; file {written.name}).")

st.subheader("退款 Refunds")
by_store = ui.load(risk_queries.refunds_by_store, warehouse)
if by_store is None:
    st.info(NO_DATA)
else:
    st.dataframe(by_store, hide_index=True, width="stretch",
                 column_config={c: MONEY for c in ("principal_refunded", "refund_admin_fees", "net_cost")})
store_tab, sku_tab = st.tabs(["退款率·店铺 Refund rate by store", "退款率·SKU Refund rate by SKU"])
for tab, grain in ((store_tab, "store"), (sku_tab, "sku")):
    with tab:
        rates = ui.load(risk_queries.refund_rates, warehouse, grain)
        if rates is None:
            st.info(NO_DATA)
        else:
            st.caption("最近一周与其前四周基线对比 Latest week against its trailing four-week baseline.")
            st.dataframe(rates, hide_index=True, width="stretch", column_config={
                "refund_rate": RATE, "baseline_refund_rate": RATE, "change_vs_baseline": RATE})

st.subheader("索赔 Claims (A-to-z, chargebacks, SAFE-T)")
by_state = ui.load(risk_queries.claims_by_state, warehouse)
if by_state is None:
    st.info(NO_DATA)
else:
    st.dataframe(by_state, hide_index=True, width="stretch", column_config={"amount": MONEY})
    all_claims = ui.load(risk_queries.claims, warehouse)
    st.caption("SAFE-T 须在退款后 60 天内提交 SAFE-T claims must be filed within 60 days of the refund.")
    st.dataframe(all_claims, hide_index=True, width="stretch", column_config={"amount": MONEY})

st.subheader("可申请赔偿 Reimbursement opportunities")
opportunities = ui.load(risk_queries.reimbursement_opportunities, warehouse)
if opportunities is None:
    st.info(NO_DATA)
elif opportunities.empty:
    st.success("没有待申请的赔偿 Nothing to file.")
else:
    st.dataframe(opportunities, hide_index=True, width="stretch", column_config={"amount": MONEY})
    st.download_button("下载待提交案例 CSV Download cases to file (CSV)", risk_queries.cases_to_file_csv(opportunities),
                       file_name="reimbursement_cases.csv", mime="text/csv", key="risk_cases_csv")
