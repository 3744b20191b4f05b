with

source as (
    select * from {{ source('vendor', 'vendor_invoice_lines') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        trim(invoice_identifier) as invoice_identifier,
        last_updated_at,
        trim(line_item_id) as line_item_id,
        upper(trim(line_item_type)) as line_item_type,
        nullif(upper(trim(asin)), '') as asin,
        nullif(trim(item_identifiers), '') as item_identifiers,
        nullif(trim(item_description), '') as item_description,
        nullif(upper(trim(purchase_order_numbers)), '') as purchase_order_numbers,

        ---------- quantities and money
        quantity,
        unit_cost,
        total_amount,
        upper(trim(currency)) as currency,
        nullif(trim(tax_rate_codes), '') as tax_rate_codes,

        ---------- Amazon's matching
        matched_quantity,
        matched_amount,
        quantity_variance,
        price_variance,
        paid_quantity,
        paid_amount,
        nullif(upper(trim(variance_types)), '') as variance_types,
        nullif(trim(defect_types), '') as defect_types,
        nullif(trim(variance_reasons), '') as variance_reasons,
        nullif(trim(service_charge_type), '') as service_charge_type,

        ---------- lineage
        source_page_sha256,
        source_index

    from source
)

select * from renamed
