"""What kind of input a file is, decided from its content (the header row), never from its name."""
from __future__ import annotations

import json

from connectors.alert_states import ALERT_STATE_COLUMNS, ALERT_STATES_KIND, is_alert_states_jsonl
from connectors.csv_inputs import BANK_COLUMNS, FX_RATE_COLUMNS, SKU_MAP_COLUMNS, STORE_COLUMNS
from connectors.parsing import ParseError, decode_text, header_index, looks_binary, physical_lines, sniff_delimiter
from connectors.period_close import PERIOD_CLOSE_KIND, is_close_record
from connectors.purchases import REQUIRED_COLUMNS as PURCHASE_COLUMNS
from connectors.seller_reports import KINDS as SELLER_REPORT_KINDS
from connectors.seller_reports import kind_of as seller_report_kind
from connectors.settlement_flatfile import V1_COLUMNS, V2_COLUMNS, report_format_of
from connectors.vendor.exports import INVOICE_EXPORT_KIND, REMITTANCE_KIND, SHIPMENT_EXPORT_KIND, export_kind, is_xlsx
from connectors.vendor.invoice_submissions import SUBMISSION_KIND, is_submission

KINDS = ("settlement_v2", "settlement_v1", *SELLER_REPORT_KINDS, "bank_statement", "store_config", "sku_map", "fx_rates", "purchases",
         REMITTANCE_KIND, INVOICE_EXPORT_KIND, SHIPMENT_EXPORT_KIND, SUBMISSION_KIND, PERIOD_CLOSE_KIND, ALERT_STATES_KIND, "unknown")

_CSV_KINDS = {
    "bank_statement": BANK_COLUMNS,
    "store_config": STORE_COLUMNS,
    "sku_map": SKU_MAP_COLUMNS,
    "fx_rates": FX_RATE_COLUMNS,
    # purchases.csv shares internal_sku with sku_map.csv but no seller_sku; its other columns tell it apart.
    "purchases": PURCHASE_COLUMNS,
    ALERT_STATES_KIND: ALERT_STATE_COLUMNS,
}
# Enough bytes to hold any header row we read.
_HEAD_BYTES = 64 * 1024


def _header_columns(data: bytes) -> list[str]:
    try:
        lines = physical_lines(decode_text(data[:_HEAD_BYTES]))
    except ParseError:
        return []
    lines = lines[header_index(lines):]
    return [name.strip().strip('"').lower() for name in lines[0].split(sniff_delimiter(lines))]


def detect_kind(file_name: str, data: bytes) -> str:
    """One of KINDS. `file_name` is not consulted: a renamed file is still what its header says."""
    if is_submission(data):
        return SUBMISSION_KIND
    if is_close_record(data):
        return PERIOD_CLOSE_KIND
    if is_alert_states_jsonl(data):
        return ALERT_STATES_KIND
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
          "bank_statement.csv, stores.csv, sku_map.csv, fx_rates.csv, purchases.csv or a Vendor Central remittance, "
          "invoice or shipment export (CSV or XLSX)")


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
    if looks_binary(data):
        return f"{file_name}: binary file (control characters, not text) — ACORN reads only text files: {_KNOWN}"
    stripped = text.lstrip()
    if not stripped:
        return f"{file_name}: empty file (no header, no rows)"
    if stripped.startswith(("{", "[")):
        return f"{file_name}: {_describe_json(stripped)} — {_NOT_YET}"
    if stripped.startswith("<") and "SettlementReport" in stripped[:_HEAD_BYTES]:
        return f"{file_name}: XML settlement report (deprecated) — ACORN reads the V2 settlement flat file instead"
    header = physical_lines(stripped)[0]
    if missing := _missing_columns(header):
        return f"{file_name}: {missing}"
    if "\ufffd" in text[:_HEAD_BYTES] or _mojibake(text[:_HEAD_BYTES]):
        return (f"{file_name}: text in an encoding ACORN cannot read (header {header[:120]!r}) — save it as UTF-8, "
                "UTF-16 with BOM or Windows-1252")
    return f"{file_name}: unrecognised text file (header {header[:120]!r}) — ACORN reads {_KNOWN}"


def _missing_columns(header: str) -> str | None:
    """For a header that is most of a known kind's: which required columns it lacks."""
    columns = {name.strip().strip('"').lower() for name in header.split(sniff_delimiter([header]))}
    candidates = {"V2 settlement flat file": V2_COLUMNS, "V1 settlement flat file": V1_COLUMNS, **_CSV_KINDS}
    best, required = max(candidates.items(), key=lambda item: len(columns & set(item[1])) / len(item[1]))
    found = columns & set(required)
    if len(found) < max(2, len(required) // 2):
        return None
    lacking = [c for c in required if c not in columns]
    return f"{best} header lacks required column(s): {', '.join(lacking)}" if lacking else None


def _mojibake(text: str) -> bool:
    # A header decoded in the wrong code page is mostly letters outside ASCII.
    header = physical_lines(text)[0]
    return bool(header) and sum(not c.isascii() for c in header) > len(header) // 3


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
