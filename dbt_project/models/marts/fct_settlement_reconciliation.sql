-- One row per settlement: do its lines sum to its header total, and did its deposit reach the bank?
-- Status precedence: mismatch, then the deposit (tied / deposit_short), then pending_deposit when the
-- bank statement does not reach the deposit date yet, else deposit_missing. A zero settlement needs no deposit.
with

settlements as (
    select * from {{ ref('int_settlements') }}
),

line_totals as (
    select * from {{ ref('int_settlement_line_totals') }}
),

joined as (
    select
        settlements.store_id,
        settlements.store_assignment,
        settlements.settlement_id,
        settlements.report_format,
        settlements.period_start,
        settlements.period_end,
        settlements.deposit_date,
        settlements.settlement_start_at,
        settlements.settlement_end_at,
        settlements.deposit_at,
        settlements.currency,
        settlements.header_total,
        coalesce(line_totals.lines_total, 0) as lines_total,
        settlements.header_total - coalesce(line_totals.lines_total, 0) as difference,
        coalesce(line_totals.n_lines, 0) as n_lines,
        coalesce(line_totals.n_unclassified_lines, 0) as n_unclassified_lines,
        coalesce(line_totals.reserve_previous, 0) as reserve_previous,
        coalesce(line_totals.reserve_current, 0) as reserve_current,
        matches.bank_amount,
        matches.bank_date,
        matches.bank_account_id,
        matches.bank_reference,
        matches.matched_by_reference,
        matches.bank_amount - settlements.header_total as bank_difference,
        coverage.last_booking_date as bank_statement_end,
        settlements.source_file_sha256,
        settlements.source_file_name
    from settlements
    left join line_totals
        on line_totals.settlement_id = settlements.settlement_id
    left join {{ ref('int_bank_deposit_matches') }} as matches
        on matches.settlement_id = settlements.settlement_id
    left join {{ ref('int_bank_statement_coverage') }} as coverage
        on coverage.currency = settlements.currency
),

statused as (
    select
        *,
        case
            when difference <> 0 then 'mismatch'
            when header_total = 0 then 'tied'
            when bank_amount = header_total then 'tied'
            when bank_amount is not null then 'deposit_short'
            when bank_statement_end is null or bank_statement_end < deposit_date then 'pending_deposit'
            else 'deposit_missing'
        end as status,
        -- the hold a store's previous settlement kept back, which this settlement should release
        -1 * lag(reserve_current) over (partition by store_id order by settlement_end_at, settlement_id) as expected_reserve_previous
    from joined
)

-- whether a status needs someone and where it sorts come from the reconciliation_statuses seed, never from code
select
    statused.*,
    statuses.needs_attention,
    statuses.sort_order as status_sort_order
from statused
left join {{ ref('reconciliation_statuses') }} as statuses
    on statuses.status = statused.status
