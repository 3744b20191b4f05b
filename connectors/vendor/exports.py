"""Pure parsers for Vendor Central's remittance (Payments), invoice and shipment exports, CSV or XLSX, by column name.

No authoritative column list is public, so each field is found through a list of header aliases compared after
normalising (lower case, letters and digits only): "Invoice #", "Invoice Number" and "invoice_number" are one column.
CSV values are text (decimal comma and day-first dates detected per file); XLSX cells arrive typed (dates,
numbers), and numbers are made exact through their shortest repr. A field that does not parse is None with its
text kept (`<field>_text`) for validation to name; a missing required column raises `ParseError`.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from connectors.parsing import (
    CENT,
    ParseError,
    decode_text,
    detect_day_first,
    detect_decimal_comma,
    parse_date,
    parse_money,
    physical_lines,
    sniff_delimiter,
)

REMITTANCE_KIND = "vendor_remittance"
INVOICE_EXPORT_KIND = "vendor_invoice_export"
SHIPMENT_EXPORT_KIND = "vendor_shipment_export"

_ALIASES: dict[str, tuple[str, ...]] = {
    "payment_number": ("paymentnumber", "paymentno", "paymentid", "paymentreference"),
    "payment_date": ("paymentdate", "paiddate"),
    "invoice_number": ("invoicenumber", "invoiceno", "invoice", "invoiceid"),
    "invoice_date": ("invoicedate",),
    "invoice_description": ("invoicedescription", "description"),
    "invoice_status": ("invoicestatus", "status"),
    "invoice_amount": ("invoiceamount", "invoicetotal"),
    "amount_paid": ("amountpaid", "paidamount", "netamountpaid"),
    "discount_taken": ("discounttaken", "discount", "quickpaydiscount"),
    "remaining_amount": ("remainingamount", "amountremaining", "balancedue"),
    "currency": ("invoicecurrency", "currency", "currencycode"),
    "vendor_code": ("vendorcode", "vendor"),
    "marketplace": ("marketplace", "marketplacename"),
    "purchase_order_number": ("ponumber", "po", "purchaseorder", "purchaseordernumber"),
    "due_date": ("duedate", "paymentduedate"),
    "payment_terms": ("paymentterms", "terms"),
    # Orders > Shipments export (ASNs)
    "shipment_id": ("shipmentid", "asn", "asnid", "asnnumber", "shipmentidentifier", "vendorshipmentidentifier"),
    "asin": ("asin",),
    "vendor_sku": ("vendorsku", "sku", "modelnumber", "vendorproductidentifier"),
    "shipped_quantity": ("shippedquantity", "quantityshipped", "shippedunits", "unitsshipped"),
    "carton_count": ("cartoncount", "cartons", "numberofcartons"),
    "ship_date": ("shipdate", "shippeddate"),
    "estimated_delivery_date": ("estimateddeliverydate", "estimateddelivery", "eta"),
    "delivery_date": ("deliverydate", "actualdeliverydate", "delivereddate"),
    "shipment_status": ("shipmentstatus", "asnstatus"),
    "ship_to": ("shipto", "shiptolocation", "fulfillmentcenter", "destinationfc"),
}
REMITTANCE_REQUIRED = ("payment_number", "invoice_number", "amount_paid", "currency")
INVOICE_REQUIRED = ("invoice_number", "invoice_status", "invoice_amount", "currency")
SHIPMENT_REQUIRED = ("shipment_id", "purchase_order_number", "shipped_quantity")
_MONEY = ("invoice_amount", "amount_paid", "discount_taken", "remaining_amount")
_DATES = ("payment_date", "invoice_date", "due_date", "ship_date", "estimated_delivery_date", "delivery_date")


@dataclass(frozen=True)
class VendorRemittance:
    payment_number: str | None
    payment_date: date | None
    invoice_number: str | None
    invoice_date: date | None
    invoice_description: str | None
    invoice_amount: Decimal | None
    amount_paid: Decimal | None
    discount_taken: Decimal | None
    remaining_amount: Decimal | None
    currency: str | None
    vendor_code: str | None
    marketplace: str | None
    purchase_order_number: str | None
    source_sheet: str | None
    source_line: int
    payment_date_text: str
    invoice_date_text: str
    invoice_amount_text: str
    amount_paid_text: str
    discount_taken_text: str


@dataclass(frozen=True)
class VendorCentralInvoice:
    invoice_number: str | None
    invoice_date: date | None
    invoice_status: str | None
    purchase_order_number: str | None
    vendor_code: str | None
    marketplace: str | None
    invoice_amount: Decimal | None
    amount_paid: Decimal | None
    currency: str | None
    due_date: date | None
    payment_terms: str | None
    source_sheet: str | None
    source_line: int
    invoice_date_text: str
    invoice_amount_text: str
    amount_paid_text: str
    due_date_text: str


@dataclass(frozen=True)
class VendorShipmentRow:
    shipment_id: str | None
    purchase_order_number: str | None
    asin: str | None
    vendor_sku: str | None
    shipped_quantity: int | None
    carton_count: int | None
    ship_date: date | None
    estimated_delivery_date: date | None
    delivery_date: date | None
    shipment_status: str | None
    vendor_code: str | None
    ship_to: str | None
    source_sheet: str | None
    source_line: int
    shipped_quantity_text: str
    ship_date_text: str


@dataclass(frozen=True)
class _Sheet:
    name: str | None                        # XLSX sheet; None for CSV
    fields: dict[str, int]                  # field → column index
    rows: list[tuple[int, list[object]]]    # (1-based line / row number, values)


def _normalise(header: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def _fields_of(headers: list[object]) -> dict[str, int]:
    normalised = [_normalise(h) for h in headers]
    found = {}
    for field, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in normalised:
                found[field] = normalised.index(alias)
                break
    return found


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def _read(data: bytes) -> _Sheet:
    if is_xlsx(data):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
        if not rows:
            raise ParseError(1, "the workbook's first sheet is empty")
        return _Sheet(sheet.title, _fields_of(rows[0][1]), [r for r in rows[1:] if any(v not in (None, "") for v in r[1])])
    lines = physical_lines(decode_text(data))
    reader = csv.reader((line + "\n" for line in lines), delimiter=sniff_delimiter(lines))
    headers = next(reader, [])
    rows = []
    start = reader.line_num + 1
    for values in reader:
        if any(v.strip() for v in values):
            if len(values) != len(headers):
                raise ParseError(start, f"row has {len(values)} fields, the header has {len(headers)}")
            rows.append((start, list(values)))
        start = reader.line_num + 1
    return _Sheet(None, _fields_of(headers), rows)


def header_fields(data: bytes) -> set[str]:
    """The fields a file's header row names (empty when it is not a readable table)."""
    try:
        return set(_read_header(data))
    except (ParseError, ValueError, KeyError, zipfile.BadZipFile):
        return set()


def _read_header(data: bytes) -> dict[str, int]:
    if is_xlsx(data):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        book.close()
        return _fields_of(list(first))
    lines = physical_lines(decode_text(data[: 64 * 1024]))
    return _fields_of(next(csv.reader([lines[0]], delimiter=sniff_delimiter(lines)), []))


def export_kind(data: bytes) -> str | None:
    """`vendor_remittance`, `vendor_invoice_export` or None, from the header row."""
    fields = header_fields(data)
    if set(REMITTANCE_REQUIRED) <= fields:
        return REMITTANCE_KIND
    if set(INVOICE_REQUIRED) <= fields and "payment_number" not in fields:
        return INVOICE_EXPORT_KIND
    if set(SHIPMENT_REQUIRED) <= fields:
        return SHIPMENT_EXPORT_KIND
    return None


class _Values:
    """Typed access to one sheet's cells, with the per-file conventions of CSV text decided once."""

    def __init__(self, sheet: _Sheet):
        self.sheet = sheet
        texts = lambda field: [self.text(r, field) for _, r in sheet.rows]  # noqa: E731
        currency = next((self.text(r, "currency") for _, r in sheet.rows if self.text(r, "currency")), None)
        self.decimal_comma = detect_decimal_comma((t for f in _MONEY for t in texts(f)), currency)
        self.day_first = detect_day_first((t for f in _DATES for t in texts(f)), self.decimal_comma)

    def raw(self, row: list[object], field: str) -> object:
        index = self.sheet.fields.get(field)
        return None if index is None or index >= len(row) else row[index]

    def text(self, row: list[object], field: str) -> str:
        value = self.raw(row, field)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer() and field not in _MONEY:
            return str(int(value))
        if isinstance(value, datetime):
            return value.date().isoformat()
        return str(value).strip()

    def optional(self, row: list[object], field: str) -> str | None:
        return self.text(row, field) or None

    def money(self, row: list[object], field: str) -> Decimal | None:
        value = self.raw(row, field)
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return Decimal(repr(value)).quantize(CENT)
        text = re.sub(r"^[^\d+\-(]*|[^\d)]*$", "", self.text(row, field))  # currency symbols and codes
        negative = text.startswith("(") and text.endswith(")")
        amount = parse_money(text.strip("()"), self.decimal_comma)
        return -amount if amount is not None and negative else amount

    def day(self, row: list[object], field: str) -> date | None:
        value = self.raw(row, field)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return parse_date(self.text(row, field), self.day_first)

    def count(self, row: list[object], field: str) -> int | None:
        value = self.raw(row, field)
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return int(value) if float(value).is_integer() else None
        text = self.text(row, field).replace(",", "").replace(".", "") if self.text(row, field).isascii() else ""
        return int(text) if text.isdigit() else None

    def code(self, row: list[object], field: str) -> str | None:
        value = self.text(row, field)
        return value.upper() if value else None


def _sheet_with(data: bytes, required: tuple[str, ...], what: str) -> _Sheet:
    sheet = _read(data)
    missing = [f for f in required if f not in sheet.fields]
    if missing:
        raise ParseError(1, f"{what} header lacks column(s): {', '.join(missing)}")
    return sheet


def parse_remittance(data: bytes) -> list[VendorRemittance]:
    """Rows of a Vendor Central remittance export, deductions included, exactly as exported."""
    sheet = _sheet_with(data, REMITTANCE_REQUIRED, "vendor remittance")
    v = _Values(sheet)
    return [
        VendorRemittance(
            payment_number=v.optional(row, "payment_number"),
            payment_date=v.day(row, "payment_date"),
            invoice_number=v.optional(row, "invoice_number"),
            invoice_date=v.day(row, "invoice_date"),
            invoice_description=v.optional(row, "invoice_description"),
            invoice_amount=v.money(row, "invoice_amount"),
            amount_paid=v.money(row, "amount_paid"),
            discount_taken=v.money(row, "discount_taken"),
            remaining_amount=v.money(row, "remaining_amount"),
            currency=v.code(row, "currency"),
            vendor_code=v.optional(row, "vendor_code"),
            marketplace=v.optional(row, "marketplace"),
            purchase_order_number=v.optional(row, "purchase_order_number"),
            source_sheet=sheet.name,
            source_line=line,
            payment_date_text=v.text(row, "payment_date"),
            invoice_date_text=v.text(row, "invoice_date"),
            invoice_amount_text=v.text(row, "invoice_amount"),
            amount_paid_text=v.text(row, "amount_paid"),
            discount_taken_text=v.text(row, "discount_taken"),
        )
        for line, row in sheet.rows
    ]


def parse_invoice_export(data: bytes) -> list[VendorCentralInvoice]:
    """Rows of a Vendor Central invoice export."""
    sheet = _sheet_with(data, INVOICE_REQUIRED, "vendor invoice export")
    v = _Values(sheet)
    return [
        VendorCentralInvoice(
            invoice_number=v.optional(row, "invoice_number"),
            invoice_date=v.day(row, "invoice_date"),
            invoice_status=v.optional(row, "invoice_status"),
            purchase_order_number=v.optional(row, "purchase_order_number"),
            vendor_code=v.optional(row, "vendor_code"),
            marketplace=v.optional(row, "marketplace"),
            invoice_amount=v.money(row, "invoice_amount"),
            amount_paid=v.money(row, "amount_paid"),
            currency=v.code(row, "currency"),
            due_date=v.day(row, "due_date"),
            payment_terms=v.optional(row, "payment_terms"),
            source_sheet=sheet.name,
            source_line=line,
            invoice_date_text=v.text(row, "invoice_date"),
            invoice_amount_text=v.text(row, "invoice_amount"),
            amount_paid_text=v.text(row, "amount_paid"),
            due_date_text=v.text(row, "due_date"),
        )
        for line, row in sheet.rows
    ]


def parse_shipment_export(data: bytes) -> list[VendorShipmentRow]:
    """Rows of a Vendor Central shipment (ASN) export: one per shipment and PO item, as exported."""
    sheet = _sheet_with(data, SHIPMENT_REQUIRED, "vendor shipment export")
    v = _Values(sheet)
    return [
        VendorShipmentRow(
            shipment_id=v.optional(row, "shipment_id"),
            purchase_order_number=v.code(row, "purchase_order_number"),
            asin=v.code(row, "asin"),
            vendor_sku=v.optional(row, "vendor_sku"),
            shipped_quantity=v.count(row, "shipped_quantity"),
            carton_count=v.count(row, "carton_count"),
            ship_date=v.day(row, "ship_date"),
            estimated_delivery_date=v.day(row, "estimated_delivery_date"),
            delivery_date=v.day(row, "delivery_date"),
            shipment_status=v.optional(row, "shipment_status"),
            vendor_code=v.code(row, "vendor_code"),
            ship_to=v.code(row, "ship_to"),
            source_sheet=sheet.name,
            source_line=line,
            shipped_quantity_text=v.text(row, "shipped_quantity"),
            ship_date_text=v.text(row, "ship_date"),
        )
        for line, row in sheet.rows
    ]
