"""Queries of the SP-API sync status page: freshness per store and source, errors, retries.

Same rules as `dashboards.queries` (and its one way of opening the warehouse): short-lived read-only
connections, cached results, bound parameters, the viewer's store scope. A store-scoped viewer sees the
accounts of their stores only. Sync tables are per seller account; a store's freshness
is its account's, since Amazon's finance and report APIs answer per account.
"""
from __future__ import annotations

import pandas as pd

from dashboards.queries import cached, fetch_rows
from dashboards.scope import Scope, accounts_clause, stores_clause

# Stores seen in what the sync wrote, mapped to their account.
_ACCOUNT_STORES = """
    select account_id, store_id from raw.spapi_settlement_reports where store_id is not null
    union
    select account_id, store_id from raw.financial_event_groups where store_id is not null
    union
    select account_id, store_id from raw.finance_transactions where store_id is not null
"""

# Accounts the viewer may see: every account when unscoped, else those of their stores and their vendor accounts.
_SCOPED_ACCOUNT = f"""
    (cast($scope_stores as varchar[]) is null
     or account_id in (select account_id from ({_ACCOUNT_STORES}) where {stores_clause()})
     or list_contains(cast($scope_accounts as varchar[]), account_id))
"""


@cached
def freshness(warehouse: str, scope: Scope) -> pd.DataFrame:
    """Per store and source: synced until (the cursor), the last complete and last failed window, retries."""
    sql = f"""
        with stores as ({_ACCOUNT_STORES}),
        runs as (
            select
                account_id, source,
                max(started_at) filter (where status = 'complete') as last_complete_at,
                max(started_at) filter (where status = 'failed') as last_failed_at,
                count(*) filter (where status = 'failed') as failed_windows,
                sum(retries) as retries,
                sum(window_restarts) as window_restarts
            from audit.sync_log
            group by account_id, source
        )
        select * from (select
            coalesce(stores.store_id, '(account ' || cursors.account_id || ')') as store_id,
            cursors.account_id,
            cursors.source,
            cursors.cursor_at as synced_until,
            date_diff('hour', cursors.cursor_at, timezone('UTC', current_timestamp)) as hours_behind,
            runs.last_complete_at,
            runs.last_failed_at,
            coalesce(runs.failed_windows, 0) as failed_windows,
            coalesce(runs.retries, 0) as retries,
            coalesce(runs.window_restarts, 0) as window_restarts,
            -- a failure after the last success means the source is stuck at its cursor
            coalesce(runs.last_failed_at > coalesce(runs.last_complete_at, timestamp '1970-01-01'), false) as failing
        from audit.sync_cursors as cursors
        left join stores on stores.account_id = cursors.account_id
        left join runs on runs.account_id = cursors.account_id and runs.source = cursors.source)
        where {stores_clause()} or (store_id = '(account ' || account_id || ')' and {accounts_clause()})
        order by failing desc, store_id, source
    """
    return fetch_rows(warehouse, sql, scope.params())


@cached
def totals(warehouse: str, scope: Scope) -> dict[str, int]:
    sql = f"""
        select
            count(distinct account_id) as accounts,
            count(*) as windows,
            count(*) filter (where status = 'failed') as failed_windows,
            coalesce(sum(retries), 0) as retries,
            coalesce(sum(window_restarts), 0) as window_restarts
        from audit.sync_log
        where {_SCOPED_ACCOUNT}
    """
    row = fetch_rows(warehouse, sql, scope.params()).iloc[0]
    return {name: int(value) for name, value in row.items()}


@cached
def recent_errors(warehouse: str, scope: Scope, limit: int = 100) -> pd.DataFrame:
    """Windows that logged an error, newest first: recovered faults (complete) and failures (failed)."""
    sql = f"""
        select started_at, account_id, source, status, window_start, window_end, retries, window_restarts, errors
        from audit.sync_log
        where errors is not null and {_SCOPED_ACCOUNT}
        order by started_at desc, account_id, source
        limit $limit
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "limit": limit})
