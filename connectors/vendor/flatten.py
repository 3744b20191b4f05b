"""Pure flattening of vendor API pages into rows of the tables in `schema.py` (dicts keyed by column name).

Pages are what python-amazon-sp-api returns as `ApiResponse.payload`: vendorOrders pages are Amazon's `payload`
object; Finances Invoices pages (unwrapped by Amazon) are the whole body. Amounts become Decimal through their
shortest repr (`money.to_decimal`), timestamps naive UTC.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from connectors.spapi.money import parse_utc, to_decimal

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")
CANCELLED = "Cancelled"


def _money(value: Any, step: Decimal = CENT) -> Decimal | None:
    amount = to_decimal(value)
    return None if amount is None else amount.quantize(step, rounding=ROUND_HALF_UP)


def _window(text: str | None) -> tuple[datetime | None, datetime | None]:
    """Amazon writes windows as "start--end"."""
    if not text or "--" not in text:
        return None, None
    start, end = text.split("--", 1)
    return parse_utc(start), parse_utc(end)


def _party(order_details: dict, name: str) -> str | None:
    return (order_details.get(name) or {}).get("partyId")


def _quantity(value: dict | None) -> tuple[int | None, str | None, int | None]:
    value = value or {}
    return value.get("amount"), value.get("unitOfMeasure"), value.get("unitSize")


def version_id(order: dict) -> str:
    details = order.get("orderDetails") or {}
    key = "|".join(str(part or "") for part in (
        order["purchaseOrderNumber"], details.get("purchaseOrderChangedDate"), order.get("purchaseOrderState"),
        details.get("purchaseOrderStateChangedDate")))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def flatten_purchase_orders(
    page: dict, *, account_id: str, page_sha256: str, fetched_at: datetime,
    marketplaces: dict[str, str] | None = None, cancelled_items: bool = False,
) -> tuple[list[dict], list[dict]]:
    """(PO version rows, item rows) of one getPurchaseOrders page.

    `marketplaces` maps a vendor code (sellingParty) to its marketplace id. `cancelled_items`: the page answered a
    call filtered with poItemState=Cancelled, so its items are marked Cancelled.
    """
    orders, items = [], []
    for index, order in enumerate(page.get("orders") or [], start=1):
        details = order.get("orderDetails") or {}
        number = order["purchaseOrderNumber"]
        version = version_id(order)
        ship_start, ship_end = _window(details.get("shipWindow"))
        delivery_start, delivery_end = _window(details.get("deliveryWindow"))
        seller = _party(details, "sellingParty")
        order_items = details.get("items") or []
        orders.append({
            "account_id": account_id,
            "purchase_order_number": number,
            "version_id": version,
            "purchase_order_state": order.get("purchaseOrderState"),
            "purchase_order_date": parse_utc(details.get("purchaseOrderDate")),
            "purchase_order_changed_at": parse_utc(details.get("purchaseOrderChangedDate")),
            "purchase_order_state_changed_at": parse_utc(details.get("purchaseOrderStateChangedDate")),
            "purchase_order_type": details.get("purchaseOrderType"),
            "payment_method": details.get("paymentMethod"),
            "deal_code": details.get("dealCode"),
            "buying_party_id": _party(details, "buyingParty"),
            "selling_party_id": seller,
            "ship_to_party_id": _party(details, "shipToParty"),
            "bill_to_party_id": _party(details, "billToParty"),
            "marketplace_id": (marketplaces or {}).get(seller or ""),
            "ship_window_start": ship_start,
            "ship_window_end": ship_end,
            "delivery_window_start": delivery_start,
            "delivery_window_end": delivery_end,
            "import_details": json.dumps(details["importDetails"], sort_keys=True) if details.get("importDetails") else None,
            "item_count": len(order_items),
            "content_sha256": hashlib.sha256(json.dumps(order, sort_keys=True, default=str).encode()).hexdigest(),
            "source_page_sha256": page_sha256,
            "source_index": index,
            "fetched_at": fetched_at,
        })
        for item in order_items:
            quantity, unit, size = _quantity(item.get("orderedQuantity"))
            cost = item.get("netCost") or {}
            items.append({
                "account_id": account_id,
                "purchase_order_number": number,
                "version_id": version,
                "item_sequence_number": str(item["itemSequenceNumber"]),
                "asin": item.get("amazonProductIdentifier"),
                "vendor_sku": item.get("vendorProductIdentifier"),
                "ordered_quantity": quantity,
                "unit_of_measure": unit,
                "unit_size": size,
                "is_back_order_allowed": item.get("isBackOrderAllowed"),
                "net_cost": _money(cost.get("amount"), UNIT),
                "net_cost_unit_of_measure": cost.get("unitOfMeasure"),
                "list_price": _money((item.get("listPrice") or {}).get("amount"), UNIT),
                "currency": cost.get("currencyCode"),
                "item_state": CANCELLED if cancelled_items else None,
                "source_page_sha256": page_sha256,
            })
    return orders, items


def flatten_purchase_order_status(page: dict, *, account_id: str, page_sha256: str, fetched_at: datetime) -> list[dict]:
    """One row per item of every PO in a getPurchaseOrdersStatus page."""
    rows = []
    for index, order in enumerate(page.get("ordersStatus") or [], start=1):
        po_date = parse_utc(order.get("purchaseOrderDate"))
        updated = parse_utc(order.get("lastUpdatedDate")) or po_date
        for item in order.get("itemStatus") or []:
            ordered = item.get("orderedQuantity") or {}
            quantity, unit, size = _quantity(ordered.get("orderedQuantity"))
            details = ordered.get("orderedQuantityDetails") or []
            cancelled = sum((d.get("cancelledQuantity") or {}).get("amount") or 0 for d in details)
            ack = item.get("acknowledgementStatus") or {}
            ack_dates = [parse_utc(d.get("acknowledgementDate")) for d in ack.get("acknowledgementStatusDetails") or []]
            receiving = item.get("receivingStatus") or {}
            received, received_unit, received_size = _quantity(receiving.get("receivedQuantity"))
            cost = item.get("netCost") or {}
            rows.append({
                "account_id": account_id,
                "purchase_order_number": order["purchaseOrderNumber"],
                "item_sequence_number": str(item["itemSequenceNumber"]),
                "last_updated_at": updated,
                "purchase_order_status": order.get("purchaseOrderStatus"),
                "purchase_order_date": po_date,
                "selling_party_id": (order.get("sellingParty") or {}).get("partyId"),
                "ship_to_party_id": (order.get("shipToParty") or {}).get("partyId"),
                "asin": item.get("buyerProductIdentifier"),
                "vendor_sku": item.get("vendorProductIdentifier"),
                "net_cost": _money(cost.get("amount"), UNIT),
                "list_price": _money((item.get("listPrice") or {}).get("amount"), UNIT),
                "currency": cost.get("currencyCode"),
                "ordered_quantity": quantity,
                "ordered_unit_of_measure": unit,
                "ordered_unit_size": size,
                "cancelled_quantity": cancelled,
                "confirmation_status": ack.get("confirmationStatus"),
                "accepted_quantity": (ack.get("acceptedQuantity") or {}).get("amount"),
                "rejected_quantity": (ack.get("rejectedQuantity") or {}).get("amount"),
                "acknowledged_at": max((d for d in ack_dates if d), default=None),
                "receive_status": receiving.get("receiveStatus"),
                "received_quantity": received,
                "received_unit_of_measure": received_unit,
                "received_unit_size": received_size,
                "last_receive_at": parse_utc(receiving.get("lastReceiveDate")),
                "source_page_sha256": page_sha256,
                "source_index": index,
                "fetched_at": fetched_at,
            })
    return rows


# ---- Finances Invoices API 2026-06-25 ------------------------------------------------------------------------

def _amount(value: dict | None) -> tuple[Decimal | None, str | None]:
    value = value or {}
    return _money(value.get("currencyAmount")), value.get("currencyCode")


def invoice_row(header: dict, *, account_id: str, marketplace_id: str, page_sha256: str, index: int,
                fetched_at: datetime, from_get_invoice: bool) -> dict:
    amount, currency = _amount(header.get("invoiceAmount"))
    payer, payee = header.get("payer") or {}, header.get("payee") or {}
    period = header.get("billingPeriod") or {}
    return {
        "account_id": account_id,
        "marketplace_id": marketplace_id,
        "invoice_identifier": header["invoiceIdentifier"],
        "invoice_number": header["invoiceNumber"],
        "last_updated_at": parse_utc(header.get("lastUpdatedDate")),
        "invoice_status": header.get("invoiceStatus"),
        "invoice_type": header.get("invoiceType"),
        "payer_partner_id": payer.get("partnerId"),
        "payer_partner_type": payer.get("partnerType"),
        "payer_name": payer.get("partnerName"),
        "payee_partner_id": payee.get("partnerId"),
        "payee_partner_type": payee.get("partnerType"),
        "payee_name": payee.get("partnerName"),
        "payee_entities": ",".join(payee.get("partnerEntities") or []) or None,
        "billing_period_start": parse_utc(period.get("startDate")),
        "billing_period_end": parse_utc(period.get("endDate")),
        "issued_at": parse_utc(header.get("issueDate")),
        "due_at": parse_utc(header.get("dueDate")),
        "payment_terms": header.get("paymentTerms"),
        "invoice_amount": amount,
        "currency": currency,
        "created_at": parse_utc(header.get("creationDate")),
        "from_get_invoice": from_get_invoice,
        "source_page_sha256": page_sha256,
        "source_index": index,
        "fetched_at": fetched_at,
    }


def _breakdowns(nodes: list[dict], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, int, dict]]:
    for position, node in enumerate(nodes or []):
        path = f"{prefix}.{position}" if prefix else str(position)
        yield path, depth, node
        yield from _breakdowns(node.get("breakdowns") or [], path, depth + 1)


def breakdown_rows(header: dict, *, account_id: str) -> list[dict]:
    key = {"account_id": account_id, "invoice_identifier": header["invoiceIdentifier"],
           "last_updated_at": parse_utc(header.get("lastUpdatedDate"))}
    rows = []
    for breakdown_set, field in (("amount", "invoiceAmountBreakdowns"), ("settlement", "invoiceSettlementBreakdowns")):
        for position, depth, node in _breakdowns(header.get(field) or []):
            amount, currency = _amount(node.get("breakdownAmount"))
            rows.append({**key, "breakdown_set": breakdown_set, "position": position,
                         "breakdown_type": node.get("breakdownType"), "amount": amount, "currency": currency,
                         "depth": depth, "is_leaf": not node.get("breakdowns")})
    return rows


def related_id_rows(identifiers: list[dict] | None, *, account_id: str, header: dict, line_item_id: str = "") -> list[dict]:
    key = {"account_id": account_id, "invoice_identifier": header["invoiceIdentifier"],
           "last_updated_at": parse_utc(header.get("lastUpdatedDate")), "line_item_id": line_item_id}
    return [
        {**key, "identifier_name": identifier["relatedIdentifierName"], "identifier_value": str(value)}
        for identifier in identifiers or []
        for value in dict.fromkeys(identifier.get("relatedIdentifierValue") or [])
    ]


def flatten_invoice_headers(page: dict, *, account_id: str, marketplace_id: str, page_sha256: str,
                            fetched_at: datetime) -> tuple[list[dict], list[dict]]:
    """(invoice rows, related-id rows) of a getInvoiceHeaders page."""
    invoices, related = [], []
    for index, header in enumerate(page.get("invoices") or [], start=1):
        invoices.append(invoice_row(header, account_id=account_id, marketplace_id=marketplace_id,
                                    page_sha256=page_sha256, index=index, fetched_at=fetched_at, from_get_invoice=False))
        related += related_id_rows(header.get("relatedIdentifiers"), account_id=account_id, header=header)
    return invoices, related


def flatten_invoice(page: dict, *, account_id: str, marketplace_id: str, page_sha256: str, fetched_at: datetime,
                    first_line_index: int = 1) -> dict[str, list[dict]]:
    """Rows of one getInvoice page, by table: header, breakdowns, related ids (header and lines), lines."""
    header = page["invoiceHeader"]
    lines, related = [], related_id_rows(header.get("relatedIdentifiers"), account_id=account_id, header=header)
    for index, item in enumerate(page.get("invoiceItems") or [], start=first_line_index):
        context = item.get("lineItemContext") or {}
        identifiers = context.get("itemIdentifiers") or []
        matching = context.get("matchingContext") or {}
        reasons = matching.get("varianceReasons") or []
        total, currency = _amount(item.get("totalAmount"))
        item_related = item.get("relatedItemIdentifiers") or []
        related += related_id_rows(item_related, account_id=account_id, header=header, line_item_id=item["lineItemId"])
        po_ids = [v for r in item_related if r.get("relatedIdentifierName") == "PURCHASE_ORDER_IDS"
                  for v in r.get("relatedIdentifierValue") or []]
        lines.append({
            "account_id": account_id,
            "invoice_identifier": header["invoiceIdentifier"],
            "last_updated_at": parse_utc(header.get("lastUpdatedDate")),
            "line_item_id": item["lineItemId"],
            "line_item_type": context.get("lineItemType"),
            "asin": next((i["itemIdentifierValue"] for i in identifiers if i.get("itemIdentifierName") == "ASIN"), None),
            "item_identifiers": ",".join(f"{i['itemIdentifierName']}={i['itemIdentifierValue']}" for i in identifiers) or None,
            "item_description": context.get("itemDescription"),
            "purchase_order_numbers": ",".join(po_ids) or None,
            "quantity": item.get("quantity"),
            "unit_cost": _money((item.get("unitCost") or {}).get("currencyAmount"), UNIT),
            "total_amount": total,
            "currency": currency,
            "tax_rate_codes": ",".join(item.get("taxRateCodes") or []) or None,
            "matched_quantity": matching.get("matchedQuantity"),
            "matched_amount": _amount(matching.get("matchedAmount"))[0],
            "quantity_variance": matching.get("quantityVariance"),
            "price_variance": _amount(matching.get("priceVariance"))[0],
            "paid_quantity": matching.get("paidQuantity"),
            "paid_amount": _amount(matching.get("paidAmount"))[0],
            "variance_types": ",".join(r.get("varianceType", "") for r in reasons) or None,
            "defect_types": ",".join(d for r in reasons for d in r.get("defectTypes") or []) or None,
            "variance_reasons": json.dumps(reasons) if reasons else None,
            "service_charge_type": context.get("serviceChargeType"),
            "source_page_sha256": page_sha256,
            "source_index": index,
        })
    header_row = invoice_row(header, account_id=account_id, marketplace_id=marketplace_id, page_sha256=page_sha256,
                             index=1, fetched_at=fetched_at, from_get_invoice=True)
    return {
        "raw.vendor_invoices": [header_row],
        "raw.vendor_invoice_breakdowns": breakdown_rows(header, account_id=account_id),
        "raw.vendor_invoice_related_ids": related,
        "raw.vendor_invoice_lines": lines,
    }


# ---- vendorShipments -----------------------------------------------------------------------------------

def shipment_version_id(shipment: dict) -> str:
    transport = shipment.get("transportationDetails") or {}
    key = "|".join(str(part or "") for part in (
        shipment["vendorShipmentIdentifier"], shipment.get("transactionType"), shipment.get("currentShipmentStatus"),
        shipment.get("currentshipmentStatusDate"), transport.get("shipmentDeliveryDate")))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def flatten_shipments(page: dict, *, account_id: str, page_sha256: str,
                      fetched_at: datetime) -> tuple[list[dict], list[dict]]:
    """getShipmentDetails page (Amazon's `payload`: `shipments`) → (shipment version rows, shipped item rows)."""
    shipments, items = [], []
    for index, shipment in enumerate(page.get("shipments") or [], start=1):
        identifier = shipment["vendorShipmentIdentifier"]
        version = shipment_version_id(shipment)
        transport = shipment.get("transportationDetails") or {}
        containers = [c.get("containerType") for c in shipment.get("containers") or []]
        shipped = 0
        for order in shipment.get("purchaseOrders") or []:
            for item in order.get("items") or []:
                quantity, unit, size = _quantity(item.get("shippedQuantity"))
                shipped += 1
                items.append({
                    "account_id": account_id, "vendor_shipment_identifier": identifier, "version_id": version,
                    "purchase_order_number": order["purchaseOrderNumber"],
                    "item_sequence_number": str(item.get("itemSequenceNumber")),
                    "asin": item.get("buyerProductIdentifier"), "vendor_sku": item.get("vendorProductIdentifier"),
                    "shipped_quantity": quantity or 0, "unit_of_measure": unit, "unit_size": size,
                })
        shipments.append({
            "account_id": account_id, "vendor_shipment_identifier": identifier, "version_id": version,
            "buyer_reference_number": shipment.get("buyerReferenceNumber"),
            "transaction_type": shipment.get("transactionType"),
            "transaction_date": parse_utc(shipment.get("transactionDate")),
            "current_shipment_status": shipment.get("currentShipmentStatus"),
            "current_shipment_status_at": parse_utc(shipment.get("currentshipmentStatusDate")),
            "shipment_created_at": parse_utc(shipment.get("shipmentCreateDate")),
            "shipment_confirmed_at": parse_utc(shipment.get("shipmentConfirmDate")),
            "shipped_at": parse_utc(transport.get("shippedDate")),
            "estimated_delivery_at": parse_utc(transport.get("estimatedDeliveryDate")),
            "delivered_at": parse_utc(transport.get("shipmentDeliveryDate")),
            "selling_party_id": (shipment.get("sellingParty") or {}).get("partyId"),
            "ship_from_party_id": (shipment.get("shipFromParty") or {}).get("partyId"),
            "ship_to_party_id": (shipment.get("shipToParty") or {}).get("partyId"),
            "ship_mode": transport.get("shipMode"),
            "bill_of_lading_number": transport.get("billOfLadingNumber"),
            "carton_count": containers.count("carton"), "pallet_count": containers.count("pallet"),
            "item_count": shipped,
            "content_sha256": hashlib.sha256(json.dumps(shipment, sort_keys=True, default=str).encode()).hexdigest(),
            "source_page_sha256": page_sha256, "source_index": index, "fetched_at": fetched_at,
        })
    return shipments, items
