"""What the fake SP-API serves, derived from settlement flat files so API and files tell one story.

Each settlement becomes a closed FinancialEventGroup whose Finances v0 events reproduce its lines, a
settlement report whose document is the file's exact bytes, and one released 2024-06-19 transaction per
event. Per store, an open group with a few unsettled events and some DEFERRED transactions (hidden from
Finances v0, as Amazon hides deferred events) follow the last settlement.

A line whose amount does not parse (the generator's malformed-file anomaly) has no event: the fake cannot know
what Amazon meant, so that group's events fall short of its total, as the file itself does.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from connectors.settlement_flatfile import SettlementLine, parse_settlement_report
from connectors.spapi.finances_v0 import flatten_financial_events

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


@dataclass
class FakeReport:
    seller_id: str
    report_id: str
    document_id: str
    created: datetime
    data_start: datetime | None
    data_end: datetime | None
    data: bytes


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


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: Decimal, currency: str) -> dict:
    return {"CurrencyCode": currency, "CurrencyAmount": amount}


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _events_for(lines: list[SettlementLine], currency: str, fallback: datetime) -> list[tuple[str, datetime, dict]]:
    """Settlement lines → (event list, posted, event) in Finances v0 shapes."""
    orders: dict[tuple, list[SettlementLine]] = defaultdict(list)
    events: list[tuple[str, datetime, dict]] = []
    for line in lines:
        if line.amount is None:
            continue
        posted = line.posted_at or fallback
        event_list = ORDER_EVENT_LISTS.get(line.transaction_type or "")
        if event_list and line.order_id:
            orders[(event_list, line.order_id, posted, line.marketplace_name)].append(line)
        elif line.transaction_type in RETROCHARGE_TYPES and line.order_id:
            # Amazon posts a tax retrocharge against its order, so it reconciles with the order's lines.
            events.append(("RetrochargeEventList", posted, {
                "RetrochargeEventType": RETROCHARGE_TYPES[line.transaction_type], "AmazonOrderId": line.order_id,
                "PostedDate": _iso(posted), "BaseTax": _money(line.amount, currency),
                "MarketplaceName": line.marketplace_name,
            }))
        elif line.amount_description in ADS_DESCRIPTIONS or line.amount_type in ADS_DESCRIPTIONS:
            events.append(("ProductAdsPaymentEventList", posted, {
                "postedDate": _iso(posted), "transactionType": "Charge",
                "invoiceId": line.order_id or _digest(line.source_line)[:12],
                "baseValue": _money(line.amount, currency), "taxValue": _money(Decimal(0), currency),
                "transactionValue": _money(line.amount, currency),
            }))
        elif "fee" in (line.transaction_type or "").lower():
            event = {"FeeReason": line.transaction_type, "PostedDate": _iso(posted),
                     "FeeList": [{"FeeType": line.amount_description, "FeeAmount": _money(line.amount, currency)}]}
            if line.sku:
                event["SellerSKU"] = line.sku
            events.append(("ServiceFeeEventList", posted, event))
        else:
            event = {"AdjustmentType": line.transaction_type or line.amount_description, "PostedDate": _iso(posted),
                     "AdjustmentAmount": _money(line.amount, currency)}
            if line.sku:
                quantity = line.quantity_purchased or 1
                event["AdjustmentItemList"] = [{
                    "Quantity": str(quantity), "SellerSKU": line.sku, "TotalAmount": _money(line.amount, currency),
                    "PerUnitAmount": _money(line.amount / quantity, currency),
                }]
            events.append(("AdjustmentEventList", posted, event))
    for (event_list, order_id, posted, marketplace), order_lines in orders.items():
        events.append((event_list, posted, _order_event(event_list, order_id, posted, marketplace, order_lines, currency)))
    return sorted(events, key=lambda e: e[1])


def _order_event(event_list, order_id, posted, marketplace, lines, currency) -> dict:
    refund = event_list != "ShipmentEventList"
    suffix = "AdjustmentList" if refund else "List"
    items: dict[tuple, dict] = {}
    event: dict = {"AmazonOrderId": order_id, "MarketplaceName": marketplace, "PostedDate": _iso(posted)}
    for line in lines:
        money = _money(line.amount, currency)
        if line.amount_type == "ShipmentFees":
            event.setdefault(f"ShipmentFee{suffix}", []).append({"FeeType": line.amount_description, "FeeAmount": money})
            continue
        item = items.setdefault((line.sku, line.order_item_code), {
            "SellerSKU": line.sku, "OrderItemId": line.order_item_code, "QuantityShipped": line.quantity_purchased or 0,
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


def _transaction(seller: str, store: FakeStore, event_list: str, posted: datetime, event: dict, group_id: str,
                 settlement_id: str | None, status: str) -> dict:
    rows = [r for r in flatten_financial_events({"FinancialEvents": {event_list: [event]}}).rows if r.amount_role == "amount"]
    by_kind: dict[str, list] = defaultdict(list)
    for row in rows:
        by_kind[row.amount_kind].append(row)
    related = [{"relatedIdentifierName": "FINANCIAL_EVENT_GROUP_ID", "relatedIdentifierValue": group_id}]
    if event.get("AmazonOrderId"):
        related.append({"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": event["AmazonOrderId"]})
    if settlement_id:
        related.append({"relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": settlement_id})
    amount = lambda value: {"currencyCode": store.currency, "currencyAmount": value}  # noqa: E731
    return {
        "sellingPartnerMetadata": {"sellingPartnerId": seller, "accountType": "PAYABLE", "marketplaceId": store.marketplace_id},
        "relatedIdentifiers": related,
        "transactionType": event_list.removesuffix("EventList"),
        "transactionId": "T" + _digest(seller, event_list, event, status)[:30],
        "transactionStatus": status,
        "description": event_list.removesuffix("EventList"),
        "postedDate": _iso(posted),
        "totalAmount": amount(sum((r.amount for r in rows), Decimal(0))),
        "marketplaceDetails": {"marketplaceId": store.marketplace_id, "marketplaceName": store.marketplace_name},
        "items": [],
        "breakdowns": [
            {"breakdownType": kind, "breakdownAmount": amount(sum((r.amount for r in kind_rows), Decimal(0))),
             "breakdowns": [{"breakdownType": r.amount_type, "breakdownAmount": amount(r.amount)} for r in kind_rows]}
            for kind, kind_rows in sorted(by_kind.items())
        ],
    }


def build_fake_data(
    settlements: list[tuple[str, bytes]],
    stores: list[FakeStore],
    sellers: list[FakeSeller],
    *,
    deposit_rates: dict[str, tuple[str, Decimal]] | None = None,
    unsettled_per_store: int = 3,
    deferred_per_store: int = 2,
) -> FakeData:
    """`settlements` = (store_id, flat-file bytes); `deposit_rates` maps a currency to the currency it is
    deposited in and the rate (ConvertedTotal = OriginalTotal × rate)."""
    by_store = {store.store_id: store for store in stores}
    data = FakeData(sellers, stores)
    last: dict[str, tuple[datetime, list]] = {}
    served: set[tuple[str, str]] = set()
    for store_id, raw in settlements:
        store = by_store[store_id]
        report = parse_settlement_report(raw)
        header = report.header_rows[0]
        if (store.seller_id, header.settlement_id) in served:
            continue  # a file delivered twice is still one settlement at Amazon
        served.add((store.seller_id, header.settlement_id))
        start = header.settlement_start_at or header.deposit_at
        end = header.settlement_end_at or header.deposit_at
        group_id = "FEG" + _digest(store.seller_id, header.settlement_id)[:40]
        deposit_currency, rate = (deposit_rates or {}).get(header.currency, (header.currency, Decimal(1)))
        data.groups.append((store.seller_id, start, {
            "FinancialEventGroupId": group_id, "ProcessingStatus": "Closed", "FundTransferStatus": "Succeeded",
            "OriginalTotal": _money(header.total_amount, header.currency),
            "ConvertedTotal": _money((header.total_amount * rate).quantize(Decimal("0.01")), deposit_currency),
            "FundTransferDate": _iso(header.deposit_at), "TraceId": _digest("trace", group_id)[:20].upper(),
            "AccountTail": "042", "BeginningBalance": _money(Decimal(0), header.currency),
            "FinancialEventGroupStart": _iso(start), "FinancialEventGroupEnd": _iso(end),
        }))
        events = _events_for(report.lines, header.currency, end)
        for event_list, posted, body in events:
            data.events.append(FakeEvent(store.seller_id, group_id, event_list, posted, body))
            data.transactions.append((store.seller_id, posted, _transaction(
                store.seller_id, store, event_list, posted, body, group_id, header.settlement_id, "RELEASED")))
        created = (header.deposit_at or end) + timedelta(hours=1)
        data.reports.append(FakeReport(
            store.seller_id, f"5{header.settlement_id}", "amzn1.spdoc.1.4." + _digest("doc", raw)[:32], created,
            start, end, raw))
        if store_id not in last or end > last[store_id][0]:
            last[store_id] = (end, events)
    for store_id, (end, events) in sorted(last.items()):
        _unsettled(data, by_store[store_id], end, events, unsettled_per_store, deferred_per_store)
    return data


def _unsettled(data: FakeData, store: FakeStore, since: datetime, events: list, unsettled: int, deferred: int) -> None:
    """An open group after the last settlement (copies of its orders under new ids) and deferred orders."""
    shipments = [body for event_list, _, body in events if event_list == "ShipmentEventList"]
    group_id = "FEG" + _digest(store.seller_id, store.store_id, "open")[:40]
    total = Decimal(0)
    for index, body in enumerate(shipments[: unsettled + deferred]):
        posted = since + timedelta(hours=6 * (index + 1))
        copy = {**body, "AmazonOrderId": f"OPEN-{index:03d}-{body['AmazonOrderId']}", "PostedDate": _iso(posted)}
        if index < unsettled:
            data.events.append(FakeEvent(store.seller_id, group_id, "ShipmentEventList", posted, copy))
            transaction = _transaction(store.seller_id, store, "ShipmentEventList", posted, copy, group_id, None, "RELEASED")
            total += transaction["totalAmount"]["currencyAmount"]
        else:
            transaction = _transaction(store.seller_id, store, "ShipmentEventList", posted, copy, group_id, None, "DEFERRED")
        data.transactions.append((store.seller_id, posted, transaction))
    data.groups.append((store.seller_id, since, {
        "FinancialEventGroupId": group_id, "ProcessingStatus": "Open", "FundTransferStatus": "Unknown",
        "OriginalTotal": _money(total, store.currency), "BeginningBalance": _money(Decimal(0), store.currency),
        "FinancialEventGroupStart": _iso(since),
    }))


def read_stores_csv(data: bytes) -> list[FakeStore]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return [FakeStore(r["store_id"], r["seller_id"], r["marketplace_id"], r["marketplace_name"], r["currency"]) for r in rows]


def fake_data_from_inbox(inbox: Path, sellers: list[FakeSeller], **options) -> FakeData:
    """Serve a generated inbox: `stores.csv` plus `settlement_<store_id>_<settlement_id>.txt` files."""
    stores = read_stores_csv((inbox / "stores.csv").read_bytes())
    ids = sorted((s.store_id for s in stores), key=len, reverse=True)
    settlements = []
    for path in sorted(inbox.glob("settlement_*.txt")):
        rest = path.name.removeprefix("settlement_")
        store_id = next(i for i in ids if rest.startswith(i + "_"))
        settlements.append((store_id, path.read_bytes()))
    return build_fake_data(settlements, stores, sellers, **options)
