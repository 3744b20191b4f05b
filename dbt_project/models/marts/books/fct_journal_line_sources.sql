-- Lineage of each journal line to the archived input lines it summarises: settlement lines (the account they
-- post to, and the store receivable line of their entry, which takes their other side), the bank statement
-- line of a deposit, the purchases.csv line of a purchase, the FBA reimbursements line of a write-off, the
-- remittance line behind a vendor payment, discount or deduction, and the settlement Principal lines behind a COGS
-- line (per store and period). Vendor invoices have no file line (the API or an
-- export's invoice record; fct_vendor_transactions names them). Lines
-- of closed periods keep the lineage of their live counterpart when one exists.
with

items as (
    select * from {{ ref('int_journal_items') }}
),

receivables as (
    select * from {{ ref('cas_account_mapping') }} where source_kind = 'role' and source_key = 'store_receivable'
),

settlement as (
    select
        items.entry_id || '|' || items.account_code || '|' || coalesce(items.store_id, '') || '|' || coalesce(items.currency, '') as journal_line_id,
        items.source_file_sha256, items.source_line, items.amount_column
    from items
    where items.source_line is not null
    union all
    select
        items.entry_id || '|' || receivables.account_code || '|' || coalesce(items.store_id, '') || '|' || coalesce(items.currency, ''),
        items.source_file_sha256, items.source_line, items.amount_column
    from items
    cross join receivables
    where items.source_type = 'settlement' and items.source_line is not null
),

cogs as (
    select
        'cogs:' || {{ period_of('costed.movement_date') }} || '|' || accounts.account_code || '|'
            || coalesce(costed.store_id, '') || '|{{ var("functional_currency") | upper }}' as journal_line_id,
        costed.source_file_sha256,
        costed.source_line,
        'amount' as amount_column
    from {{ ref('int_inventory_costed') }} as costed
    cross join (
        select account_code from {{ ref('int_cas_accounts') }}
        where source_kind = 'role' and source_key in ('cogs', 'inventory')
    ) as accounts
    where costed.movement_type in ('sale', 'return') and costed.value_moved is not null
),

vendor as (
    select
        items.entry_id || '|' || items.account_code || '|' || coalesce(items.store_id, '') || '|' || coalesce(items.currency, '') as journal_line_id,
        remittances.source_file_sha256,
        remittances.source_line,
        'remittance' as amount_column
    from {{ ref('int_journal_vendor_items') }} as items
    inner join {{ ref('int_vendor_remittance_lines') }} as remittances
        on items.transaction_id in (
            'payment:' || remittances.payment_number || ':' || remittances.remittance_invoice_number || ':' || cast(remittances.occurrence as {{ dbt.type_string() }}),
            'quick_pay_discount:' || remittances.payment_number || ':' || remittances.remittance_invoice_number || ':' || cast(remittances.occurrence as {{ dbt.type_string() }}),
            'deduction:' || remittances.payment_number || ':' || remittances.remittance_invoice_number || ':' || cast(remittances.occurrence as {{ dbt.type_string() }})
        )
),

sources as (
    select * from settlement
    union all
    select * from cogs
    union all
    select * from vendor
)

select distinct sources.journal_line_id, sources.source_file_sha256, sources.source_line, sources.amount_column
from sources
inner join {{ ref('fct_journal_lines') }} as lines
    on lines.journal_line_id = sources.journal_line_id
