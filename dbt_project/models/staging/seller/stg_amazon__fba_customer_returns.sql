-- One row per returned unit line: a line delivered again in an overlapping report is kept once (first file).
with

source as (
    select * from {{ source('amazon_reports', 'fba_customer_returns') }}
),

ranked as (
    select
        source.*,
        row_number() over (
            partition by order_id, coalesce(sku, ''), returned_at, coalesce(license_plate_number, ''),
                coalesce(detailed_disposition, '')
            order by source_file_sha256, source_line
        ) as copy_rank
    from source
)

select
    order_id,
    sku,
    asin,
    fnsku,
    quantity,
    returned_at,
    fulfillment_center_id,
    upper(detailed_disposition) as detailed_disposition,
    reason,
    status,
    license_plate_number,
    source_file_sha256,
    source_line
from ranked
where copy_rank = 1
