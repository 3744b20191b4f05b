{%- set functional = var('functional_currency') | upper -%}
-- One row per vendor invoice: the POs it bills, its amount and terms, the due date its terms give (Net:
-- invoice date + days; EOM: end of the invoice month + days) beside Amazon's due date, what was paid and
-- discounted (quick pay), the deductions taken against it, what is still outstanding, how many days it is
-- overdue on as_of and its status. The due date that counts is Amazon's, else the one the terms give.
-- Outstanding = amount - paid - quick-pay discount: deductions are separate remittance lines (Amazon pays
-- the invoice and claws money back beside it), reported in deduction_amount and net_received_amount.
with

as_of as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

grace as (
    select coalesce(max(threshold_days), 0) as overdue_grace_days
    from {{ ref('vendor_alert_thresholds') }}
    where alert_type = 'invoice_overdue'
),

invoices as (
    select
        *,
        upper(replace(replace(replace(payment_terms, ' ', ''), '-', ''), '_', '')) as terms_code
    from {{ ref('int_vendor_invoices') }}
),

purchase_orders as (
    select
        vendor_code,
        invoice_number,
        count(*) as n_purchase_orders,
        {{ dbt.listagg('purchase_order_number', "', '", 'order by purchase_order_number') }} as purchase_order_numbers
    from {{ ref('int_vendor_invoice_purchase_orders') }}
    group by vendor_code, invoice_number
),

deductions as (
    select vendor_code, invoice_number, count(*) as n_deductions, sum(amount_paid) as deduction_amount
    from {{ ref('int_vendor_remittance_lines') }}
    where is_deduction and invoice_number is not null
    group by vendor_code, invoice_number
),

rates as (
    select * from {{ ref('int_fx_daily_rates') }}
),

termed as (
    select
        invoices.*,
        terms.basis as terms_basis,
        terms.net_days as terms_net_days,
        cast(
            case terms.basis
                when 'invoice_date' then {{ dbt.dateadd('day', 'terms.net_days', 'invoices.invoice_date') }}
                when 'end_of_month' then {{ dbt.dateadd('day', 'terms.net_days', dbt.last_day('invoices.invoice_date', 'month')) }}
            end
        as date) as expected_due_date
    from invoices
    left join {{ ref('vendor_payment_terms') }} as terms
        on terms.terms_code = invoices.terms_code
),

measured as (
    select
        termed.*,
        coalesce(termed.amazon_due_date, termed.expected_due_date) as due_date,
        coalesce(termed.paid_amount, 0) as paid,
        coalesce(termed.discount_taken, 0) as discount,
        termed.invoice_amount - coalesce(termed.paid_amount, 0) - coalesce(termed.discount_taken, 0) as outstanding,
        termed.in_api or termed.in_export or termed.in_remittance as is_known_to_amazon,
        termed.api_status = 'REJECTED' or lower(coalesce(termed.export_status, '')) like '%reject%' as is_rejected
    from termed
),

statused as (
    select
        measured.*,
        as_of.as_of_date,
        case when measured.outstanding > 0 and not measured.is_rejected
            then {{ dbt.datediff('measured.due_date', 'as_of.as_of_date', 'day') }} end as days_past_due,
        case
            when not measured.is_known_to_amazon and measured.submitted_at is null then 'not_submitted'
            when not measured.is_known_to_amazon then 'submitted'
            when measured.is_rejected then 'rejected'
            when measured.outstanding <= 0 then 'paid'
            when {{ dbt.datediff('measured.due_date', 'as_of.as_of_date', 'day') }} > grace.overdue_grace_days then 'overdue'
            when {{ dbt.datediff('measured.due_date', 'as_of.as_of_date', 'day') }} > 0 then 'awaiting_payment'
            else 'open'
        end as status
    from measured
    cross join as_of
    cross join grace
)

select
    ---------- ids
    statused.vendor_code,
    statused.invoice_number,
    statused.invoice_identifier,
    statused.account_id,
    statused.marketplace_id,
    marketplaces.marketplace_name,
    purchase_orders.purchase_order_numbers,
    coalesce(purchase_orders.n_purchase_orders, 0) as n_purchase_orders,

    ---------- amount and terms
    statused.invoice_date,
    statused.invoice_amount,
    statused.currency,
    statused.payment_terms,
    statused.terms_code,
    statused.terms_basis,
    statused.terms_net_days,
    statused.expected_due_date,
    statused.amazon_due_date,
    {{ dbt.datediff('statused.expected_due_date', 'statused.amazon_due_date', 'day') }} as due_date_difference_days,
    statused.due_date,

    ---------- payment
    statused.paid as paid_amount,
    statused.discount as discount_taken,
    statused.discount > 0 as is_quick_pay,
    coalesce(deductions.deduction_amount, 0) as deduction_amount,
    coalesce(deductions.n_deductions, 0) as n_deductions,
    statused.paid + coalesce(deductions.deduction_amount, 0) as net_received_amount,
    case when statused.status in ('rejected', 'paid') then cast(0 as {{ money() }}) else statused.outstanding end as outstanding_amount,
    statused.first_payment_date,
    statused.last_payment_date,
    statused.payment_numbers,
    case when statused.status = 'paid' then {{ dbt.datediff('statused.due_date', 'statused.last_payment_date', 'day') }} end
        as days_paid_after_due,
    statused.queued_for_payment,
    statused.quantity_variance_amount,
    statused.price_variance_amount,

    ---------- status on as_of
    statused.as_of_date,
    statused.days_past_due,
    {{ greatest_non_null('coalesce(statused.days_past_due, 0)', '0') }} as days_overdue,
    buckets.bucket as aging_bucket,
    statused.status,
    statused.api_status,
    statused.export_status,
    statused.in_api,
    statused.in_export,
    statused.in_remittance,
    statused.built_by_acorn,
    statused.submitted_at,
    statused.transaction_status,

    ---------- forecast
    statused.status in ('open', 'awaiting_payment', 'overdue', 'submitted') as is_forecast,
    case when statused.status in ('open', 'awaiting_payment', 'overdue', 'submitted') then
        case
            when cast({{ dbt.dateadd('day', 'coalesce(gaps.avg_days_paid_after_due, 0)', 'statused.due_date') }} as date) < statused.as_of_date
                then statused.as_of_date
            else cast({{ dbt.dateadd('day', 'coalesce(gaps.avg_days_paid_after_due, 0)', 'statused.due_date') }} as date)
        end
    end as expected_payment_date,

    ---------- functional currency
    case when statused.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else invoice_rates.fx_rate end as fx_rate,
    cast(round(statused.invoice_amount
        * case when statused.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else invoice_rates.fx_rate end, 2) as {{ money() }})
        as invoice_amount_functional,
    case when statused.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else as_of_rates.fx_rate end as as_of_fx_rate,
    '{{ functional }}' as functional_currency
from statused
left join purchase_orders
    on purchase_orders.vendor_code = statused.vendor_code
    and purchase_orders.invoice_number = statused.invoice_number
left join deductions
    on deductions.vendor_code = statused.vendor_code
    and deductions.invoice_number = statused.invoice_number
left join {{ ref('int_vendor_marketplaces') }} as marketplaces
    on marketplaces.marketplace_id = statused.marketplace_id
left join {{ ref('int_vendor_payment_gaps') }} as gaps
    on gaps.marketplace_id = statused.marketplace_id
left join {{ ref('vendor_aging_buckets') }} as buckets
    on statused.days_past_due between buckets.min_days_overdue and buckets.max_days_overdue
left join rates as invoice_rates
    on invoice_rates.currency = statused.currency
    and invoice_rates.calendar_date = statused.invoice_date
left join rates as as_of_rates
    on as_of_rates.currency = statused.currency
    and as_of_rates.calendar_date = statused.as_of_date
