-- Invoiced quantities and amounts by invoice, PO and ASIN: the line items of the latest API version of an
-- invoice, else the lines of the invoice ACORN built. Invoices known only from exports carry no lines.
with

api_lines as (
    select
        invoices.vendor_code,
        invoices.invoice_number,
        {{ dbt.split_part('lines.purchase_order_numbers', "','", 1) }} as purchase_order_number,
        cast(null as {{ dbt.type_string() }}) as po_item_sequence_number,
        lines.asin,
        lines.quantity,
        lines.total_amount as amount,
        lines.currency,
        lines.paid_quantity,
        lines.paid_amount,
        'api' as line_source
    from {{ ref('stg_vendor__invoice_lines') }} as lines
    inner join {{ ref('int_vendor_api_invoices') }} as invoices
        on invoices.account_id = lines.account_id
        and invoices.invoice_identifier = lines.invoice_identifier
        and invoices.last_updated_at = lines.last_updated_at
),

own_lines as (
    select
        submissions.vendor_code,
        items.invoice_number,
        items.purchase_order_number,
        items.po_item_sequence_number,
        items.asin,
        items.invoiced_quantity as quantity,
        items.amount,
        items.currency,
        cast(null as integer) as paid_quantity,
        cast(null as {{ money() }}) as paid_amount,
        'acorn' as line_source
    from {{ ref('stg_vendor__invoice_submission_items') }} as items
    inner join {{ ref('stg_vendor__invoice_submissions') }} as submissions
        on submissions.account_id = items.account_id
        and submissions.invoice_number = items.invoice_number
    where not exists (
        select 1 from api_lines
        where api_lines.vendor_code = submissions.vendor_code
            and api_lines.invoice_number = items.invoice_number
    )
)

select * from api_lines
union all
select * from own_lines
