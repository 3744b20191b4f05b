"""Vendor Central exports rendered from the vendor world: remittance (payments) and invoice spreadsheets.

US and CA are CSV (US: `MM/DD/YYYY` dates and `1,234.56` amounts; CA: ISO dates, plain amounts); DE is an XLSX
workbook with date and numeric cells, as Vendor Central's "Export to a Spreadsheet" gives.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from demo.generator.vendor.world import Invoice, RemittanceRow, VendorMarketplace, VendorWorld

REMITTANCE_COLUMNS = ("Payment Number", "Payment Date", "Invoice Number", "Invoice Date", "Invoice Description",
                      "Invoice Amount", "Amount Paid", "Discount Taken", "Remaining Amount", "Invoice Currency",
                      "Vendor Code", "Marketplace", "PO Number")
INVOICE_COLUMNS = ("Invoice Number", "Invoice Date", "Invoice Status", "PO Number", "Vendor Code", "Marketplace",
                   "Invoice Amount", "Amount Paid", "Currency", "Due Date", "Payment Terms")


def remittance_values(market: VendorMarketplace, row: RemittanceRow) -> list[object]:
    return [row.payment_number, row.payment_date, row.invoice_number, row.invoice_date, row.description,
            row.invoice_amount, row.amount_paid, row.discount_taken, Decimal("0.00"), market.currency,
            market.vendor_code, market.marketplace_name, row.purchase_order_number]


def invoice_values(world: VendorWorld, invoice: Invoice) -> list[object]:
    paid = invoice.paid is not None and invoice.paid <= world.as_of
    market = invoice.marketplace
    return [invoice.number, invoice.issued.date(), "Paid" if paid else "Pending", invoice.po.number,
            market.vendor_code, market.marketplace_name, invoice.amount,
            invoice.amount - invoice.discount if paid else Decimal("0.00"), market.currency, invoice.due.date(),
            market.terms]


def render(market: VendorMarketplace, columns: tuple[str, ...], rows: list[list[object]]) -> bytes:
    return _xlsx(columns, rows) if market.export_format == "xlsx" else _csv(market, columns, rows)


def _csv(market: VendorMarketplace, columns: tuple[str, ...], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(market, value) for value in row])
    return out.getvalue().encode("utf-8")


def _text(market: VendorMarketplace, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(market.date_format)
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if market.key == "us" else f"{value:.2f}"
    return str(value)


def _xlsx(columns: tuple[str, ...], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append(list(columns))
    for row in rows:
        # Excel has no decimal type: amounts become numeric cells (2-decimal floats), as in Amazon's export.
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    book.save(out)
    return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and the zip entries; pin both for determinism."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()
