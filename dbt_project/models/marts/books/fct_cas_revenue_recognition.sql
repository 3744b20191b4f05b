{%- set functional = var('functional_currency') | upper -%}
-- 收入确认表: store x month x currency: gross product sales, shipping income, promotions, refunds (with
-- chargebacks and A-to-z claims) and net revenue, in the settlement currency and in {{ functional }} at the
-- journal's rates, from the settlement postings to revenue accounts. Recognition basis: revenue is recognised
-- gross (the FBA seller controls the goods: principal) on the settlement line's posted date in the store's
-- time zone.
with

items as (
    select
        items.store_id,
        items.period,
        items.currency,
        items.fee_category,
        -1 * items.amount_original as amount,
        -1 * items.amount_functional as amount_functional
    from {{ ref('int_journal_settlement_items') }} as items
    where not items.is_receivable
        and items.fee_category in ('product_sales', 'direct_payment', 'shipping_income', 'promotion', 'refund', 'chargeback', 'a_to_z_claim')
)

select
    store_id,
    period as month,
    currency,
    {%- for name, categories in [
        ('gross_product_sales', ['product_sales', 'direct_payment']),
        ('shipping_income', ['shipping_income']),
        ('promotions', ['promotion']),
        ('refunds', ['refund', 'chargeback', 'a_to_z_claim']),
    ] %}
    cast(sum(case when fee_category in ('{{ categories | join("', '") }}') then amount else 0 end) as {{ money() }}) as {{ name }},
    cast(sum(case when fee_category in ('{{ categories | join("', '") }}') then amount_functional else 0 end) as {{ money() }}) as {{ name }}_functional,
    {%- endfor %}
    cast(sum(amount) as {{ money() }}) as net_revenue,
    cast(sum(amount_functional) as {{ money() }}) as net_revenue_functional,
    '{{ functional }}' as functional_currency,
    '{{ var("fx_policy") }}' as fx_policy,
    '总额法(主要责任人),按结算明细过账日期(店铺当地时区)确认 / gross as principal, on the posted date in the store''s time zone' as recognition_basis
from items
group by store_id, period, currency
