-- Fee combinations the fee_taxonomy seed does not cover: add a row to the seed for each.
select
    transaction_type,
    amount_type,
    amount_description,
    count(*) as n_lines,
    sum(amount) as amount,
    count(distinct settlement_id) as n_settlements,
    min(settlement_id) as example_settlement_id,
    min(posted_date) as first_posted_date,
    max(posted_date) as last_posted_date
from {{ ref('int_settlement_lines') }}
where is_unclassified
group by transaction_type, amount_type, amount_description
