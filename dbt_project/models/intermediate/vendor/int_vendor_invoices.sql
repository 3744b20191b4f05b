-- Every vendor invoice one row per vendor code and invoice number, merged from what knows about it: the
-- Finances Invoices API, the Vendor Central invoice export, remittance payment rows and the invoices ACORN
-- built (submitInvoices). Deduction numbers (vendor_deduction_types) are not invoices and are left out.
-- Paid money comes from the remittances when any were loaded, else from the API's AmountPaid, else from
-- the export; the invoice date and amount from the API, else the export, remittance or own invoice.
with

api as (
    select * from {{ ref('int_vendor_api_invoices') }}
),

export as (
    select * from {{ ref('int_vendor_export_invoices') }}
),

payments as (
    select
        vendor_code,
        invoice_number,
        min(marketplace_id) as marketplace_id,
        min(currency) as currency,
        min(invoice_date) as invoice_date,
        max(invoice_amount) as invoice_amount,
        sum(amount_paid) as amount_paid,
        sum(discount_taken) as discount_taken,
        min(payment_date) as first_payment_date,
        max(payment_date) as last_payment_date,
        {{ dbt.listagg('distinct payment_number', "', '", 'order by payment_number') }} as payment_numbers
    from {{ ref('int_vendor_remittance_lines') }}
    where not is_deduction
    group by vendor_code, invoice_number
),

own as (
    select
        *,
        case
            when lower(payment_terms_type) = 'basic' then 'NET' || cast(net_due_days as {{ dbt.type_string() }})
            when lower(payment_terms_type) = 'endofmonth' then 'NET' || cast(net_due_days as {{ dbt.type_string() }}) || 'EOM'
        end as payment_terms
    from {{ ref('stg_vendor__invoice_submissions') }}
),

keys as (
    select vendor_code, invoice_number from api
    union
    select vendor_code, invoice_number from export
    union
    select vendor_code, invoice_number from payments
    union
    select vendor_code, invoice_number from own
),

merged as (
    select
        keys.vendor_code,
        keys.invoice_number,
        coalesce(api.account_id, own.account_id) as account_id,
        coalesce(api.marketplace_id, export.marketplace_id, payments.marketplace_id, own.marketplace_id) as marketplace_id,
        api.invoice_identifier,
        coalesce(cast(api.issued_at as date), export.invoice_date, payments.invoice_date, own.invoice_date) as invoice_date,
        coalesce(api.invoice_amount, export.invoice_amount, payments.invoice_amount, own.invoice_total) as invoice_amount,
        coalesce(api.currency, export.currency, payments.currency, own.currency) as currency,
        coalesce(api.payment_terms, export.payment_terms, own.payment_terms) as payment_terms,
        coalesce(cast(api.due_at as date), export.due_date) as amazon_due_date,
        api.invoice_status as api_status,
        export.invoice_status as export_status,
        api.invoice_type,
        case
            when payments.invoice_number is not null then payments.amount_paid
            when api.amount_paid is not null then api.amount_paid
            else export.amount_paid
        end as paid_amount,
        case
            when payments.invoice_number is not null then payments.discount_taken
            else coalesce(api.quick_pay_discount, 0)
        end as discount_taken,
        api.queued_for_payment,
        api.quantity_variance_amount,
        api.price_variance_amount,
        coalesce(payments.last_payment_date, cast(api.first_paid_seen_at as date)) as last_payment_date,
        payments.first_payment_date,
        payments.payment_numbers,
        api.invoice_number is not null as in_api,
        export.invoice_number is not null as in_export,
        payments.invoice_number is not null as in_remittance,
        own.invoice_number is not null as built_by_acorn,
        own.submitted_at,
        own.transaction_status
    from keys
    left join api
        on api.vendor_code = keys.vendor_code and api.invoice_number = keys.invoice_number
    left join export
        on export.vendor_code = keys.vendor_code and export.invoice_number = keys.invoice_number
    left join payments
        on payments.vendor_code = keys.vendor_code and payments.invoice_number = keys.invoice_number
    left join own
        on own.vendor_code = keys.vendor_code and own.invoice_number = keys.invoice_number
)

select merged.*
from merged
where not exists (
    select 1
    from {{ ref('vendor_deduction_types') }} as types
    where merged.invoice_number like types.like_pattern
)
