"""Every SQL query the dashboards run, and the one way they open the warehouse.

Each query opens its own read-only DuckDB connection and closes it before returning: DuckDB
allows one writer or many readers, so a dashboard that kept the file open would block the
pipeline. Results are cached for a short while so page reruns do not reopen the file at all.

Money stays Decimal: rows come from `fetchall()` (DuckDB DECIMAL -> Python Decimal) rather than
`.df()`, which would turn DECIMAL into float64. Sums are computed in SQL, never in pandas.
Filter values are always bound parameters; an empty filter tuple means "no filter". Every query over
store or vendor data takes the viewer's `Scope` and filters by it in SQL (dashboards/scope.py), so a user
limited to some stores never receives another store's rows, whatever the page does with them.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboards.scope import Scope, stores_clause

CACHE_TTL_SECONDS = 60
CACHE_MAX_ENTRIES = 64

# Status sits next to the ids so it stays in view on a narrow screen.
RECONCILIATION_COLUMNS = (
    "store_id", "settlement_id", "status", "period_start", "period_end", "deposit_date",
    "currency", "header_total", "lines_total", "difference", "reserve_previous",
    "reserve_current", "bank_amount", "bank_date", "bank_difference",
)  # fmt: skip


class WarehouseUnavailable(Exception):
    """The warehouse cannot answer right now; `advice` tells the reader what to do."""

    def __init__(self, advice: str) -> None:
        super().__init__(advice)
        self.advice = advice


class WarehouseMissing(WarehouseUnavailable):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"No warehouse at `{path}` yet. Create one with sample data by running `make demo` "
            "(or `acorn demo`), or load your own files with `acorn run`."
        )
        self.path = path


class WarehouseBusy(WarehouseUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "The pipeline is running and has the warehouse open for writing. "
            "Retry in a moment: the figures will include its results."
        )


class MartsMissing(WarehouseUnavailable):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "The warehouse exists but its marts are not built yet. Run `acorn run` "
            f"(or `make demo`) to build them. ({detail.splitlines()[0]})"
        )
        self.detail = detail.splitlines()[0]


@dataclass(frozen=True)
class ReconciliationOptions:
    stores: list[str]
    statuses: list[str]
    first_period_end: date | None
    last_period_end: date | None


@dataclass(frozen=True)
class PnlOptions:
    stores: list[str]
    months: list[date]
    functional_currency: str | None


@contextmanager
def _read_only(warehouse: str) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(warehouse)
    if not path.exists():
        raise WarehouseMissing(path)
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        # A writer holds the file lock; anything else (a corrupt file) should surface as is.
        if "lock" in str(exc).lower():
            raise WarehouseBusy() from exc
        raise
    try:
        yield conn
    except duckdb.CatalogException as exc:
        raise MartsMissing(str(exc)) from exc
    finally:
        conn.close()


def fetch_rows(warehouse: str, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    # DuckDB refuses named parameters a statement does not use: pass a scope's only where the SQL names them.
    named = set(re.findall(r"\$(\w+)", sql))
    bound = {name: value for name, value in (params or {}).items() if name in named}
    with _read_only(warehouse) as conn:
        cursor = conn.execute(sql, bound)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    # object dtype keeps Decimal and date values exactly as DuckDB returned them.
    return pd.DataFrame.from_records(rows, columns=columns).astype(object)


def filter_values(values: Sequence[str]) -> list[str] | None:
    return list(values) if values else None


cached = st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=CACHE_MAX_ENTRIES, show_spinner=False)


# Settlements and ledger lines whose store could not be found carry a NULL store_id: name them,
# so they can be picked in a filter instead of silently dropping out of it.
_SETTLEMENTS = """
    (select * replace (coalesce(store_id, '(unassigned)') as store_id)
     from marts.fct_settlement_reconciliation)
"""
_PNL = """
    (select * replace (coalesce(store_id, '(unassigned)') as store_id) from marts.fct_pnl_monthly)
"""

# Ledger lines of no known store are "(unassigned)", as their settlements are.
_ANY_STORE = "coalesce(store_id, '(unassigned)')"

# --- Settlement reconciliation ---------------------------------------------------------------

# Which statuses need someone to look at them is the seed's `needs_attention`; a status it does not know does.
_NEEDS_ATTENTION = "coalesce(statuses.needs_attention, true)"


@cached
def flagged_statuses(warehouse: str) -> tuple[str, ...]:
    """The settlement statuses that need attention, from the `reconciliation_statuses` seed."""
    rows = fetch_rows(warehouse, "select status from seeds.reconciliation_statuses where needs_attention order by sort_order")
    return tuple(rows.status)


_RECONCILIATION_WHERE = f"""
    where {stores_clause()}
      and ($stores is null or list_contains($stores, store_id))
      and ($statuses is null or list_contains($statuses, status))
      and ($period_from is null or cast(period_end as date) >= $period_from)
      and ($period_to is null or cast(period_end as date) <= $period_to)
"""


def _reconciliation_params(
    scope: Scope, stores: Sequence[str], statuses: Sequence[str], period_from: date | None, period_to: date | None
) -> dict[str, Any]:
    return {
        **scope.params(),
        "stores": filter_values(stores),
        "statuses": filter_values(statuses),
        "period_from": period_from,
        "period_to": period_to,
    }


@cached
def reconciliation_options(warehouse: str, scope: Scope) -> ReconciliationOptions:
    sql = f"""
        select
            list_sort(list(distinct store_id)),
            list_sort(list(distinct status)),
            min(cast(period_end as date)),
            max(cast(period_end as date))
        from {_SETTLEMENTS}
        where {stores_clause()}
    """
    row = fetch_rows(warehouse, sql, scope.params()).iloc[0]
    return ReconciliationOptions(
        stores=list(row.iloc[0] or []),
        statuses=list(row.iloc[1] or []),
        first_period_end=row.iloc[2],
        last_period_end=row.iloc[3],
    )


@cached
def reconciliation(
    warehouse: str,
    scope: Scope,
    stores: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    period_from: date | None = None,
    period_to: date | None = None,
) -> pd.DataFrame:
    """Settlements matching the filters, the ones needing attention first."""
    sql = f"""
        select {", ".join(RECONCILIATION_COLUMNS)}
        from {_SETTLEMENTS}
        left join seeds.reconciliation_statuses as statuses using (status)
        {_RECONCILIATION_WHERE}
        order by
            -- Those needing attention first; then the others latest status first (waiting before settled).
            {_NEEDS_ATTENTION} desc,
            case when {_NEEDS_ATTENTION} then 0 else -statuses.sort_order end,
            period_end desc, store_id, settlement_id
    """
    params = _reconciliation_params(scope, stores, statuses, period_from, period_to)
    return fetch_rows(warehouse, sql, params)


@cached
def reconciliation_counts(
    warehouse: str,
    scope: Scope,
    stores: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    period_from: date | None = None,
    period_to: date | None = None,
) -> dict[str, int]:
    """Number of settlements, tied, flagged and pending for the filters."""
    sql = f"""
        select
            count(*) as settlements,
            count(*) filter (where status = 'tied') as tied,
            count(*) filter (where {_NEEDS_ATTENTION}) as flagged,
            count(*) filter (where status = 'pending_deposit') as pending
        from {_SETTLEMENTS}
        left join seeds.reconciliation_statuses as statuses using (status)
        {_RECONCILIATION_WHERE}
    """
    params = _reconciliation_params(scope, stores, statuses, period_from, period_to)
    row = fetch_rows(warehouse, sql, params)
    return {name: int(value) for name, value in row.iloc[0].items()}


@cached
def reconciliation_differences(
    warehouse: str,
    scope: Scope,
    stores: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    period_from: date | None = None,
    period_to: date | None = None,
) -> pd.DataFrame:
    """Per settlement currency: the summed header-vs-lines and bank differences (exact Decimals)."""
    sql = f"""
        select
            currency,
            count(*) as settlements,
            coalesce(sum(difference), 0) as difference,
            coalesce(sum(bank_difference), 0) as bank_difference
        from {_SETTLEMENTS}
        {_RECONCILIATION_WHERE}
        group by currency
        order by currency
    """
    return fetch_rows(warehouse, sql, _reconciliation_params(scope, stores, statuses, period_from, period_to))


@cached
def settlement_lines(warehouse: str, scope: Scope, settlement_id: str) -> pd.DataFrame:
    """One settlement's ledger lines summed by transaction type, amount type and description."""
    sql = f"""
        select
            transaction_type,
            amount_type,
            amount_description,
            count(*) as lines,
            sum(amount) as amount,
            any_value(currency) as currency
        from marts.fct_ledger
        where settlement_id = $settlement_id and {stores_clause(_ANY_STORE)}
        group by transaction_type, amount_type, amount_description
        order by transaction_type, amount_type, amount_description
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "settlement_id": settlement_id})


@cached
def ledger_lines(warehouse: str, scope: Scope, settlement_id: str) -> pd.DataFrame:
    """One settlement's individual ledger lines, each with the archived file and line it came from."""
    sql = f"""
        select
            posted_date, transaction_type, amount_type, amount_description, order_id, sku, quantity,
            currency, amount, functional_currency, amount_functional, source_file_sha256, source_line
        from marts.fct_ledger
        where settlement_id = $settlement_id and {stores_clause(_ANY_STORE)}
        order by source_line, transaction_type, amount_type, amount_description
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "settlement_id": settlement_id})


@cached
def archived_file(warehouse: str, scope: Scope, sha256: str) -> pd.DataFrame:
    """The loads of the archived file `sha256`, if a ledger line the viewer may see came from it."""
    sql = f"""
        select file_name, kind, received_at, status, rows_loaded, sha256
        from audit.file_loads
        where sha256 = $sha256
          and exists (select 1 from marts.fct_ledger where source_file_sha256 = $sha256
                      and {stores_clause(_ANY_STORE)})
        order by received_at
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "sha256": sha256})


# --- Monthly P&L -----------------------------------------------------------------------------

_PNL_WHERE = f"""
    where {stores_clause()}
      and ($stores is null or list_contains($stores, store_id))
      and ($month_from is null or cast(month as date) >= $month_from)
      and ($month_to is null or cast(month as date) <= $month_to)
"""


@cached
def pnl_options(warehouse: str, scope: Scope) -> PnlOptions:
    sql = f"""
        select
            list_sort(list(distinct store_id)),
            list_sort(list(distinct cast(month as date))),
            any_value(functional_currency)
        from {_PNL}
        where {stores_clause()}
    """
    row = fetch_rows(warehouse, sql, scope.params()).iloc[0]
    return PnlOptions(
        stores=list(row.iloc[0] or []),
        months=list(row.iloc[1] or []),
        functional_currency=row.iloc[2],
    )


@cached
def pnl_by_month(
    warehouse: str,
    scope: Scope,
    stores: tuple[str, ...] = (),
    month_from: date | None = None,
    month_to: date | None = None,
) -> pd.DataFrame:
    """P&L in the functional currency by store, month and P&L line, in report order.

    A last row per store-month, `pnl_line` = 'Net', carries the total, summed in SQL so it is exact.
    """
    sql = f"""
        select
            store_id,
            cast(month as date) as month,
            case when grouping(pnl_line) = 1 then 'Net' else pnl_line end as pnl_line,
            sum(amount_functional) as amount_functional,
            any_value(functional_currency) as functional_currency,
            case when grouping(pnl_line) = 1 then null else min(pnl_sort_order) end as pnl_sort_order
        from {_PNL}
        {_PNL_WHERE}
        group by grouping sets ((store_id, month, pnl_line), (store_id, month))
        order by store_id, month, grouping(pnl_line), pnl_sort_order, pnl_line
    """
    params = {**scope.params(), "stores": filter_values(stores), "month_from": month_from, "month_to": month_to}
    return fetch_rows(warehouse, sql, params)


@cached
def pnl_by_sku(
    warehouse: str,
    scope: Scope,
    stores: tuple[str, ...] = (),
    month_from: date | None = None,
    month_to: date | None = None,
) -> pd.DataFrame:
    """P&L in the functional currency by SKU and P&L line, with the part that came from allocation."""
    sql = f"""
        select
            store_id,
            internal_sku,
            brand,
            category,
            pnl_line,
            sum(amount_functional) as amount_functional,
            coalesce(sum(amount_functional) filter (where is_allocated), 0) as allocated_functional,
            any_value(functional_currency) as functional_currency
        from {_PNL}
        {_PNL_WHERE}
        group by store_id, internal_sku, brand, category, pnl_line
        order by store_id, internal_sku, min(pnl_sort_order), pnl_line
    """
    params = {**scope.params(), "stores": filter_values(stores), "month_from": month_from, "month_to": month_to}
    return fetch_rows(warehouse, sql, params)


# --- Data quality ----------------------------------------------------------------------------


@cached
def file_load_counts(warehouse: str) -> dict[str, int]:
    sql = "select status, count(*) from audit.file_loads group by status order by status"
    return {status: int(n) for status, n in fetch_rows(warehouse, sql).itertuples(index=False)}


@cached
def file_loads(warehouse: str, statuses: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every file the loader has seen, newest first; quarantined files carry the reason."""
    sql = """
        select received_at, file_name, kind, status, message, rows_loaded, sha256
        from audit.file_loads
        where $statuses is null or list_contains($statuses, status)
        order by received_at desc, file_name
    """
    return fetch_rows(warehouse, sql, {"statuses": filter_values(statuses)})


@cached
def unconfigured_stores(warehouse: str, scope: Scope) -> pd.DataFrame:
    """Stores derived from a marketplace no stores.csv row covers (dim_stores.is_configured false); empty before
    the marts are built, so the page still shows what the loader did."""
    sql = f"""
        select store_id, marketplace_name, currency, n_settlements, first_period_start, last_period_end
        from marts.dim_stores
        where not is_configured and {stores_clause()}
        order by store_id
    """
    try:
        return fetch_rows(warehouse, sql, scope.params())
    except MartsMissing:
        return pd.DataFrame()


@cached
def failed_expectations(warehouse: str) -> pd.DataFrame:
    sql = """
        select validated_at, file_name, kind, rule, failed_line, detail
        from audit.validation_results
        where not success
        order by validated_at desc, file_name, failed_line
    """
    return fetch_rows(warehouse, sql)


def clear_cache() -> None:
    """Forget cached results, so the next page run reads what the pipeline wrote since."""
    st.cache_data.clear()



@cached
def last_posting(warehouse: str, scope: Scope) -> date | None:
    """The last day with ledger postings in the viewer's stores: the last month is partial before its end."""
    sql = f"select max(posted_date) from marts.fct_ledger where {stores_clause(_ANY_STORE)}"
    return fetch_rows(warehouse, sql, scope.params()).iloc[0, 0]
