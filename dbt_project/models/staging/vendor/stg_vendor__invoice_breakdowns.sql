with

source as (
    select * from {{ source('vendor', 'vendor_invoice_breakdowns') }}
),

renamed as (
    select
        trim(account_id) as account_id,
        trim(invoice_identifier) as invoice_identifier,
        last_updated_at,
        lower(trim(breakdown_set)) as breakdown_set,
        position,
        trim(breakdown_type) as breakdown_type,
        depth,
        is_leaf,
        amount,
        upper(trim(currency)) as currency

    from source
)

select * from renamed
