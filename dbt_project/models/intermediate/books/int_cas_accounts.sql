{%- set resolved = {
    'var:inventory_account': var('inventory_account') | string,
    'var:marketplace_tax_account': var('marketplace_tax_account') | string,
    'var:purchase_credit_account': var('purchase_credit_account') | string,
} -%}
-- The account mapping (cas_account_mapping) with codes that come from configuration resolved
-- ('var:inventory_account' -> {{ resolved['var:inventory_account'] }}, 'var:marketplace_tax_account' ->
-- {{ resolved['var:marketplace_tax_account'] }}, 'var:purchase_credit_account' -> {{ resolved['var:purchase_credit_account'] }}) and the chart's names beside each code. A mapping to a code the
-- chart lacks, or to a parent account, keeps its row: is_postable says it cannot be posted to, and the journal
-- posts it to suspense instead.
with

mapping as (
    select
        source_kind,
        source_key,
        case account_code
            {%- for token, code in resolved.items() %}
            when '{{ token }}' then '{{ code }}'
            {%- endfor %}
            else account_code
        end as account_code,
        memo_zh
    from {{ ref('cas_account_mapping') }}
)

select
    mapping.source_kind,
    mapping.source_key,
    mapping.account_code,
    mapping.memo_zh,
    chart.name_zh as account_name_zh,
    chart.name_en as account_name_en,
    coalesce(chart.is_leaf, false) as is_postable,
    coalesce(chart.account_type = 'suspense', false) as is_suspense
from mapping
left join {{ ref('cas_chart_of_accounts') }} as chart
    on chart.account_code = mapping.account_code
