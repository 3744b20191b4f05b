-- One row per vendor code, deduction type and month of agreement-type deductions (co-op, MDF, freight
-- allowance, and any other type an agreement in vendor_agreements names): how much was deducted, how much of
-- it is linked to an agreement, and, for agreements with accrue = true, the expected deduction
-- (percent_of_invoiced x the invoiced cost of invoices issued that month) and the difference still to come.
with

agreement_types as (
    select distinct deduction_type from {{ ref('vendor_agreements') }}
    union
    select deduction_type from {{ ref('vendor_deduction_types') }}
    where deduction_type in ('coop', 'marketing_development_fund', 'freight_allowance')
),

deductions as (
    select
        deductions.vendor_code,
        deductions.deduction_type,
        deductions.currency,
        cast({{ dbt.date_trunc('month', 'deductions.payment_date') }} as date) as month_start,
        deductions.amount,
        deductions.agreement_id
    from {{ ref('fct_vendor_deductions') }} as deductions
    inner join agreement_types
        on agreement_types.deduction_type = deductions.deduction_type
),

deducted as (
    select
        vendor_code,
        deduction_type,
        currency,
        month_start,
        -sum(amount) as deducted_amount,
        -sum(case when agreement_id is not null then amount else 0 end) as linked_amount,
        count(*) as n_deductions,
        min(agreement_id) as agreement_id
    from deductions
    group by vendor_code, deduction_type, currency, month_start
),

accrued as (
    select
        agreements.vendor_code,
        agreements.deduction_type,
        invoices.currency,
        cast({{ dbt.date_trunc('month', 'invoices.invoice_date') }} as date) as month_start,
        cast(round(sum(invoices.invoice_amount) * min(agreements.percent_of_invoiced), 2) as {{ money() }}) as accrued_amount,
        min(agreements.agreement_id) as agreement_id
    from {{ ref('vendor_agreements') }} as agreements
    inner join {{ ref('fct_vendor_invoices') }} as invoices
        on invoices.vendor_code = agreements.vendor_code
        and invoices.invoice_date between agreements.valid_from and agreements.valid_to
    where agreements.accrue
    group by agreements.vendor_code, agreements.deduction_type, invoices.currency,
             cast({{ dbt.date_trunc('month', 'invoices.invoice_date') }} as date)
),

keys as (
    select vendor_code, deduction_type, currency, month_start from deducted
    union
    select vendor_code, deduction_type, currency, month_start from accrued
)

select
    keys.vendor_code,
    keys.deduction_type,
    keys.month_start,
    keys.currency,
    coalesce(deducted.n_deductions, 0) as n_deductions,
    cast(coalesce(deducted.deducted_amount, 0) as {{ money() }}) as deducted_amount,
    cast(coalesce(deducted.linked_amount, 0) as {{ money() }}) as linked_amount,
    coalesce(deducted.agreement_id, accrued.agreement_id) as agreement_id,
    accrued.accrued_amount,
    cast(accrued.accrued_amount - coalesce(deducted.deducted_amount, 0) as {{ money() }}) as accrual_balance
from keys
left join deducted
    on deducted.vendor_code = keys.vendor_code
    and deducted.deduction_type = keys.deduction_type
    and deducted.currency = keys.currency
    and deducted.month_start = keys.month_start
left join accrued
    on accrued.vendor_code = keys.vendor_code
    and accrued.deduction_type = keys.deduction_type
    and accrued.currency = keys.currency
    and accrued.month_start = keys.month_start
