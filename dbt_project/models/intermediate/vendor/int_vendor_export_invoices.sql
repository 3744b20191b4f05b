-- Invoices of loaded Vendor Central invoice exports: one row per vendor code and invoice number, from the
-- most recently received export that lists it.
with

rows_loaded as (
    select
        invoices.*,
        row_number() over (
            partition by invoices.vendor_code, invoices.invoice_number
            order by files.received_at desc, invoices.source_file_sha256 desc, invoices.source_line desc
        ) as recency_rank
    from {{ ref('stg_vendor__central_invoices') }} as invoices
    inner join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = invoices.source_file_sha256
)

select
    rows_loaded.invoice_number,
    rows_loaded.vendor_code,
    marketplaces.marketplace_id,
    rows_loaded.purchase_order_number,
    rows_loaded.invoice_status,
    rows_loaded.payment_terms,
    rows_loaded.invoice_date,
    rows_loaded.due_date,
    rows_loaded.invoice_amount,
    rows_loaded.amount_paid,
    rows_loaded.currency,
    rows_loaded.source_file_sha256,
    rows_loaded.source_line
from rows_loaded
left join {{ ref('int_vendor_marketplaces') }} as marketplaces
    on marketplaces.marketplace_key = lower(rows_loaded.marketplace)
where rows_loaded.recency_rank = 1
