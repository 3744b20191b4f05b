"""The SQL the Vendor page runs, over the vendor marts.

Same rules as `dashboards.queries` (whose connection and cache helpers it uses): short read-only connections,
bound parameters, money summed in SQL and returned as Decimal, and the viewer's vendor-account scope: marts
that carry `account_id` filter on it, the others on the vendor codes of the viewer's accounts. The cash-flow
forecast mart has neither, so a scoped viewer gets none (`cashflow_forecast` returns no rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboards.queries import cached, fetch_rows, filter_values
from dashboards.scope import Scope, accounts_clause

_ACCOUNTS = accounts_clause()
_CODES = f"""
    (cast($scope_accounts as varchar[]) is null or vendor_code in (
        select vendor_code from marts.fct_po_lifecycle where {_ACCOUNTS}
        union select vendor_code from marts.fct_vendor_invoices where {_ACCOUNTS}))
"""

# A PO appears in an invoice's or deduction's comma-separated PO list.
_NAMES_PO = "list_contains(string_split(replace(coalesce(purchase_order_number, ''), ' ', ''), ','), $po)"


@dataclass(frozen=True)
class VendorOptions:
    marketplaces: list[str]
    purchase_orders: list[str]
    as_of: date | None
    functional_currency: str | None


@cached
def vendor_options(warehouse: str, scope: Scope) -> VendorOptions:
    sql = f"""
        select
            (select list_sort(list(distinct marketplace_name)) from marts.fct_po_lifecycle
             where marketplace_name is not null and {_ACCOUNTS}),
            (select list(purchase_order_number order by min_ordered desc, purchase_order_number)
             from (select purchase_order_number, min(ordered_on) as min_ordered
                   from marts.fct_po_lifecycle where {_ACCOUNTS} group by purchase_order_number)),
            (select max(as_of_date) from marts.fct_po_lifecycle),
            (select any_value(functional_currency) from marts.fct_vendor_invoices)
    """
    row = fetch_rows(warehouse, sql, scope.params()).iloc[0]
    return VendorOptions(list(row.iloc[0] or []), list(row.iloc[1] or []), row.iloc[2], row.iloc[3])


@cached
def po_lines(warehouse: str, scope: Scope, po: str) -> pd.DataFrame:
    """Each line of PO `po`: where it is, its quantities and money, its stage dates."""
    sql = f"""
        select
            item_sequence_number, asin, current_stage, days_in_stage,
            ordered_quantity, accepted_quantity, cancelled_quantity, shipped_quantity, in_transit_quantity,
            received_quantity, invoiced_quantity,
            currency, ordered_amount, received_amount, invoiced_amount, paid_amount, outstanding_amount,
            ordered_on, acknowledged_on, shipped_on, estimated_delivery_on, delivered_on, days_in_transit,
            received_on, invoiced_on, paid_on, cancelled_on, shipment_id,
            invoice_numbers, marketplace_name, vendor_code
        from marts.fct_po_lifecycle
        where purchase_order_number = $po and {_ACCOUNTS}
        order by item_sequence_number
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "po": po})


@cached
def po_steps(warehouse: str, scope: Scope, po: str) -> pd.DataFrame:
    """PO `po` from ordered to paid: per step the date it was first reached and the quantity (eaches) that reached it."""
    sql = f"""
        with po as (select * from marts.fct_po_lifecycle where purchase_order_number = $po and {_ACCOUNTS})
        select 1 as step_order, 'ordered' as step, min(ordered_on) as reached_on, sum(ordered_quantity) as quantity from po
        union all select 2, 'acknowledged', min(acknowledged_on), sum(coalesce(accepted_quantity, 0)) from po
        union all select 3, 'shipped', min(shipped_on), sum(shipped_quantity) from po
        union all select 4, 'received', min(received_on), sum(received_quantity) from po
        union all select 5, 'invoiced', min(invoiced_on), sum(invoiced_quantity) from po
        union all select 6, 'paid', max(paid_on), sum(paid_quantity) from po
        order by step_order
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "po": po})


@cached
def po_blockers(warehouse: str, scope: Scope, po: str) -> pd.DataFrame:
    """What keeps PO `po` from its next step, one row each (none when it is paid or cancelled): the blocker's kind
    and its figures; `dashboards.po_blockers` words them in the viewer's language."""
    sql = f"""
        with po as (
            select
                sum(ordered_quantity) as ordered, sum(coalesce(accepted_quantity, 0) - cancelled_quantity) as open_quantity,
                sum(shipped_quantity) as shipped, sum(in_transit_quantity) as in_transit,
                sum(received_quantity) as received, sum(invoiced_quantity) as invoiced,
                min(acknowledged_on) as acknowledged_on, min(cast(ship_window_end as date)) as ship_window_end,
                max(estimated_delivery_on) as estimated_delivery_on, min(current_stage) as any_stage,
                bool_and(current_stage in ('paid', 'cancelled')) as is_done
            from marts.fct_po_lifecycle where purchase_order_number = $po and {_ACCOUNTS}
        ),
        held as (
            select list(distinct {{'line': item_sequence_number, 'reason': reason, 'reason_zh': reason_zh}}) as reasons
            from marts.fct_vendor_invoice_compliance where purchase_order_number = $po and not is_passed and {_ACCOUNTS}
            having count(*) > 0
        ),
        open_invoices as (
            select list({{'invoice': invoice_number, 'status': status, 'due': due_date}} order by invoice_number)
                as invoices
            from marts.fct_vendor_invoices
            where list_contains(string_split(replace(coalesce(purchase_order_numbers, ''), ' ', ''), ','), $po)
                and status not in ('paid', 'rejected') and {_ACCOUNTS}
            having count(*) > 0
        )
        select kind, quantity, day, items from (
            select 1 as position, 'not_acknowledged' as kind, null::bigint as quantity, null::date as day,
                   null as items
            from po where acknowledged_on is null and not is_done
            union all
            select 2, 'nothing_shipped', null, ship_window_end, null
            from po where acknowledged_on is not null and shipped = 0 and received = 0 and open_quantity > 0
            union all
            select 3, 'in_transit', in_transit, estimated_delivery_on, null from po where in_transit > 0
            union all
            select 4, 'held_back', null, null, to_json(held.reasons) from held
            union all
            select 5, 'not_invoiced', received - invoiced, null, null
            from po where received > invoiced and not exists (select 1 from held)
            union all
            select 6, 'awaiting_payment', null, null, to_json(open_invoices.invoices) from open_invoices
        ) as blockers
        order by position
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "po": po})


@cached
def po_money(warehouse: str, scope: Scope, po: str) -> pd.DataFrame:
    """Where the money of PO `po` is, per currency: ordered, received, invoiced, paid, deducted, outstanding."""
    sql = f"""
        with lines as (
            select currency, sum(ordered_amount) as ordered, sum(received_amount) as received,
                   sum(invoiced_amount) as invoiced, sum(paid_amount) as paid
            from marts.fct_po_lifecycle where purchase_order_number = $po and {_ACCOUNTS} group by currency
        ),
        invoices as (
            select currency, sum(outstanding_amount) as outstanding,
                   string_agg(distinct status, ', ' order by status) as invoice_statuses,
                   min(expected_payment_date) as next_expected_payment
            from marts.fct_vendor_invoices
            where list_contains(string_split(replace(coalesce(purchase_order_numbers, ''), ' ', ''), ','), $po)
              and {_ACCOUNTS}
            group by currency
        ),
        deductions as (
            select currency, sum(amount) as deducted
            from marts.fct_vendor_deductions where {_NAMES_PO} and {_CODES} group by currency
        )
        select
            lines.currency, lines.ordered, lines.received, lines.invoiced, lines.paid,
            coalesce(deductions.deducted, 0) as deducted,
            coalesce(invoices.outstanding, 0) as outstanding,
            invoices.invoice_statuses, invoices.next_expected_payment
        from lines
        left join invoices on invoices.currency = lines.currency
        left join deductions on deductions.currency = lines.currency
        order by lines.currency
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "po": po})


@cached
def po_invoices(warehouse: str, scope: Scope, po: str) -> pd.DataFrame:
    sql = f"""
        select
            invoice_number, status, invoice_date, payment_terms, expected_due_date, amazon_due_date,
            currency, invoice_amount, paid_amount, discount_taken, deduction_amount, outstanding_amount,
            days_overdue, last_payment_date, payment_numbers, expected_payment_date
        from marts.fct_vendor_invoices
        where list_contains(string_split(replace(coalesce(purchase_order_numbers, ''), ' ', ''), ','), $po)
          and {_ACCOUNTS}
        order by invoice_date, invoice_number
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "po": po})


@cached
def po_deductions(warehouse: str, scope: Scope, po: str) -> pd.DataFrame:
    sql = f"""
        select deduction_number, deduction_type, payment_date, payment_number, currency, amount,
               related_invoice_number, is_reversed, is_disputed, description
        from marts.fct_vendor_deductions
        where {_NAMES_PO} and {_CODES}
        order by payment_date, deduction_number
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "po": po})


@cached
def invoice_aging(warehouse: str, scope: Scope, marketplaces: tuple[str, ...] = ()) -> pd.DataFrame:
    """Outstanding money per aging bucket and currency, buckets in order."""
    sql = f"""
        select
            invoices.aging_bucket,
            invoices.currency,
            count(*) as invoices,
            sum(invoices.outstanding_amount) as outstanding,
            sum(round(invoices.outstanding_amount * invoices.as_of_fx_rate, 2)) as outstanding_functional,
            any_value(invoices.functional_currency) as functional_currency
        from marts.fct_vendor_invoices as invoices
        left join seeds.vendor_aging_buckets as buckets on buckets.bucket = invoices.aging_bucket
        where invoices.outstanding_amount > 0 and invoices.aging_bucket is not null
          and ($marketplaces is null or list_contains($marketplaces, invoices.marketplace_name))
          and {accounts_clause("invoices.account_id")}
        group by invoices.aging_bucket, invoices.currency
        order by min(buckets.sort_order), invoices.currency
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "marketplaces": filter_values(marketplaces)})


@cached
def deductions_by_type(warehouse: str, scope: Scope, marketplaces: tuple[str, ...] = ()) -> pd.DataFrame:
    sql = f"""
        select deduction_type, currency, count(*) as deductions, sum(amount) as amount,
               sum(amount_functional) as amount_functional, any_value(functional_currency) as functional_currency
        from marts.fct_vendor_deductions
        where ($marketplaces is null or list_contains($marketplaces, marketplace_name)) and {_CODES}
        group by deduction_type, currency
        order by sum(amount_functional), deduction_type, currency
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "marketplaces": filter_values(marketplaces)})


@cached
def cashflow_forecast(warehouse: str, scope: Scope, marketplaces: tuple[str, ...] = ()) -> pd.DataFrame:
    sql = """
        select week_start, marketplace_name, currency, n_invoices, expected_amount, overdue_amount,
               expected_amount_functional, functional_currency
        from marts.fct_vendor_cashflow_forecast
        where ($marketplaces is null or list_contains($marketplaces, marketplace_name))
          and cast($scope_accounts as varchar[]) is null
        order by week_start, marketplace_name
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "marketplaces": filter_values(marketplaces)})


@cached
def open_alerts(warehouse: str, scope: Scope, marketplaces: tuple[str, ...] = ()) -> pd.DataFrame:
    sql = f"""
        select severity, alert_type, marketplace_name, purchase_order_number, invoice_number, amount, currency,
               raised_on, message
        from marts.fct_alerts
        where domain = 'vendor'
          and ($marketplaces is null or list_contains($marketplaces, marketplace_name))
          and {_ACCOUNTS}
        order by case severity when 'high' then 0 when 'medium' then 1 else 2 end, raised_on, alert_id
    """
    return fetch_rows(warehouse, sql, {**scope.params(), "marketplaces": filter_values(marketplaces)})
