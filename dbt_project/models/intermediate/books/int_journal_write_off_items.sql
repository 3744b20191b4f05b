{%- set functional = var('functional_currency') | upper -%}
-- Units Amazon lost or damaged in its warehouses and paid for in cash (FBA reimbursements Lost_Warehouse /
-- Damaged_Warehouse) leave stock at their cost under var cost_method: 6711 营业外支出 debited, the inventory account
-- (var inventory_account, {{ var('inventory_account') }}) credited, in {{ functional }}, one entry per reimbursement,
-- dated the approval day. The reimbursement's money is booked separately (the settlement credits 6301). A write-off
-- of a SKU with no known cost moves nothing here and shows in int_inventory_costed with a NULL value.
with

written_off as (
    select *
    from {{ ref('int_inventory_costed') }}
    where movement_type = 'write_off' and value_moved is not null and value_moved <> 0
),

roles as (
    select * from {{ ref('int_cas_accounts') }} where source_kind = 'role' and source_key in ('inventory_write_off', 'inventory')
)

select
    'inventory_write_off:' || written_off.reimbursement_id as entry_id,
    written_off.reimbursement_id as source_id,
    {{ period_of('written_off.movement_date') }} as period,
    written_off.movement_date as posted_date,
    written_off.store_id,
    written_off.internal_sku,
    roles.account_code,
    roles.memo_zh || ' ' || written_off.internal_sku || ' x' || cast(written_off.quantity as {{ dbt.type_string() }}) as memo_zh,
    '{{ functional }}' as currency,
    cast(case when roles.source_key = 'inventory_write_off' then written_off.value_moved else -1 * written_off.value_moved end as {{ money() }}) as amount_original,
    cast(1 as {{ money(8) }}) as fx_rate,
    written_off.movement_date as fx_rate_date,
    'identity' as fx_rate_source,
    cast(case when roles.source_key = 'inventory_write_off' then written_off.value_moved else -1 * written_off.value_moved end as {{ money() }}) as amount_functional,
    written_off.source_file_sha256,
    written_off.source_line
from written_off
cross join roles
