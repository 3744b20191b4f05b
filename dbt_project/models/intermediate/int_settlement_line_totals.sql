{%- set reserve_previous = 'Previous Reserve Amount Balance' -%}
{%- set reserve_current = 'Current Reserve Amount' -%}
{{ config(materialized=incremental_materialization(), unique_key='settlement_id') }}
-- Per settlement, what its lines add up to (fct_settlement_reconciliation ties it to the header), kept
-- incrementally: a settlement is redone when int_settlement_lines (re)built any of its lines in a batch not
-- taken here yet.
select
    settlement_id,
    sum(amount) as lines_total,
    count(*) as n_lines,
    sum(case when fee_category = 'reserve' and amount_description = '{{ reserve_previous }}' then amount else 0 end) as reserve_previous,
    sum(case when fee_category = 'reserve' and amount_description = '{{ reserve_current }}' then amount else 0 end) as reserve_current,
    sum(case when is_unclassified then 1 else 0 end) as n_unclassified_lines,
    max(build_id) as build_id
from {{ ref('int_settlement_lines') }}
{% if is_incremental() %}
where settlement_id in (
    select settlement_id from {{ ref('int_settlement_lines') }}
    where build_id not in (select distinct build_id from {{ this }})
)
{% endif %}
group by settlement_id
