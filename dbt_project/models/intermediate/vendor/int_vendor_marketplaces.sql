-- Marketplaces vendors sell to (vendor_marketplaces seed), with the lower-cased name the Vendor Central
-- exports use ("Amazon.de") to find the id.
select
    marketplace_id,
    marketplace_name,
    lower(marketplace_name) as marketplace_key,
    country_code,
    upper(currency) as currency
from {{ ref('vendor_marketplaces') }}
