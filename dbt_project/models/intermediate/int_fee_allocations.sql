{{ config(
    materialized=incremental_materialization(),
    unique_key=store_month_key(),
    post_hook="{{ delete_stale_store_months(ref('int_ledger_store_months')) }}",
) }}
{%- set driver = var('allocation_driver') -%}
{%- if driver not in ('revenue', 'units') -%}
    {{ exceptions.raise_compiler_error("var allocation_driver must be 'revenue' or 'units', not '" ~ driver ~ "'") }}
{%- endif -%}
-- Fees without a SKU whose taxonomy row says `allocate` (storage, subscription, advertising, ...) spread
-- over the SKUs the same store sold in the same month, weighted by {{ driver }}. Each fee is split in
-- whole minor units (cents, yen) by the largest-remainder method, so the parts sum back to the fee
-- exactly, in both the original and the functional currency. A month without sales keeps the fee on
-- SKU '(unallocated)'.
with

ledger as (
    select ledger.*, digests.store_month_digest
    from {{ ref('int_ledger_lines') }} as ledger
    inner join {{ ref('int_ledger_store_months') }} as digests
        on {{ same_store_month('digests', 'ledger') }}
    {% if is_incremental() %}
    where {{ store_month_changed('digests') }}
    {% endif %}
),

fees as (
    select
        ledger.*,
        cast(power(10, -coalesce(own.minor_units, 2)) as {{ money(8) }}) as minor_unit,
        cast(power(10, -coalesce(functional.minor_units, 2)) as {{ money(8) }}) as functional_minor_unit
    from ledger
    left join {{ ref('currencies') }} as own
        on own.currency = ledger.currency
    left join {{ ref('currencies') }} as functional
        on functional.currency = ledger.functional_currency
    where ledger.allocate and ledger.sku is null
),

{% if driver == 'units' %}
order_items as (
    -- V1 files repeat an item's quantity on each amount column (or leave it off the price line):
    -- count each order item once, as one unit when no quantity is given
    select store_id, posted_month, sku, coalesce(max(quantity), 1) as units
    from ledger
    where fee_category = 'product_sales' and sku is not null
    group by store_id, posted_month, sku, settlement_id, order_id, order_item_code
),

drivers as (
    select store_id, posted_month, sku, cast(sum(units) as {{ money(2, precision=38) }}) as weight
    from order_items
    group by store_id, posted_month, sku
),
{% else %}
drivers as (
    select store_id, posted_month, sku, sum(amount) as weight
    from ledger
    where fee_category = 'product_sales' and sku is not null
    group by store_id, posted_month, sku
),
{% endif %}

weighted as (
    select
        fees.source_file_sha256,
        fees.source_line,
        fees.amount_column,
        drivers.sku,
        drivers.weight,
        sum(drivers.weight) over (
            partition by fees.source_file_sha256, fees.source_line, fees.amount_column
        ) as total_weight,
        cast({{ quotient('fees.amount', 'fees.minor_unit', 0, 8) }} as {{ money(0, precision=38) }}) as units_total,
        cast({{ quotient('fees.amount_functional', 'fees.functional_minor_unit', 0, 8) }} as {{ money(0, precision=38) }}) as functional_units_total
    from fees
    inner join drivers
        on {{ null_safe_equal('drivers.store_id', 'fees.store_id') }}
        and drivers.posted_month = fees.posted_month
        and drivers.weight > 0
),

{% for measure in ['units', 'functional_units'] %}
{{ measure }}_nearest as (
    select
        source_file_sha256, source_line, amount_column, sku, total_weight,
        {{ measure }}_total * weight as scaled_share,
        {{ quotient(measure ~ '_total * weight', 'total_weight', 0, 2) }} as nearest_units,
        {{ measure }}_total as units_total
    from weighted
),

-- The share units_total * weight / total_weight, floored without a division (DuckDB would divide in DOUBLE, where
-- an exact 3 can come out 2.999...): one below the nearest unit when that overshoots. Its fraction times total_weight
-- is the exact remainder, and total_weight is the same for every part of a fee, so remainders rank like fractions.
{{ measure }}_floored as (
    select
        source_file_sha256, source_line, amount_column, sku, units_total, floor_units,
        scaled_share - floor_units * total_weight as remainder
    from (
        select
            *,
            cast(nearest_units - case when nearest_units * total_weight > scaled_share then 1 else 0 end
                as {{ money(0, precision=38) }}) as floor_units
        from {{ measure }}_nearest
    ) as nearest
),

{{ measure }}_ranked as (
    select
        *,
        units_total - sum(floor_units) over (
            partition by source_file_sha256, source_line, amount_column
        ) as leftover,
        row_number() over (
            partition by source_file_sha256, source_line, amount_column
            order by remainder desc, sku
        ) as fraction_rank
    from {{ measure }}_floored
),

{{ measure }}_allocated as (
    select
        source_file_sha256, source_line, amount_column, sku,
        floor_units + case when fraction_rank <= leftover then 1 else 0 end as allocated_units
    from {{ measure }}_ranked
),
{% endfor %}

allocated as (
    select
        weighted.source_file_sha256,
        weighted.source_line,
        weighted.amount_column,
        weighted.sku,
        weighted.weight,
        weighted.total_weight,
        units_allocated.allocated_units * fees.minor_unit as amount,
        functional_units_allocated.allocated_units * fees.functional_minor_unit as amount_functional,
        'allocated' as allocation_method
    from weighted
    inner join fees
        on fees.source_file_sha256 = weighted.source_file_sha256
        and fees.source_line = weighted.source_line
        and fees.amount_column = weighted.amount_column
    inner join units_allocated
        on units_allocated.source_file_sha256 = weighted.source_file_sha256
        and units_allocated.source_line = weighted.source_line
        and units_allocated.amount_column = weighted.amount_column
        and units_allocated.sku = weighted.sku
    left join functional_units_allocated
        on functional_units_allocated.source_file_sha256 = weighted.source_file_sha256
        and functional_units_allocated.source_line = weighted.source_line
        and functional_units_allocated.amount_column = weighted.amount_column
        and functional_units_allocated.sku = weighted.sku
),

unallocated as (
    select
        fees.source_file_sha256,
        fees.source_line,
        fees.amount_column,
        '(unallocated)' as sku,
        cast(null as {{ money(2, precision=38) }}) as weight,
        cast(null as {{ money(2, precision=38) }}) as total_weight,
        fees.amount,
        fees.amount_functional,
        'unallocated' as allocation_method
    from fees
    where not exists (
        select 1 from weighted
        where weighted.source_file_sha256 = fees.source_file_sha256
            and weighted.source_line = fees.source_line
            and weighted.amount_column = fees.amount_column
    )
),

parts as (
    select * from allocated
    union all
    select * from unallocated
)

select
    fees.store_id,
    fees.settlement_id,
    fees.posted_month,
    parts.sku,
    parts.allocation_method,
    parts.weight as driver_weight,
    parts.total_weight as driver_total_weight,
    '{{ driver }}' as allocation_driver,
    fees.transaction_type,
    fees.amount_type,
    fees.amount_description,
    fees.fee_category,
    fees.pnl_line,
    fees.account,
    cast(parts.amount as {{ money() }}) as amount,
    fees.currency,
    cast(parts.amount_functional as {{ money() }}) as amount_functional,
    fees.functional_currency,
    parts.source_file_sha256,
    parts.source_line,
    parts.amount_column,
    fees.store_month_digest
from parts
inner join fees
    on fees.source_file_sha256 = parts.source_file_sha256
    and fees.source_line = parts.source_line
    and fees.amount_column = parts.amount_column
