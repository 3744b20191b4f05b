-- Remittance rows of loaded exports, each once, classified: a row whose invoice number matches a
-- vendor_deduction_types pattern is a deduction (first match by priority), any other row pays an invoice.
-- Vendor Central exports overlap (a month, then the quarter holding it): the n-th identical row of one file
-- is the same payment line as the n-th of another, so a line exported twice counts once.
with

rows_loaded as (
    select remittances.*
    from {{ ref('stg_vendor__remittances') }} as remittances
    inner join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = remittances.source_file_sha256
),

numbered as (
    select
        *,
        row_number() over (
            partition by source_file_sha256, payment_number, invoice_number, amount_paid, discount_taken
            order by source_line
        ) as occurrence
    from rows_loaded
),

first_delivery as (
    select
        *,
        row_number() over (
            partition by payment_number, invoice_number, amount_paid, discount_taken, occurrence
            order by source_file_sha256, source_line
        ) as delivery_rank
    from numbered
),

classified as (
    select
        first_delivery.*,
        types.deduction_type,
        types.base_suffix,
        types.reverses_type,
        row_number() over (
            partition by first_delivery.source_file_sha256, first_delivery.source_line
            order by types.priority
        ) as match_rank
    from first_delivery
    left join {{ ref('vendor_deduction_types') }} as types
        on first_delivery.invoice_number like types.like_pattern
    where first_delivery.delivery_rank = 1
)

select
    classified.payment_number,
    classified.payment_date,
    classified.invoice_number as remittance_invoice_number,
    classified.deduction_type,
    classified.deduction_type is not null as is_deduction,
    classified.reverses_type,
    -- the invoice a deduction refers to: its number without the suffix (chargebacks name a PO instead)
    case
        when classified.deduction_type is null then classified.invoice_number
        when classified.base_suffix is not null
            then substring(classified.invoice_number, 1, {{ dbt.length('classified.invoice_number') }} - {{ dbt.length('classified.base_suffix') }})
    end as invoice_number,
    classified.invoice_date,
    classified.invoice_description,
    classified.invoice_amount,
    classified.amount_paid,
    coalesce(classified.discount_taken, 0) as discount_taken,
    classified.remaining_amount,
    classified.currency,
    classified.vendor_code,
    marketplaces.marketplace_id,
    coalesce(marketplaces.marketplace_name, classified.marketplace) as marketplace_name,
    classified.purchase_order_number,
    classified.occurrence,
    classified.source_file_sha256,
    classified.source_sheet,
    classified.source_line
from classified
left join {{ ref('int_vendor_marketplaces') }} as marketplaces
    on marketplaces.marketplace_key = lower(classified.marketplace)
where classified.match_rank = 1
