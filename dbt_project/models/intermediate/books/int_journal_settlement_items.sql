{%- set functional = var('functional_currency') | upper -%}
-- The settlement side of the journal before it is summarised: every settlement line posted to the account its
-- fee category maps to (cas_account_mapping; an unmapped category or an unpostable code goes to suspense),
-- signed debit-positive (a line paying the seller credits its account), converted at the fx_policy rate of its
-- store-local posted date. The store's receivable (1122.01) takes the other side of each settlement x period;
-- a settlement whose lines do not sum to its header total posts the difference between the receivable and
-- suspense in the period of its end, so the receivable moves by exactly what Amazon says it owes.
with

lines as (
    select * from {{ ref('int_ledger_lines') }}
),

accounts as (
    select * from {{ ref('int_cas_accounts') }}
),

suspense as (
    select * from accounts where source_kind = 'role' and source_key = 'suspense'
),

receivable as (
    select * from accounts where source_kind = 'role' and source_key = 'store_receivable'
),

items as (
    select
        'settlement:' || lines.settlement_id || ':' || {{ period_of('lines.posted_month') }} as entry_id,
        {{ period_of('lines.posted_month') }} as period,
        lines.posted_date,
        lines.store_id,
        lines.settlement_id,
        case when mapped.is_postable then mapped.account_code else suspense.account_code end as account_code,
        coalesce(mapped.memo_zh, suspense.memo_zh) as memo_zh,
        lines.fee_category,
        lines.sku,
        lines.internal_sku,
        lines.allocate,
        lines.currency,
        -1 * lines.amount as amount_original,
        {{ policy_rate('lines.currency', 'rates') }} as fx_rate,
        case when lines.currency = '{{ functional }}' then lines.posted_date else rates.fx_rate_date end as fx_rate_date,
        {{ policy_rate('lines.currency', 'rates', 'fx_rate_source') }} as fx_rate_source,
        lines.source_file_sha256,
        lines.source_line,
        lines.amount_column
    from lines
    left join accounts as mapped
        on mapped.source_kind = 'fee_category'
        and mapped.source_key = lines.fee_category
    cross join suspense
    left join {{ ref('int_fx_policy_rates') }} as rates
        on rates.currency = lines.currency
        and rates.calendar_date = lines.posted_date
),

converted as (
    select *, {{ to_functional('amount_original', 'fx_rate') }} as amount_functional
    from items
),

receivables as (
    select
        converted.entry_id,
        converted.period,
        max(converted.posted_date) as posted_date,
        converted.store_id,
        converted.settlement_id,
        receivable.account_code,
        receivable.memo_zh,
        cast(null as {{ dbt.type_string() }}) as fee_category,
        cast(null as {{ dbt.type_string() }}) as sku,
        cast(null as {{ dbt.type_string() }}) as internal_sku,
        false as allocate,
        converted.currency,
        -1 * sum(converted.amount_original) as amount_original,
        max(converted.fx_rate) as fx_rate,
        max(converted.fx_rate_date) as fx_rate_date,
        max(converted.fx_rate_source) as fx_rate_source,
        min(converted.source_file_sha256) as source_file_sha256,
        cast(null as integer) as source_line,
        cast(null as {{ dbt.type_string() }}) as amount_column,
        -1 * sum(converted.amount_functional) as amount_functional
    from converted
    cross join receivable
    group by converted.entry_id, converted.period, converted.store_id, converted.settlement_id,
        receivable.account_code, receivable.memo_zh, converted.currency
),

differences as (
    select
        settlements.settlement_id,
        settlements.store_id,
        settlements.currency,
        settlements.period_end,
        settlements.header_total - coalesce(sum(lines.amount), 0) as difference,
        settlements.source_file_sha256
    from {{ ref('int_settlements') }} as settlements
    left join lines
        on lines.settlement_id = settlements.settlement_id
    group by settlements.settlement_id, settlements.store_id, settlements.currency, settlements.period_end,
        settlements.header_total, settlements.source_file_sha256
    having settlements.header_total - coalesce(sum(lines.amount), 0) <> 0
),

difference_items as (
    select
        'settlement:' || differences.settlement_id || ':' || {{ period_of('differences.period_end') }} as entry_id,
        {{ period_of('differences.period_end') }} as period,
        differences.period_end as posted_date,
        differences.store_id,
        differences.settlement_id,
        side.account_code,
        '结算单合计与明细差异' as memo_zh,
        cast(null as {{ dbt.type_string() }}) as fee_category,
        cast(null as {{ dbt.type_string() }}) as sku,
        cast(null as {{ dbt.type_string() }}) as internal_sku,
        false as allocate,
        differences.currency,
        side.sign * differences.difference as amount_original,
        {{ policy_rate('differences.currency', 'rates') }} as fx_rate,
        case when differences.currency = '{{ functional }}' then differences.period_end else rates.fx_rate_date end as fx_rate_date,
        {{ policy_rate('differences.currency', 'rates', 'fx_rate_source') }} as fx_rate_source,
        differences.source_file_sha256,
        cast(null as integer) as source_line,
        cast(null as {{ dbt.type_string() }}) as amount_column,
        {{ to_functional('side.sign * differences.difference', policy_rate('differences.currency', 'rates')) }} as amount_functional,
        side.sign = 1 as is_receivable
    from differences
    cross join (
        select account_code, 1 as sign from receivable
        union all
        select account_code, -1 as sign from suspense
    ) as side
    left join {{ ref('int_fx_policy_rates') }} as rates
        on rates.currency = differences.currency
        and rates.calendar_date = differences.period_end
)

select
    entry_id, period, posted_date, store_id, settlement_id, account_code, memo_zh, fee_category, sku, internal_sku, allocate, currency,
    amount_original, fx_rate, fx_rate_date, fx_rate_source, source_file_sha256, source_line, amount_column,
    amount_functional, false as is_receivable
from converted
union all
select
    entry_id, period, posted_date, store_id, settlement_id, account_code, memo_zh, fee_category, sku, internal_sku, allocate, currency,
    amount_original, fx_rate, fx_rate_date, fx_rate_source, source_file_sha256, source_line, amount_column,
    amount_functional, true as is_receivable
from receivables
union all
select
    entry_id, period, posted_date, store_id, settlement_id, account_code, memo_zh, fee_category, sku, internal_sku, allocate, currency,
    amount_original, fx_rate, fx_rate_date, fx_rate_source, source_file_sha256, source_line, amount_column,
    amount_functional, is_receivable
from difference_items
