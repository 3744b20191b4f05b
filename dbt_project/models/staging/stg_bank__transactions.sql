with

source as (
    select * from {{ source('bank', 'bank_transactions') }}
),

renamed as (
    select
        account_id,
        booking_date,
        amount,
        upper(trim(currency)) as currency,
        nullif(trim(counterparty), '') as counterparty,
        nullif(trim(reference), '') as reference,
        source_file_sha256,
        source_line

    from source
)

select * from renamed
