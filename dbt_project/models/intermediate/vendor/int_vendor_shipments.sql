-- One row per shipment (ASN): its latest version (the furthest status, then the latest delivery news), so a
-- shipment seen as Created, then Shipped, then delivered counts once, as it stands now. Cancelled ASNs
-- (transaction type Cancel) are kept with is_cancelled so they never count as shipped.
with

versions as (
    select
        *,
        row_number() over (
            partition by account_id, shipment_id
            order by
                case when delivered_at is null then 0 else 1 end desc,
                shipment_status_at desc nulls last,
                fetched_at desc,
                version_id desc
        ) as recency_rank
    from {{ ref('stg_vendor__shipments') }}
)

select
    account_id,
    shipment_id,
    version_id,
    buyer_reference_number,
    vendor_code,
    ship_to_party_id,
    shipment_status,
    shipment_status_at,
    shipment_created_at,
    shipment_confirmed_at,
    shipped_at,
    estimated_delivery_at,
    delivered_at,
    carton_count,
    pallet_count,
    transaction_type = 'Cancel' as is_cancelled,
    shipped_at is not null and delivered_at is null and transaction_type <> 'Cancel' as is_in_transit
from versions
where recency_rank = 1
