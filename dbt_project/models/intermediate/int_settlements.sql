-- One row per loaded settlement, assigned to a store: a store of the settlement's currency whose
-- marketplace_name appears in its lines (the one with most lines); failing that, the only store in that
-- currency; otherwise no store (reported by a warn test). Dates are in the store's time zone.
with

headers as (
    select headers.*
    from {{ ref('stg_amazon__settlement_headers') }} as headers
    inner join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = headers.source_file_sha256
),

line_marketplaces as (
    select settlement_id, marketplace_name, count(*) as n_lines
    from {{ ref('stg_amazon__settlement_lines') }}
    where marketplace_name is not null
    group by settlement_id, marketplace_name
),

marketplace_candidates as (
    select
        headers.settlement_id,
        stores.store_id,
        sum(line_marketplaces.n_lines) as n_lines
    from headers
    inner join line_marketplaces
        on line_marketplaces.settlement_id = headers.settlement_id
    inner join {{ ref('int_stores') }} as stores
        on stores.marketplace_name = line_marketplaces.marketplace_name
        and stores.currency = headers.currency
    group by headers.settlement_id, stores.store_id
),

marketplace_ranked as (
    select
        settlement_id,
        store_id,
        rank() over (partition by settlement_id order by n_lines desc) as line_rank
    from marketplace_candidates
),

marketplace_match as (
    -- a tie between two stores is ambiguous: no store rather than a guess
    select settlement_id, min(store_id) as store_id
    from marketplace_ranked
    where line_rank = 1
    group by settlement_id
    having count(*) = 1
),

single_currency_store as (
    select currency, min(store_id) as store_id
    from {{ ref('int_stores') }}
    group by currency
    having count(*) = 1
),

assigned as (
    select
        headers.*,
        coalesce(marketplace_match.store_id, single_currency_store.store_id) as store_id,
        case
            when marketplace_match.store_id is not null then 'marketplace'
            when single_currency_store.store_id is not null then 'currency'
        end as store_assignment
    from headers
    left join marketplace_match
        on marketplace_match.settlement_id = headers.settlement_id
    left join single_currency_store
        on single_currency_store.currency = headers.currency
)

select
    assigned.store_id,
    assigned.store_assignment,
    assigned.settlement_id,
    assigned.report_format,
    assigned.currency,
    assigned.total_amount as header_total,
    assigned.settlement_start_at,
    assigned.settlement_end_at,
    assigned.deposit_at,
    -- a settlement without a store is dated in UTC
    coalesce(stores.time_zone, 'UTC') as time_zone,
    {{ to_local_date('assigned.settlement_start_at', "coalesce(stores.time_zone, 'UTC')") }} as period_start,
    {{ to_local_date('assigned.settlement_end_at', "coalesce(stores.time_zone, 'UTC')") }} as period_end,
    {{ to_local_date('assigned.deposit_at', "coalesce(stores.time_zone, 'UTC')") }} as deposit_date,
    assigned.source_file_sha256,
    assigned.source_file_name
from assigned
left join {{ ref('int_stores') }} as stores
    on stores.store_id = assigned.store_id
