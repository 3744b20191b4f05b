{%- set prefix = var('vendor_invoice_prefix', 'ACORN-') -%}
-- One row per invoice candidate line (fct_vendor_invoice_candidates) and compliance rule of its marketplace
-- country (vendor_invoice_rules): whether the line passes and, when not, a one-line reason. A candidate line
-- failing any rule is held back (`acorn vendor-invoices` leaves it out and lists it with the reasons). The line's
-- tax (tax_type, tax_rate, tax_amount rounded to the currency's decimals) is what goes on the invoice.
-- Rules: marketplace_rules (the country has a row), required_parties (selling, bill-to and ship-to party),
-- seller_tax_registration (required and configured), tax_registration_format (prefix and length, e.g. JP
-- T + 13 digits), tax_rate (a taxed country has a rate), currency, rounding (amounts in the currency's
-- decimals), invoice_number_unique (the planned number is new for the vendor code and year) and
-- invoice_date_not_before_receipt (the planned invoice date, as_of, is not before the last receipt).
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
),

checks as (
    select enriched.*, 'marketplace_rules' as rule,
        rule_country is not null as is_passed,
        'no invoice rules for country ' || coalesce(country_code, '?') || ': add a row to vendor_invoice_rules' as failure
    from enriched
    union all
    select enriched.*, 'required_parties',
        vendor_code is not null and bill_to_party_id is not null and ship_to_party_id is not null,
        'missing party: ' || case when vendor_code is null then 'selling party (vendor code)'
            when bill_to_party_id is null then 'bill-to party (vendor configuration)' else 'ship-to party (PO)' end
    from enriched
    union all
    select enriched.*, 'seller_tax_registration',
        not tax_registration_required or tax_registration_number is not null,
        coalesce(tax_type, 'tax') || ' registration number of vendor ' || coalesce(vendor_code, '?')
            || ' is required in ' || coalesce(country_code, '?') || ' and not configured'
    from enriched
    union all
    select enriched.*, 'tax_registration_format',
        tax_registration_number is null
            or ((tax_registration_prefix is null or tax_registration_number like tax_registration_prefix || '%')
                and (tax_registration_length is null or {{ dbt.length('tax_registration_number') }} = tax_registration_length)),
        'tax registration number ' || coalesce(tax_registration_number, '') || ' does not look like '
            || coalesce(tax_registration_prefix, '') || ' + '
            || cast(coalesce(tax_registration_length, 0) - {{ dbt.length("coalesce(tax_registration_prefix, '')") }} as {{ dbt.type_string() }})
            || ' characters'
    from enriched
    union all
    select enriched.*, 'tax_rate',
        tax_type is null or tax_rate is not null,
        coalesce(country_code, '?') || ' charges ' || coalesce(tax_type, '') || ' but vendor_invoice_rules has no rate'
    from enriched
    union all
    select enriched.*, 'currency',
        rule_currency is null or currency = rule_currency,
        'invoice currency ' || coalesce(currency, '?') || ' is not ' || coalesce(rule_currency, '?') || ' of ' || coalesce(country_code, '?')
    from enriched
    union all
    select enriched.*, 'rounding',
        amount_to_invoice = case amount_decimals when 0 then round(amount_to_invoice, 0)
            when 1 then round(amount_to_invoice, 1) else round(amount_to_invoice, 2) end,
        'amount ' || cast(amount_to_invoice as {{ dbt.type_string() }}) || ' ' || coalesce(currency, '') || ' has more than '
            || cast(amount_decimals as {{ dbt.type_string() }}) || ' decimals'
    from enriched
    union all
    select enriched.*, 'invoice_number_unique',
        not is_number_taken,
        'invoice number ' || planned_invoice_number || ' already used by vendor ' || coalesce(vendor_code, '?') || ' this year'
    from enriched
    union all
    select enriched.*, 'invoice_date_not_before_receipt',
        last_received_on is null or planned_invoice_date >= last_received_on,
        'invoice date ' || cast(planned_invoice_date as {{ dbt.type_string() }}) || ' is before the receipt on '
            || cast(last_received_on as {{ dbt.type_string() }})
    from enriched
)

select
    account_id,
    marketplace_id,
    marketplace_name,
    country_code,
    vendor_code,
    purchase_order_number,
    item_sequence_number,
    planned_invoice_number,
    planned_invoice_date,
    quantity_to_invoice,
    amount_to_invoice,
    currency,
    tax_type,
    api_tax_type,
    tax_rate,
    -- the precision must be a constant in some engines: one branch per decimals the seed allows
    cast(case when tax_rate is null then null
        when amount_decimals = 0 then round(amount_to_invoice * tax_rate, 0)
        when amount_decimals = 1 then round(amount_to_invoice * tax_rate, 1)
        else round(amount_to_invoice * tax_rate, 2) end as decimal(18, 2)) as tax_amount,
    tax_registration_number,
    rule,
    is_passed,
    case when not is_passed then failure end as reason,
    min(case when is_passed then 1 else 0 end) over (
        partition by account_id, purchase_order_number, item_sequence_number) = 0 as is_held_back
from checks
