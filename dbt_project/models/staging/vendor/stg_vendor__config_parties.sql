with

source as (
    select * from {{ source('vendor', 'vendor_config_parties') }}
),

renamed as (
    select
        trim(account_id) as account_id,
        upper(trim(vendor_code)) as vendor_code,
        trim(marketplace_id) as marketplace_id,
        nullif(trim(legal_name), '') as legal_name,
        nullif(upper(trim(remit_to_party_id)), '') as remit_to_party_id,
        nullif(upper(trim(bill_to_party_id)), '') as bill_to_party_id,
        nullif(upper(trim(tax_registration_type)), '') as tax_registration_type,
        nullif(upper(replace(trim(tax_registration_number), ' ', '')), '') as tax_registration_number,
        recorded_at
    from source
)

select * from renamed
