"""What kind of input a file is, decided from its content (the header row), never from its name."""
from __future__ import annotations

import json

from connectors.csv_inputs import BANK_COLUMNS, FX_RATE_COLUMNS, SKU_MAP_COLUMNS, STORE_COLUMNS
from connectors.parsing import ParseError, decode_text, physical_lines, sniff_delimiter
from connectors.seller_reports import KINDS as SELLER_REPORT_KINDS
from connectors.seller_reports import kind_of as seller_report_kind
from connectors.settlement_flatfile import report_format_of
from connectors.vendor.exports import INVOICE_EXPORT_KIND, REMITTANCE_KIND, export_kind, is_xlsx
from connectors.vendor.invoice_submissions import SUBMISSION_KIND, is_submission

KINDS = ("settlement_v2", "settlement_v1", *SELLER_REPORT_KINDS, "bank_statement", "store_config", "sku_map",
         "fx_rates", REMITTANCE_KIND, INVOICE_EXPORT_KIND, SUBMISSION_KIND, "unknown")

_CSV_KINDS = {
    "bank_statement": BANK_COLUMNS,
    "store_config": STORE_COLUMNS,
    "sku_map": SKU_MAP_COLUMNS,
    "fx_rates": FX_RATE_COLUMNS,
}
# Enough bytes to hold any header row we read.
_HEAD_BYTES = 64 * 1024


def _header_columns(data: bytes) -> list[str]:
    try:
        lines = physical_lines(decode_text(data[:_HEAD_BYTES]))
    except ParseError:
        return []
    return [name.strip().strip('"').lower() for name in lines[0].split(sniff_delimiter(lines))]


def detect_kind(file_name: str, data: bytes) -> str:
    """One of KINDS. `file_name` is not consulted: a renamed file is still what its header says."""
    if is_submission(data):
        return SUBMISSION_KIND
    columns = _header_columns(data)
    settlement_format = report_format_of(columns)
    if settlement_format:
        return f"settlement_{settlement_format}"
    if report_kind := seller_report_kind(columns):
        return report_kind
    for kind, required in _CSV_KINDS.items():
        if set(required) <= set(columns):
            return kind
    # Vendor Central exports: CSV or XLSX (a zip holding xl/workbook.xml), told apart by their header row.
    return export_kind(data) or "unknown"


# Top-level keys of SP-API responses (under `payload` where the API wraps them) -> the operation.
_SP_API_OPERATIONS = {
    "FinancialEvents": "listFinancialEvents / listFinancialEventsByGroupId / listFinancialEventsByOrderId",
    "FinancialEventGroupList": "listFinancialEventGroups",
    "transactions": "Finances 2024-06-19 listTransactions",
    "balances": "Finances 2024-06-19 listBalances",
    "summaries": "Finances 2024-06-19 listSummary",
    "invoices": "Finances Invoices getInvoiceHeaders",
    "invoiceHeader": "Finances Invoices getInvoice",
    "orders": "Vendor Orders getPurchaseOrders",
    "ordersStatus": "Vendor Orders getPurchaseOrdersStatus",
    "purchaseOrderNumber": "Vendor Orders getPurchaseOrder",
    "transactionId": "a vendor submission acknowledgement",
    "reports": "Reports getReports",
    "reportDocumentId": "Reports getReportDocument",
    "reportId": "Reports getReport / createReport",
}
_NOT_YET = "ACORN does not read this kind of file yet"
_KNOWN = ("a settlement flat file (V2 or V1), an FBA reimbursements, FBA customer returns or returns report, "
          "bank_statement.csv, stores.csv, sku_map.csv, fx_rates.csv or a Vendor "
          "Central remittance or invoice export (CSV or XLSX)")


def describe_unknown(file_name: str, data: bytes) -> str:
    """A message telling the user what an unknown file seems to be, and what ACORN reads instead."""
    if not data.strip():
        return f"{file_name}: empty file"
    if data.startswith(b"\x1f\x8b"):
        return f"{file_name}: gzip-compressed file — decompress it first (SP-API report documents may come gzipped)"
    if is_xlsx(data):
        return f"{file_name}: Excel workbook whose first row is not a Vendor Central remittance or invoice export header"
    if data.startswith(b"PK\x03\x04"):
        return f"{file_name}: ZIP archive or Excel workbook — export it as CSV or tab-separated text"
    if data.startswith(b"%PDF"):
        return f"{file_name}: PDF document — {_NOT_YET}"
    try:
        text = decode_text(data)
    except ParseError:
        return f"{file_name}: binary file — ACORN reads only text files: {_KNOWN}"
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return f"{file_name}: {_describe_json(stripped)} — {_NOT_YET}"
    if stripped.startswith("<") and "SettlementReport" in stripped[:_HEAD_BYTES]:
        return f"{file_name}: XML settlement report (deprecated) — ACORN reads the V2 settlement flat file instead"
    header = physical_lines(stripped)[0][:120]
    return f"{file_name}: unrecognised text file (header {header!r}) — ACORN reads {_KNOWN}"


def _describe_json(text: str) -> str:
    try:
        document = json.loads(text)
    except ValueError:
        return "malformed JSON"
    if isinstance(document, dict):
        # Sandbox examples hold {request, response}; APIs wrap most results in `payload`.
        body = document.get("response", document)
        if isinstance(body, dict):
            body = body.get("payload", body)
        if isinstance(body, dict):
            for key, operation in _SP_API_OPERATIONS.items():
                if key in body:
                    return f"SP-API JSON response ({operation})"
    return "JSON document that is not a known SP-API response"
