-- The fee_taxonomy row for every (transaction_type, amount_type, amount_description) seen in the lines.
-- '*' matches anything; the most specific row wins, a literal description weighing most (4), then the
-- amount type (2), then the transaction type (1). Combinations no row matches are 'unclassified'.
with

combinations as (
    select distinct transaction_type, amount_type, amount_description
    from {{ ref('stg_amazon__settlement_lines') }}
),

taxonomy as (
    select * from {{ ref('fee_taxonomy') }}
),

candidates as (
    select
        combinations.transaction_type,
        combinations.amount_type,
        combinations.amount_description,
        taxonomy.fee_category,
        taxonomy.pnl_line,
        taxonomy.account,
        taxonomy.allocate,
        row_number() over (
            partition by combinations.transaction_type, combinations.amount_type, combinations.amount_description
            order by
                (case when taxonomy.amount_description = '*' then 0 else 4 end)
                + (case when taxonomy.amount_type = '*' then 0 else 2 end)
                + (case when taxonomy.transaction_type = '*' then 0 else 1 end) desc
        ) as match_rank
    from combinations
    inner join taxonomy
        on (taxonomy.transaction_type = '*' or taxonomy.transaction_type = combinations.transaction_type)
        and (taxonomy.amount_type = '*' or taxonomy.amount_type = combinations.amount_type)
        and (taxonomy.amount_description = '*' or taxonomy.amount_description = combinations.amount_description)
)

select
    combinations.transaction_type,
    combinations.amount_type,
    combinations.amount_description,
    coalesce(candidates.fee_category, 'unclassified') as fee_category,
    coalesce(candidates.pnl_line, 'Unclassified') as pnl_line,
    coalesce(candidates.account, '9999') as account,
    coalesce(candidates.allocate, false) as allocate,
    candidates.fee_category is null as is_unclassified
from combinations
left join candidates
    on {{ null_safe_equal('candidates.transaction_type', 'combinations.transaction_type') }}
    and {{ null_safe_equal('candidates.amount_type', 'combinations.amount_type') }}
    and {{ null_safe_equal('candidates.amount_description', 'combinations.amount_description') }}
    and candidates.match_rank = 1
