{%- set functional = var('functional_currency') | upper -%}
{%- set entry_names = {
    'settlement': '亚马逊结算单',
    'deposit': '结算款到账',
    'cogs': '结转销售成本',
    'fx_revaluation': '期末汇兑损益',
    'vendor_invoice': '供应商发票',
    'vendor_payment': '供应商回款',
    'vendor_deduction': '供应商扣款',
    'purchase': '采购入库',
    'inventory_write_off': '存货丢失损坏转出',
} -%}
-- The general journal (记账凭证 lines) in CAS accounts: one row per entry x leaf account x auxiliary store x
-- currency, debit or credit in {{ functional }}. A closed period (raw.period_closes) is never restated: its lines
-- are the frozen ones of raw.closed_journal_lines, and whatever the data now says differently about it posts as
-- an 'adjustment' entry dated the first day of the first open period after it, naming the original period.
-- Voucher numbers run 1..n per period by entry date and entry id; a closed period keeps its own.
with

closes as (
    select period from {{ ref('stg_books__period_closes') }}
),

live as (
    select * from {{ ref('int_journal_live_lines') }}
),

frozen as (
    select frozen.*
    from {{ ref('stg_books__closed_journal_lines') }} as frozen
    inner join closes
        on closes.period = frozen.period
),

chart as (
    select * from {{ ref('cas_chart_of_accounts') }}
),

-- an entry of a closed period that the data now dates in an open one (a vendor invoice re-dated, a deposit matched
-- to a later bank row) keeps its frozen lines; its live lines take the open period in their ids so ids stay unique
frozen_entries as (
    select distinct entry_id from frozen
),

live_open as (
    select
        case when live.entry_id in (select entry_id from frozen_entries)
            then live.journal_line_id || '|' || live.period else live.journal_line_id end as journal_line_id,
        case when live.entry_id in (select entry_id from frozen_entries)
            then live.entry_id || '|' || live.period else live.entry_id end as entry_id,
        live.source_type, live.source_id, live.period, live.entry_date,
        live.store_id, live.account_code, live.currency, live.amount_original, live.amount_functional,
        live.fx_rate, live.fx_rate_date, live.fx_rate_source,
        case live.source_type
            {%- for source_type, name in entry_names.items() %}
            when '{{ source_type }}' then '{{ name }} ' || live.source_id || ' ' || live.memo_zh
            {%- endfor %}
            else live.memo_zh
        end as memo,
        live.source_file_sha256,
        cast(null as {{ dbt.type_string() }}) as original_period
    from live
    where live.period not in (select period from closes)
),

-- what the data now says about each closed period, against what was frozen
closed_differences as (
    select period, account_code, store_id, currency, sum(amount_original) as amount_original, sum(amount_functional) as amount_functional
    from (
        select period, account_code, store_id, currency, amount_original, amount_functional
        from live
        where period in (select period from closes)
        union all
        select period, account_code, store_id, currency, -1 * coalesce(amount_original, 0), credit - debit
        from frozen
    ) as compared
    group by period, account_code, store_id, currency
    having sum(amount_original) <> 0 or sum(amount_functional) <> 0
),

-- the first period after a closed one that is not closed itself
first_open as (
    select original_period, min(period) as period
    from (
        select
            closed.period as original_period,
            {{ period_of(dbt.dateadd('month', 'integers.n + 1', "cast(closed.period || '-01' as date)")) }} as period
        from closes as closed
        cross join ({{ integers(2) }}) as integers
    ) as candidates
    where period not in (select period from closes)
    group by original_period
),

adjustments as (
    select
        'adjustment:' || closed_differences.period || '|' || closed_differences.account_code || '|'
            || coalesce(closed_differences.store_id, '') || '|' || coalesce(closed_differences.currency, '') as journal_line_id,
        'adjustment:' || closed_differences.period as entry_id,
        'adjustment' as source_type,
        closed_differences.period as source_id,
        first_open.period,
        cast(first_open.period || '-01' as date) as entry_date,
        closed_differences.store_id,
        closed_differences.account_code,
        closed_differences.currency,
        cast(closed_differences.amount_original as {{ money() }}) as amount_original,
        cast(closed_differences.amount_functional as {{ money() }}) as amount_functional,
        cast({{ quotient('cast(closed_differences.amount_functional as ' ~ money() ~ ')', 'cast(closed_differences.amount_original as ' ~ money() ~ ')', 8, 2) }} as {{ money(8) }}) as fx_rate,
        cast(first_open.period || '-01' as date) as fx_rate_date,
        'adjustment' as fx_rate_source,
        '调整已结账期间 ' || closed_differences.period || ' 的迟到数据' as memo,
        cast(null as {{ dbt.type_string() }}) as source_file_sha256,
        closed_differences.period as original_period
    from closed_differences
    inner join first_open
        on first_open.original_period = closed_differences.period
),

open_lines as (
    select * from live_open
    union all
    select * from adjustments
),

numbered as (
    select
        open_lines.*,
        cast(dense_rank() over (partition by open_lines.period order by open_lines.entry_date, open_lines.entry_id) as integer) as voucher_no,
        cast(row_number() over (
            partition by open_lines.entry_id
            order by case when open_lines.amount_functional > 0 then 0 else 1 end, open_lines.account_code,
                open_lines.store_id nulls last, open_lines.currency
        ) as integer) as line_no
    from open_lines
)

select
    numbered.journal_line_id,
    numbered.entry_id,
    numbered.voucher_no,
    numbered.line_no,
    numbered.period,
    numbered.entry_date,
    numbered.store_id,
    numbered.source_type,
    numbered.source_id,
    numbered.account_code,
    chart.name_zh as account_name_zh,
    chart.name_en as account_name_en,
    cast(case when numbered.amount_functional > 0 then numbered.amount_functional else 0 end as {{ money() }}) as debit,
    cast(case when numbered.amount_functional < 0 then -1 * numbered.amount_functional else 0 end as {{ money() }}) as credit,
    numbered.currency,
    numbered.amount_original,
    numbered.fx_rate,
    numbered.fx_rate_date,
    '{{ var("fx_policy") }}' as fx_policy,
    numbered.fx_rate_source,
    numbered.memo,
    numbered.source_file_sha256,
    coalesce(chart.account_type = 'suspense', false) as is_suspense,
    numbered.original_period
from numbered
left join chart
    on chart.account_code = numbered.account_code

union all

select
    journal_line_id, entry_id, voucher_no, line_no, period, entry_date, store_id, source_type, source_id,
    account_code, account_name_zh, account_name_en, debit, credit, currency, amount_original, fx_rate,
    fx_rate_date, fx_policy, fx_rate_source, memo, source_file_sha256, is_suspense, original_period
from frozen
