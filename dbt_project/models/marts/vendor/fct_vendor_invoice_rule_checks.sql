{%- set prefix = var('vendor_invoice_prefix', 'ACORN-') -%}
-- One row per invoice candidate line (wide): what its marketplace country's rules (vendor_invoice_rules) need and
-- one passes_<rule> flag per rule; fct_vendor_invoice_compliance turns each failed flag into a one-line reason.
with

as_of as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

candidates as (
    select
        candidates.*,
        '{{ prefix }}' || candidates.purchase_order_number
            || case when candidates.invoices_naming_po > 0
                then '-' || cast(candidates.invoices_naming_po + 1 as {{ dbt.type_string() }}) else '' end
            as planned_invoice_number,
        marketplaces.country_code
    from {{ ref('fct_vendor_invoice_candidates') }} as candidates
    left join {{ ref('int_vendor_marketplaces') }} as marketplaces
        on marketplaces.marketplace_id = candidates.marketplace_id
),

enriched as (
    select
        candidates.*,
        rules.country_code as rule_country,
        rules.currency as rule_currency,
        rules.tax_type,
        rules.api_tax_type,
        rules.tax_rate,
        coalesce(rules.tax_registration_required, false) as tax_registration_required,
        rules.tax_registration_prefix,
        rules.tax_registration_length,
        coalesce(rules.amount_decimals, 2) as amount_decimals,
        parties.bill_to_party_id,
        parties.tax_registration_number,
        as_of.as_of_date as planned_invoice_date,
        exists (
            select 1 from {{ ref('int_vendor_invoices') }} as invoices
            where invoices.vendor_code = candidates.vendor_code
                and invoices.invoice_number = candidates.planned_invoice_number
                and {{ dbt.date_trunc('year', 'invoices.invoice_date') }} = {{ dbt.date_trunc('year', 'as_of.as_of_date') }}
        ) as is_number_taken
    from candidates
    cross join as_of
    left join {{ ref('vendor_invoice_rules') }} as rules
        on rules.country_code = candidates.country_code
    left join {{ ref('stg_vendor__config_parties') }} as parties
        on parties.account_id = candidates.account_id
        and parties.vendor_code = candidates.vendor_code
)

select
    enriched.*,
    rule_country is not null as passes_marketplace_rules,
    vendor_code is not null and bill_to_party_id is not null and ship_to_party_id is not null as passes_required_parties,
    not tax_registration_required or tax_registration_number is not null as passes_seller_tax_registration,
    tax_registration_number is null
        or ((tax_registration_prefix is null or tax_registration_number like tax_registration_prefix || '%')
            and (tax_registration_length is null or {{ dbt.length('tax_registration_number') }} = tax_registration_length))
        as passes_tax_registration_format,
    tax_type is null or tax_rate is not null as passes_tax_rate,
    rule_currency is null or currency = rule_currency as passes_currency,
    -- the precision must be a constant in some engines: one branch per decimals the seed allows
    amount_to_invoice = case amount_decimals when 0 then round(amount_to_invoice, 0)
        when 1 then round(amount_to_invoice, 1) else round(amount_to_invoice, 2) end as passes_rounding,
    not is_number_taken as passes_invoice_number_unique,
    last_received_on is null or planned_invoice_date >= last_received_on as passes_invoice_date_not_before_receipt
from enriched
