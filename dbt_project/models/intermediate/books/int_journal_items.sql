-- Every journal posting before it is summarised into lines: settlements, deposits, vendor documents, COGS,
-- purchases into stock and stock written off,
-- with the entry each belongs to and the source line it came from. Signed debit-positive, in the original
-- currency and the functional currency.
{%- set columns = 'entry_id, source_type, source_id, period, posted_date as entry_date, store_id, account_code, memo_zh, currency, amount_original, amount_functional, fx_rate, fx_rate_date, fx_rate_source' %}
select {{ columns }}, source_file_sha256, source_line, amount_column
from (select *, 'settlement' as source_type, settlement_id as source_id from {{ ref('int_journal_settlement_items') }}) as settlement
union all
select {{ columns }}, source_file_sha256, source_line, amount_column
from (select *, 'deposit' as source_type, settlement_id as source_id from {{ ref('int_journal_deposit_items') }}) as deposit
union all
select {{ columns }}, cast(null as {{ dbt.type_string() }}), cast(null as integer), cast(null as {{ dbt.type_string() }})
from (select *, replace(entry_id, source_type || ':', '') as source_id from {{ ref('int_journal_vendor_items') }}) as vendor
union all
select {{ columns }}, cast(null as {{ dbt.type_string() }}), cast(null as integer), cast(null as {{ dbt.type_string() }})
from (select *, 'cogs' as source_type, period as source_id from {{ ref('int_journal_cogs_items') }}) as cogs
union all
select {{ columns }}, source_file_sha256, source_line, 'landed_cost'
from (select *, 'purchase' as source_type from {{ ref('int_journal_purchase_items') }}) as purchase
union all
select {{ columns }}, source_file_sha256, source_line, 'quantity_reimbursed_cash'
from (select *, 'inventory_write_off' as source_type from {{ ref('int_journal_write_off_items') }}) as write_off
