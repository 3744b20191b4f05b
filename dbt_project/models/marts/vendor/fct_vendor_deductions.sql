{%- set functional = var('functional_currency') | upper -%}
-- One row per deduction line of the remittances: its type (vendor_deduction_types, by the suffix or prefix
-- of its number), signed amount (negative: taken; positive: a reversal giving money back), the invoice it
-- refers to (its number without the suffix; chargebacks name a PO only) and that invoice's POs, and whether
-- it was reversed later (a reversal of its type for the same invoice) or disputed (the Vendor Central
-- invoice export lists its number with a dispute status). Agreement deductions (co-op, MDF, freight
-- allowance) are linked to the vendor_agreements row their description names.
with

deductions as (
    select * from {{ ref('int_vendor_remittance_lines') }}
    where is_deduction
),

reversals as (
    select
        vendor_code,
        invoice_number,
        reverses_type,
        min(remittance_invoice_number) as reversal_number,
        min(payment_date) as reversed_on,
        sum(amount_paid) as reversed_amount
    from deductions
    where reverses_type is not null
    group by vendor_code, invoice_number, reverses_type
),

disputes as (
    select vendor_code, invoice_number, min(invoice_status) as dispute_status
    from {{ ref('int_vendor_export_invoices') }}
    where lower(invoice_status) like '%disput%'
    group by vendor_code, invoice_number
),

invoice_pos as (
    select
        vendor_code,
        invoice_number,
        {{ dbt.listagg('purchase_order_number', "', '", 'order by purchase_order_number') }} as purchase_order_numbers
    from {{ ref('int_vendor_invoice_purchase_orders') }}
    group by vendor_code, invoice_number
),

rates as (
    select * from {{ ref('int_fx_daily_rates') }}
)

select
    deductions.payment_number || ':' || deductions.remittance_invoice_number || ':' || cast(deductions.occurrence as {{ dbt.type_string() }})
        as deduction_id,
    deductions.remittance_invoice_number as deduction_number,
    deductions.deduction_type,
    types.description as deduction_type_description,
    deductions.reverses_type is not null as is_reversal,
    deductions.invoice_description as description,
    deductions.vendor_code,
    deductions.marketplace_id,
    deductions.marketplace_name,
    deductions.payment_number,
    deductions.payment_date,
    deductions.amount_paid as amount,
    deductions.currency,
    deductions.invoice_number as related_invoice_number,
    invoices.invoice_number is not null as is_related_invoice_known,
    coalesce(deductions.purchase_order_number, invoice_pos.purchase_order_numbers) as purchase_order_number,
    reversals.reversal_number is not null as is_reversed,
    reversals.reversal_number,
    reversals.reversed_on,
    coalesce(reversals.reversed_amount, 0) as reversed_amount,
    deductions.amount_paid + coalesce(reversals.reversed_amount, 0) as net_amount,
    disputes.dispute_status is not null as is_disputed,
    disputes.dispute_status,
    case when deductions.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end as fx_rate,
    cast(round(deductions.amount_paid
        * case when deductions.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end, 2) as {{ money() }})
        as amount_functional,
    '{{ functional }}' as functional_currency,
    deductions.source_file_sha256,
    deductions.source_sheet,
    deductions.source_line,
    agreements.agreement_id,
    agreements.percent_of_invoiced as agreement_percent
from deductions
left join {{ ref('vendor_deduction_types') }} as types
    on types.deduction_type = deductions.deduction_type
left join reversals
    on reversals.vendor_code = deductions.vendor_code
    and reversals.invoice_number = deductions.invoice_number
    and reversals.reverses_type = deductions.deduction_type
left join disputes
    on disputes.vendor_code = deductions.vendor_code
    and disputes.invoice_number = deductions.remittance_invoice_number
left join {{ ref('int_vendor_invoices') }} as invoices
    on invoices.vendor_code = deductions.vendor_code
    and invoices.invoice_number = deductions.invoice_number
left join invoice_pos
    on invoice_pos.vendor_code = deductions.vendor_code
    and invoice_pos.invoice_number = deductions.invoice_number
-- co-op / MDF / freight allowances: the agreement the remittance description names
left join {{ ref('vendor_agreements') }} as agreements
    on agreements.vendor_code = deductions.vendor_code
    and agreements.deduction_type = deductions.deduction_type
    and deductions.invoice_description like '%' || agreements.agreement_id || '%'
left join rates
    on rates.currency = deductions.currency
    and rates.calendar_date = deductions.payment_date
