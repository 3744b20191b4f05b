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
),

-- Banks export overlapping statements (a month, then the quarter that contains it), so one bank
-- transaction can arrive in several files. Identical rows are numbered within each file; the n-th copy
-- in one file is the same transaction as the n-th copy in another, so two genuinely identical
-- transactions in one statement are both kept.
numbered as (
    select
        *,
        row_number() over (
            partition by source_file_sha256, account_id, booking_date, amount, currency, counterparty, reference
            order by source_line
        ) as occurrence
    from renamed
),

first_delivery as (
    select
        *,
        row_number() over (
            partition by account_id, booking_date, amount, currency, counterparty, reference, occurrence
            order by source_file_sha256, source_line
        ) as delivery_rank
    from numbered
)

select
    account_id,
    booking_date,
    amount,
    currency,
    counterparty,
    reference,
    source_file_sha256,
    source_line

from first_delivery
where delivery_rank = 1
