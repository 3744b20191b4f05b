"""The products the simulated seller sells, and which seller SKU each store lists them under."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from demo.generator.stores import StoreProfile

UNIT_COST_CURRENCY = "CNY"  # goods are bought from Chinese suppliers


@dataclass(frozen=True)
class Product:
    internal_sku: str
    code: str                          # the stem of every store's seller SKU
    brand: str
    category: str
    unit_cost: Decimal                 # in UNIT_COST_CURRENCY
    prices: dict[str, Decimal]         # list price per currency, VAT-inclusive in EUR and JPY
    fba_fees: dict[str, Decimal]       # FBA fulfilment fee per unit per currency
    demand: int                        # relative order weight


def _product(internal: str, code: str, brand: str, category: str, cost: str, usd: str, eur: str, jpy: str,
             fee_usd: str, fee_eur: str, fee_jpy: str, demand: int) -> Product:
    return Product(
        internal, code, brand, category, Decimal(cost),
        {"USD": Decimal(usd), "EUR": Decimal(eur), "JPY": Decimal(jpy)},
        {"USD": Decimal(fee_usd), "EUR": Decimal(fee_eur), "JPY": Decimal(fee_jpy)},
        demand,
    )


PRODUCTS: tuple[Product, ...] = (
    _product("ACN-1001", "BTL500-BLK", "Northpeak", "Sports & Outdoors", "38.50", "24.99", "22.99", "2980", "3.86", "3.21", "318", 14),
    _product("ACN-1002", "BTL1000-GRN", "Northpeak", "Sports & Outdoors", "46.20", "32.99", "29.99", "3980", "4.75", "3.65", "360", 9),
    _product("ACN-1003", "TREKPOLE-PR", "Northpeak", "Sports & Outdoors", "72.00", "39.99", "36.99", "4980", "6.10", "4.90", "514", 5),
    _product("ACN-1004", "LANTERN-LED", "Northpeak", "Sports & Outdoors", "55.00", "29.99", "27.49", "3480", "4.20", "3.45", "380", 6),
    _product("ACN-2001", "KETTLE-GOOSE", "Kettleworks", "Kitchen", "64.00", "44.99", "39.99", "5480", "6.65", "5.10", "580", 7),
    _product("ACN-2002", "GRINDER-BURR", "Kettleworks", "Kitchen", "118.00", "69.99", "64.99", "8980", "7.90", "5.85", "640", 4),
    _product("ACN-2003", "UTENSIL-SET6", "Kettleworks", "Kitchen", "21.50", "19.99", "17.99", "2280", "3.49", "2.95", "290", 10),
    _product("ACN-3001", "BOWL-SLOW-M", "Brightpaw", "Pet Supplies", "12.80", "14.99", "13.49", "1680", "3.22", "2.70", "290", 11),
    _product("ACN-3002", "COLLAR-LED-L", "Brightpaw", "Pet Supplies", "18.60", "17.99", "15.99", "1980", "3.22", "2.70", "290", 8),
    _product("ACN-4001", "CHRG-65W-C", "Voltnest", "Electronics Accessories", "58.00", "35.99", "32.99", "3980", "3.86", "3.21", "318", 9),
    _product("ACN-4002", "CABLE-BRD-2P", "Voltnest", "Electronics Accessories", "9.40", "12.99", "11.99", "1280", "3.06", "2.61", "290", 12),
    _product("ACN-4003", "PAD-QI-15W", "Voltnest", "Electronics Accessories", "31.00", "24.99", "22.99", "2980", "3.86", "3.21", "318", 6),
    _product("ACN-5001", "PILLOW-LIN-45", "Homeleaf", "Home", "26.00", "21.99", "19.99", "2480", "4.75", "3.65", "360", 7),
    _product("ACN-5002", "CURTAIN-BO-132", "Homeleaf", "Home", "49.00", "34.99", "31.99", "3980", "6.65", "5.10", "514", 4),
)

# Which products each store lists. The US store also sells one product under a second, relisted
# seller SKU, as sellers do after a listing problem: two seller SKUs, one internal SKU.
_ASSORTMENT: dict[str, tuple[str, ...]] = {
    "acme-us": ("ACN-1001", "ACN-1002", "ACN-1003", "ACN-1004", "ACN-2001", "ACN-2002", "ACN-2003",
                "ACN-3001", "ACN-3002", "ACN-4001", "ACN-4002", "ACN-5001", "ACN-5002"),
    "acme-de": ("ACN-1001", "ACN-1002", "ACN-1003", "ACN-2001", "ACN-2002", "ACN-2003", "ACN-3001",
                "ACN-4001", "ACN-4002", "ACN-5001"),
    "acme-jp": ("ACN-1001", "ACN-1002", "ACN-2001", "ACN-2003", "ACN-3001", "ACN-3002", "ACN-4001",
                "ACN-4002", "ACN-4003"),
}
_RELISTED: dict[str, tuple[str, ...]] = {"acme-us": ("ACN-1001",)}

# Referral fee rates that differ from the store's default.
_CATEGORY_COMMISSION = {"Electronics Accessories": Decimal("0.08")}


@dataclass(frozen=True)
class Listing:
    seller_sku: str
    product: Product
    price: Decimal
    fba_fee: Decimal
    commission_rate: Decimal
    demand: int


def listings_for(profile: StoreProfile) -> list[Listing]:
    by_sku = {p.internal_sku: p for p in PRODUCTS}
    listings = []
    for internal in _ASSORTMENT[profile.store_id]:
        product = by_sku[internal]
        seller_skus = [profile.seller_sku_prefix + product.code]
        if internal in _RELISTED.get(profile.store_id, ()):
            seller_skus.append(profile.seller_sku_prefix + product.code + "-R")
        for index, seller_sku in enumerate(seller_skus):
            listings.append(Listing(
                seller_sku=seller_sku,
                product=product,
                price=product.prices[profile.currency],
                fba_fee=product.fba_fees[profile.currency],
                commission_rate=_CATEGORY_COMMISSION.get(product.category, profile.default_commission),
                # A relisted SKU sells alongside the original, less often.
                demand=product.demand if index == 0 else max(1, product.demand // 3),
            ))
    return listings


def sku_map_rows(profiles: list[StoreProfile]) -> list[tuple[str, ...]]:
    """Rows of sku_map.csv: store_id, seller_sku, internal_sku, brand, category, unit_cost, unit_cost_currency."""
    rows = []
    for profile in profiles:
        for listing in listings_for(profile):
            product = listing.product
            rows.append((profile.store_id, listing.seller_sku, product.internal_sku, product.brand,
                         product.category, f"{product.unit_cost:.4f}", UNIT_COST_CURRENCY))
    return rows
