"""Books (账簿): the trial balance of a period, drill-down from an account to the archived file and line, the CAS
tables and a voucher preview."""
from __future__ import annotations

import streamlit as st

from dashboards import books_queries, ui

MONEY = st.column_config.NumberColumn(format="%.2f")
MONEY_COLUMNS = ("opening_balance", "debit", "credit", "closing_balance", "amount_original", "amount", "借方金额", "贷方金额")

st.title("Books 账簿")
ui.whole_page_unscoped_only()
warehouse = ui.warehouse()
periods = ui.load(books_queries.books_periods, warehouse)
if not periods:
    st.info("No journal yet. Run `acorn run` (or `make demo`) to build the books.")
    st.stop()
st.caption("The double-entry journal in CAS accounts (企业会计准则), in the functional currency. "
           "Every journal line leads back to the ledger lines, archived file and line it summarises.")

st.sidebar.header("Period")
period = st.sidebar.selectbox("Period 会计期间", periods, key="books_period")
ui.refresh_button()

overview = ui.load(books_queries.period_overview, warehouse, period)
columns = st.columns(5)
columns[0].metric("Entries 分录", overview.entries)
columns[1].metric("Unbalanced 不平衡", overview.unbalanced)
columns[2].metric("Debits 借方合计", ui.money(overview.debit, None))
columns[3].metric("Credits 贷方合计", ui.money(overview.credit, None))
columns[4].metric("Status 状态", "closed 已结账" if overview.closed else "open 未结账")
if overview.unbalanced:
    st.error(f"{overview.unbalanced} entries of {period} do not balance: vouchers cannot be exported.")
elif overview.debit == overview.credit:
    st.success(f"Every entry of {period} balances.")
if overview.suspense:
    st.warning(f"{overview.suspense} suspense posting(s) in {period}: map them in the account mapping seed.")


def money_columns(frame) -> dict:
    return {name: MONEY for name in MONEY_COLUMNS if name in frame.columns}


st.subheader("Trial balance 科目余额表")
balances = ui.load(books_queries.trial_balance, warehouse, period)
st.dataframe(balances, hide_index=True, width="stretch", column_config=money_columns(balances))

st.subheader("Drill down 穿透查询")
if not balances.empty:
    names = dict(zip(balances["account_code"], balances["account_name_zh"]))
    account = st.selectbox("Account 科目", list(names), format_func=lambda code: f"{code} {names[code]}",
                           key="books_account")
    entries = ui.load(books_queries.account_entries, warehouse, period, account)
    st.markdown("**Entries posting to the account 分录**")
    st.dataframe(entries, hide_index=True, width="stretch", column_config=money_columns(entries))
    if not entries.empty:
        entry = st.selectbox("Entry 分录", list(entries["entry_id"]), key="books_entry")
        lines = ui.load(books_queries.entry_lines, warehouse, entry)
        st.markdown("**Journal lines 凭证分录行**")
        st.dataframe(lines, hide_index=True, width="stretch", column_config=money_columns(lines))
        line = st.selectbox("Journal line 分录行", list(lines["journal_line_id"]), key="books_line")
        sources = ui.load(books_queries.line_sources, warehouse, line)
        st.markdown("**Ledger lines and the archived file 原始单据**")
        if sources.empty:
            st.info("This line summarises no ledger line (a COGS, revaluation or adjustment line).")
        else:
            st.dataframe(sources, hide_index=True, width="stretch", column_config=money_columns(sources))

st.subheader("CAS tables 会计报表")
for tab, title in zip(st.tabs(list(books_queries.CAS_TABLES)), books_queries.CAS_TABLES):
    with tab:
        table = ui.load(books_queries.cas_table, warehouse, title, period)
        st.dataframe(table, hide_index=True, width="stretch")

st.subheader("Vouchers 记账凭证")
preview = ui.load(books_queries.voucher_preview, warehouse, period)
st.dataframe(preview, hide_index=True, width="stretch", column_config=money_columns(preview))
st.download_button(
    "Download preview (CSV)", preview.to_csv(index=False).encode("utf-8-sig"),
    file_name=f"vouchers_{period}.csv", mime="text/csv", key="books_download",
)
st.caption(f"For Kingdee or Yonyou import files: `acorn export vouchers --period {period} --format "
           "kingdee-kis|kingdee-k3|yonyou-u8 --out FILE` (it refuses unbalanced or suspense periods).")
