{%- set functional = var('functional_currency') | upper -%}
-- One row per money line of the Finances APIs (int_payment_event_lines: v0 amounts with amount_role
-- 'amount', plus DEFERRED transactions at their total), dated in the store's time zone, converted into the
-- functional currency at the rate of the posted date, with its group, settlement and settlement_state.
select
    lines.source,
    lines.account_id,
    lines.line_id,
    lines.store_id,
    lines.event_list,
    lines.event_type,
    lines.known_list,
    lines.amount_path,
    lines.amount_kind,
    lines.amount_type,
    lines.settlement_amount_type,
    lines.is_adjustment,
    lines.description,
    lines.marketplace,
    lines.order_id,
    lines.seller_order_id,
    lines.sku,
    lines.quantity,
    lines.promotion_id,
    lines.posted_at,
    lines.posted_date,
    lines.amount,
    lines.currency,
    case when lines.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end as fx_rate,
    case when lines.currency = '{{ functional }}' then lines.posted_date else rates.fx_rate_date end as fx_rate_date,
    case when lines.currency = '{{ functional }}' then 'identity' else rates.rate_source end as fx_rate_source,
    cast(round(
        lines.amount * case when lines.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end,
        2
    ) as {{ money() }}) as amount_functional,
    '{{ functional }}' as functional_currency,
    lines.group_id,
    lines.settlement_id,
    lines.is_settlement_loaded,
    lines.settlement_state,
    lines.transaction_status,
    lines.source_page_sha256
from {{ ref('int_payment_event_lines') }} as lines
left join {{ ref('int_fx_daily_rates') }} as rates
    on rates.currency = lines.currency
    and rates.calendar_date = lines.posted_date
