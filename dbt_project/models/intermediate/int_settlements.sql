-- One row per loaded settlement, assigned to a store: a store of the settlement's currency whose
-- marketplace_name appears in its lines (the one with most lines); failing that, the only store in that
-- currency; failing that, a store derived from the marketplace its lines name most (Amazon.ca -> amazon-ca,
-- unconfigured: dim_stores says so, and the data-quality page asks for a stores.csv row), or, for a
-- settlement whose lines name no marketplace, the only such derived store of its currency; otherwise no
-- store (reported by a warn test). Dates are in the store's time zone (UTC for a derived store).
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
    select * from {{ ref('int_single_currency_stores') }}
),

-- the marketplace most of a settlement's lines name; a tie names none
line_marketplace_ranked as (
    select
        settlement_id,
        marketplace_name,
        rank() over (partition by settlement_id order by n_lines desc) as line_rank
    from line_marketplaces
),

dominant_marketplace as (
    select settlement_id, min(marketplace_name) as marketplace_name
    from line_marketplace_ranked
    where line_rank = 1
    group by settlement_id
    having count(*) = 1
),

unplaced as (
    select
        headers.settlement_id,
        headers.currency,
        dominant_marketplace.marketplace_name as dominant_marketplace_name
    from headers
    left join marketplace_match
        on marketplace_match.settlement_id = headers.settlement_id
    left join single_currency_store
        on single_currency_store.currency = headers.currency
    left join dominant_marketplace
        on dominant_marketplace.settlement_id = headers.settlement_id
    where marketplace_match.store_id is null and single_currency_store.store_id is null
),

single_currency_derived_marketplace as (
    select currency, min(dominant_marketplace_name) as marketplace_name
    from unplaced
    where dominant_marketplace_name is not null
    group by currency
    having count(distinct {{ derived_store_id('dominant_marketplace_name') }}) = 1
),

derived as (
    select
        unplaced.settlement_id,
        coalesce(unplaced.dominant_marketplace_name, single_currency_derived_marketplace.marketplace_name)
            as marketplace_name
    from unplaced
    -- only for lines that name no marketplace at all: two marketplaces tied stay ambiguous
    left join single_currency_derived_marketplace
        on single_currency_derived_marketplace.currency = unplaced.currency
        and unplaced.settlement_id not in (select settlement_id from line_marketplaces)
),

assigned as (
    select
        headers.*,
        coalesce(
            marketplace_match.store_id,
            single_currency_store.store_id,
            {{ derived_store_id('derived.marketplace_name') }}
        ) as store_id,
        case
            when marketplace_match.store_id is not null then 'marketplace'
            when single_currency_store.store_id is not null then 'currency'
            when derived.marketplace_name is not null then 'derived'
        end as store_assignment,
        derived.marketplace_name as derived_marketplace_name
    from headers
    left join marketplace_match
        on marketplace_match.settlement_id = headers.settlement_id
    left join single_currency_store
        on single_currency_store.currency = headers.currency
    left join derived
        on derived.settlement_id = headers.settlement_id
)

select
    assigned.store_id,
    assigned.store_assignment,
    assigned.derived_marketplace_name,
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
