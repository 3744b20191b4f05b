{%- set functional = var('functional_currency') | upper -%}
-- Vendor money in the journal, from marts.fct_vendor_transactions. An invoice to Amazon debits the vendor
-- receivable (1122.03) and credits revenue, at the fx_policy rate of the invoice date (its carrying rate). A
-- payment credits the receivable at the invoice's carrying rate and debits the bank at the payment date's rate,
-- the difference to 6603.01 (realized); a quick-pay discount clears the receivable to 6603.02. Each deduction
-- (negative: taken; positive: reversed) moves the receivable against the account its type maps to, at the
-- carrying rate of the invoice it names (its own date's rate when it names none, e.g. a chargeback's PO).
-- The auxiliary dimension (store_id) is the vendor code.
with

transactions as (
    select transaction_id, transaction_type, transaction_date, vendor_code, invoice_number, payment_number,
        deduction_type, amount, currency
    from {{ ref('fct_vendor_transactions') }}
    where transaction_type in ('invoice', 'invoice_line', 'payment', 'quick_pay_discount', 'deduction')
        and transaction_date is not null
        and amount is not null
),

accounts as (
    select * from {{ ref('int_cas_accounts') }}
),

roles as (
    select * from accounts where source_kind = 'role'
),

rated as (
    select
        transactions.*,
        {{ period_of('transactions.transaction_date') }} as period,
        {{ policy_rate('transactions.currency', 'rates') }} as own_fx_rate,
        case when transactions.currency = '{{ functional }}' then transactions.transaction_date else rates.fx_rate_date end as own_fx_rate_date,
        {{ policy_rate('transactions.currency', 'rates', 'fx_rate_source') }} as own_fx_rate_source
    from transactions
    left join {{ ref('int_fx_policy_rates') }} as rates
        on rates.currency = transactions.currency
        and rates.calendar_date = transactions.transaction_date
),

invoice_rates as (
    select vendor_code, invoice_number, max(own_fx_rate) as fx_rate, max(own_fx_rate_date) as fx_rate_date,
        max(own_fx_rate_source) as fx_rate_source
    from rated
    where transaction_type in ('invoice', 'invoice_line')
    group by vendor_code, invoice_number
),

carried as (
    select
        rated.*,
        coalesce(invoice_rates.fx_rate, rated.own_fx_rate) as carrying_fx_rate,
        coalesce(invoice_rates.fx_rate_date, rated.own_fx_rate_date) as carrying_fx_rate_date,
        coalesce(invoice_rates.fx_rate_source, rated.own_fx_rate_source) as carrying_fx_rate_source,
        case rated.transaction_type
            when 'invoice' then 'vendor_invoice'
            when 'invoice_line' then 'vendor_invoice'
            when 'deduction' then 'vendor_deduction'
            else 'vendor_payment'
        end as source_type,
        case
            when rated.transaction_type in ('invoice', 'invoice_line') then 'vendor_invoice:' || rated.vendor_code || ':' || rated.invoice_number
            when rated.transaction_type = 'deduction' then 'vendor_deduction:' || rated.transaction_id
            else 'vendor_payment:' || rated.vendor_code || ':' || coalesce(rated.payment_number, rated.transaction_id)
        end as entry_id
    from rated
    left join invoice_rates
        on invoice_rates.vendor_code = rated.vendor_code
        and invoice_rates.invoice_number = rated.invoice_number
),

items as (
    -- invoices: receivable / revenue
    select carried.*, receivable.account_code, receivable.memo_zh, carried.amount as amount_original,
        carried.own_fx_rate as fx_rate, carried.own_fx_rate_date as fx_rate_date, carried.own_fx_rate_source as fx_rate_source
    from carried cross join roles as receivable
    where carried.source_type = 'vendor_invoice' and receivable.source_key = 'vendor_receivable'
    union all
    select carried.*, revenue.account_code, revenue.memo_zh, -1 * carried.amount,
        carried.own_fx_rate, carried.own_fx_rate_date, carried.own_fx_rate_source
    from carried cross join roles as revenue
    where carried.source_type = 'vendor_invoice' and revenue.source_key = 'vendor_revenue'
    -- payments and quick-pay discounts clear the receivable at its carrying rate
    union all
    select carried.*, receivable.account_code, receivable.memo_zh, -1 * carried.amount,
        carried.carrying_fx_rate, carried.carrying_fx_rate_date, carried.carrying_fx_rate_source
    from carried cross join roles as receivable
    where carried.source_type = 'vendor_payment' and receivable.source_key = 'vendor_receivable'
    union all
    select carried.*, bank.account_code, '银行收到亚马逊供应商货款', carried.amount,
        carried.own_fx_rate, carried.own_fx_rate_date, carried.own_fx_rate_source
    from carried cross join roles as bank
    where carried.transaction_type = 'payment' and bank.source_key = 'bank'
    union all
    select carried.*, discount.account_code, discount.memo_zh, carried.amount,
        carried.carrying_fx_rate, carried.carrying_fx_rate_date, carried.carrying_fx_rate_source
    from carried cross join roles as discount
    where carried.transaction_type = 'quick_pay_discount' and discount.source_key = 'cash_discount'
    -- deductions: receivable against the mapped account (suspense when the type maps to none)
    union all
    select carried.*, receivable.account_code, '亚马逊供应商扣款', carried.amount,
        carried.carrying_fx_rate, carried.carrying_fx_rate_date, carried.carrying_fx_rate_source
    from carried cross join roles as receivable
    where carried.source_type = 'vendor_deduction' and receivable.source_key = 'vendor_receivable'
    union all
    select carried.*,
        case when mapped.is_postable then mapped.account_code else suspense.account_code end,
        coalesce(mapped.memo_zh, suspense.memo_zh), -1 * carried.amount,
        carried.carrying_fx_rate, carried.carrying_fx_rate_date, carried.carrying_fx_rate_source
    from carried
    left join accounts as mapped
        on mapped.source_kind = 'deduction_type'
        and mapped.source_key = carried.deduction_type
    cross join roles as suspense
    where carried.source_type = 'vendor_deduction' and suspense.source_key = 'suspense'
),

converted as (
    select
        entry_id, source_type, period, transaction_date as posted_date, vendor_code as store_id, transaction_id,
        account_code, memo_zh, currency, amount_original, fx_rate, fx_rate_date, fx_rate_source,
        {{ to_functional('amount_original', 'fx_rate') }} as amount_functional
    from items
),

realized as (
    -- what a payment entry leaves unbalanced in {{ functional }} is the exchange difference
    select
        converted.entry_id, max(converted.source_type) as source_type, max(converted.period) as period,
        max(converted.posted_date) as posted_date, converted.store_id, min(converted.transaction_id) as transaction_id,
        fx.account_code, '供应商货款汇兑损益(已实现)' as memo_zh, '{{ functional }}' as currency,
        -1 * sum(converted.amount_functional) as amount_original, cast(1 as {{ money(8) }}) as fx_rate,
        max(converted.posted_date) as fx_rate_date, 'identity' as fx_rate_source,
        -1 * sum(converted.amount_functional) as amount_functional
    from converted
    cross join roles as fx
    where converted.source_type = 'vendor_payment' and fx.source_key = 'fx_gain_loss'
    group by converted.entry_id, converted.store_id, fx.account_code
    having sum(converted.amount_functional) <> 0
)

select * from converted
union all
select * from realized
