-- One row per invoice candidate line (fct_vendor_invoice_candidates) and compliance rule of its marketplace
-- country (vendor_invoice_rules): whether the line passes and, when not, a one-line reason. A candidate line
-- failing any rule is held back (`acorn vendor-invoices` leaves it out and lists it with the reasons). The line's
-- tax (tax_type, tax_rate, tax_amount rounded to the currency's decimals) is what goes on the invoice.
-- The rules are decided per line in fct_vendor_invoice_rule_checks: marketplace_rules (the country has a row),
-- required_parties (selling, bill-to and ship-to party), seller_tax_registration (required and configured),
-- tax_registration_format (prefix and length, e.g. JP T + 13 digits), tax_rate (a taxed country has a rate),
-- currency, rounding (amounts in the currency's decimals), invoice_number_unique (the planned number is new for
-- the vendor code and year) and invoice_date_not_before_receipt (the planned invoice date, as_of, is not before
-- the last receipt).
with

enriched as (
    select * from {{ ref('fct_vendor_invoice_rule_checks') }}
),

checks as (
    select enriched.*, 'marketplace_rules' as rule, passes_marketplace_rules as is_passed,
        'no invoice rules for country ' || coalesce(country_code, '?') || ': add a row to vendor_invoice_rules' as failure,
        '国家 ' || coalesce(country_code, '?') || ' 没有开票规则：请在 vendor_invoice_rules 中添加一行' as failure_zh
    from enriched
    union all
    select enriched.*, 'required_parties', passes_required_parties,
        'missing party: ' || case when vendor_code is null then 'selling party (vendor code)'
            when bill_to_party_id is null then 'bill-to party (vendor configuration)' else 'ship-to party (PO)' end,
        '缺少当事方：' || case when vendor_code is null then '销售方（供应商代码）'
            when bill_to_party_id is null then '收票方（供应商配置）' else '收货方（采购订单）' end
    from enriched
    union all
    select enriched.*, 'seller_tax_registration', passes_seller_tax_registration,
        coalesce(tax_type, 'tax') || ' registration number of vendor ' || coalesce(vendor_code, '?')
            || ' is required in ' || coalesce(country_code, '?') || ' and not configured',
        coalesce(country_code, '?') || ' 要求供应商 ' || coalesce(vendor_code, '?') || ' 的 '
            || coalesce(tax_type, '税务') || ' 登记号，但尚未配置'
    from enriched
    union all
    select enriched.*, 'tax_registration_format', passes_tax_registration_format,
        'tax registration number ' || coalesce(tax_registration_number, '') || ' does not look like '
            || coalesce(tax_registration_prefix, '') || ' + '
            || cast(coalesce(tax_registration_length, 0) - {{ dbt.length("coalesce(tax_registration_prefix, '')") }} as {{ dbt.type_string() }})
            || ' characters',
        '税务登记号 ' || coalesce(tax_registration_number, '') || ' 不符合格式：'
            || coalesce(tax_registration_prefix, '') || ' + '
            || cast(coalesce(tax_registration_length, 0) - {{ dbt.length("coalesce(tax_registration_prefix, '')") }} as {{ dbt.type_string() }})
            || ' 个字符'
    from enriched
    union all
    select enriched.*, 'tax_rate', passes_tax_rate,
        coalesce(country_code, '?') || ' charges ' || coalesce(tax_type, '') || ' but vendor_invoice_rules has no rate',
        coalesce(country_code, '?') || ' 征收 ' || coalesce(tax_type, '') || '，但 vendor_invoice_rules 中没有税率'
    from enriched
    union all
    select enriched.*, 'currency', passes_currency,
        'invoice currency ' || coalesce(currency, '?') || ' is not ' || coalesce(rule_currency, '?') || ' of ' || coalesce(country_code, '?'),
        '发票币种 ' || coalesce(currency, '?') || ' 不是 ' || coalesce(country_code, '?') || ' 的 ' || coalesce(rule_currency, '?')
    from enriched
    union all
    select enriched.*, 'rounding', passes_rounding,
        'amount ' || cast(amount_to_invoice as {{ dbt.type_string() }}) || ' ' || coalesce(currency, '') || ' has more than '
            || cast(amount_decimals as {{ dbt.type_string() }}) || ' decimals',
        '金额 ' || cast(amount_to_invoice as {{ dbt.type_string() }}) || ' ' || coalesce(currency, '') || ' 的小数位多于 '
            || cast(amount_decimals as {{ dbt.type_string() }}) || ' 位'
    from enriched
    union all
    select enriched.*, 'invoice_number_unique', passes_invoice_number_unique,
        'invoice number ' || planned_invoice_number || ' already used by vendor ' || coalesce(vendor_code, '?') || ' this year',
        '发票号 ' || planned_invoice_number || ' 今年已被供应商 ' || coalesce(vendor_code, '?') || ' 使用'
    from enriched
    union all
    select enriched.*, 'invoice_date_not_before_receipt', passes_invoice_date_not_before_receipt,
        'invoice date ' || cast(planned_invoice_date as {{ dbt.type_string() }}) || ' is before the receipt on '
            || cast(last_received_on as {{ dbt.type_string() }}),
        '发票日期 ' || cast(planned_invoice_date as {{ dbt.type_string() }}) || ' 早于收货日期 '
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
        else round(amount_to_invoice * tax_rate, 2) end as {{ money() }}) as tax_amount,
    tax_registration_number,
    rule,
    is_passed,
    case when not is_passed then failure end as reason,
    case when not is_passed then failure_zh end as reason_zh,
    min(case when is_passed then 1 else 0 end) over (
        partition by account_id, purchase_order_number, item_sequence_number) = 0 as is_held_back
from checks
