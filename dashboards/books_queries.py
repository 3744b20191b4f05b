"""The SQL the Books page runs, over the books marts (journal, trial balance, CAS tables).

Same rules as `dashboards.queries` (whose connection and cache helpers it uses): short read-only connections,
bound parameters, money summed in SQL and returned as Decimal, and the viewer's store scope on every query.
Journal lines carry their store; vendor money carries its vendor code there instead, and is in scope through the
vendor account that code belongs to. A line without either (a period-level entry) is shown only to viewers of
every store. The trial balance mart has no store, so a scoped viewer's trial balance is computed from the journal
lines of their stores (opening, debit, credit, closing, signed debit-positive like the mart).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from dashboards.queries import cached, fetch_rows
from dashboards.scope import Scope, accounts_clause, stores_clause


def journal_scope(alias: str = "") -> str:
    """The viewer's journal lines: by store, or, for vendor money, by the vendor account of its vendor code."""
    prefix = f"{alias}." if alias else ""
    vendor_codes = f"""
        select vendor_code from marts.fct_po_lifecycle where {accounts_clause()}
        union select vendor_code from marts.fct_vendor_invoices where {accounts_clause()}"""
    return (f"({stores_clause(prefix + 'store_id')} or ({prefix}source_type like 'vendor%' "
            f"and {prefix}store_id in ({vendor_codes})))")


# The CAS tables the page shows; a table name is never taken from the user.
CAS_TABLES = {
    "收入确认表": "marts.fct_cas_revenue_recognition",
    "成本分摊表": "marts.fct_cas_cost_allocation",
    "汇兑损益明细": "marts.fct_fx_gain_loss",
}

# The voucher preview in Kingdee KIS's columns (outbound/vouchers/layouts/kingdee-kis.yaml). The dashboards may not
# import `outbound` (import-linter: they read marts and import configuration only), so the preview is the same
# columns written in SQL, and the page offers it as CSV; the Kingdee/Yonyou files come from `acorn export vouchers`,
# which also refuses unbalanced or suspense periods.
_VOUCHER_PREVIEW = f"""
    select entry_date as 日期, '记' as 凭证字, voucher_no as 凭证号, 1 as 附单据数, left(memo, 80) as 摘要,
           account_code as 科目代码, account_name_zh as 科目名称, debit as 借方金额, credit as 贷方金额,
           currency as 币别, fx_rate as 汇率, store_id as 店铺
    from marts.fct_journal_lines
    where period = $period and (debit <> 0 or credit <> 0) and {journal_scope()}
    order by voucher_no, line_no
"""


@dataclass(frozen=True)
class PeriodOverview:
    entries: int
    lines: int
    unbalanced: int
    suspense: int
    debit: Decimal
    credit: Decimal
    closed: bool


@cached
def books_periods(warehouse: str, scope: Scope) -> list[str]:
    """Periods with journal lines (of the viewer's stores), latest first."""
    sql = f"select distinct period from marts.fct_journal_lines where {journal_scope()} order by period desc"
    frame = fetch_rows(warehouse, sql, scope.params())
    return list(frame["period"])


@cached
def period_overview(warehouse: str, scope: Scope, period: str) -> PeriodOverview:
    sql = f"""
        with entries as (
            select entry_id, sum(debit) as debit, sum(credit) as credit, count(*) as n,
                   count(*) filter (where is_suspense) as suspense
            from marts.fct_journal_lines where period = $period and {journal_scope()} group by entry_id
        )
        select count(*), coalesce(sum(n), 0), count(*) filter (where debit <> credit), coalesce(sum(suspense), 0),
               coalesce(sum(debit), 0), coalesce(sum(credit), 0),
               exists (select 1 from raw.period_closes where period = $period)
        from entries
    """
    row = fetch_rows(warehouse, sql, {**scope.params(), "period": period}).iloc[0]
    return PeriodOverview(int(row.iloc[0]), int(row.iloc[1]), int(row.iloc[2]), int(row.iloc[3]), row.iloc[4],
                          row.iloc[5], bool(row.iloc[6]))


@cached
def trial_balance(warehouse: str, scope: Scope, period: str) -> pd.DataFrame:
    if scope.everything:
        sql = """
            select account_code, account_name_zh, account_name_en, opening_balance, debit, credit, closing_balance
            from marts.fct_trial_balance where period = $period order by account_code
        """
        return fetch_rows(warehouse, sql, {"period": period})
    # Per store from the journal: everything posted before the period opens it, the period's lines move it.
    sql = f"""
        select account_code, any_value(account_name_zh) as account_name_zh,
               any_value(account_name_en) as account_name_en,
               cast(coalesce(sum(debit - credit) filter (where period < $period), 0) as decimal(18, 2))
                   as opening_balance,
               cast(coalesce(sum(debit) filter (where period = $period), 0) as decimal(18, 2)) as debit,
               cast(coalesce(sum(credit) filter (where period = $period), 0) as decimal(18, 2)) as credit,
               cast(sum(debit - credit) as decimal(18, 2)) as closing_balance
        from marts.fct_journal_lines
        where period <= $period and {journal_scope()}
        group by account_code
        order by account_code
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "period": period})


@cached
def account_entries(warehouse: str, scope: Scope, period: str, account_code: str) -> pd.DataFrame:
    """The entries of `period` that post to the account, with what each posts there."""
    sql = f"""
        select voucher_no, entry_id, any_value(entry_date) as entry_date, any_value(store_id) as store_id,
               any_value(source_type) as source_type, any_value(source_id) as source_id, any_value(memo) as memo,
               sum(debit) as debit, sum(credit) as credit
        from marts.fct_journal_lines
        where period = $period and account_code = $account and {journal_scope()}
        group by voucher_no, entry_id
        order by voucher_no
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "period": period, "account": account_code})


@cached
def entry_lines(warehouse: str, scope: Scope, entry_id: str) -> pd.DataFrame:
    sql = f"""
        select journal_line_id, line_no, account_code, account_name_zh, debit, credit, currency, amount_original,
               fx_rate, fx_rate_date, fx_policy, fx_rate_source, memo, is_suspense, original_period
        from marts.fct_journal_lines where entry_id = $entry and {journal_scope()} order by line_no
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "entry": entry_id})


@cached
def line_sources(warehouse: str, scope: Scope, journal_line_id: str) -> pd.DataFrame:
    """The ledger lines a journal line summarises, each with the archived file and the line it came from."""
    sql = f"""
        select files.file_name, sources.source_line, sources.amount_column, ledger.settlement_id,
               ledger.transaction_type, ledger.amount_type, ledger.amount_description, ledger.amount, ledger.currency,
               ledger.posted_date, sources.source_file_sha256, files.archive_path
        from marts.fct_journal_line_sources as sources
        left join marts.fct_ledger as ledger
            on ledger.source_file_sha256 = sources.source_file_sha256 and ledger.source_line = sources.source_line
        left join (select sha256, any_value(file_name order by received_at) as file_name,
                          any_value(archive_path) as archive_path
                   from audit.file_loads where status = 'loaded' group by sha256) as files
            on files.sha256 = sources.source_file_sha256
        where sources.journal_line_id = $line
          and exists (select 1 from marts.fct_journal_lines as journal
                      where journal.journal_line_id = $line and {journal_scope('journal')})
        order by files.file_name, sources.source_line, sources.amount_column
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "line": journal_line_id})


@cached
def cas_table(warehouse: str, scope: Scope, title: str, period: str) -> pd.DataFrame:
    """One CAS table for the period: marts name it `period` ('YYYY-MM') or `month` (text or a date).

    Rows are scoped by their `store_id`, or through their journal entry (`entry_id`); a table with neither
    belongs to no store and is empty for a scoped viewer.
    """
    table = CAS_TABLES[title]
    described = fetch_rows(warehouse, f"describe {table}")
    columns = dict(zip(described["column_name"], described["column_type"]))
    conditions = []
    for column in ("period", "month"):
        if column in columns:
            value = column if columns[column] == "VARCHAR" else f"strftime({column}, '%Y-%m')"
            conditions.append(f"{value} = $period")
            break
    if "store_id" in columns:
        conditions.append(stores_clause())
    elif "entry_id" in columns:
        conditions.append(f"entry_id in (select entry_id from marts.fct_journal_lines where {journal_scope()})")
    elif not scope.everything:
        conditions.append("false")
    where = f"where {' and '.join(conditions)}" if conditions else ""
    return fetch_rows(warehouse, f"select * from {table} {where} order by all", {**scope.params(), "period": period})


@cached
def voucher_preview(warehouse: str, scope: Scope, period: str) -> pd.DataFrame:
    return fetch_rows(warehouse, _VOUCHER_PREVIEW, {**scope.params(), "period": period})
