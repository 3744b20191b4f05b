with

source as (
    select * from {{ source('books', 'purchases') }}
)

select
    purchase_date,
    trim(internal_sku) as internal_sku,
    quantity,
    unit_cost,
    upper(trim(currency)) as currency,
    inbound_freight,
    duty,
    other_landed_cost,
    nullif(trim(reference), '') as reference,
    source_file_sha256,
    source_line
from source
