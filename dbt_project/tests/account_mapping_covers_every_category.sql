{{ config(meta={'dagster': {'ref': {'name': 'int_cas_accounts'}}}) }}
-- Every fee category of the fee_taxonomy seed and every vendor deduction type maps to a postable (leaf) account,
-- and every role the posting rules need is present and postable: a new category added to the taxonomy without an
-- account fails here instead of silently landing in suspense.
with

needed as (
    select distinct 'fee_category' as source_kind, fee_category as source_key from {{ ref('fee_taxonomy') }}
    union
    select distinct 'deduction_type', deduction_type from {{ ref('vendor_deduction_types') }}
    {%- for role in ['store_receivable', 'vendor_receivable', 'bank', 'fx_gain_loss', 'cash_discount', 'cogs', 'inventory', 'vendor_revenue', 'suspense'] %}
    union
    select 'role', '{{ role }}'
    {%- endfor %}
)

select needed.source_kind, needed.source_key, accounts.account_code
from needed
left join {{ ref('int_cas_accounts') }} as accounts
    on accounts.source_kind = needed.source_kind
    and accounts.source_key = needed.source_key
where accounts.account_code is null or not accounts.is_postable
