{%- set functional = var('functional_currency') | upper -%}
-- What a purchase put into stock, priced once for everything that reads it (the journal's purchase entry and the
-- stock movements): per purchases.csv line of a loaded file, landed cost = unit cost x quantity + inbound freight
-- 头程 + duty 关税 + other landed cost, in the purchase's currency and in {{ functional }} at the fx_policy rate of
-- the purchase date (rounded to the cent once, so the journal's 1405 debit and the stock ledger's receipt agree).
-- Lines with no units put nothing into stock and post nothing.
with

purchases as (
    select purchases.*
    from {{ ref('stg_books__purchases') }} as purchases
    inner join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = purchases.source_file_sha256
    where purchases.quantity > 0
),

landed as (
    select
        purchases.*,
        -- at the unit cost's four decimals: rounding to the cent before converting would change the CNY value
        cast(purchases.unit_cost * purchases.quantity + purchases.inbound_freight + purchases.duty
            + purchases.other_landed_cost as {{ money(4) }}) as landed_cost_original
    from purchases
)

select
    -- purchases.csv names no store: stock is pooled per internal SKU across stores
    cast(null as {{ dbt.type_string() }}) as store_id,
    landed.internal_sku,
    landed.purchase_date,
    landed.quantity,
    landed.currency,
    landed.landed_cost_original,
    {{ to_functional('landed.landed_cost_original', policy_rate('landed.currency', 'rates')) }} as landed_cost_functional,
    {{ policy_rate('landed.currency', 'rates') }} as fx_rate,
    case when landed.currency = '{{ functional }}' then landed.purchase_date else rates.fx_rate_date end as fx_rate_date,
    {{ policy_rate('landed.currency', 'rates', 'fx_rate_source') }} as fx_rate_source,
    landed.reference,
    landed.source_file_sha256,
    landed.source_line
from landed
left join {{ ref('int_fx_policy_rates') }} as rates
    on rates.currency = landed.currency
    and rates.calendar_date = landed.purchase_date
