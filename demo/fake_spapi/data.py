"""What the fake SP-API serves: the generator's settlements as Amazon's Finances and Reports APIs show them.

Each settlement becomes a closed FinancialEventGroup whose Finances v0 events carry its lines, a settlement
report whose document is the generator's rendered file (the same bytes it wrote into the inbox), and one
released 2024-06-19 transaction per event. Per store, an open group with a few unsettled events and some
DEFERRED transactions (hidden from Finances v0, as Amazon hides deferred events) follow the last settlement.

Everything is built from what the simulation meant (`demo.generator.world`), never by reading a settlement
file back, and nothing here imports ACORN: the fake is the independent side of every API-versus-file test.
The line the malformed-file anomaly made unreadable has no event: the fake cannot know what Amazon meant, so
that group's events fall short of its total, as the file itself does.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from demo.fake_spapi.times import iso
from demo.generator.anomalies import Slot
from demo.generator.risk_reports import RISK_AS_OF_DAYS, RiskFacts, build_risk_reports
from demo.generator.simulation import Settlement
from demo.generator.world import SellerWorld, arguments_of_inbox

# The Finances v0 event lists this fake fills (financesV0.json names them). Every response carries each of
# them, empty or not, as Amazon's do.
EVENT_LISTS = (
    "AdjustmentEventList", "ChargebackEventList", "GuaranteeClaimEventList", "ProductAdsPaymentEventList",
    "RefundEventList", "RetrochargeEventList", "ServiceFeeEventList", "ShipmentEventList",
)
ORDER_EVENT_LISTS = {
    "Order": "ShipmentEventList",
    "Refund": "RefundEventList",
    "Chargeback Refund": "ChargebackEventList",
    "A-to-z Guarantee Claim": "GuaranteeClaimEventList",
}
ADS_DESCRIPTIONS = {"Cost of Advertising", "TransactionTotalAmount"}
# Settlement transaction types of tax retrocharges → Amazon's RetrochargeEventType (financesV0.json).
RETROCHARGE_TYPES = {"Order_Retrocharge": "Retrocharge", "Refund_Retrocharge": "RetrochargeReversal"}
MARKETPLACE_REGIONS = {
    "ATVPDKIKX0DER": "NA", "A2EUQ1WTGCTBG2": "NA", "A1AM78C64UM0Y8": "NA", "A2Q3Y263D00KWC": "NA",
    "A1PA6795UKMFR9": "EU", "A1F83G8C2ARO7P": "EU", "A13V1IB3VIYZZH": "EU", "APJ6JRA9NG5V4": "EU",
    "A1RKKUPIHCS9HS": "EU", "A1VC38T7YXB528": "FE", "A39IBJ37TRP1C6": "FE", "A19VAU5U5O7RUS": "FE",
}


@dataclass(frozen=True)
class FakeSeller:
    seller_id: str
    region: str
    refresh_token: str
    lwa_app_id: str
    lwa_client_secret: str


@dataclass(frozen=True)
class FakeStore:
    store_id: str
    seller_id: str
    marketplace_id: str
    marketplace_name: str
    currency: str


@dataclass(frozen=True)
class FakeLine:
    """One money line of a settlement, as Amazon booked it. Blank fields are None."""

    number: int                        # line of the settlement document (header = 1, summary row = 2)
    transaction_type: str | None
    order_id: str | None
    marketplace_name: str | None
    amount_type: str | None
    amount_description: str | None
    amount: Decimal | None             # None: the document shows no readable amount
    posted_at: datetime | None         # naive UTC
    order_item_code: str | None
    sku: str | None
    quantity: int | None
    promotion_id: str | None


@dataclass(frozen=True)
class FakeSettlement:
    """A settlement Amazon paid: its facts, its lines, and the report document it is published as."""

    store_id: str
    settlement_id: str
    currency: str
    start_at: datetime                 # naive UTC
    end_at: datetime
    deposit_at: datetime
    total: Decimal
    lines: tuple[FakeLine, ...]
    document: bytes


@dataclass
class FakeReport:
    seller_id: str
    report_id: str
    document_id: str
    created: datetime
    data_start: datetime | None
    data_end: datetime | None
    data: bytes
    report_type: str = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


@dataclass
class FakeEvent:
    seller_id: str
    group_id: str
    event_list: str
    posted: datetime
    body: dict


@dataclass
class FakeData:
    sellers: list[FakeSeller]
    stores: list[FakeStore]
    reports: list[FakeReport] = field(default_factory=list)
    groups: list[tuple[str, datetime, dict]] = field(default_factory=list)      # seller, start, body
    events: list[FakeEvent] = field(default_factory=list)
    transactions: list[tuple[str, datetime, dict]] = field(default_factory=list)  # seller, posted, body
    # Money-at-risk report documents the generator renders, per (seller, marketplace, report type): createReport
    # serves the rows of a requested window from these.
    requestable: dict[tuple[str, str, str], bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class _Event:
    event_list: str
    posted: datetime
    body: dict
    lines: tuple[FakeLine, ...]        # the settlement lines the event carries


def _money(amount: Decimal, currency: str) -> dict:
    return {"CurrencyCode": currency, "CurrencyAmount": amount}


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _events_for(settlement: FakeSettlement) -> list[_Event]:
    """A settlement's lines → Finances v0 events: one per order and posting, one per other line."""
    currency = settlement.currency
    orders: dict[tuple, list[FakeLine]] = defaultdict(list)
    events: list[_Event] = []
    for line in settlement.lines:
        if line.amount is None:
            continue
        posted = line.posted_at or settlement.end_at
        event_list = ORDER_EVENT_LISTS.get(line.transaction_type or "")
        if event_list and line.order_id:
            orders[(event_list, line.order_id, posted, line.marketplace_name)].append(line)
        elif line.transaction_type in RETROCHARGE_TYPES and line.order_id:
            # Amazon posts a tax retrocharge against its order, so it reconciles with the order's lines.
            events.append(_Event("RetrochargeEventList", posted, {
                "RetrochargeEventType": RETROCHARGE_TYPES[line.transaction_type], "AmazonOrderId": line.order_id,
                "PostedDate": iso(posted), "BaseTax": _money(line.amount, currency),
                "MarketplaceName": line.marketplace_name,
            }, (line,)))
        elif line.amount_description in ADS_DESCRIPTIONS or line.amount_type in ADS_DESCRIPTIONS:
            events.append(_Event("ProductAdsPaymentEventList", posted, {
                "postedDate": iso(posted), "transactionType": "Charge",
                "invoiceId": line.order_id or _digest(line.number)[:12],
                "baseValue": _money(line.amount, currency), "taxValue": _money(Decimal(0), currency),
                "transactionValue": _money(line.amount, currency),
            }, (line,)))
        elif "fee" in (line.transaction_type or "").lower():
            event = {"FeeReason": line.transaction_type, "PostedDate": iso(posted),
                     "FeeList": [{"FeeType": line.amount_description, "FeeAmount": _money(line.amount, currency)}]}
            if line.sku:
                event["SellerSKU"] = line.sku
            events.append(_Event("ServiceFeeEventList", posted, event, (line,)))
        else:
            event = {"AdjustmentType": line.transaction_type or line.amount_description, "PostedDate": iso(posted),
                     "AdjustmentAmount": _money(line.amount, currency)}
            if line.sku:
                quantity = line.quantity or 1
                event["AdjustmentItemList"] = [{
                    "Quantity": str(quantity), "SellerSKU": line.sku, "TotalAmount": _money(line.amount, currency),
                    "PerUnitAmount": _money(line.amount / quantity, currency),
                }]
            events.append(_Event("AdjustmentEventList", posted, event, (line,)))
    for (event_list, order_id, posted, marketplace), order_lines in orders.items():
        body = _order_event(event_list, order_id, posted, marketplace, order_lines, currency)
        events.append(_Event(event_list, posted, body, tuple(order_lines)))
    return sorted(events, key=lambda e: e.posted)


def _order_event(event_list: str, order_id: str, posted: datetime, marketplace: str | None,
                 lines: list[FakeLine], currency: str) -> dict:
    """A ShipmentEvent (the shape refunds, chargebacks and A-to-z claims share): amounts by item."""
    refund = event_list != "ShipmentEventList"
    suffix = "AdjustmentList" if refund else "List"
    items: dict[tuple, dict] = {}
    event: dict = {"AmazonOrderId": order_id, "MarketplaceName": marketplace, "PostedDate": iso(posted)}
    for line in lines:
        money = _money(line.amount, currency)
        if line.amount_type == "ShipmentFees":
            event.setdefault(f"ShipmentFee{suffix}", []).append({"FeeType": line.amount_description, "FeeAmount": money})
            continue
        item = items.setdefault((line.sku, line.order_item_code), {
            "SellerSKU": line.sku, "OrderItemId": line.order_item_code, "QuantityShipped": line.quantity or 0,
        })
        if line.amount_type == "ItemFees":
            item.setdefault(f"ItemFee{suffix}", []).append({"FeeType": line.amount_description, "FeeAmount": money})
        elif line.amount_type == "Promotion":
            item.setdefault(f"Promotion{suffix}", []).append(
                {"PromotionType": line.amount_description, "PromotionId": line.promotion_id or "", "PromotionAmount": money})
        elif line.amount_type == "ItemWithheldTax":
            item.setdefault("ItemTaxWithheldList", []).append({"TaxCollectionModel": "MarketplaceFacilitator",
                "TaxesWithheld": [{"ChargeType": line.amount_description, "ChargeAmount": money}]})
        else:
            item.setdefault(f"ItemCharge{suffix}", []).append({"ChargeType": line.amount_description, "ChargeAmount": money})
    event["ShipmentItemAdjustmentList" if refund else "ShipmentItemList"] = list(items.values())
    return event


def _transaction(store: FakeStore, event: _Event, group_id: str, settlement_id: str | None, status: str) -> dict:
    """The 2024-06-19 transaction of one event: its total, broken down by amount type and description."""
    amount = lambda value: {"currencyCode": store.currency, "currencyAmount": value}  # noqa: E731
    by_type: dict[str, list[FakeLine]] = defaultdict(list)
    for line in event.lines:
        by_type[line.amount_type or "Other"].append(line)
    related = [{"relatedIdentifierName": "FINANCIAL_EVENT_GROUP_ID", "relatedIdentifierValue": group_id}]
    if event.body.get("AmazonOrderId"):
        related.append({"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": event.body["AmazonOrderId"]})
    if settlement_id:
        related.append({"relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": settlement_id})
    kind = event.event_list.removesuffix("EventList")
    return {
        "sellingPartnerMetadata": {"sellingPartnerId": store.seller_id, "accountType": "PAYABLE",
                                   "marketplaceId": store.marketplace_id},
        "relatedIdentifiers": related,
        "transactionType": kind,
        "transactionId": "T" + _digest(store.seller_id, event.event_list, event.body, status)[:30],
        "transactionStatus": status,
        "description": kind,
        "postedDate": iso(event.posted),
        "totalAmount": amount(sum((line.amount for line in event.lines), Decimal(0))),
        "marketplaceDetails": {"marketplaceId": store.marketplace_id, "marketplaceName": store.marketplace_name},
        "items": [],
        "breakdowns": [
            {"breakdownType": amount_type, "breakdownAmount": amount(sum((line.amount for line in lines), Decimal(0))),
             "breakdowns": [{"breakdownType": line.amount_description, "breakdownAmount": amount(line.amount),
                             "breakdowns": []} for line in lines]}
            for amount_type, lines in sorted(by_type.items())
        ],
    }


def build_fake_data(
    settlements: Iterable[FakeSettlement],
    stores: list[FakeStore],
    sellers: list[FakeSeller],
    *,
    deposit_rates: dict[str, tuple[str, Decimal]] | None = None,
    unsettled_per_store: int = 3,
    deferred_per_store: int = 2,
) -> FakeData:
    """`deposit_rates` maps a currency to the currency it is deposited in and the rate
    (ConvertedTotal = OriginalTotal × rate)."""
    by_store = {store.store_id: store for store in stores}
    data = FakeData(sellers, stores)
    last: dict[str, tuple[datetime, list[_Event]]] = {}
    for settlement in settlements:
        store = by_store[settlement.store_id]
        start, end = settlement.start_at, settlement.end_at
        group_id = "FEG" + _digest(store.seller_id, settlement.settlement_id)[:40]
        currency = settlement.currency
        deposit_currency, rate = (deposit_rates or {}).get(currency, (currency, Decimal(1)))
        data.groups.append((store.seller_id, start, {
            "FinancialEventGroupId": group_id, "ProcessingStatus": "Closed", "FundTransferStatus": "Succeeded",
            "OriginalTotal": _money(settlement.total, currency),
            "ConvertedTotal": _money((settlement.total * rate).quantize(Decimal("0.01")), deposit_currency),
            "FundTransferDate": iso(settlement.deposit_at), "TraceId": _digest("trace", group_id)[:20].upper(),
            "AccountTail": "042", "BeginningBalance": _money(Decimal(0), currency),
            "FinancialEventGroupStart": iso(start), "FinancialEventGroupEnd": iso(end),
        }))
        events = _events_for(settlement)
        for event in events:
            data.events.append(FakeEvent(store.seller_id, group_id, event.event_list, event.posted, event.body))
            data.transactions.append((store.seller_id, event.posted, _transaction(
                store, event, group_id, settlement.settlement_id, "RELEASED")))
        data.reports.append(FakeReport(
            store.seller_id, f"5{settlement.settlement_id}", "amzn1.spdoc.1.4." + _digest("doc", settlement.document)[:32],
            settlement.deposit_at + timedelta(hours=1), start, end, settlement.document))
        if store.store_id not in last or end > last[store.store_id][0]:
            last[store.store_id] = (end, events)
    for store_id, (end, events) in sorted(last.items()):
        _unsettled(data, by_store[store_id], end, events, unsettled_per_store, deferred_per_store)
    return data


def _unsettled(data: FakeData, store: FakeStore, since: datetime, events: list[_Event], unsettled: int,
               deferred: int) -> None:
    """An open group after the last settlement (copies of its orders under new ids) and deferred orders."""
    shipments = [event for event in events if event.event_list == "ShipmentEventList"]
    group_id = "FEG" + _digest(store.seller_id, store.store_id, "open")[:40]
    total = Decimal(0)
    for index, shipment in enumerate(shipments[: unsettled + deferred]):
        posted = since + timedelta(hours=6 * (index + 1))
        body = {**shipment.body, "AmazonOrderId": f"OPEN-{index:03d}-{shipment.body['AmazonOrderId']}",
                "PostedDate": iso(posted)}
        copy = _Event("ShipmentEventList", posted, body, shipment.lines)
        if index < unsettled:
            data.events.append(FakeEvent(store.seller_id, group_id, "ShipmentEventList", posted, body))
            transaction = _transaction(store, copy, group_id, None, "RELEASED")
            total += transaction["totalAmount"]["currencyAmount"]
        else:
            transaction = _transaction(store, copy, group_id, None, "DEFERRED")
        data.transactions.append((store.seller_id, posted, transaction))
    data.groups.append((store.seller_id, since, {
        "FinancialEventGroupId": group_id, "ProcessingStatus": "Open", "FundTransferStatus": "Unknown",
        "OriginalTotal": _money(total, store.currency), "BeginningBalance": _money(Decimal(0), store.currency),
        "FinancialEventGroupStart": iso(since),
    }))


def _served(settlement: Settlement) -> FakeSettlement:
    """A simulated settlement as the fake holds it: the simulation's lines, the generator's rendered document."""
    cycle = settlement.cycle
    lines = tuple(
        FakeLine(line.number, line.transaction_type or None, line.order_id or None, line.marketplace_name or None,
                 line.amount_type or None, line.amount_description or None, line.amount if line.readable else None,
                 line.posted_at, line.order_item_code or None, line.sku or None,
                 int(line.quantity) if line.quantity else None, line.promotion_id or None)
        for line in settlement.lines()
    )
    return FakeSettlement(settlement.profile.store_id, settlement.settlement_id, settlement.profile.currency,
                          cycle.start_at, cycle.end_at, cycle.deposit_at, settlement.total, lines,
                          settlement.document())


def fake_data_from_world(world: SellerWorld, sellers: list[FakeSeller], **options) -> FakeData:
    """Serve the world `generate` renders into an inbox: its stores, every one of its settlements, and the
    money-at-risk reports the generator renders from them (the same rows it writes into the inbox)."""
    stores = [FakeStore(p.store_id, p.seller_id, p.marketplace_id, p.marketplace_name, p.currency)
              for p in world.profiles]
    facts = RiskFacts()

    def served() -> Iterator[FakeSettlement]:
        for settlement in world.settlements():
            facts.observe(settlement, loaded=Slot(settlement.profile.store_id, settlement.cycle.index) != world.plan.malformed)
            yield _served(settlement)

    data = build_fake_data(served(), stores, sellers, **options)
    arguments = world.arguments
    reports = build_risk_reports(facts, [p.store_id for p in world.profiles],
                                 arguments.start + timedelta(days=RISK_AS_OF_DAYS), arguments.seed)
    for profile in world.profiles:
        for report_type, document in reports.by_store[profile.store_id].items():
            data.requestable[(profile.seller_id, profile.marketplace_id, report_type)] = document
    return data


def fake_data_from_inbox(inbox: Path, sellers: list[FakeSeller], **options) -> FakeData:
    """Serve the world of a generated inbox, rebuilt from the arguments its answer key records."""
    return fake_data_from_world(SellerWorld(arguments_of_inbox(inbox)), sellers, **options)
