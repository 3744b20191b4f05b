with

source as (
    select * from {{ source('vendor', 'vendor_invoice_related_ids') }}
),

renamed as (
    select
        trim(account_id) as account_id,
        trim(invoice_identifier) as invoice_identifier,
        last_updated_at,
        nullif(trim(line_item_id), '') as line_item_id,
        upper(trim(identifier_name)) as identifier_name,
        upper(trim(identifier_value)) as identifier_value

    from source
)

select * from renamed
