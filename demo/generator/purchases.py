"""purchases.csv for the demo: the landed cost (price, 头程 freight, 关税 duty, insurance) of the stock the stores sell.

Every product is bought once before the first sale, enough for everything the simulation sells, so the demo never
runs out of stock (its answer key has no negative-stock anomaly); about half are bought again mid-way, in USD and at
another price, so moving average, FIFO and month-end average give different costs. Draws come from a generator
seeded from the seed alone.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from demo.generator.catalogue import PRODUCTS, UNIT_COST_CURRENCY, listings_for
from demo.generator.simulation import Settlement
from demo.generator.stores import StoreProfile

PURCHASE_COLUMNS = ("purchase_date", "internal_sku", "quantity", "unit_cost", "currency", "inbound_freight", "duty",
                    "other_landed_cost", "reference")
CENT = Decimal("0.01")
# What a supplier invoicing in dollars charges, roughly: CNY cost over this, then a few percent either way.
_CNY_PER_USD = Decimal("7.15")
_FREIGHT_CNY_PER_UNIT = Decimal("3.80")   # sea freight to the FBA warehouse, per unit
_FREIGHT_USD_PER_UNIT = Decimal("0.62")   # the re-order goes by air
_DUTY_RATE = Decimal("0.05")
_INSURANCE_USD = Decimal("18.00")


class UnitsSold:
    """Units each internal SKU sells (Principal quantity of Order rows), counted as settlements are simulated."""

    def __init__(self, profiles: tuple[StoreProfile, ...] | list[StoreProfile]) -> None:
        self._internal = {(p.store_id, listing.seller_sku): listing.product.internal_sku
                          for p in profiles for listing in listings_for(p)}
        self.units: Counter[str] = Counter()

    def add(self, settlement: Settlement) -> None:
        store = settlement.profile.store_id
        for line in settlement.lines():
            if (line.transaction_type == "Order" and line.amount_type == "ItemPrice"
                    and line.amount_description == "Principal" and line.quantity):
                self.units[self._internal[(store, line.sku)]] += int(line.quantity)


def _round_up(units: int, step: int = 10) -> int:
    return -(-units // step) * step


def purchase_rows(sold: UnitsSold, *, seed: int, start: date) -> list[tuple[str, ...]]:
    rng = random.Random(f"acorn-generator:{seed}:purchases")
    first_order = start - timedelta(days=21)
    reorder = start + timedelta(days=35)
    rows: list[tuple[str, ...]] = []
    reorders: list[tuple[str, ...]] = []
    for number, product in enumerate(PRODUCTS, start=1):
        units = sold.units.get(product.internal_sku, 0)
        if not units:
            continue
        # The first order alone covers every unit sold: stock never goes negative.
        quantity = _round_up(units) + 10
        value = product.unit_cost * quantity
        rows.append((first_order.isoformat(), product.internal_sku, str(quantity), f"{product.unit_cost:.4f}",
                     UNIT_COST_CURRENCY, f"{_FREIGHT_CNY_PER_UNIT * quantity:.2f}",
                     f"{(value * _DUTY_RATE).quantize(CENT, ROUND_HALF_UP):.2f}", "", f"PO-{first_order:%Y%m}-{number:03d}"))
        if rng.random() < 0.5:
            again = _round_up(units // 3) + 10
            drift = Decimal(rng.randint(-8, 12)) / 100
            usd_cost = (product.unit_cost / _CNY_PER_USD * (1 + drift)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            duty = (usd_cost * again * _DUTY_RATE).quantize(CENT, ROUND_HALF_UP)
            reorders.append((reorder.isoformat(), product.internal_sku, str(again), f"{usd_cost:.4f}", "USD",
                             f"{_FREIGHT_USD_PER_UNIT * again:.2f}", f"{duty:.2f}", f"{_INSURANCE_USD:.2f}",
                             f"PO-{reorder:%Y%m}-{number:03d}"))
    return rows + reorders
