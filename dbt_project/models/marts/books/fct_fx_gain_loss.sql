{%- set functional = var('functional_currency') | upper -%}
-- 汇兑损益明细: one row per exchange difference the journal books to 6603.01, in {{ functional }} (positive: a
-- gain). Realized: per settlement deposit (bank amount against the receivable's carrying amount, with Amazon's own
-- currency-conversion cost from fct_event_group_reconciliation beside it where Amazon converted the payout) and
-- per vendor payment. Unrealized: per period-end revaluation of a foreign-currency balance (account x store x
-- currency) at the closing rate; its reversal on the first day of the next period is not listed again.
with

deposits as (
    select
        settlement_id, max(entry_id) as entry_id, max(period) as period, max(posted_date) as entry_date,
        max(store_id) as store_id,
        max(case when deposit_role = 'receivable' then currency end) as currency,
        -1 * sum(case when deposit_role = 'receivable' then amount_original else 0 end) as amount_original,
        max(carrying_functional) as carrying_functional,
        max(bank_functional) as bank_functional,
        max(case when deposit_role = 'bank' then fx_rate end) as fx_rate,
        max(case when deposit_role = 'bank' then fx_rate_date end) as fx_rate_date
    from {{ ref('int_journal_deposit_items') }}
    group by settlement_id
),

conversion as (
    select settlement_id, sum(conversion_cost_functional) as amazon_conversion_cost_functional
    from {{ ref('fct_event_group_reconciliation') }}
    where settlement_id is not null
    group by settlement_id
),

vendor as (
    select entry_id, max(period) as period, max(posted_date) as entry_date, store_id,
        -1 * sum(amount_functional) as gain
    from {{ ref('int_journal_vendor_items') }}
    where fx_rate_source = 'identity' and source_type = 'vendor_payment' and memo_zh like '%汇兑损益%'
    group by entry_id, store_id
)

select
    'realized' as fx_kind,
    'deposit' as source_type,
    deposits.entry_id,
    deposits.period,
    deposits.entry_date,
    deposits.store_id,
    cast(null as {{ dbt.type_string() }}) as account_code,
    deposits.settlement_id as source_id,
    deposits.currency,
    deposits.amount_original,
    deposits.carrying_functional,
    deposits.bank_functional as settled_functional,
    deposits.fx_rate,
    deposits.fx_rate_date,
    cast(deposits.bank_functional - deposits.carrying_functional as {{ money() }}) as fx_gain_functional,
    conversion.amazon_conversion_cost_functional
from deposits
left join conversion
    on conversion.settlement_id = deposits.settlement_id

union all

select
    'realized', 'vendor_payment', vendor.entry_id, vendor.period, vendor.entry_date, vendor.store_id,
    cast(null as {{ dbt.type_string() }}), replace(vendor.entry_id, 'vendor_payment:', ''),
    cast(null as {{ dbt.type_string() }}), cast(null as {{ money() }}), cast(null as {{ money() }}),
    cast(null as {{ money() }}), cast(null as {{ money(8) }}), cast(null as date),
    cast(vendor.gain as {{ money() }}), cast(null as {{ money() }})
from vendor

union all

select
    'unrealized', 'fx_revaluation', revaluations.entry_id, revaluations.period, revaluations.entry_date,
    revaluations.store_id, revaluations.account_code, revaluations.source_id, revaluations.currency,
    cast(revaluations.balance_original as {{ money() }}), cast(revaluations.carrying_functional as {{ money() }}),
    cast(revaluations.revalued_functional as {{ money() }}), revaluations.fx_rate, revaluations.fx_rate_date,
    revaluations.amount_functional, cast(null as {{ money() }})
from {{ ref('int_journal_revaluation_items') }} as revaluations
where revaluations.posting = 'revaluation' and revaluations.currency <> '{{ functional }}'
