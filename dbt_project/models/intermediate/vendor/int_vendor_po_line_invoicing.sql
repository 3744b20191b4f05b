-- What was invoiced and paid for each PO line: the invoice lines naming the PO, matched to the PO line by
-- item sequence number (ACORN's own invoices) or ASIN (Amazon's line items). Payments are spread over an
-- invoice's lines in proportion to their amounts: paid = cash received, settled = paid + quick-pay discount.
-- Invoices ACORN built but did not submit are not invoices yet.
with

invoices as (
    select
        *,
        coalesce(paid_amount, 0) as paid_total,
        coalesce(paid_amount, 0) + coalesce(discount_taken, 0) as settled_total
    from {{ ref('int_vendor_invoices') }}
    where in_api or in_export or in_remittance or submitted_at is not null
),

lines as (
    select
        po_lines.account_id,
        po_lines.purchase_order_number,
        po_lines.item_sequence_number,
        invoice_lines.invoice_number,
        invoices.invoice_date,
        invoices.last_payment_date,
        invoice_lines.quantity,
        invoice_lines.amount,
        case when invoices.invoice_amount = 0 then invoice_lines.amount
             else cast({{ quotient('invoice_lines.amount * invoices.paid_total', 'invoices.invoice_amount', 2, 2) }} as {{ money() }}) end as paid_amount,
        case when invoices.invoice_amount = 0 then invoice_lines.amount
             else cast({{ quotient('invoice_lines.amount * invoices.settled_total', 'invoices.invoice_amount', 2, 2) }} as {{ money() }}) end as settled_amount,
        invoices.settled_total >= invoices.invoice_amount as is_invoice_settled
    from {{ ref('int_vendor_invoice_lines') }} as invoice_lines
    inner join invoices
        on invoices.vendor_code = invoice_lines.vendor_code
        and invoices.invoice_number = invoice_lines.invoice_number
    inner join {{ ref('int_vendor_po_lines') }} as po_lines
        on po_lines.purchase_order_number = invoice_lines.purchase_order_number
        and po_lines.vendor_code = invoice_lines.vendor_code
        and (
            po_lines.item_sequence_number = invoice_lines.po_item_sequence_number
            or (invoice_lines.po_item_sequence_number is null and po_lines.asin = invoice_lines.asin)
        )
)

select
    account_id,
    purchase_order_number,
    item_sequence_number,
    sum(quantity) as invoiced_quantity,
    sum(amount) as invoiced_amount,
    sum(paid_amount) as paid_amount,
    sum(settled_amount) as settled_amount,
    sum(case when is_invoice_settled then quantity else 0 end) as paid_quantity,
    min(invoice_date) as first_invoiced_on,
    max(invoice_date) as last_invoiced_on,
    max(last_payment_date) as last_paid_on,
    min(case when is_invoice_settled then 1 else 0 end) = 1 as is_fully_settled,
    {{ dbt.listagg('distinct invoice_number', "', '", 'order by invoice_number') }} as invoice_numbers
from lines
group by account_id, purchase_order_number, item_sequence_number
