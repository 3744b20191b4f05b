"""Books (账簿): the trial balance of a period, drill-down from an account to the archived file and line, the CAS
tables and a voucher preview, each over the viewer's stores only."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboards import books_queries, ui
from dashboards.i18n import t
from dashboards.tables import Spec

# Decimal columns that are ratios or rates, not money.
NOT_MONEY = frozenset({"gross_margin", "fx_rate"})
CAS_TITLES = dict(zip(books_queries.CAS_TABLES, ("books.cas.revenue", "books.cas.cost", "books.cas.fx")))

viewer = ui.viewer()
scope = viewer.scope
fc = viewer.settings.functional_currency
st.title(t("books.title"))
warehouse = ui.warehouse()
periods = ui.load(books_queries.books_periods, warehouse, scope)
if not periods:
    st.info(t("books.empty"))
    st.stop()
st.caption(t("books.caption", currency=fc))
if viewer.scoped:
    st.caption(t("books.scoped"))

st.sidebar.header(t("books.period"))
period = st.sidebar.selectbox(t("books.period"), periods, key="books_period")
ui.refresh_button()

overview = ui.load(books_queries.period_overview, warehouse, scope, period)
columns = st.columns(5)
columns[0].metric(t("books.kpi.entries"), overview.entries)
columns[1].metric(t("books.kpi.unbalanced"), overview.unbalanced)
columns[2].metric(t("books.kpi.debits", currency=fc), ui.money(overview.debit, fc))
columns[3].metric(t("books.kpi.credits", currency=fc), ui.money(overview.credit, fc))
columns[4].metric(t("books.kpi.status"), t("books.closed") if overview.closed else t("books.open"))
if overview.unbalanced:
    st.error(t("books.unbalanced", count=overview.unbalanced, period=period))
elif overview.debit == overview.credit:
    st.success(t("books.balanced", period=period))
if overview.suspense:
    st.warning(t("books.suspense", count=overview.suspense, period=period))

JOURNAL = Spec(money=("debit", "credit", "opening_balance", "closing_balance"), currency=fc)
ENTRY_LINES = Spec(money=("amount_original",), currency_column="currency", functional=("debit", "credit"),
                   functional_currency=fc)  # fmt: skip


def cas_spec(frame: pd.DataFrame) -> Spec:
    """Money columns of a CAS table: amounts in each row's currency, `*_functional` (or all, without a currency
    column) in the functional one."""
    decimals = [c for c in frame.columns if c not in NOT_MONEY
                and any(isinstance(v, Decimal) for v in frame[c].head(20))]  # fmt: skip
    if "currency" not in frame.columns:
        return Spec(money=tuple(decimals), currency=fc)
    functional = tuple(c for c in decimals if c.endswith("_functional"))
    return Spec(money=tuple(c for c in decimals if c not in functional), currency_column="currency",
                functional=functional, functional_currency=fc)  # fmt: skip


st.subheader(t("books.trial_balance"))
balances = ui.load(books_queries.trial_balance, warehouse, scope, period)
ui.table(balances, f"trial_balance_{period}", JOURNAL)

st.subheader(t("books.drill_down"))
if not balances.empty:
    names = dict(zip(balances["account_code"], balances["account_name_zh"]))
    account = st.selectbox(t("books.account"), list(names), format_func=lambda code: f"{code} {names[code]}",
                           key="books_account")  # fmt: skip
    entries = ui.load(books_queries.account_entries, warehouse, scope, period, account)
    st.markdown(f"**{t('books.entries')}**")
    ui.table(entries, "account_entries", JOURNAL)
    if not entries.empty:
        entry = st.selectbox(t("books.entry"), list(entries["entry_id"]), key="books_entry")
        lines = ui.load(books_queries.entry_lines, warehouse, scope, entry)
        st.markdown(f"**{t('books.lines')}**")
        ui.table(lines, "journal_lines", ENTRY_LINES)
        line = st.selectbox(t("books.line"), list(lines["journal_line_id"]), key="books_line")
        sources = ui.load(books_queries.line_sources, warehouse, scope, line)
        st.markdown(f"**{t('books.sources')}**")
        if sources.empty:
            st.info(t("books.no_sources"))
        else:
            ui.table(sources, "journal_line_sources", Spec(money=("amount",), currency_column="currency"))

st.subheader(t("books.cas_tables"))
for tab, title in zip(st.tabs([t(key) for key in CAS_TITLES.values()]), books_queries.CAS_TABLES):
    with tab:
        table = ui.load(books_queries.cas_table, warehouse, scope, title, period)
        ui.table(table, f"{CAS_TITLES[title].rsplit('.', 1)[-1]}_{period}", cas_spec(table))

st.subheader(t("books.vouchers"))
preview = ui.load(books_queries.voucher_preview, warehouse, scope, period)
# The preview keeps Kingdee KIS's own column names: they are the import file's layout, in either language.
ui.table(preview, f"vouchers_{period}", Spec(money=("借方金额", "贷方金额"), currency=fc))
st.caption(t("books.vouchers_hint", period=period))
