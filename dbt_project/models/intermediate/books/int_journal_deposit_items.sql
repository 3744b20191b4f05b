{%- set functional = var('functional_currency') | upper -%}
-- A deposit clears the store's receivable: the bank (1002) at what the bank received, converted at the
-- fx_policy rate of the booking date; the receivable (1122.01) by the part of the settlement the deposit pays,
-- at its carrying amount in {{ functional }} (the settlement's receivable postings, pro rata when the deposit
-- is short); the difference is the realized exchange difference (6603.01 汇兑损益). Period-end revaluations do
-- not change the carrying amount: each is reversed on the first day of the next period.
with

accounts as (
    select * from {{ ref('int_cas_accounts') }} where source_kind = 'role'
),

carrying as (
    select
        settlement_id,
        sum(amount_original) as receivable_original,
        sum(amount_functional) as receivable_functional
    from {{ ref('int_journal_settlement_items') }}
    where is_receivable
    group by settlement_id
),

deposits as (
    select
        'deposit:' || matches.settlement_id as entry_id,
        {{ period_of('matches.bank_date') }} as period,
        matches.bank_date as posted_date,
        settlements.store_id,
        matches.settlement_id,
        settlements.currency as settlement_currency,
        matches.bank_amount,
        matches.deposit_amount,
        matches.deposit_currency,
        matches.bank_file_sha256,
        matches.bank_source_line,
        {{ policy_rate('matches.deposit_currency', 'rates') }} as bank_fx_rate,
        case when matches.deposit_currency = '{{ functional }}' then matches.bank_date else rates.fx_rate_date end as bank_fx_rate_date,
        {{ policy_rate('matches.deposit_currency', 'rates', 'fx_rate_source') }} as bank_fx_rate_source,
        {{ to_functional('matches.deposit_amount', policy_rate('matches.deposit_currency', 'rates')) }} as bank_functional,
        case
            when carrying.receivable_original = matches.bank_amount then carrying.receivable_functional
            else cast({{ quotient('carrying.receivable_functional * matches.bank_amount', 'carrying.receivable_original', 2, 2) }} as {{ money() }})
        end as carrying_functional
    from {{ ref('int_bank_deposit_matches') }} as matches
    inner join {{ ref('int_settlements') }} as settlements
        on settlements.settlement_id = matches.settlement_id
    inner join carrying
        on carrying.settlement_id = matches.settlement_id
        and carrying.receivable_original <> 0
    left join {{ ref('int_fx_policy_rates') }} as rates
        on rates.currency = matches.deposit_currency
        and rates.calendar_date = matches.bank_date
)

select
    deposits.entry_id, deposits.period, deposits.posted_date, deposits.store_id, deposits.settlement_id,
    bank.account_code, '银行收到亚马逊结算款' as memo_zh, deposits.deposit_currency as currency,
    deposits.deposit_amount as amount_original, deposits.bank_fx_rate as fx_rate,
    deposits.bank_fx_rate_date as fx_rate_date, deposits.bank_fx_rate_source as fx_rate_source,
    deposits.bank_file_sha256 as source_file_sha256, deposits.bank_source_line as source_line,
    'amount' as amount_column, deposits.bank_functional as amount_functional, 'bank' as deposit_role,
    deposits.carrying_functional, deposits.bank_functional
from deposits
cross join accounts as bank
where bank.source_key = 'bank'
union all
select
    deposits.entry_id, deposits.period, deposits.posted_date, deposits.store_id, deposits.settlement_id,
    receivable.account_code, '收回亚马逊结算款' as memo_zh, deposits.settlement_currency,
    -1 * deposits.bank_amount, cast({{ quotient('deposits.carrying_functional', 'deposits.bank_amount', 8, 2) }} as {{ money(8) }}),
    deposits.posted_date, 'carrying', deposits.bank_file_sha256, deposits.bank_source_line,
    'amount', -1 * deposits.carrying_functional, 'receivable',
    deposits.carrying_functional, deposits.bank_functional
from deposits
cross join accounts as receivable
where receivable.source_key = 'store_receivable'
union all
select
    deposits.entry_id, deposits.period, deposits.posted_date, deposits.store_id, deposits.settlement_id,
    fx.account_code, '结算款汇兑损益(已实现)' as memo_zh, '{{ functional }}',
    deposits.carrying_functional - deposits.bank_functional, cast(1 as {{ money(8) }}),
    deposits.posted_date, 'identity', deposits.bank_file_sha256, deposits.bank_source_line,
    'amount', deposits.carrying_functional - deposits.bank_functional, 'fx_gain_loss',
    deposits.carrying_functional, deposits.bank_functional
from deposits
cross join accounts as fx
where fx.source_key = 'fx_gain_loss'
    and deposits.carrying_functional <> deposits.bank_functional
