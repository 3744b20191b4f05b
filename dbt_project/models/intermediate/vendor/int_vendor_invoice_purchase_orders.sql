-- Which purchase orders each invoice bills: every PO number any source names for it (the API's
-- PURCHASE_ORDER_IDS and line items, the export's and remittance's PO column, ACORN's own invoice).
with

api_related as (
    select api_invoices.vendor_code, api_invoices.invoice_number, related.identifier_value as purchase_order_number
    from {{ ref('stg_vendor__invoice_related_ids') }} as related
    inner join {{ ref('int_vendor_api_invoices') }} as api_invoices
        on api_invoices.account_id = related.account_id
        and api_invoices.invoice_identifier = related.invoice_identifier
        and api_invoices.last_updated_at = related.last_updated_at
    where related.identifier_name = 'PURCHASE_ORDER_IDS'
),

named as (
    select vendor_code, invoice_number, purchase_order_number from api_related
    union
    select vendor_code, invoice_number, purchase_order_number from {{ ref('int_vendor_invoice_lines') }}
    union
    select vendor_code, invoice_number, purchase_order_number from {{ ref('int_vendor_export_invoices') }}
    union
    select vendor_code, invoice_number, purchase_order_number
    from {{ ref('int_vendor_remittance_lines') }}
    where not is_deduction
)

select named.vendor_code, named.invoice_number, named.purchase_order_number
from named
inner join {{ ref('int_vendor_invoices') }} as invoices
    on invoices.vendor_code = named.vendor_code
    and invoices.invoice_number = named.invoice_number
where named.purchase_order_number is not null
