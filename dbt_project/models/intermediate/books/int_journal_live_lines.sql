-- The journal as the data says it today, summarised per entry x account x auxiliary store x currency, before
-- closed periods are frozen (fct_journal_lines): postings of int_journal_items plus the period-end revaluations.
with

items as (
    select
        entry_id, source_type, source_id, period, entry_date, store_id, account_code, memo_zh, currency,
        amount_original, amount_functional, fx_rate, fx_rate_date, fx_rate_source, source_file_sha256
    from {{ ref('int_journal_items') }}
    union all
    select
        entry_id, source_type, source_id, period, entry_date, store_id, account_code, memo_zh, currency,
        amount_original, amount_functional, fx_rate, fx_rate_date, fx_rate_source,
        cast(null as {{ dbt.type_string() }})
    from {{ ref('int_journal_revaluation_items') }}
),

summarised as (
    select
        entry_id || '|' || account_code || '|' || coalesce(store_id, '') || '|' || coalesce(currency, '') as journal_line_id,
        entry_id,
        max(source_type) as source_type,
        max(source_id) as source_id,
        max(period) as period,
        max(entry_date) as entry_date,
        store_id,
        account_code,
        currency,
        cast(sum(amount_original) as {{ money() }}) as amount_original,
        cast(sum(amount_functional) as {{ money() }}) as amount_functional,
        -- one rate when every posting used the same, else the effective rate of the sum
        case
            when min(fx_rate) = max(fx_rate) then min(fx_rate)
            when sum(amount_original) <> 0 then cast({{ quotient('cast(sum(amount_functional) as ' ~ money() ~ ')', 'cast(sum(amount_original) as ' ~ money() ~ ')', 8, 2) }} as {{ money(8) }})
        end as fx_rate,
        max(fx_rate_date) as fx_rate_date,
        case when min(fx_rate_source) = max(fx_rate_source) then min(fx_rate_source) else 'mixed' end as fx_rate_source,
        min(memo_zh) as memo_zh,
        case when min(source_file_sha256) = max(source_file_sha256) then min(source_file_sha256) end as source_file_sha256
    from items
    group by entry_id, store_id, account_code, currency
)

-- one voucher per entry: every line of an entry carries the entry's date (its latest posting), so numbering by
-- date never splits an entry across vouchers
select
    journal_line_id, entry_id, source_type, source_id, period,
    max(entry_date) over (partition by entry_id) as entry_date,
    store_id, account_code, currency, amount_original, amount_functional, fx_rate, fx_rate_date, fx_rate_source,
    memo_zh, source_file_sha256
from summarised
where amount_functional <> 0 or amount_original <> 0
