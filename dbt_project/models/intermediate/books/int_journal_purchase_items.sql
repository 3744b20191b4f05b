{%- set functional = var('functional_currency') | upper -%}
-- Purchases (purchases.csv) into stock: per purchase line (int_purchases_landed), the inventory account (var
-- inventory_account, {{ var('inventory_account') }}) debited with the landed cost in {{ functional }} at the fx_policy
-- rate of the purchase date - the same value int_inventory_events puts into stock - and the purchase credit account
-- (var purchase_credit_account, {{ var('purchase_credit_account') }} 应付账款) credited in the purchase's currency at
-- that rate. One entry per purchase reference (a line without one is its own entry), each line traceable to its
-- file and line.
with

landed as (
    select
        purchases.*,
        coalesce(purchases.reference, purchases.source_file_sha256 || ':' || cast(purchases.source_line as {{ dbt.type_string() }})) as purchase_ref
    from {{ ref('int_purchases_landed') }} as purchases
),

roles as (
    select * from {{ ref('int_cas_accounts') }} where source_kind = 'role' and source_key in ('inventory', 'purchase_payable')
)

select
    'purchase:' || landed.purchase_ref as entry_id,
    landed.purchase_ref as source_id,
    {{ period_of('landed.purchase_date') }} as period,
    landed.purchase_date as posted_date,
    landed.store_id,
    landed.internal_sku,
    roles.account_code,
    roles.memo_zh || ' ' || landed.internal_sku as memo_zh,
    -- stock is carried at its cost in the functional currency; the payable is owed in the supplier's currency
    case when roles.source_key = 'inventory' then '{{ functional }}' else landed.currency end as currency,
    cast(case when roles.source_key = 'inventory' then landed.landed_cost_functional else -1 * landed.landed_cost_original end as {{ money() }}) as amount_original,
    cast(case when roles.source_key = 'inventory' then 1 else landed.fx_rate end as {{ money(8) }}) as fx_rate,
    case when roles.source_key = 'inventory' then landed.purchase_date else landed.fx_rate_date end as fx_rate_date,
    case when roles.source_key = 'inventory' then 'identity' else landed.fx_rate_source end as fx_rate_source,
    cast(case when roles.source_key = 'inventory' then landed.landed_cost_functional else -1 * landed.landed_cost_functional end as {{ money() }}) as amount_functional,
    landed.source_file_sha256,
    landed.source_line
from landed
cross join roles
