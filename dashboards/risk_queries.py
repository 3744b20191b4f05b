"""The SQL the Money-at-risk page runs: open alerts, refunds and refund rates, claims, reimbursement opportunities.

Same rules as `dashboards.queries`: short read-only connections, bound parameters, money summed in SQL and returned
as Decimal. The seller marts may not be built yet in a warehouse (or a branch) that has none: each query returns
None when its mart is missing, and the page says "no data yet" for that section only. Every query takes the
viewer's `Scope`: seller rows by their store, vendor alerts by their vendor account; an alert of neither (a
warehouse-wide one) is shown only to viewers of everything.
"""
from __future__ import annotations

import pandas as pd

from dashboards.queries import cached, fetch_rows
from dashboards.scope import Scope, accounts_clause, stores_clause

ALERT_COLUMNS = (
    "severity", "alert_type", "domain", "store_id", "account_id", "vendor_code", "subject", "amount", "currency",
    "message_zh", "message", "next_step_zh", "next_step_en", "first_seen_at", "raised_on", "state", "alert_id",
)  # fmt: skip
_SEVERITY_ORDER = "case severity when 'high' then 0 when 'medium' then 1 else 2 end"
_ALERT_SCOPE = f"""
    case when store_id is not null then {stores_clause()}
         when domain = 'vendor' and account_id is not null then {accounts_clause()}
         else cast($scope_stores as varchar[]) is null and cast($scope_accounts as varchar[]) is null end
"""
_STORES = stores_clause()


@cached
def mart_columns(warehouse: str, table: str) -> tuple[str, ...]:
    """The columns of marts.`table`, in order; empty when the mart is not built."""
    rows = fetch_rows(
        warehouse,
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = $table "
        "order by ordinal_position",
        {"table": table},
    )
    return tuple(rows["column_name"]) if not rows.empty else ()


@cached
def alerts(warehouse: str, scope: Scope, states: tuple[str, ...] = ("open",)) -> pd.DataFrame | None:
    """Alerts in `states` (every alert counts as open where the mart has no state column), most severe first."""
    present = mart_columns(warehouse, "fct_alerts")
    if not present:
        return None
    selected = ", ".join(c if c in present else f"null as {c}" for c in ALERT_COLUMNS)
    # Selected first, so the scope and state conditions read columns an older mart may lack as NULL.
    sql = f"""
        select * from (select {selected} from marts.fct_alerts)
        where coalesce(state, 'open') in (select unnest($states)) and {_ALERT_SCOPE}
        order by {_SEVERITY_ORDER}, amount desc nulls last, alert_id
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "states": list(states)})


@cached
def refunds_by_store(warehouse: str, scope: Scope) -> pd.DataFrame | None:
    if not mart_columns(warehouse, "fct_refunds"):
        return None
    sql = f"""
        select store_id, currency, count(*) as refunded_items,
               sum(principal_refunded) as principal_refunded, sum(refund_administration_fee) as refund_admin_fees,
               sum(net_cost) as net_cost,
               count(*) filter (where not is_return_received) as not_returned,
               count(*) filter (where is_reimbursed) as reimbursed
        from marts.fct_refunds where {_STORES} group by store_id, currency order by store_id, currency
    """
    return fetch_rows(warehouse, sql, scope.params())


@cached
def refund_rates(warehouse: str, scope: Scope, grain: str) -> pd.DataFrame | None:
    """The latest week per store (grain 'store') or store and SKU (grain 'sku'), against the trailing baseline."""
    if not mart_columns(warehouse, "fct_refund_rates"):
        return None
    sql = f"""
        select store_id, sku, week_start, units_sold, units_refunded, refund_rate, baseline_refund_rate,
               change_vs_baseline, baseline_weeks
        from marts.fct_refund_rates
        where grain = $grain and {_STORES}
        qualify week_start = max(week_start) over (partition by store_id, sku)
        order by change_vs_baseline desc nulls last, store_id, sku
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "grain": grain})


@cached
def claims(warehouse: str, scope: Scope) -> pd.DataFrame | None:
    if not mart_columns(warehouse, "fct_claims"):
        return None
    sql = f"""
        select claim_type, state, store_id, order_id, opened_on, amount, currency, outcome,
               refund_date, filing_deadline, days_to_deadline, claim_id
        from marts.fct_claims where {_STORES}
        order by filing_deadline is null, filing_deadline, opened_on desc, order_id
    """
    return fetch_rows(warehouse, sql, scope.params())


@cached
def claims_by_state(warehouse: str, scope: Scope) -> pd.DataFrame | None:
    if not mart_columns(warehouse, "fct_claims"):
        return None
    sql = f"""
        select claim_type, state, currency, count(*) as claims, sum(amount) as amount
        from marts.fct_claims where {_STORES} group by claim_type, state, currency order by claim_type, state, currency
    """
    return fetch_rows(warehouse, sql, scope.params())


@cached
def reimbursement_opportunities(warehouse: str, scope: Scope) -> pd.DataFrame | None:
    """Money Amazon probably owes, with the evidence; `case_id` where the evidence names one (a reversed case).

    In the order of Seller Central's case form: the page's CSV export is what to paste into it.
    """
    if not mart_columns(warehouse, "fct_reimbursement_opportunities"):
        return None
    sql = f"""
        select opportunity_id, json_extract_string(evidence, '$.case_id') as case_id, opportunity_type, store_id,
               order_id, sku, amount, currency, detected_on, evidence
        from marts.fct_reimbursement_opportunities where {_STORES}
        order by amount desc nulls last, opportunity_id
    """
    return fetch_rows(warehouse, sql, scope.params())

