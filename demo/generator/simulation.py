"""Simulates one store's settlement cycles: orders, refunds, claims, fees, advertising and reserves.

Every random draw comes from the store's own `random.Random`, seeded from the run seed and the store id,
so a store's files depend only on (seed, store, start, months, orders_per_day). Money is kept in integer
minor units (see flatfile.py); rates are integers over RATE_SCALE, rounded half away from zero.
"""
from __future__ import annotations

import bisect
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple, TypeVar

from demo.generator.catalogue import listings_for
from demo.generator.cycles import CYCLE, Cycle, cycles_for
from demo.generator.flatfile import DAY_SECONDS, Entry, Head, Line, Posted, SettlementFileBuilder, to_decimal
from demo.generator.stores import StoreProfile

T = TypeVar("T")
CYCLE_SECONDS = int(CYCLE.total_seconds())
RATE_SCALE = 100_000

REFUND_RATE = 0.06
MULTI_ITEM_RATE = 0.08
PAID_SHIPPING_RATE = 0.18
PROMOTION_RATE = 0.10
PROMOTION_DISCOUNTS = (10_000, 15_000)     # 10% and 15%
RESERVE_RATE = 7_000                       # Amazon holds back 7% of the cycle's product sales
REFUND_COMMISSION_RATE = 20_000            # and keeps 20% of a refunded referral fee
REIMBURSEMENT_RATE = 55_000                # share of the list price reimbursed for lost or damaged stock
RETROCHARGE_RATE = 1_900
STORAGE_PER_ORDER_PER_DAY = Decimal("0.35")  # in USD-equivalent (StoreProfile.scale) a month
HISTORY_SAMPLE = 40                        # orders per cycle that next cycle's claims may refer to
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# Shipment ids are nine alphanumerics; four pairs and one character come from a single 60-bit draw.
_PAIRS = [a + b for a in _ALPHANUMERIC for b in _ALPHANUMERIC]
# Multiplying a counter by a number coprime to 10**7 permutes 0..10**7-1: order ids never repeat.
_ORDER_ID_SPREAD = 3_367_867
# Subscription on the 1st, last month's storage on the 8th; a fixed time of day puts each in exactly one cycle.
_MONTHLY_FEES = ((1, "Subscription Fee"), (8, "Storage Fee"))
_MONTHLY_FEE_TIME = timedelta(hours=9, minutes=17, seconds=23)


def rate_of(value: Decimal) -> int:
    scaled = value * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {value} is finer than 1/{RATE_SCALE}")
    return int(scaled)


def share(amount: int, rate: int) -> int:
    """amount × rate / RATE_SCALE in whole minor units, rounded half away from zero."""
    magnitude = (abs(amount) * rate * 2 + RATE_SCALE) // (2 * RATE_SCALE)
    return magnitude if amount >= 0 else -magnitude


@dataclass(frozen=True, slots=True)
class Offer:
    """A listing in this store's minor units."""

    seller_sku: str
    price: int
    fba_fee: int
    commission_rate: int


class SoldItem(NamedTuple):
    """What a refund, chargeback or claim needs to know about an order item settled earlier.

    A NamedTuple rather than a frozen dataclass: one is built per order item, and this is several times cheaper.
    """

    order_id: str
    order_item_code: str
    seller_sku: str
    quantity: int
    principal: int
    shipping: int
    tax: int
    shipping_tax: int
    promotion: int
    promotion_id: str
    commission: int


def _price_item(offer: Offer, quantity: int, tax_rate: int, promotion_id: str, discount: int,
                shipping: int) -> tuple[list[Entry], tuple[int, int, int, int, int, int]]:
    """The amount rows of one order item, and (principal, shipping, tax, shipping tax, promotion, commission)."""
    principal = offer.price * quantity
    promotion = -share(principal, discount) if promotion_id else 0
    tax = share(principal + promotion, tax_rate)
    shipping_tax = share(shipping, tax_rate)
    commission = -share(principal + promotion + shipping, offer.commission_rate)

    entries: list[Entry] = [("ItemPrice", "Principal", principal, str(quantity), "")]
    if shipping:
        entries.append(("ItemPrice", "Shipping", shipping, "", ""))
    if tax:
        entries.append(("ItemPrice", "Tax", tax, "", ""))
    if shipping_tax:
        entries.append(("ItemPrice", "ShippingTax", shipping_tax, "", ""))
    if promotion:
        entries.append(("Promotion", "Principal", promotion, "", promotion_id))
    entries.append(("ItemFees", "Commission", commission, "", ""))
    entries.append(("ItemFees", "FBAPerUnitFulfillmentFee", -offer.fba_fee * quantity, "", ""))
    if shipping:
        entries.append(("ItemFees", "ShippingChargeback", -shipping, "", ""))
    # US marketplace-facilitator states: Amazon collects the sales tax and withholds it again.
    if tax:
        entries.append(("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -tax, "", ""))
    if shipping_tax:
        entries.append(("ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", -shipping_tax, "", ""))
    return entries, (principal, shipping, tax, shipping_tax, promotion, commission)


@dataclass(frozen=True)
class Settlement:
    profile: StoreProfile
    settlement_id: str
    cycle: Cycle
    builder: SettlementFileBuilder
    reserve_released: Decimal              # as written: positive, zero in the first cycle
    reserve_held: Decimal                  # as written: negative

    @property
    def total(self) -> Decimal:
        return self.builder.total_amount

    @property
    def file_name(self) -> str:
        return f"settlement_{self.profile.store_id}_{self.settlement_id}.txt"

    def document(self) -> bytes:
        """The settlement file, as written into the inbox and served by the local SP-API."""
        return self.builder.render()

    def lines(self) -> Iterator[Line]:
        return self.builder.lines()


class StoreSimulator:
    def __init__(self, profile: StoreProfile, *, seed: int, start: date, months: int, orders_per_day: int,
                 id_base: int, negative_cycle: int | None) -> None:
        self.profile = profile
        self.rng = random.Random(f"acorn-generator:{seed}:{profile.store_id}")
        self.cycles = cycles_for(start, months, timedelta(seconds=self.rng.randrange(DAY_SECONDS)))
        self.orders_per_day = orders_per_day
        self.negative_cycle = negative_cycle
        self.offers: list[Offer] = []
        self._cumulative_demand: list[int] = []
        for listing in listings_for(profile):
            self.offers.append(Offer(listing.seller_sku, profile.minor(listing.price), profile.minor(listing.fba_fee),
                                     rate_of(listing.commission_rate)))
            self._cumulative_demand.append((self._cumulative_demand or [0])[-1] + listing.demand)
        self._tax_rates = [rate_of(r) for r in profile.tax_rates]
        self._shipping = profile.minor(profile.shipping_charge)
        self._unit = profile.minor(profile.minor_unit)
        self._next_id = id_base + self.rng.randrange(10**8)
        self._order_counter = 0
        self._refunds: dict[int, list[tuple[int, SoldItem]]] = defaultdict(list)  # cycle -> (offset, item)
        self._earlier_sample: list[SoldItem] = []
        self._reserve_held = 0
        # Order items repeat (same offer, quantity, tax rate, promotion): price each combination once.
        self._priced: dict[tuple, tuple[list[Entry], tuple[int, int, int, int, int, int]]] = {}

    def settlements(self) -> Iterator[Settlement]:
        for cycle in self.cycles:
            yield self._settle(cycle)

    # --- one cycle -------------------------------------------------------------------------

    def _settle(self, cycle: Cycle) -> Settlement:
        rng = self.rng
        settlement_id = str(self._next_id)
        self._next_id += rng.randrange(5_000_000, 20_000_000)
        builder = SettlementFileBuilder(self.profile, settlement_id, cycle.start_at, cycle.end_at, cycle.deposit_at)

        sample: list[SoldItem] = []
        sales = self._orders(cycle, builder, sample)
        for offset, item in sorted(self._refunds.pop(cycle.index, []), key=lambda pair: pair[0]):
            self._reverse(builder, "Refund", item, offset)
        self._claims(cycle, builder)
        self._monthly_fees(cycle, builder)
        self._advertising(builder, sales)
        self._reimbursements(cycle, builder)
        released, held = self._reserves(builder, sales)
        if cycle.index == self.negative_cycle:
            self._push_negative(builder)
        self._earlier_sample = sample
        decimals = self.profile.decimals
        return Settlement(self.profile, settlement_id, cycle, builder,
                          to_decimal(released, decimals), to_decimal(held, decimals))

    def _orders(self, cycle: Cycle, builder: SettlementFileBuilder, sample: list[SoldItem]) -> int:
        """Writes the cycle's orders; returns their product sales (Principal), the base of the reserve."""
        rng, profile = self.rng, self.profile
        count = max(1, round(self.orders_per_day * CYCLE.days * rng.uniform(0.85, 1.15)))
        draw = rng.random
        offsets = sorted(int(draw() * CYCLE_SECONDS) for _ in range(count))
        sales = 0
        for number, offset in enumerate(offsets):
            posted = builder.posted(offset)
            order_id = self._order_id()
            head = builder.head("Order", order_id, shipment_id=self._shipment_id(), marketplace=True)
            paid_shipping = draw() < PAID_SHIPPING_RATE
            tax_rate = self._pick(self._tax_rates) if self._tax_rates else 0
            promotion_id = self._pick(profile.promotion_ids) if draw() < PROMOTION_RATE else ""
            discount = self._pick(PROMOTION_DISCOUNTS)
            for item_number in range(2 if rng.random() < MULTI_ITEM_RATE else 1):
                item = self._sell(builder, head, posted, order_id, tax_rate, promotion_id, discount,
                                  paid_shipping and item_number == 0)
                sales += item.principal
                # The first order of the first cycle is always refunded in the second cycle, so every
                # store shows a refund of an order settled in an earlier cycle.
                if cycle.index == 0 and number == 0 and item_number == 0:
                    delay = CYCLE_SECONDS - offset + rng.randrange(5 * DAY_SECONDS)
                elif rng.random() < REFUND_RATE:
                    delay = rng.randrange(2 * DAY_SECONDS, 45 * DAY_SECONDS)
                else:
                    delay = 0
                if delay:
                    refund_cycle, refund_offset = divmod(offset + delay, CYCLE_SECONDS)
                    if cycle.index + refund_cycle < len(self.cycles):
                        self._refunds[cycle.index + refund_cycle].append((refund_offset, item))
                if number < HISTORY_SAMPLE:
                    sample.append(item)
        return sales

    def _sell(self, builder: SettlementFileBuilder, head: Head, posted: Posted, order_id: str, tax_rate: int,
              promotion_id: str, discount: int, paid_shipping: bool) -> SoldItem:
        rng = self.rng
        offer = self._pick_offer()
        draw = rng.random()
        quantity = 1 if draw < 0.87 else 2 if draw < 0.97 else 3
        # 14 digits, like Amazon's order-item-code.
        order_item_code = str(10**13 + rng.getrandbits(46))
        key = (offer, quantity, tax_rate, promotion_id, discount if promotion_id else 0, paid_shipping)
        priced = self._priced.get(key)
        if priced is None:
            priced = self._priced[key] = _price_item(offer, quantity, tax_rate, promotion_id, discount,
                                                     self._shipping if paid_shipping else 0)
        entries, (principal, shipping, tax, shipping_tax, promotion, commission) = priced
        builder.add_group(head, builder.tail(posted, "AFN", order_item_code, sku=offer.seller_sku), entries)
        return SoldItem(order_id, order_item_code, offer.seller_sku, quantity, principal, shipping, tax,
                        shipping_tax, promotion, promotion_id, commission)

    def _reverse(self, builder: SettlementFileBuilder, transaction_type: str, item: SoldItem, offset: int) -> None:
        """A refund, chargeback or A-to-z claim: the buyer's money goes back, the referral fee comes back."""
        adjustment_id = str(10**13 + self.rng.getrandbits(46))
        head = builder.head(transaction_type, item.order_id, adjustment_id=adjustment_id, marketplace=True)
        tail = builder.tail(builder.posted(offset), "AFN", item.order_item_code, sku=item.seller_sku)
        entries: list[Entry] = [("ItemPrice", "Principal", -item.principal, str(item.quantity), "")]
        if item.shipping:
            entries.append(("ItemPrice", "Shipping", -item.shipping, "", ""))
        if item.tax:
            entries.append(("ItemPrice", "Tax", -item.tax, "", ""))
        if item.shipping_tax:
            entries.append(("ItemPrice", "ShippingTax", -item.shipping_tax, "", ""))
        if item.promotion:
            entries.append(("Promotion", "Principal", -item.promotion, "", item.promotion_id))
        entries.append(("ItemFees", "Commission", -item.commission, "", ""))
        if transaction_type == "Refund":
            kept = min(share(-item.commission, REFUND_COMMISSION_RATE),
                       self.profile.minor(self.profile.refund_commission_cap))
            if kept:
                entries.append(("ItemFees", "RefundCommission", -kept, "", ""))
        if item.shipping:
            entries.append(("ItemFees", "ShippingChargeback", item.shipping, "", ""))
        if item.tax:
            entries.append(("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", item.tax, "", ""))
        if item.shipping_tax:
            entries.append(("ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", item.shipping_tax, "", ""))
        builder.add_group(head, tail, entries)

    def _claims(self, cycle: Cycle, builder: SettlementFileBuilder) -> None:
        """Chargebacks, A-to-z claims and tax retrocharges on orders of the previous cycle.

        Each kind is forced once early on so every store shows every kind, then happens at random.
        """
        rng = self.rng
        if not self._earlier_sample:
            return
        if cycle.index == 1 or rng.random() < 0.25:
            self._reverse(builder, "Chargeback Refund", rng.choice(self._earlier_sample), self._moment())
        if cycle.index == 2 or (cycle.index > 2 and rng.random() < 0.2):
            self._reverse(builder, "A-to-z Guarantee Claim", rng.choice(self._earlier_sample), self._moment())
        if cycle.index == 1 or rng.random() < 0.15:
            item = rng.choice(self._earlier_sample)
            head = builder.head("Order_Retrocharge", item.order_id, marketplace=True)
            tail = builder.tail(builder.posted(self._moment()), "AFN", item.order_item_code, sku=item.seller_sku)
            builder.add(head, "ItemPrice", "Tax", -max(share(item.principal, RETROCHARGE_RATE), self._unit), tail)

    def _monthly_fees(self, cycle: Cycle, builder: SettlementFileBuilder) -> None:
        rng, profile = self.rng, self.profile
        head = builder.head("other-transaction")
        month = date(cycle.start_at.year, cycle.start_at.month, 1)
        while month <= cycle.end_at.date():
            for day, description in _MONTHLY_FEES:
                posted_at = datetime(month.year, month.month, day) + _MONTHLY_FEE_TIME
                if not cycle.start_at <= posted_at < cycle.end_at:
                    continue
                if description == "Subscription Fee":
                    amount = profile.minor(profile.subscription_fee)
                else:
                    storage = (self.orders_per_day * STORAGE_PER_ORDER_PER_DAY * profile.scale
                               * rng.randrange(80, 121) / 100)
                    amount = max(profile.minor(storage.quantize(profile.minor_unit)), self._unit)
                offset = int((posted_at - cycle.start_at).total_seconds())
                builder.add(head, "other-transaction", description, -amount, builder.tail(builder.posted(offset)))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)

    def _advertising(self, builder: SettlementFileBuilder, sales: int) -> None:
        rng = self.rng
        head = builder.head("ServiceFee")
        spend = share(sales, rng.randrange(3_000, 7_001))
        # Amazon invoices advertising whenever spend crosses a threshold: one to three invoices a cycle.
        shares = [rng.randrange(20, 101) for _ in range(rng.randint(1, 3))]
        for part in shares:
            amount = max(spend * part // sum(shares), self._unit)
            builder.add(head, "Cost of Advertising", "TransactionTotalAmount", -amount,
                        builder.tail(builder.posted(self._moment())))

    def _reimbursements(self, cycle: Cycle, builder: SettlementFileBuilder) -> None:
        """FBA pays for stock it lost or damaged; now and then it claws one back (a reversal)."""
        rng = self.rng
        if cycle.index == 0:
            reasons: tuple[str, ...] = ("WAREHOUSE_DAMAGE", "WAREHOUSE_LOST")
        elif rng.random() < 0.5:
            reasons = (rng.choice(("WAREHOUSE_DAMAGE", "WAREHOUSE_LOST", "CUSTOMER_RETURN", "REVERSAL_REIMBURSEMENT")),)
        else:
            return
        head = builder.head("other-transaction")
        for reason in reasons:
            offer = self._pick_offer()
            quantity = rng.randint(1, 3)
            amount = share(offer.price * quantity, REIMBURSEMENT_RATE)
            tail = builder.tail(builder.posted(self._moment()), sku=offer.seller_sku)
            builder.add(head, "FBA Inventory Reimbursement", reason,
                        -amount if reason == "REVERSAL_REIMBURSEMENT" else amount, tail, str(quantity))

    def _reserves(self, builder: SettlementFileBuilder, sales: int) -> tuple[int, int]:
        """Releases the previous cycle's hold and holds a share of this cycle's sales."""
        head = builder.head("other-transaction")
        tail = builder.tail(builder.posted(CYCLE_SECONDS - 1))
        released = -self._reserve_held
        if released:
            builder.add(head, "other-transaction", "Previous Reserve Amount Balance", released, tail)
        held = -max(share(sales, RESERVE_RATE), self._unit)
        builder.add(head, "other-transaction", "Current Reserve Amount", held, tail)
        self._reserve_held = held
        return released, held

    def _push_negative(self, builder: SettlementFileBuilder) -> None:
        """A quarterly advertising invoice larger than the cycle's proceeds: Amazon debits the seller."""
        floor = self.profile.minor((25 * self.profile.scale).quantize(self.profile.minor_unit))
        margin = share(abs(builder.total), self.rng.randrange(4_000, 12_001)) + floor
        builder.add(builder.head("ServiceFee"), "Cost of Advertising", "TransactionTotalAmount",
                    -(max(builder.total, 0) + margin), builder.tail(builder.posted(CYCLE_SECONDS - 2)))

    # --- helpers ---------------------------------------------------------------------------

    def _pick_offer(self) -> Offer:
        point = self.rng.random() * self._cumulative_demand[-1]
        return self.offers[bisect.bisect_right(self._cumulative_demand, point)]

    def _pick(self, choices: Sequence[T]) -> T:
        # random.choice costs several times more; this runs a few times per order.
        return choices[int(self.rng.random() * len(choices))]

    def _order_id(self) -> str:
        self._order_counter += 1
        bits = self.rng.getrandbits(32)
        prefixes = self.profile.order_id_prefixes
        tail = (self._order_counter * _ORDER_ID_SPREAD) % 10**7
        return f"{prefixes[bits % len(prefixes)]}-{(bits >> 8) % 10**7:07d}-{tail:07d}"

    def _shipment_id(self) -> str:
        bits = self.rng.getrandbits(60)
        return (_PAIRS[bits % 3844] + _PAIRS[(bits >> 12) % 3844] + _PAIRS[(bits >> 24) % 3844]
                + _PAIRS[(bits >> 36) % 3844] + _ALPHANUMERIC[(bits >> 48) % 62])

    def _moment(self) -> int:
        return self.rng.randrange(CYCLE_SECONDS)
