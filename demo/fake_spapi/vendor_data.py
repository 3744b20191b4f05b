"""The vendor side of the fake SP-API: vendorOrders, vendorShipments, Finances Invoices 2026-06-25, vendorInvoices
and vendorTransactionStatus, rendered from the generator's vendor world (`demo.generator.vendor.world`).

The fake answers as of `VendorFakeData.as_of` (naive UTC): a PO acknowledged later is still New, an invoice paid
later is still IN_PROGRESS. Moving `as_of` forward between two syncs shows how changes arrive as new versions.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from demo.fake_spapi.data import FakeSeller
from demo.fake_spapi.times import iso as _iso
from demo.fake_spapi.times import parse_iso
from demo.generator.vendor.world import Invoice, PurchaseOrder, VendorWorld, money

PO_WINDOW = timedelta(days=7)
SHIPMENT_WINDOW = timedelta(days=7)
INVOICE_WINDOW = timedelta(days=90)
INVOICE_REQUIRED = ("date", "id", "invoiceTotal", "invoiceType", "remitToParty")
ITEM_REQUIRED = ("invoicedQuantity", "itemSequenceNumber", "netCost")


@dataclass
class Submission:
    seller_id: str
    transaction_id: str
    body: dict
    errors: list[dict]
    checks: int = 0


@dataclass
class VendorFakeData:
    world: VendorWorld
    sellers: list[FakeSeller]
    as_of: datetime
    invoice_line_page_size: int = 600
    submissions: dict[str, Submission] = field(default_factory=dict)


def build_vendor_fake_data(world: VendorWorld, credentials: dict[str, dict[str, str]],
                           as_of: datetime | None = None) -> VendorFakeData:
    """`credentials`: account id → {refresh_token, lwa_app_id, lwa_client_secret} the fake accepts."""
    accounts = dict.fromkeys((m.account_id, m.region) for m in world.marketplaces)
    sellers = [FakeSeller(account, region, **credentials[account]) for account, region in accounts]
    return VendorFakeData(world, sellers, as_of or world.as_of)


def _visible(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment <= now else None


# ---- purchase orders ---------------------------------------------------------------------------------------

def _po_state(po: PurchaseOrder, now: datetime) -> tuple[str, datetime, datetime | None]:
    """(state, state changed at, changed at) as of `now`."""
    cancelled = _visible(po.cancelled, now)
    received = _visible(po.received, now)
    acknowledged = _visible(po.acknowledged, now)
    changed = max((m for m in (_visible(po.changed, now), cancelled) if m), default=None)
    if cancelled or received:
        return "Closed", cancelled or received, changed
    if acknowledged:
        return "Acknowledged", acknowledged, changed
    return "New", po.created, changed


def _po_modified(po: PurchaseOrder, now: datetime) -> datetime:
    state, state_changed, changed = _po_state(po, now)
    return max(m for m in (po.created, state_changed, changed) if m)


def _quantity(amount: int) -> dict:
    return {"amount": amount, "unitOfMeasure": "Eaches", "unitSize": 1}


def _cost(amount: Decimal, currency: str) -> dict:
    return {"amount": str(amount), "currencyCode": currency}


def render_order(po: PurchaseOrder, now: datetime, *, cancelled_only: bool = False) -> dict:
    state, state_changed, changed = _po_state(po, now)
    market = po.marketplace
    lines = [l for l in po.lines if not cancelled_only or (l.cancelled and _visible(po.cancelled, now))]
    ship, delivery = po.ship_window, po.delivery_window
    details = {
        "purchaseOrderDate": _iso(po.created),
        **({"purchaseOrderChangedDate": _iso(changed)} if changed else {}),
        "purchaseOrderStateChangedDate": _iso(state_changed),
        "purchaseOrderType": "RegularOrder",
        "paymentMethod": "Invoice",
        "buyingParty": {"partyId": market.bill_to_party_id},
        "sellingParty": {"partyId": market.vendor_code},
        "shipToParty": {"partyId": market.ship_to_party_id},
        "billToParty": {"partyId": market.bill_to_party_id},
        "shipWindow": f"{_iso(ship[0])}--{_iso(ship[1])}",
        "deliveryWindow": f"{_iso(delivery[0])}--{_iso(delivery[1])}",
        "items": [
            {"itemSequenceNumber": l.sequence, "amazonProductIdentifier": l.asin, "vendorProductIdentifier": l.vendor_sku,
             "orderedQuantity": _quantity(l.ordered if _visible(po.changed, now) or po.changed is None else l.original),
             "isBackOrderAllowed": False, "netCost": _cost(l.net_cost, market.currency),
             "listPrice": _cost(money(l.net_cost * Decimal("1.8")), market.currency)}
            for l in lines
        ],
    }
    return {"purchaseOrderNumber": po.number, "purchaseOrderState": state, "orderDetails": details}


def render_status(po: PurchaseOrder, now: datetime) -> dict:
    state, _, _ = _po_state(po, now)
    acknowledged, received, cancelled = (_visible(po.acknowledged, now), _visible(po.received, now),
                                         _visible(po.cancelled, now))
    changed = _visible(po.changed, now)
    market = po.marketplace
    items = []
    for l in po.lines:
        ordered = l.ordered if changed or po.changed is None else l.original
        details = [{"updatedDate": _iso(changed or po.created), "orderedQuantity": _quantity(ordered)}]
        if cancelled and l.cancelled:
            details.append({"updatedDate": _iso(cancelled), "orderedQuantity": _quantity(0),
                            "cancelledQuantity": _quantity(l.cancelled)})
        if acknowledged:
            confirmation = ("REJECTED" if not l.accepted else "PARTIALLY_ACCEPTED" if l.rejected else "ACCEPTED")
            ack = {"confirmationStatus": confirmation, "acceptedQuantity": _quantity(l.accepted),
                   "rejectedQuantity": _quantity(l.rejected),
                   "acknowledgementStatusDetails": [{"acknowledgementDate": _iso(acknowledged),
                                                     "acceptedQuantity": _quantity(l.accepted),
                                                     "rejectedQuantity": _quantity(l.rejected)}]}
        else:
            ack = {"confirmationStatus": "UNCONFIRMED", "acceptedQuantity": _quantity(0), "rejectedQuantity": _quantity(0)}
        if received and l.received:
            status = "RECEIVED" if l.received >= l.accepted else "PARTIALLY_RECEIVED"
            receiving = {"receiveStatus": status, "receivedQuantity": _quantity(l.received),
                         "lastReceiveDate": _iso(received)}
        else:
            receiving = {"receiveStatus": "NOT_RECEIVED", "receivedQuantity": _quantity(0)}
        items.append({"itemSequenceNumber": l.sequence, "buyerProductIdentifier": l.asin,
                      "vendorProductIdentifier": l.vendor_sku, "netCost": _cost(l.net_cost, market.currency),
                      "orderedQuantity": {"orderedQuantity": _quantity(ordered), "orderedQuantityDetails": details},
                      "acknowledgementStatus": ack, "receivingStatus": receiving})
    return {"purchaseOrderNumber": po.number, "purchaseOrderStatus": "CLOSED" if state == "Closed" else "OPEN",
            "purchaseOrderDate": _iso(po.created), "lastUpdatedDate": _iso(_po_modified(po, now)),
            "sellingParty": {"partyId": market.vendor_code}, "shipToParty": {"partyId": market.ship_to_party_id},
            "itemStatus": items}


# ---- shipments (ASNs) ------------------------------------------------------------------------------------

def _shipment_created(po: PurchaseOrder) -> datetime | None:
    return None if po.shipped is None else po.shipped - timedelta(days=1)


def render_shipment(po: PurchaseOrder, now: datetime) -> dict:
    """The ASN of `po` as getShipmentDetails shows it at `now`: Created a day before the ship date, then Shipped;
    the actual delivery date appears once Amazon received the goods."""
    market = po.marketplace
    created = _shipment_created(po)
    shipped = _visible(po.shipped, now)
    delivered = _visible(po.received, now)
    statuses = [{"shipmentStatus": "Created", "shipmentStatusDate": _iso(created)}]
    if shipped:
        statuses.append({"shipmentStatus": "Shipped", "shipmentStatusDate": _iso(shipped)})
    transport = {"shipMode": "LessThanTruckLoad", "transportationMode": "Road",
                 "estimatedDeliveryDate": _iso(po.estimated_delivery), "billOfLadingNumber": f"BOL{po.number}"}
    if shipped:
        transport["shippedDate"] = _iso(shipped)
    if delivered:
        transport["shipmentDeliveryDate"] = _iso(delivered)
    lines = [l for l in po.lines if l.shipped_quantity]
    return {
        "vendorShipmentIdentifier": po.shipment_id, "transactionType": "New", "buyerReferenceNumber": f"ARN{po.number}",
        "transactionDate": _iso(created), "currentShipmentStatus": statuses[-1]["shipmentStatus"],
        "currentshipmentStatusDate": statuses[-1]["shipmentStatusDate"], "shipmentStatusDetails": statuses,
        "shipmentCreateDate": _iso(created), "shipmentConfirmDate": _iso(shipped) if shipped else None,
        "sellingParty": {"partyId": market.vendor_code}, "shipFromParty": {"partyId": f"{market.vendor_code}-WH1"},
        "shipToParty": {"partyId": market.ship_to_party_id},
        "purchaseOrders": [{"purchaseOrderNumber": po.number, "purchaseOrderDate": _iso(po.created),
                            "shipWindow": f"{_iso(po.ship_window[0])}--{_iso(po.ship_window[1])}",
                            "items": [{"itemSequenceNumber": l.sequence, "buyerProductIdentifier": l.asin,
                                       "vendorProductIdentifier": l.vendor_sku,
                                       "shippedQuantity": _quantity(l.shipped_quantity)} for l in lines]}],
        "containers": [{"containerType": "carton", "containerSequenceNumber": str(n),
                        "containerIdentifiers": [{"containerIdentificationType": "SSCC",
                                                  "containerIdentificationNumber": f"00{po.number}{n:03d}"}]}
                       for n in range(1, 1 + max(1, sum(l.shipped_quantity for l in lines) // 12))],
        "transportationDetails": transport,
    }


# ---- Finances invoices -----------------------------------------------------------------------------------

def _cur(amount: Decimal, currency: str) -> dict:
    return {"currencyCode": currency, "currencyAmount": amount}


def _invoice_modified(invoice: Invoice, now: datetime) -> datetime:
    return _visible(invoice.paid, now) or invoice.issued


def render_invoice_header(invoice: Invoice, now: datetime, *, with_settlement: bool) -> dict:
    market = invoice.marketplace
    paid = _visible(invoice.paid, now)
    related = [{"relatedIdentifierName": "PURCHASE_ORDER_IDS", "relatedIdentifierValue": [invoice.po.number]}]
    if paid and invoice.shortage:
        related.append({"relatedIdentifierName": "SHORTAGE_INVOICE_IDS", "relatedIdentifierValue": [f"{invoice.number}SC"]})
    if paid:
        related.append({"relatedIdentifierName": "UNIQUE_PAYMENT_IDS", "relatedIdentifierValue": [invoice.payment_number]})
    header = {
        "invoiceNumber": invoice.number, "invoiceIdentifier": invoice.identifier,
        "invoiceStatus": "PAID" if paid else "IN_PROGRESS", "invoiceType": "AP_INVENTORY",
        "payee": {"partnerId": market.vendor_code, "partnerType": "VENDOR", "partnerName": "Acme Housewares",
                  "partnerEntities": [market.vendor_code]},
        "payer": {"partnerId": market.payer_id, "partnerType": "AMAZON", "partnerName": "Amazon", "partnerEntities": []},
        "issueDate": _iso(invoice.issued), "dueDate": _iso(invoice.due), "paymentTerms": market.terms,
        "creationDate": _iso(invoice.issued), "lastUpdatedDate": _iso(_invoice_modified(invoice, now)),
        "invoiceAmount": _cur(invoice.amount, market.currency),
        "invoiceAmountBreakdowns": [{"breakdownType": "Total", "breakdownAmount": _cur(invoice.amount, market.currency),
                                     "breakdowns": []}],
        "relatedIdentifiers": related,
    }
    if with_settlement:
        settlement = []
        if paid:
            settlement.append({"breakdownType": "AmountPaid",
                               "breakdownAmount": _cur(invoice.amount - invoice.discount, market.currency), "breakdowns": []})
            if invoice.discount:
                settlement.append({"breakdownType": "QuickPayDiscount",
                                   "breakdownAmount": _cur(invoice.discount, market.currency), "breakdowns": []})
        header["invoiceSettlementBreakdowns"] = settlement
    return header


def render_invoice_items(invoice: Invoice, now: datetime) -> list[dict]:
    market = invoice.marketplace
    paid = _visible(invoice.paid, now)
    items = []
    for position, (line, quantity) in enumerate(invoice.lines, start=1):
        total = money(line.net_cost * quantity)
        context: dict = {"lineItemType": "GOODS", "itemDescription": line.description,
                         "itemIdentifiers": [{"itemIdentifierName": "ASIN", "itemIdentifierValue": line.asin}]}
        if paid:
            matching: dict = {"matchedQuantity": quantity, "matchedAmount": _cur(total, market.currency),
                              "paidQuantity": quantity, "paidAmount": _cur(total, market.currency)}
            if position == 1 and invoice.shortage_quantity:
                matching |= {"matchedQuantity": quantity - invoice.shortage_quantity,
                             "quantityVariance": invoice.shortage_quantity,
                             "varianceReasons": [{"varianceType": "PQV", "defectTypes": ["SHORTAGES_IN_TRANSIT"]}]}
            if position == 1 and invoice.price_variance:
                matching |= {"priceVariance": _cur(invoice.price_variance, market.currency),
                             "varianceReasons": [{"varianceType": "PPV", "defectTypes": ["PRODUCT_COST_NOT_ACTIVE"]}]}
            context["matchingContext"] = matching
        items.append({"lineItemId": f"{invoice.number}-{position}", "unitCost": _cur(line.net_cost, market.currency),
                      "quantity": quantity, "totalAmount": _cur(total, market.currency), "lineItemContext": context,
                      "relatedItemIdentifiers": [{"relatedIdentifierName": "PURCHASE_ORDER_IDS",
                                                  "relatedIdentifierValue": [invoice.po.number]}]})
    return items


# ---- request handlers (called by FakeSpApi) --------------------------------------------------------------

class VendorEndpoints:
    """Route and answer vendor requests; `server` is the FakeSpApi (paging, errors, fault injection)."""

    def __init__(self, server, data: VendorFakeData):
        self.server = server
        self.data = data

    def route(self, method: str, path: str, body: bytes):
        parts = path.strip("/").split("/")
        if path == "/vendor/orders/v1/purchaseOrders":
            return "getPurchaseOrders", self.get_purchase_orders, ()
        if path == "/vendor/orders/v1/purchaseOrdersStatus":
            return "getPurchaseOrdersStatus", self.get_purchase_orders_status, ()
        if path == "/vendor/shipping/v1/shipments" and method == "GET":
            return "getShipmentDetails", self.get_shipment_details, ()
        if path == "/finances/invoices/2026-06-25/invoices":
            return "getInvoiceHeaders", self.get_invoice_headers, ()
        if parts[:4] == ["finances", "invoices", "2026-06-25", "invoices"] and len(parts) == 5:
            return "getInvoice", self.get_invoice, (parts[4],)
        if path == "/vendor/payments/v1/invoices" and method == "POST":
            return "submitInvoices", self.submit_invoices, (body,)
        if parts[:4] == ["vendor", "transactions", "v1", "transactions"] and len(parts) == 5:
            return "getTransaction", self.get_transaction, (parts[4],)
        return None

    @staticmethod
    def _error(status: int, code: str, message: str):
        from demo.fake_spapi.server import _ApiError

        return _ApiError(status, code, message)

    def _orders(self, seller: str) -> list[PurchaseOrder]:
        return [o for o in self.data.world.orders if o.marketplace.account_id == seller and o.created <= self.data.as_of]

    def _bounded(self, query: dict, after_key: str, before_key: str, limit: timedelta) -> tuple[datetime, datetime] | None:
        after, before = parse_iso(query.get(after_key)), parse_iso(query.get(before_key))
        if after is None and before is None:
            return None
        after, before = after or datetime.min, before or self.data.as_of
        if before - after > limit:
            raise self._error(400, "InvalidInput", f"{after_key} and {before_key} must be at most {limit.days} days apart")
        return after, before

    def get_purchase_orders(self, seller: str, query: dict, **_) -> dict:
        now = self.data.as_of
        changed = self._bounded(query, "changedAfter", "changedBefore", PO_WINDOW)
        created = self._bounded(query, "createdAfter", "createdBefore", PO_WINDOW)
        cancelled_only = query.get("poItemState") == "Cancelled"
        orders = []
        for po in sorted(self._orders(seller), key=lambda o: (_po_modified(o, now), o.number)):
            if changed and not changed[0] <= _po_modified(po, now) < changed[1]:
                continue
            if created and not created[0] <= po.created < created[1]:
                continue
            if cancelled_only and not (_visible(po.cancelled, now) and any(l.cancelled for l in po.lines)):
                continue
            orders.append(render_order(po, now, cancelled_only=cancelled_only))
        page, token = self.server._page("getPurchaseOrders", seller, query, "nextToken", orders,
                                        int(query.get("limit", 100)))
        return {"payload": {**({"pagination": {"nextToken": token}} if token else {}), "orders": page}}

    def get_purchase_orders_status(self, seller: str, query: dict, **_) -> dict:
        now = self.data.as_of
        updated = self._bounded(query, "updatedAfter", "updatedBefore", PO_WINDOW)
        statuses = [render_status(po, now) for po in sorted(self._orders(seller), key=lambda o: (_po_modified(o, now), o.number))
                    if not updated or updated[0] <= _po_modified(po, now) < updated[1]]
        page, token = self.server._page("getPurchaseOrdersStatus", seller, query, "nextToken", statuses,
                                        int(query.get("limit", 100)))
        return {"payload": {**({"pagination": {"nextToken": token}} if token else {}), "ordersStatus": page}}

    def get_shipment_details(self, seller: str, query: dict, **_) -> dict:
        now = self.data.as_of
        created = self._bounded(query, "createdAfter", "createdBefore", SHIPMENT_WINDOW)
        shipments = [
            render_shipment(po, now)
            for po in sorted(self._orders(seller), key=lambda o: (_shipment_created(o) or o.created, o.number))
            if (moment := _shipment_created(po)) is not None and moment <= now
            and (not created or created[0] <= moment < created[1])
        ]
        page, token = self.server._page("getShipmentDetails", seller, query, "nextToken", shipments,
                                        int(query.get("limit", 50)))
        return {"payload": {**({"pagination": {"nextToken": token}} if token else {}), "shipments": page}}

    def _invoices(self, seller: str, marketplace_id: str | None) -> list[Invoice]:
        if not marketplace_id:
            raise self._error(400, "InvalidInput", "marketplaceId is required")
        return [i for i in self.data.world.invoices if i.marketplace.account_id == seller
                and i.marketplace.marketplace_id == marketplace_id and i.issued <= self.data.as_of]

    def get_invoice_headers(self, seller: str, query: dict, **_) -> dict:
        now = self.data.as_of
        issued = self._bounded(query, "fromIssueDate", "toIssueDate", INVOICE_WINDOW)
        modified_after = parse_iso(query.get("invoicesModifiedAfter"))
        headers = [
            render_invoice_header(i, now, with_settlement=False)
            for i in sorted(self._invoices(seller, query.get("marketplaceId")), key=lambda i: (i.issued, i.number))
            if (not issued or issued[0] <= i.issued < issued[1])
            and (modified_after is None or _invoice_modified(i, now) > modified_after)
        ]
        page, token = self.server._page("getInvoiceHeaders", seller, query, "nextToken", headers, 100)
        return {"invoices": page, "numOfRecords": len(page), **({"nextToken": token} if token else {})}

    def get_invoice(self, seller: str, query: dict, identifier: str, **_) -> dict:
        invoice = next((i for i in self._invoices(seller, query.get("marketplaceId")) if i.identifier == identifier), None)
        if invoice is None:
            raise self._error(404, "NotFound", f"Invoice {identifier} not found")
        now = self.data.as_of
        items, token = self.server._page(f"getInvoice:{identifier}", seller, query, "nextTokenForLineItems",
                                         render_invoice_items(invoice, now), self.data.invoice_line_page_size)
        return {"invoiceHeader": render_invoice_header(invoice, now, with_settlement=True), "invoiceItems": items,
                **({"nextTokenForLineItems": token} if token else {})}

    def submit_invoices(self, seller: str, query: dict, body: bytes, **_) -> dict:
        try:
            document = json.loads(body or b"{}")
        except ValueError:
            raise self._error(400, "InvalidInput", "Request body is not JSON") from None
        invoices = document.get("invoices")
        if not isinstance(invoices, list) or not invoices:
            raise self._error(400, "InvalidInput", "invoices is required")
        errors = []
        for invoice in invoices:
            missing = [f for f in INVOICE_REQUIRED if f not in invoice]
            missing += [f"items[].{f}" for item in invoice.get("items") or [] for f in ITEM_REQUIRED if f not in item]
            if missing:
                # A malformed body is refused outright, as Amazon's schema validation does.
                raise self._error(400, "InvalidInput", f"invoice {invoice.get('id')}: missing {', '.join(missing)}")
            total = Decimal(invoice["invoiceTotal"]["amount"])
            lines = sum((Decimal(i["netCost"]["amount"]) * i["invoicedQuantity"]["amount"]
                         + sum((Decimal(t["taxAmount"]["amount"]) for t in i.get("taxDetails") or []), Decimal("0"))
                         for i in invoice.get("items") or []), Decimal("0"))
            if invoice.get("items") and money(lines) != total:
                errors.append({"code": "InvalidInvoiceTotal",
                               "message": f"invoice {invoice['id']}: total {total} differs from its items ({money(lines)})"})
        transaction_id = f"{self.data.as_of:%Y%m%d%H%M%S}-{secrets.token_hex(8)}"
        self.data.submissions[transaction_id] = Submission(seller, transaction_id, document, errors)
        return {"payload": {"transactionId": transaction_id}}

    def get_transaction(self, seller: str, query: dict, transaction_id: str, **_) -> dict:
        submission = self.data.submissions.get(transaction_id)
        if submission is None or submission.seller_id != seller:
            raise self._error(404, "NotFound", f"Transaction {transaction_id} not found")
        submission.checks += 1
        # The first check finds the transaction still processing, as Amazon's asynchronous processing does.
        status = "Processing" if submission.checks == 1 else ("Failure" if submission.errors else "Success")
        transaction = {"transactionId": transaction_id, "status": status}
        if status == "Failure":
            transaction["errors"] = submission.errors
        return {"payload": {"transactionStatus": transaction}}

