"""The vendor world: purchase orders, invoices and payments across three marketplaces, with injected situations.

Everything is derived from a seed, a `start` date and an `as_of` date; nothing reads today's date. The files
(remittance and invoice exports) and the local SP-API (`demo/fake_spapi/vendor_data.py`) both render this one
world, so API and files tell the same story. Timestamps are naive UTC.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
REGULAR_POS = 12
PO_SPACING_DAYS = 8


@dataclass(frozen=True)
class VendorMarketplace:
    key: str                       # us / ca / de
    account_id: str
    region: str
    marketplace_id: str
    marketplace_name: str
    vendor_code: str               # sellingParty / payee code
    currency: str
    net_days: int
    pay_delay_days: int            # how late Amazon usually pays after the due date
    payer_id: str                  # Finances invoice payer partnerId
    bill_to_party_id: str
    ship_to_party_id: str
    invoice_base: int              # invoice numbers are numeric, so no suffix rule can match them by accident
    export_format: str             # csv / xlsx
    date_format: str               # strftime for CSV exports

    @property
    def terms(self) -> str:
        return f"NET{self.net_days}"


MARKETPLACES: tuple[VendorMarketplace, ...] = (
    VendorMarketplace("us", "acme-vendor-na", "NA", "ATVPDKIKX0DER", "Amazon.com", "ACME1", "USD", 60, 2,
                      "AMAZON_US", "AMZN_US", "PHX6", 7100000, "csv", "%m/%d/%Y"),
    VendorMarketplace("ca", "acme-vendor-na", "NA", "A2EUQ1WTGCTBG2", "Amazon.ca", "ACMC1", "CAD", 30, 0,
                      "AMAZON_CA", "AMZN_CA", "YYZ4", 7200000, "csv", "%Y-%m-%d"),
    VendorMarketplace("de", "acme-vendor-eu", "EU", "A1PA6795UKMFR9", "Amazon.de", "ACMD1", "EUR", 90, 4,
                      "AMAZON_EU", "AMZN_DE", "FRA7", 7300000, "xlsx", "%d.%m.%Y"),
)

_PRODUCTS = (  # asin, vendor sku, description, unit cost in USD
    ("B0ACME0001", "ACME-KETTLE-1L", "Kettle 1 l", Decimal("18.40")),
    ("B0ACME0002", "ACME-TEAPOT-06", "Teapot 0.6 l", Decimal("12.75")),
    ("B0ACME0003", "ACME-MUG-SET4", "Mug set of 4", Decimal("9.90")),
    ("B0ACME0004", "ACME-GRINDER-X", "Coffee grinder", Decimal("31.20")),
    ("B0ACME0005", "ACME-SCALE-KIT", "Kitchen scale", Decimal("14.05")),
)
_COST_FACTOR = {"USD": Decimal("1"), "CAD": Decimal("1.36"), "EUR": Decimal("0.92")}


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class PoLine:
    sequence: str
    asin: str
    vendor_sku: str
    description: str
    net_cost: Decimal              # per each
    ordered: int                   # current ordered quantity (eaches)
    original: int                  # before a change (== ordered when never changed)
    accepted: int = 0
    rejected: int = 0
    received: int = 0
    cancelled: int = 0
    invoiced: int = 0              # on the vendor's invoice
    shipped: int | None = None     # on the ASN; None: what was received or invoiced, whichever is more

    @property
    def shipped_quantity(self) -> int:
        return max(self.received, self.invoiced) if self.shipped is None else self.shipped


@dataclass
class PurchaseOrder:
    number: str
    marketplace: VendorMarketplace
    index: int                     # -1 for the recent open PO
    created: datetime
    lines: list[PoLine]
    changed: datetime | None = None
    acknowledged: datetime | None = None
    cancelled: datetime | None = None
    received: datetime | None = None
    shipped: datetime | None = None                # the ASN's ship date (None: nothing shipped)
    in_transit_days: int = 3                       # estimated delivery = shipped + this

    @property
    def shipment_id(self) -> str:
        return f"ASN-{self.number}"

    @property
    def estimated_delivery(self) -> datetime | None:
        return None if self.shipped is None else self.shipped + timedelta(days=self.in_transit_days)

    @property
    def ship_window(self) -> tuple[datetime, datetime]:
        day = datetime.combine(self.created.date(), time(7))
        return day + timedelta(days=2), day + timedelta(days=9)

    @property
    def delivery_window(self) -> tuple[datetime, datetime]:
        day = datetime.combine(self.created.date(), time(7))
        return day + timedelta(days=5), day + timedelta(days=14)


@dataclass
class Invoice:
    number: str
    marketplace: VendorMarketplace
    po: PurchaseOrder
    issued: datetime
    lines: list[tuple[PoLine, int]]          # (PO line, invoiced quantity)
    paid: datetime | None = None
    discount: Decimal = Decimal("0")         # quick-pay discount taken
    payment_number: str | None = None
    shortage: Decimal = Decimal("0")         # shortage claimed against it (SC)
    shortage_quantity: int = 0
    price_variance: Decimal = Decimal("0")   # price claimed against it (PC)

    @property
    def amount(self) -> Decimal:
        return sum((money(line.net_cost * qty) for line, qty in self.lines), Decimal("0"))

    @property
    def due(self) -> datetime:
        return self.issued + timedelta(days=self.marketplace.net_days)

    @property
    def identifier(self) -> str:
        return f"{self.number}~{self.marketplace.vendor_code}"


@dataclass
class RemittanceRow:
    payment_number: str
    payment_date: date
    invoice_number: str
    invoice_date: date
    description: str
    invoice_amount: Decimal
    amount_paid: Decimal
    discount_taken: Decimal
    purchase_order_number: str | None


@dataclass
class Situation:
    kind: str
    marketplace: str
    expected_alert: str | None
    purchase_order_number: str | None = None
    invoice_number: str | None = None
    details: dict[str, str | int | None] = field(default_factory=dict)


@dataclass
class VendorWorld:
    seed: int
    start: date
    as_of: datetime                # end of the as_of day: the moment the exports were taken
    marketplaces: tuple[VendorMarketplace, ...]
    orders: list[PurchaseOrder]
    invoices: list[Invoice]
    remittances: dict[str, list[RemittanceRow]]   # marketplace key → rows in payment order
    situations: list[Situation]

    def order(self, number: str) -> PurchaseOrder:
        return next(o for o in self.orders if o.number == number)


def build_world(*, seed: int = 7, start: date = date(2026, 6, 1), as_of: date = date(2026, 10, 15),
                marketplaces: tuple[VendorMarketplace, ...] = MARKETPLACES) -> VendorWorld:
    if (as_of - start).days < 120:
        raise ValueError("as_of must be at least 120 days after start: the Net 90 situations need the room")
    rng = random.Random(f"acorn-vendor:{seed}")
    cutoff = datetime.combine(as_of, time(23, 59, 59))
    world = VendorWorld(seed, start, cutoff, marketplaces, [], [], {}, [])
    used: set[str] = set()
    for market in marketplaces:
        _build_marketplace(world, market, rng, used)
    return world


def _po_number(rng: random.Random, used: set[str]) -> str:
    while True:
        number = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        if number not in used and not number.isdigit():
            used.add(number)
            return number


def _lines(rng: random.Random, market: VendorMarketplace) -> list[PoLine]:
    products = rng.sample(_PRODUCTS, rng.randint(1, 3))
    lines = []
    for seq, (asin, sku, description, usd_cost) in enumerate(products, start=1):
        quantity = rng.randrange(12, 61, 6)
        cost = money(usd_cost * _COST_FACTOR[market.currency])
        lines.append(PoLine(str(seq), asin, sku, description, cost, quantity, quantity))
    return lines


def _build_marketplace(world: VendorWorld, market: VendorMarketplace, rng: random.Random, used: set[str]) -> None:
    orders = []
    for index in range(REGULAR_POS):
        created = datetime.combine(world.start + timedelta(days=1 + PO_SPACING_DAYS * index),
                                   time(rng.randint(8, 17), rng.randint(0, 59)))
        po = PurchaseOrder(_po_number(rng, used), market, index, created, _lines(rng, market))
        po.acknowledged = created + timedelta(days=1)
        po.received = datetime.combine(created.date() + timedelta(days=7), time(rng.randint(6, 20), rng.randint(0, 59)))
        for line in po.lines:
            line.accepted = line.ordered
            line.received = line.ordered
            line.invoiced = line.ordered
        orders.append(po)
    recent = PurchaseOrder(_po_number(rng, used), market, -1,
                           datetime.combine(world.as_of.date() - timedelta(days=3), time(10, 15)), _lines(rng, market))
    world.orders.extend(orders + [recent])

    situations = _INJECT[market.key](world, market, orders)
    # The issue-13 situations come from a stream of their own, so the earlier POs keep their numbers and amounts.
    extra = _EXTRA[market.key](world, market, random.Random(f"acorn-vendor-extra:{world.seed}:{market.key}"), used)
    world.orders.extend(extra)
    for po in orders + extra:
        if po.received and po.shipped is None:
            po.shipped = datetime.combine(po.created.date() + timedelta(days=4), time(14))
    invoices = []
    for po in orders + extra:
        if po.cancelled or po.received is None or po.index in situations.get("not_invoiced", ()):
            continue
        lines = [(line, line.invoiced) for line in po.lines if line.invoiced]
        if not lines:
            continue
        issued = datetime.combine(po.received.date() + timedelta(days=1), time(12))
        invoice = Invoice(str(market.invoice_base + (po.index if po.index >= 0 else 90 + len(invoices)) + 1), market,
                          po, issued, lines)
        invoices.append(invoice)
    world.invoices.extend(invoices)
    _pay(world, market, invoices, situations)


# ---- injected situations, per marketplace --------------------------------------------------------------

def _inject_us(world: VendorWorld, market: VendorMarketplace, orders: list[PurchaseOrder]) -> dict:
    changed = orders[1]
    changed.changed = changed.created + timedelta(hours=6)
    line = changed.lines[0]
    line.original, line.ordered = line.ordered + 12, line.ordered
    world.situations.append(Situation(
        "po_changed_before_acknowledgement", market.key, None, changed.number,
        details={"item_sequence_number": line.sequence, "quantity_before": line.original, "quantity_after": line.ordered,
                 "changed_at": _ts(changed.changed), "acknowledged_at": _ts(changed.acknowledged)}))

    short = orders[2].lines[0]
    short.received = short.ordered - 2            # invoiced what was shipped, Amazon counted 2 fewer

    cancelled = orders[4]
    cancelled.cancelled = cancelled.acknowledged + timedelta(days=3)
    cancelled.received = None
    for line in cancelled.lines:
        line.cancelled, line.received, line.invoiced = line.accepted, 0, 0
    world.situations.append(Situation(
        "po_cancelled_after_acknowledgement", market.key, "po_cancelled_after_acknowledgement", cancelled.number,
        details={"acknowledged_at": _ts(cancelled.acknowledged), "cancelled_at": _ts(cancelled.cancelled)}))

    unbilled = orders[7]
    for line in unbilled.lines:
        line.invoiced = 0
    world.situations.append(Situation(
        "received_not_invoiced", market.key, "received_not_invoiced", unbilled.number,
        details={"received_at": _ts(unbilled.received),
                 "amount": str(sum((money(l.net_cost * l.received) for l in unbilled.lines), Decimal("0"))),
                 "currency": market.currency}))
    return {"not_invoiced": {7}, "quick_pay": 0, "shortage": {2: 2}, "reversal": (2, 6), "chargeback": (5, Decimal("750.00")),
            "coop": (3, Decimal("0.03"))}


def _inject_ca(world: VendorWorld, market: VendorMarketplace, orders: list[PurchaseOrder]) -> dict:
    cancelled = orders[2]
    cancelled.cancelled = cancelled.created + timedelta(hours=12)
    cancelled.acknowledged = None
    cancelled.received = None
    for line in cancelled.lines:
        line.accepted, line.cancelled, line.received, line.invoiced = 0, line.ordered, 0, 0
    world.situations.append(Situation(
        "po_cancelled_before_acknowledgement", market.key, None, cancelled.number,
        details={"cancelled_at": _ts(cancelled.cancelled)}))

    partial = orders[3]
    line = partial.lines[0]
    line.ordered = line.original = line.accepted = 50
    line.received = line.invoiced = 42
    world.situations.append(Situation(
        "partial_receipt", market.key, None, partial.number,
        details={"item_sequence_number": line.sequence, "accepted_quantity": 50, "received_quantity": 42}))

    orders[6].lines[0].received = orders[6].lines[0].ordered - 3
    return {"overdue": {5}, "shortage": {6: 3}}


def _inject_de(world: VendorWorld, market: VendorMarketplace, orders: list[PurchaseOrder]) -> dict:
    partial = orders[1]
    line = partial.lines[0]
    line.ordered = line.original = 60
    line.accepted = line.received = line.invoiced = 45
    line.rejected = 15
    world.situations.append(Situation(
        "partial_acceptance", market.key, None, partial.number,
        details={"item_sequence_number": line.sequence, "ordered_quantity": 60, "accepted_quantity": 45,
                 "rejected_quantity": 15}))

    late = orders[5]
    late.received = late.ship_window[1] + timedelta(days=8)
    late.shipped = late.ship_window[1] + timedelta(days=6)
    late.in_transit_days = 2
    world.situations.append(Situation(
        "late_shipment", market.key, "shipment_late", late.number,
        details={"ship_window_end": _ts(late.ship_window[1]), "shipped_at": _ts(late.shipped),
                 "received_at": _ts(late.received), "days_late": 6}))
    return {"overdue": {0}, "price_claim": (3, Decimal("0.85"))}


_INJECT = {"us": _inject_us, "ca": _inject_ca, "de": _inject_de}


# ---- issue-13 situations: shipments in flight, line-level invoicing, compliance, deadlines, co-op -------------

def _extra_po(world: VendorWorld, market: VendorMarketplace, rng: random.Random, used: set[str], days_ago: int,
              n_lines: int, index: int) -> PurchaseOrder:
    created = datetime.combine(world.as_of.date() - timedelta(days=days_ago), time(rng.randint(8, 17), rng.randint(0, 59)))
    products = rng.sample(_PRODUCTS, n_lines)
    lines = [PoLine(str(seq), asin, sku, description, money(cost * _COST_FACTOR[market.currency]), quantity, quantity,
                    accepted=quantity)
             for seq, ((asin, sku, description, cost), quantity)
             in enumerate(zip(products, (rng.randrange(12, 61, 6) for _ in products)), start=1)]
    return PurchaseOrder(_po_number(rng, used), market, index, created, lines,
                         acknowledged=created + timedelta(days=1))


def _extra_us(world: VendorWorld, market: VendorMarketplace, rng: random.Random, used: set[str]) -> list[PurchaseOrder]:
    transit = _extra_po(world, market, rng, used, 10, 2, 20)
    transit.shipped = datetime.combine(world.as_of.date() - timedelta(days=4), time(14))
    transit.in_transit_days = 6
    for line in transit.lines:
        line.shipped = line.accepted
    world.situations.append(Situation(
        "shipment_in_transit", market.key, None, transit.number,
        details={"shipment_id": transit.shipment_id, "shipped_at": _ts(transit.shipped),
                 "estimated_delivery_at": _ts(transit.estimated_delivery),
                 "shipped_quantity": sum(l.accepted for l in transit.lines)}))
    return [transit]


def _extra_ca(world: VendorWorld, market: VendorMarketplace, rng: random.Random, used: set[str]) -> list[PurchaseOrder]:
    partly = _extra_po(world, market, rng, used, 40, 2, 21)
    partly.received = datetime.combine(partly.created.date() + timedelta(days=7), time(11))
    for line in partly.lines:
        line.received = line.accepted
    partly.lines[0].invoiced = partly.lines[0].received     # the second line was left off the invoice
    remaining = partly.lines[1]
    world.situations.append(Situation(
        "partly_invoiced", market.key, "received_not_invoiced", partly.number,
        details={"invoiced_item_sequence_number": partly.lines[0].sequence,
                 "remaining_item_sequence_number": remaining.sequence, "remaining_quantity": remaining.received,
                 "remaining_amount": str(money(remaining.net_cost * remaining.received)), "currency": market.currency}))
    return [partly]


def _extra_de(world: VendorWorld, market: VendorMarketplace, rng: random.Random, used: set[str]) -> list[PurchaseOrder]:
    pending = _extra_po(world, market, rng, used, 17, 1, 22)
    pending.received = datetime.combine(world.as_of.date() - timedelta(days=10), time(9))
    for line in pending.lines:
        line.received = line.accepted
    amount = str(sum((money(l.net_cost * l.received) for l in pending.lines), Decimal("0")))
    world.situations.append(Situation(
        "invoice_deadline", market.key, "invoice_deadline", pending.number,
        details={"received_at": _ts(pending.received), "deadline_days": 7, "amount": amount,
                 "currency": market.currency}))
    # The demo's DE vendor configuration has no VAT registration number: its invoice must not go out.
    world.situations.append(Situation(
        "invoice_compliance_hold", market.key, None, pending.number,
        details={"rule": "seller_tax_registration", "amount": amount, "currency": market.currency}))
    return [pending]


_EXTRA = {"us": _extra_us, "ca": _extra_ca, "de": _extra_de}
COOP_AGREEMENT = "AGR-ACME1-COOP-2026"


# ---- payments and deductions ---------------------------------------------------------------------------

def _pay(world: VendorWorld, market: VendorMarketplace, invoices: list[Invoice], plan: dict) -> None:
    payment_numbers = iter(range(market.invoice_base * 10 + 1, market.invoice_base * 10 + 1000))
    by_index = {inv.po.index: inv for inv in invoices}
    for invoice in invoices:
        if invoice.po.index in plan.get("overdue", ()):
            world.situations.append(Situation(
                "invoice_overdue", market.key, "invoice_overdue", invoice.po.number, invoice.number,
                details={"due_date": invoice.due.date().isoformat(), "amount": str(invoice.amount),
                         "currency": market.currency, "days_overdue": (world.as_of.date() - invoice.due.date()).days}))
            continue
        if invoice.po.index == plan.get("quick_pay"):
            invoice.paid = invoice.issued + timedelta(days=10)
            invoice.discount = money(invoice.amount * Decimal("0.02"))
            world.situations.append(Situation(
                "quick_pay_discount", market.key, None, invoice.po.number, invoice.number,
                details={"discount": str(invoice.discount), "discount_percent": "2", "currency": market.currency,
                         "paid_date": invoice.paid.date().isoformat()}))
        elif invoice.due <= world.as_of:
            invoice.paid = min(invoice.due + timedelta(days=market.pay_delay_days), world.as_of.replace(hour=12, minute=0, second=0))
    for index, quantity in plan.get("shortage", {}).items():
        invoice = by_index[index]
        line = invoice.lines[0][0]
        invoice.shortage_quantity = quantity
        invoice.shortage = money(line.net_cost * quantity)
    if "price_claim" in plan:
        index, per_unit = plan["price_claim"]
        invoice = by_index[index]
        invoice.price_variance = money(per_unit * invoice.lines[0][1])

    rows: list[RemittanceRow] = []
    payments: dict[date, str] = {}
    for invoice in sorted((i for i in invoices if i.paid), key=lambda i: (i.paid, i.number)):
        day = invoice.paid.date()
        if day not in payments:
            payments[day] = str(next(payment_numbers))
        invoice.payment_number = payments[day]
        rows.append(RemittanceRow(payments[day], day, invoice.number, invoice.issued.date(), f"PO {invoice.po.number}",
                                  invoice.amount, invoice.amount - invoice.discount, invoice.discount, invoice.po.number))
        if invoice.shortage:
            rows.append(_deduction(payments[day], day, f"{invoice.number}SC", "Shortage claim", -invoice.shortage,
                                   invoice.po.number))
            reversed_by = plan.get("reversal")
            reversal = reversed_by and by_index[reversed_by[0]] is invoice
            world.situations.append(Situation(
                "shortage_claim", market.key, None, invoice.po.number, invoice.number,
                details={"deduction_invoice_number": f"{invoice.number}SC", "amount": str(-invoice.shortage),
                         "currency": market.currency, "quantity": invoice.shortage_quantity,
                         "payment_number": payments[day], "reversed": bool(reversal)}))
        if invoice.price_variance:
            rows.append(_deduction(payments[day], day, f"{invoice.number}PC", "Price claim", -invoice.price_variance,
                                   invoice.po.number))
            world.situations.append(Situation(
                "price_claim", market.key, None, invoice.po.number, invoice.number,
                details={"deduction_invoice_number": f"{invoice.number}PC", "amount": str(-invoice.price_variance),
                         "currency": market.currency, "payment_number": payments[day]}))
        if "reversal" in plan and by_index[plan["reversal"][1]] is invoice:
            claimed = by_index[plan["reversal"][0]]
            rows.append(_deduction(payments[day], day, f"{claimed.number}SCR", "Shortage claim reversal",
                                   claimed.shortage, claimed.po.number))
            world.situations.append(Situation(
                "shortage_claim_reversal", market.key, None, claimed.po.number, claimed.number,
                details={"deduction_invoice_number": f"{claimed.number}SCR", "amount": str(claimed.shortage),
                         "currency": market.currency, "payment_number": payments[day],
                         "reverses": f"{claimed.number}SC"}))
        if "chargeback" in plan and by_index[plan["chargeback"][0]] is invoice:
            amount = plan["chargeback"][1]
            number = f"{invoice.po.number}VCBSINV"
            rows.append(_deduction(payments[day], day, number, f"Chargeback ASN accuracy PO {invoice.po.number}",
                                   -amount, invoice.po.number))
            world.situations.append(Situation(
                "chargeback", market.key, "deduction_above_threshold", invoice.po.number, None,
                details={"deduction_invoice_number": number, "amount": str(-amount), "currency": market.currency,
                         "payment_number": payments[day], "threshold": "500.00"}))
        if "coop" in plan and by_index[plan["coop"][0]] is invoice:
            share = money(invoice.amount * plan["coop"][1])
            number = f"{invoice.number}COOP"
            rows.append(_deduction(payments[day], day, number, f"Co-op {COOP_AGREEMENT} {plan['coop'][1] * 100:.0f}%",
                                   -share, invoice.po.number))
            world.situations.append(Situation(
                "coop_deduction", market.key, None, invoice.po.number, invoice.number,
                details={"deduction_invoice_number": number, "amount": str(-share), "currency": market.currency,
                         "agreement_id": COOP_AGREEMENT, "payment_number": payments[day]}))
    world.remittances[market.key] = rows


def _deduction(payment: str, day: date, number: str, description: str, amount: Decimal, po: str) -> RemittanceRow:
    return RemittanceRow(payment, day, number, day - timedelta(days=3), description, amount, amount, Decimal("0.00"), po)


def _ts(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
