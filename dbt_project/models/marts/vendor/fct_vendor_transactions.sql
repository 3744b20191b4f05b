{%- set functional = var('functional_currency') | upper -%}
-- Every vendor money transaction, one row each, for audit and tax exports (acorn export vendor): PO lines
-- as ordered, invoices (per line item when Amazon or ACORN itemised them, else the whole invoice), payments
-- and quick-pay discounts per remittance line (or the API's AmountPaid when no remittance was loaded), and
-- deductions. Amounts as the source states them (deductions signed), in their currency and in the
-- functional currency at the transaction date's rate. po_asins lists the ASINs of the row's PO, so an
-- ASIN filter finds the payments and deductions of that ASIN's POs too.
with

po_lines as (
    select * from {{ ref('fct_po_lifecycle') }}
),

po_asins as (
    select
        purchase_order_number,
        {{ dbt.listagg('distinct asin', "','", 'order by asin') }} as po_asins
    from po_lines
    group by purchase_order_number
),

invoices as (
    select * from {{ ref('fct_vendor_invoices') }}
),

itemised as (
    select distinct vendor_code, invoice_number from {{ ref('int_vendor_invoice_lines') }}
),

remittances as (
    select * from {{ ref('int_vendor_remittance_lines') }}
),

transactions as (
    select
        'po_line:' || po_lines.purchase_order_number || ':' || po_lines.item_sequence_number as transaction_id,
        'po_line' as transaction_type,
        po_lines.ordered_on as transaction_date,
        po_lines.marketplace_id,
        po_lines.vendor_code,
        po_lines.purchase_order_number,
        po_lines.item_sequence_number,
        po_lines.asin,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_string() }}) as payment_number,
        cast(null as {{ dbt.type_string() }}) as deduction_type,
        'ordered ' || cast(po_lines.ordered_quantity as {{ dbt.type_string() }}) || ' at ' || cast(po_lines.net_cost as {{ dbt.type_string() }})
            || '; stage ' || po_lines.current_stage as description,
        po_lines.ordered_quantity as quantity,
        po_lines.ordered_amount as amount,
        po_lines.currency,
        'vendorOrders' as source
    from po_lines

    union all

    select
        'invoice_line:' || lines.vendor_code || ':' || lines.invoice_number || ':'
            || coalesce(lines.purchase_order_number, '') || ':' || coalesce(lines.po_item_sequence_number, lines.asin, ''),
        'invoice_line',
        invoices.invoice_date,
        invoices.marketplace_id,
        lines.vendor_code,
        lines.purchase_order_number,
        lines.po_item_sequence_number,
        lines.asin,
        lines.invoice_number,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'invoice ' || lines.invoice_number || ' (' || invoices.status || ')',
        lines.quantity,
        lines.amount,
        lines.currency,
        case lines.line_source when 'api' then 'financesInvoices' else 'acornInvoice' end
    from {{ ref('int_vendor_invoice_lines') }} as lines
    inner join invoices
        on invoices.vendor_code = lines.vendor_code
        and invoices.invoice_number = lines.invoice_number

    union all

    select
        'invoice:' || invoices.vendor_code || ':' || invoices.invoice_number,
        'invoice',
        invoices.invoice_date,
        invoices.marketplace_id,
        invoices.vendor_code,
        invoices.purchase_order_numbers,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        invoices.invoice_number,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'invoice ' || invoices.invoice_number || ' (' || invoices.status || ')',
        cast(null as integer),
        invoices.invoice_amount,
        invoices.currency,
        'vendorCentralExport'
    from invoices
    where not exists (
        select 1 from itemised
        where itemised.vendor_code = invoices.vendor_code and itemised.invoice_number = invoices.invoice_number
    )

    union all

    select
        'payment:' || remittances.payment_number || ':' || remittances.remittance_invoice_number || ':'
            || cast(remittances.occurrence as {{ dbt.type_string() }}),
        'payment',
        remittances.payment_date,
        remittances.marketplace_id,
        remittances.vendor_code,
        remittances.purchase_order_number,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        remittances.invoice_number,
        remittances.payment_number,
        cast(null as {{ dbt.type_string() }}),
        remittances.invoice_description,
        cast(null as integer),
        remittances.amount_paid,
        remittances.currency,
        'remittance'
    from remittances
    where not remittances.is_deduction

    union all

    select
        'quick_pay_discount:' || remittances.payment_number || ':' || remittances.remittance_invoice_number || ':'
            || cast(remittances.occurrence as {{ dbt.type_string() }}),
        'quick_pay_discount',
        remittances.payment_date,
        remittances.marketplace_id,
        remittances.vendor_code,
        remittances.purchase_order_number,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        remittances.invoice_number,
        remittances.payment_number,
        cast(null as {{ dbt.type_string() }}),
        'quick-pay discount taken on invoice ' || remittances.invoice_number,
        cast(null as integer),
        remittances.discount_taken,
        remittances.currency,
        'remittance'
    from remittances
    where not remittances.is_deduction and remittances.discount_taken <> 0

    union all

    select
        'payment:api:' || invoices.vendor_code || ':' || invoices.invoice_number,
        'payment',
        invoices.last_payment_date,
        invoices.marketplace_id,
        invoices.vendor_code,
        invoices.purchase_order_numbers,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        invoices.invoice_number,
        invoices.payment_numbers,
        cast(null as {{ dbt.type_string() }}),
        'paid on invoice ' || invoices.invoice_number || ' (Finances API; no remittance loaded)',
        cast(null as integer),
        invoices.paid_amount,
        invoices.currency,
        'financesInvoices'
    from invoices
    where not invoices.in_remittance and invoices.paid_amount <> 0

    union all

    select
        'deduction:' || remittances.payment_number || ':' || remittances.remittance_invoice_number || ':'
            || cast(remittances.occurrence as {{ dbt.type_string() }}),
        'deduction',
        remittances.payment_date,
        remittances.marketplace_id,
        remittances.vendor_code,
        remittances.purchase_order_number,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        remittances.remittance_invoice_number,
        remittances.payment_number,
        remittances.deduction_type,
        remittances.invoice_description,
        cast(null as integer),
        remittances.amount_paid,
        remittances.currency,
        'remittance'
    from remittances
    where remittances.is_deduction
),

rates as (
    select * from {{ ref('int_fx_daily_rates') }}
)

select
    transactions.transaction_id,
    transactions.transaction_type,
    transactions.transaction_date,
    transactions.marketplace_id,
    marketplaces.marketplace_name,
    transactions.vendor_code,
    transactions.purchase_order_number,
    transactions.item_sequence_number,
    transactions.asin,
    coalesce(transactions.asin, po_asins.po_asins) as po_asins,
    transactions.invoice_number,
    transactions.payment_number,
    transactions.deduction_type,
    transactions.description,
    transactions.quantity,
    transactions.amount,
    transactions.currency,
    case when transactions.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end as fx_rate,
    cast(round(transactions.amount
        * case when transactions.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end, 2) as {{ money() }})
        as amount_functional,
    '{{ functional }}' as functional_currency,
    transactions.source
from transactions
left join po_asins
    on po_asins.purchase_order_number = transactions.purchase_order_number
left join {{ ref('int_vendor_marketplaces') }} as marketplaces
    on marketplaces.marketplace_id = transactions.marketplace_id
left join rates
    on rates.currency = transactions.currency
    and rates.calendar_date = transactions.transaction_date
