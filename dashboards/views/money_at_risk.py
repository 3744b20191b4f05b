"""资金风险 Money at risk: open alerts to acknowledge or resolve, refunds and refund rates, claims with SAFE-T
deadlines, and reimbursement opportunities to file, each over the viewer's stores only."""
from __future__ import annotations

import streamlit as st

from dashboards import i18n, risk_queries, ui
from dashboards.alert_state_file import record_state_change
from dashboards.i18n import t
from dashboards.tables import Spec

RATES = ("refund_rate", "baseline_refund_rate", "change_vs_baseline")
# The alerts carry their message in both languages: the viewer's is shown, the other hidden.
OTHER_LANGUAGE = {"zh": ("message", "next_step_en"), "en": ("message_zh", "next_step_zh")}
ALERT_NAMES = {"severity": "severity", "alert_type": "alert_type", "state": "alert_state", "domain": "domain"}
CLAIM_NAMES = {"claim_type": "claim_type", "state": "claim_state"}

viewer = ui.viewer()
scope = viewer.scope
st.title(t("risk.title"))
warehouse = ui.warehouse()
ui.refresh_button()

st.subheader(t("risk.alerts"))
states = ("open", "acknowledged", "resolved")
show = st.sidebar.multiselect(t("risk.alert_state"), states, default=["open"], format_func=lambda s: t(f"alert_state.{s}"),
                              key="risk_states")  # fmt: skip
alerts = ui.load(risk_queries.alerts, warehouse, scope, tuple(show))
if alerts is None:
    st.info(t("risk.no_data"))
elif alerts.empty:
    st.success(t("risk.no_alerts"))
else:
    ui.table(alerts, "alerts", Spec(money=("amount",), currency_column="currency", names=ALERT_NAMES,
                                    hidden=OTHER_LANGUAGE[i18n.language()]))  # fmt: skip
    if viewer.may("alert_state"):
        with st.form("alert_state", clear_on_submit=True):
            labels = {
                row.alert_id: f"[{t(f'severity.{row.severity}')}] {i18n.lookup('alert_type', row.alert_type)} · "
                              f"{row.store_id or row.vendor_code or row.account_id or ''} · "
                              f"{ui.money(row.amount, row.currency)} · {row.alert_id}"
                for row in alerts.itertuples(index=False)
            }  # fmt: skip
            chosen = st.selectbox(t("risk.alert"), list(labels), format_func=labels.get, key="risk_alert")
            st.caption(t("risk.changed_by", name=viewer.user.username))
            note = st.text_input(t("risk.note"), key="risk_note")
            acknowledge, resolve = st.columns(2)
            new_state = None
            if acknowledge.form_submit_button(t("risk.acknowledge")):
                new_state = "acknowledged"
            if resolve.form_submit_button(t("risk.resolve")):
                new_state = "resolved"
            if new_state and chosen:
                # Who changed it is the logged-in user: a typed name would let anyone sign for anyone.
                written = record_state_change(chosen, new_state, viewer.user.username, note)
                viewer.log("alert_state", f"{chosen} → {new_state}")
                st.success(t("risk.recorded", alert=chosen, state=t(f"alert_state.{new_state}"), file=written.name))

st.subheader(t("risk.refunds"))
by_store = ui.load(risk_queries.refunds_by_store, warehouse, scope)
if by_store is None:
    st.info(t("risk.no_data"))
else:
    ui.table(by_store, "refunds_by_store", Spec(money=("principal_refunded", "refund_admin_fees", "net_cost"),
                                                currency_column="currency"))  # fmt: skip
store_tab, sku_tab = st.tabs([t("risk.rate_by_store"), t("risk.rate_by_sku")])
for tab, grain in ((store_tab, "store"), (sku_tab, "sku")):
    with tab:
        rates = ui.load(risk_queries.refund_rates, warehouse, scope, grain)
        if rates is None:
            st.info(t("risk.no_data"))
        else:
            st.caption(t("risk.rate_caption"))
            ui.table(rates, f"refund_rates_{grain}", Spec(percent=RATES))

st.subheader(t("risk.claims"))
by_state = ui.load(risk_queries.claims_by_state, warehouse, scope)
if by_state is None:
    st.info(t("risk.no_data"))
else:
    ui.table(by_state, "claims_by_state", Spec(money=("amount",), currency_column="currency", names=CLAIM_NAMES))
    all_claims = ui.load(risk_queries.claims, warehouse, scope)
    st.caption(t("risk.safet"))
    ui.table(all_claims, "claims", Spec(money=("amount",), currency_column="currency", names=CLAIM_NAMES))

st.subheader(t("risk.opportunities"))
opportunities = ui.load(risk_queries.reimbursement_opportunities, warehouse, scope)
if opportunities is None:
    st.info(t("risk.no_data"))
elif opportunities.empty:
    st.success(t("risk.nothing_to_file"))
else:
    st.caption(t("risk.cases_hint"))
    ui.table(opportunities, "reimbursement_cases", Spec(money=("amount",), currency_column="currency",
                                                        names={"opportunity_type": "opportunity_type"}))  # fmt: skip
