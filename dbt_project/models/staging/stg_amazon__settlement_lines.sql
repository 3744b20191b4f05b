with

source as (
    select * from {{ source('amazon', 'settlement_lines') }}
),

renamed as (
    select
        ---------- ids
        trim(settlement_id) as settlement_id,
        report_format,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(merchant_order_id), '') as merchant_order_id,
        nullif(trim(adjustment_id), '') as adjustment_id,
        nullif(trim(shipment_id), '') as shipment_id,
        nullif(trim(order_item_code), '') as order_item_code,
        nullif(trim(merchant_order_item_id), '') as merchant_order_item_id,
        nullif(trim(merchant_adjustment_item_id), '') as merchant_adjustment_item_id,
        nullif(trim(promotion_id), '') as promotion_id,
        nullif(trim(fulfillment_id), '') as fulfillment_id,

        ---------- classification
        nullif(trim(transaction_type), '') as transaction_type,
        nullif(trim(amount_type), '') as amount_type,
        nullif(trim(amount_description), '') as amount_description,
        nullif(trim(marketplace_name), '') as marketplace_name,

        ---------- product
        nullif(trim(sku), '') as sku,
        quantity_purchased as quantity,

        ---------- money (V1 lines leave currency blank: the settlement's currency applies)
        amount,
        nullif(upper(trim(currency)), '') as currency,

        ---------- time
        posted_at,
        posted_date_raw,

        ---------- lineage
        amount_column,
        source_file_sha256,
        source_line

    from source
)

select * from renamed
