-- The latest version of every invoice the Finances Invoices API lists, with its settlement breakdowns
-- (top-level only, so nested breakdowns are not counted twice) and when it was first seen paid.
with

versions as (
    select
        *,
        row_number() over (
            partition by account_id, invoice_identifier
            order by last_updated_at desc, from_get_invoice desc, fetched_at desc
        ) as recency_rank
    from {{ ref('stg_vendor__invoices') }}
),

latest as (
    select * from versions where recency_rank = 1
),

first_paid as (
    select account_id, invoice_identifier, min(last_updated_at) as first_paid_seen_at
    from versions
    where invoice_status = 'PAID'
    group by account_id, invoice_identifier
),

settlement as (
    select
        breakdowns.account_id,
        breakdowns.invoice_identifier,
        sum(case when breakdowns.breakdown_type = 'AmountPaid' then breakdowns.amount end) as amount_paid,
        sum(case when breakdowns.breakdown_type = 'QueuedForPayment' then breakdowns.amount end) as queued_for_payment,
        sum(case when breakdowns.breakdown_type = 'QuickPayDiscount' then breakdowns.amount end) as quick_pay_discount,
        sum(case when breakdowns.breakdown_type = 'QuantityVarianceAmount' then breakdowns.amount end) as quantity_variance_amount,
        sum(case when breakdowns.breakdown_type = 'PriceVariance' then breakdowns.amount end) as price_variance_amount
    from {{ ref('stg_vendor__invoice_breakdowns') }} as breakdowns
    inner join latest
        on latest.account_id = breakdowns.account_id
        and latest.invoice_identifier = breakdowns.invoice_identifier
        and latest.last_updated_at = breakdowns.last_updated_at
    where breakdowns.breakdown_set = 'settlement'
        and breakdowns.position not like '%.%'
    group by breakdowns.account_id, breakdowns.invoice_identifier
)

select
    latest.account_id,
    latest.marketplace_id,
    latest.invoice_identifier,
    latest.invoice_number,
    -- InvoiceNumber~PayeeCode: the payee code is the vendor code the invoice was raised under
    coalesce(nullif(upper({{ dbt.split_part('latest.invoice_identifier', "'~'", 2) }}), ''), latest.payee_partner_id) as vendor_code,
    latest.invoice_status,
    latest.invoice_type,
    latest.payment_terms,
    latest.invoice_amount,
    latest.currency,
    latest.issued_at,
    latest.due_at,
    latest.last_updated_at,
    first_paid.first_paid_seen_at,
    settlement.amount_paid,
    settlement.queued_for_payment,
    settlement.quick_pay_discount,
    settlement.quantity_variance_amount,
    settlement.price_variance_amount
from latest
left join first_paid
    on first_paid.account_id = latest.account_id
    and first_paid.invoice_identifier = latest.invoice_identifier
left join settlement
    on settlement.account_id = latest.account_id
    and settlement.invoice_identifier = latest.invoice_identifier
