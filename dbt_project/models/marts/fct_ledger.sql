{{ config(materialized=incremental_materialization(), unique_key='source_file_sha256') }}
-- One row per settlement line of a loaded file: classified, dated in the store's time zone and
-- converted into the functional currency.
select
    store_id,
    settlement_id,
    report_format,
    transaction_type,
    amount_type,
    amount_description,
    fee_category,
    pnl_line,
    account,
    allocate as is_allocated_fee,
    marketplace_name,
    order_id,
    merchant_order_id,
    adjustment_id,
    shipment_id,
    order_item_code,
    sku,
    internal_sku,
    brand,
    category,
    quantity,
    posted_at,
    posted_date,
    posted_month,
    amount,
    currency,
    fx_rate,
    fx_rate_date,
    fx_rate_source,
    amount_functional,
    functional_currency,
    source_file_sha256,
    source_line,
    amount_column
from {{ ref('int_ledger_lines') }}
{% if is_incremental() %}
-- files new to the ledger, and those int_ledger_lines redid in this build
where source_file_sha256 not in (select source_file_sha256 from {{ this }})
    or build_id = {{ build_id() }}
{% endif %}
