"""Finances v0: flatten `listFinancialEvents*` and `listFinancialEventGroups` payloads into rows (pure).

Every event list is walked generically: each Currency object ({CurrencyCode, CurrencyAmount}) in an event
becomes one row carrying the event's order id, SKU, posted date and the type label beside the amount
(ChargeType, FeeType, PromotionType, ...). So a list Amazon adds tomorrow is still flattened; it is also
reported in `unknown_lists` so someone maps it before it reaches the ledger.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.spapi.money import parse_utc, to_decimal

# Event lists in the financesV0.json model (SPAM @ 34dc93fe).
KNOWN_EVENT_LISTS = frozenset(
    ["ShipmentEventList", "ShipmentSettleEventList", "RefundEventList", "GuaranteeClaimEventList", "EBTRefundReimbursementOnlyEventList", "ChargebackEventList", "PayWithAmazonEventList", "ServiceProviderCreditEventList", "RetrochargeEventList", "RentalTransactionEventList", "ProductAdsPaymentEventList", "ServiceFeeEventList", "SellerDealPaymentEventList", "DebtRecoveryEventList", "LoanServicingEventList", "AdjustmentEventList", "SAFETReimbursementEventList", "SellerReviewEnrollmentPaymentEventList", "FBALiquidationEventList", "CouponPaymentEventList", "ImagingServicesFeeEventList", "NetworkComminglingTransactionEventList", "AffordabilityExpenseEventList", "AffordabilityExpenseReversalEventList", "RemovalShipmentEventList", "RemovalShipmentAdjustmentEventList", "TrialShipmentEventList", "TDSReimbursementEventList", "AdhocDisbursementEventList", "TaxWithholdingEventList", "ChargeRefundEventList", "FailedAdhocDisbursementEventList", "ValueAddedServiceChargeEventList", "CapacityReservationBillingEventList"]
)

# Amounts that restate other amounts of the same event. Summing role 'amount' per event gives its net;
# 'total' is a sum of sibling amounts, 'detail' breaks down an amount already counted.
AMOUNT_ROLES: dict[tuple[str, str], str] = {
    ("ProductAdsPaymentEventList", "transactionValue"): "total",
    ("SellerDealPaymentEventList", "totalAmount"): "total",
    ("CouponPaymentEventList", "TotalAmount"): "total",
    ("SellerReviewEnrollmentPaymentEventList", "TotalAmount"): "total",
    ("AffordabilityExpenseEventList", "TotalExpense"): "total",
    ("AffordabilityExpenseReversalEventList", "TotalExpense"): "total",
    ("AdjustmentEventList", "AdjustmentItemList.PerUnitAmount"): "detail",
    ("AdjustmentEventList", "AdjustmentItemList.TotalAmount"): "detail",
    ("TaxWithholdingEventList", "BaseAmount"): "detail",
    ("RentalTransactionEventList", "RentalInitialValue"): "detail",
    ("DebtRecoveryEventList", "DebtRecoveryItemList.RecoveryAmount"): "detail",
    ("DebtRecoveryEventList", "DebtRecoveryItemList.OriginalAmount"): "detail",
    ("DebtRecoveryEventList", "ChargeInstrumentList.Amount"): "detail",
    ("SAFETReimbursementEventList", "SAFETReimbursementItemList.ItemChargeList.ChargeAmount"): "detail",
}

_KIND_BY_LEAF = {
    "chargeamount": "charge",
    "feeamount": "fee",
    "promotionamount": "promotion",
    "directpaymentamount": "direct_payment",
}
_ROLES = {(event_list, path.lower()): role for (event_list, path), role in AMOUNT_ROLES.items()}
# Identifying fields, looked up on the innermost object first (an item's SKU beats nothing on the event).
_ORDER_ID = ("AmazonOrderId", "OrderId", "TDSOrderId", "OriginalRemovalOrderId")
_SELLER_ORDER_ID = ("SellerOrderId", "MerchantOrderId")
_SKU = ("SellerSKU", "SKU", "sku")
_QUANTITY = ("QuantityShipped", "Quantity", "ClipOrRedemptionCount")
_POSTED = ("PostedDate", "postedDate", "TransactionPostedDate", "TransactionCreationDate")
_MARKETPLACE = ("MarketplaceName", "MarketplaceId", "marketplaceId")
_DESCRIPTION = (
    "FeeReason", "AdjustmentType", "TransactionType", "transactionType", "RetrochargeEventType",
    "RentalEventType", "ProviderTransactionType", "eventType", "DebtRecoveryType", "SourceBusinessEventType",
    "BusinessObjectType", "ReasonCode", "FeeDescription",
)


@dataclass(frozen=True)
class FinancialEventRow:
    row_id: str
    event_list: str
    event_type: str
    known_list: bool
    amount_path: str           # dotted path of the amount inside its event, without indices
    amount_kind: str           # charge, fee, promotion, tax_withheld, direct_payment, adjustment, other
    amount_type: str           # ChargeType / FeeType / ... or the field name
    amount_role: str           # amount, total or detail (see AMOUNT_ROLES)
    is_adjustment: bool        # came from an *AdjustmentList (a correction of an earlier amount)
    amount: Decimal
    currency: str
    order_id: str | None
    seller_order_id: str | None
    sku: str | None
    quantity: int | None
    posted_at: datetime | None
    marketplace: str | None
    description: str | None
    group_id: str | None
    promotion_id: str | None


@dataclass
class FlattenedEvents:
    rows: list[FinancialEventRow] = field(default_factory=list)
    unknown_lists: dict[str, int] = field(default_factory=dict)   # list name → events in it
    events: int = 0


@dataclass(frozen=True)
class EventGroupRow:
    group_id: str
    processing_status: str | None
    fund_transfer_status: str | None
    original_total: Decimal | None
    original_currency: str | None
    converted_total: Decimal | None
    converted_currency: str | None
    beginning_balance: Decimal | None
    beginning_balance_currency: str | None
    fund_transfer_at: datetime | None
    group_start_at: datetime | None
    group_end_at: datetime | None
    trace_id: str | None
    account_tail: str | None


def _first(objs: list[Mapping[str, Any]], keys: tuple[str, ...]) -> Any:
    for obj in reversed(objs):
        for key in keys:
            if obj.get(key) not in (None, ""):
                return obj[key]
    return None


def _is_money(value: Any) -> bool:
    return isinstance(value, dict) and "CurrencyAmount" in value and "CurrencyCode" in value


def _walk(value: Any, path: tuple[str, ...], scopes: list[Mapping[str, Any]], out: list) -> None:
    """Collect (path with indices, scopes, money) for every Currency object under `value`."""
    if _is_money(value):
        out.append((path, scopes, value))
    elif isinstance(value, dict):
        inner = scopes + [value]
        for key, child in value.items():
            _walk(child, path + (key,), inner, out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _walk(child, path + (f"[{index}]",), scopes, out)


def _type_label(holder: Mapping[str, Any], leaf: str) -> str | None:
    """The label paired with an amount: FeeType for FeeAmount, ChargeType for ChargeAmount (any casing)."""
    if not leaf.lower().endswith("amount"):
        return None
    wanted = leaf[: -len("amount")].lower() + "type"
    return next((str(v) for k, v in holder.items() if k.lower() == wanted and v), None)


def _kind(path: tuple[str, ...], event_list: str) -> str:
    if any("TaxWithheld" in part for part in path):
        return "tax_withheld"
    kind = _KIND_BY_LEAF.get(path[-1].lower())
    if kind:
        return kind
    return "adjustment" if event_list == "AdjustmentEventList" else "other"


def flatten_financial_events(payload: Mapping[str, Any]) -> FlattenedEvents:
    """A listFinancialEvents* payload (`{"FinancialEvents": {...}}`, or the whole response) → one row per amount."""
    payload = payload.get("payload", payload)
    result = FlattenedEvents()
    seen: Counter[str] = Counter()
    for event_list, events in (payload.get("FinancialEvents") or {}).items():
        known = event_list in KNOWN_EVENT_LISTS
        if not known:
            result.unknown_lists[event_list] = len(events or [])
        for event in events or []:
            result.events += 1
            canonical = json.dumps(event, sort_keys=True, default=str)
            # Two identical events in one response are two events: the occurrence keeps their ids apart.
            seen[event_list + canonical] += 1
            event_key = f"{event_list}|{canonical}|{seen[event_list + canonical]}"
            amounts: list = []
            _walk(event, (), [], amounts)
            for path, scopes, money in amounts:
                result.rows.append(_row(event_list, known, event_key, path, scopes, money))
    return result


def _row(event_list: str, known: bool, event_key: str, path: tuple[str, ...], scopes, money) -> FinancialEventRow:
    plain = tuple(part for part in path if not part.startswith("["))
    dotted = ".".join(plain)
    holder = scopes[-1] if scopes else {}
    label = _type_label(holder, plain[-1])
    quantity = _first(scopes, _QUANTITY)
    return FinancialEventRow(
        row_id=hashlib.sha256(f"{event_key}|{'.'.join(path)}".encode()).hexdigest(),
        event_list=event_list,
        event_type=event_list.removesuffix("List"),
        known_list=known,
        amount_path=dotted,
        amount_kind=_kind(plain, event_list),
        amount_type=str(label or plain[-1]),
        amount_role=_ROLES.get((event_list, dotted.lower()), "amount"),
        is_adjustment=any(part.endswith("AdjustmentList") for part in plain),
        amount=to_decimal(money.get("CurrencyAmount")) or Decimal(0),
        currency=str(money.get("CurrencyCode") or ""),
        order_id=_first(scopes, _ORDER_ID),
        seller_order_id=_first(scopes, _SELLER_ORDER_ID),
        sku=_first(scopes, _SKU),
        quantity=int(quantity) if quantity not in (None, "") else None,
        posted_at=parse_utc(_first(scopes, _POSTED)),
        marketplace=_first(scopes, _MARKETPLACE),
        description=_first(scopes, _DESCRIPTION),
        group_id=_first(scopes, ("FinancialEventGroupId",)),
        promotion_id=_first(scopes, ("PromotionId",)),
    )


def _money(obj: Mapping[str, Any] | None) -> tuple[Decimal | None, str | None]:
    if not obj:
        return None, None
    return to_decimal(obj.get("CurrencyAmount")), obj.get("CurrencyCode")


def flatten_event_groups(payload: Mapping[str, Any]) -> list[EventGroupRow]:
    payload = payload.get("payload", payload)
    rows = []
    for group in payload.get("FinancialEventGroupList") or []:
        original, original_ccy = _money(group.get("OriginalTotal"))
        converted, converted_ccy = _money(group.get("ConvertedTotal"))
        beginning, beginning_ccy = _money(group.get("BeginningBalance"))
        rows.append(
            EventGroupRow(
                group_id=group["FinancialEventGroupId"],
                processing_status=group.get("ProcessingStatus"),
                fund_transfer_status=group.get("FundTransferStatus"),
                original_total=original,
                original_currency=original_ccy,
                converted_total=converted,
                converted_currency=converted_ccy,
                beginning_balance=beginning,
                beginning_balance_currency=beginning_ccy,
                fund_transfer_at=parse_utc(group.get("FundTransferDate")),
                group_start_at=parse_utc(group.get("FinancialEventGroupStart")),
                group_end_at=parse_utc(group.get("FinancialEventGroupEnd")),
                trace_id=group.get("TraceId"),
                account_tail=group.get("AccountTail"),
            )
        )
    return rows
