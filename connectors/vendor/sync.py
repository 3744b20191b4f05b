"""Vendor extraction for one account: purchase orders, their status and Finances invoices.

The sources are described to one `connectors.spapi.engine.SyncEngine` (pacing per operation, retries, cursors in
`audit.sync_cursors`, one `audit.sync_log` row per window, every page archived by SHA-256, each window written in
one transaction with its cursor so a failed run resumes without gaps or duplicates).

Sources (scope '*'):
- `vendor_purchase_orders`: getPurchaseOrders in 7-day `changedAfter`/`changedBefore` windows (includeDetails), then
  the same window with `poItemState=Cancelled` to mark cancelled items. A PO whose changed/state date moved is a
  new version; an unchanged one is ignored (INSERT OR IGNORE), so history is never overwritten.
- `vendor_purchase_orders_status`: getPurchaseOrdersStatus in 7-day `updatedAfter`/`updatedBefore` windows.
- `vendor_invoices:<marketplace id>`: getInvoiceHeaders in ≤90-day issue-date windows over `invoice_lookback`,
  with `invoicesModifiedAfter` = the cursor (the previous run's start), then getInvoice per header (line pages
  followed). Amazon has no modified-before filter, so the cursor moves only when every window of a run is written.
- `vendor_shipments`: vendorShipments getShipmentDetails in 7-day `createdAfter`/`createdBefore` windows. A shipment
  keeps changing after it is created (shipped, then delivered), so the cursor stays `SHIPMENT_REREAD` behind now:
  recent shipments are read again each run and a changed one adds a version (INSERT OR IGNORE).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from connectors.spapi.cursors import API_DELAY, Window, plan_windows
from connectors.spapi.engine import Listing, SourceResult, SyncEngine, SyncOptions
from connectors.spapi.money import iso_z
from connectors.spapi.retry import CallStats
from connectors.vendor import flatten
from connectors.vendor.clients import VendorClients
from connectors.vendor.config import VendorConfig
from connectors.vendor.schema import create_statements
from connectors.warehouse_writer import write_rows

PURCHASE_ORDERS = "vendor_purchase_orders"
PURCHASE_ORDER_STATUS = "vendor_purchase_orders_status"
INVOICES = "vendor_invoices"
SHIPMENTS = "vendor_shipments"

# Every vendor listing sends `nextToken` back beside the same arguments; getInvoice pages its line items on
# `nextTokenForLineItems` (the adapter's client reports it as the response's next token).
GET_PURCHASE_ORDERS = Listing("getPurchaseOrders")
GET_PURCHASE_ORDERS_STATUS = Listing("getPurchaseOrdersStatus")
GET_INVOICE_HEADERS = Listing("getInvoiceHeaders")
GET_INVOICE = Listing("getInvoice", token_param="nextTokenForLineItems")
GET_SHIPMENT_DETAILS = Listing("getShipmentDetails")
PO_WINDOW = timedelta(days=7)
SHIPMENT_WINDOW = timedelta(days=7)
# An ASN is usually delivered within a few weeks of its creation; until then its versions must be re-read.
SHIPMENT_REREAD = timedelta(days=30)
INVOICE_WINDOW = timedelta(days=90)


class VendorSync:
    """The vendor account's sources, described to one `SyncEngine`."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, clients: VendorClients, options: SyncOptions,
                 config: VendorConfig, invoice_lookback: timedelta = timedelta(days=365)):
        for statement in create_statements():
            conn.execute(statement)
        self.conn = conn
        self.clients = clients
        self.account = clients.account
        self.options = options
        self.config = config
        self.invoice_lookback = invoice_lookback
        self.engine = SyncEngine(conn, clients.account, options, clients.refresh_access_token)
        self.record_config()

    def record_config(self) -> None:
        """The account's vendor codes, parties and tax registrations as configured now (the compliance rules
        read them from the warehouse)."""
        rows = [{"account_id": v.account_id, "vendor_code": v.vendor_code, "marketplace_id": v.marketplace_id,
                 "legal_name": v.legal_name, "remit_to_party_id": v.remit_to_party_id,
                 "bill_to_party_id": v.bill_to_party_id, "tax_registration_type": v.tax_registration_type,
                 "tax_registration_number": v.tax_registration_number, "recorded_at": self.options.now()}
                for v in self.config.vendors if v.account_id == self.account.account_id]
        write_rows(self.conn, "raw.vendor_config_parties", rows, on_conflict="replace")

    @property
    def run_id(self) -> str:
        return self.engine.run_id

    def run_vendor(self) -> dict[str, SourceResult]:
        results = {PURCHASE_ORDERS: self.sync_purchase_orders(), PURCHASE_ORDER_STATUS: self.sync_purchase_order_status(),
                   SHIPMENTS: self.sync_shipments()}
        for store in self.account.stores:
            results[f"{INVOICES}:{store.marketplace_id}"] = self.sync_invoices(store.marketplace_id)
        return results

    # ---- purchase orders ----------------------------------------------------------------------------------

    def sync_purchase_orders(self) -> SourceResult:
        orders = self.clients.orders
        marketplaces = self.config.marketplaces_of(self.account.account_id)

        def fetch(window: Window, stats: CallStats) -> list[tuple[bool, dict]]:
            pages = []
            for cancelled in (False, True):
                listing = self.engine.pages(
                    GET_PURCHASE_ORDERS, orders.get_purchase_orders, stats, limit=self.options.page_size,
                    includeDetails="true", sortOrder="ASC", changedAfter=iso_z(window.start),
                    changedBefore=iso_z(window.end), **({"poItemState": "Cancelled"} if cancelled else {}))
                pages += [(cancelled, page) for page in listing]
            return pages

        def write(window: Window, pages: list[tuple[bool, dict]]) -> int:
            rows = 0
            for cancelled, page in pages:
                versions, items = flatten.flatten_purchase_orders(
                    page, account_id=self.account.account_id, page_sha256=self.engine.archive(page),
                    fetched_at=self.options.now(), marketplaces=marketplaces, cancelled_items=cancelled)
                rows += write_rows(self.conn, "raw.vendor_purchase_orders", versions, on_conflict="ignore")
                if cancelled:
                    rows += self._mark_cancelled(items)
                else:
                    rows += write_rows(self.conn, "raw.vendor_purchase_order_items", items, on_conflict="ignore")
            return rows

        return self.engine.run(PURCHASE_ORDERS, self.engine.windows(PURCHASE_ORDERS, PO_WINDOW), fetch, write,
                               lambda window: window.end)

    def _mark_cancelled(self, items: list[dict]) -> int:
        for item in items:
            updated = self.conn.execute(
                "UPDATE raw.vendor_purchase_order_items SET item_state = 'Cancelled' WHERE account_id = ? AND "
                "purchase_order_number = ? AND version_id = ? AND item_sequence_number = ? RETURNING 1",
                [item["account_id"], item["purchase_order_number"], item["version_id"], item["item_sequence_number"]],
            ).fetchall()
            if not updated:
                write_rows(self.conn, "raw.vendor_purchase_order_items", [item], on_conflict="ignore")
        return len(items)

    def sync_purchase_order_status(self) -> SourceResult:
        orders = self.clients.orders

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            return self.engine.pages(
                GET_PURCHASE_ORDERS_STATUS, orders.get_purchase_orders_status, stats, limit=self.options.page_size,
                sortOrder="ASC", updatedAfter=iso_z(window.start), updatedBefore=iso_z(window.end))

        def write(window: Window, pages: list[dict]) -> int:
            rows = 0
            for page in pages:
                status = flatten.flatten_purchase_order_status(
                    page, account_id=self.account.account_id, page_sha256=self.engine.archive(page),
                    fetched_at=self.options.now())
                rows += write_rows(self.conn, "raw.vendor_purchase_order_status", status, on_conflict="ignore")
            return rows

        return self.engine.run(PURCHASE_ORDER_STATUS, self.engine.windows(PURCHASE_ORDER_STATUS, PO_WINDOW),
                               fetch, write, lambda window: window.end)

    # ---- shipments (ASNs) ------------------------------------------------------------------------------------

    def sync_shipments(self) -> SourceResult:
        shipments = self.clients.shipments

        def fetch(window: Window, stats: CallStats) -> list[dict]:
            return self.engine.pages(
                GET_SHIPMENT_DETAILS, shipments.get_shipment_details, stats, limit=self.options.page_size,
                sortOrder="ASC", createdAfter=iso_z(window.start), createdBefore=iso_z(window.end))

        def write(window: Window, pages: list[dict]) -> int:
            rows = 0
            for page in pages:
                versions, items = flatten.flatten_shipments(
                    page, account_id=self.account.account_id, page_sha256=self.engine.archive(page),
                    fetched_at=self.options.now())
                rows += write_rows(self.conn, "raw.vendor_shipments", versions, on_conflict="ignore")
                rows += write_rows(self.conn, "raw.vendor_shipment_items", items, on_conflict="ignore")
            return rows

        windows = self.engine.windows(SHIPMENTS, SHIPMENT_WINDOW)

        def next_cursor(window: Window) -> datetime:
            # Never behind where this run started, never closer to now than the re-read span.
            return max(windows[0].start, min(window.end, self.options.now() - SHIPMENT_REREAD))

        return self.engine.run(SHIPMENTS, windows, fetch, write, next_cursor)

    # ---- Finances invoices ----------------------------------------------------------------------------------

    def sync_invoices(self, marketplace_id: str) -> SourceResult:
        source = f"{INVOICES}:{marketplace_id}"
        invoices_api = self.clients.finances_invoices
        run_started = self.options.now() - API_DELAY
        lookback_start = run_started - self.invoice_lookback
        modified_after = self.engine.cursor(source) or lookback_start
        windows = plan_windows(lookback_start, run_started, INVOICE_WINDOW)

        def fetch(window: Window, stats: CallStats) -> list[tuple[str, dict]]:
            headers = self.engine.pages(
                GET_INVOICE_HEADERS, invoices_api.get_invoice_headers, stats, marketplaceId=marketplace_id,
                fromIssueDate=iso_z(window.start), toIssueDate=iso_z(window.end),
                invoicesModifiedAfter=iso_z(modified_after))
            pages = [("headers", page) for page in headers]
            for page in headers:
                for header in page.get("invoices") or []:
                    invoice = self.engine.pages(GET_INVOICE, invoices_api.get_invoice, stats,
                                                invoice_identifier=header["invoiceIdentifier"],
                                                marketplaceId=marketplace_id)
                    pages += [("invoice", p) for p in invoice]
            return pages

        def write(window: Window, pages: list[tuple[str, dict]]) -> int:
            rows, next_line = 0, {}
            for kind, page in pages:
                sha, now = self.engine.archive(page), self.options.now()
                if kind == "headers":
                    invoices, related = flatten.flatten_invoice_headers(
                        page, account_id=self.account.account_id, marketplace_id=marketplace_id, page_sha256=sha,
                        fetched_at=now)
                    # A header already fetched through getInvoice carries more (settlement breakdowns): keep it.
                    rows += write_rows(self.conn, "raw.vendor_invoices", invoices, on_conflict="ignore")
                    rows += write_rows(self.conn, "raw.vendor_invoice_related_ids", related, on_conflict="replace")
                    continue
                identifier = page["invoiceHeader"]["invoiceIdentifier"]
                tables = flatten.flatten_invoice(
                    page, account_id=self.account.account_id, marketplace_id=marketplace_id, page_sha256=sha,
                    fetched_at=now, first_line_index=next_line.get(identifier, 1))
                next_line[identifier] = next_line.get(identifier, 1) + len(tables["raw.vendor_invoice_lines"])
                for table, table_rows in tables.items():
                    rows += write_rows(self.conn, table, table_rows, on_conflict="replace")
            return rows

        def next_cursor(window: Window) -> datetime:
            # Only the run's last window may move the modified-after mark; earlier ones keep the old one.
            return run_started if window == windows[-1] else modified_after

        return self.engine.run(source, windows, fetch, write, next_cursor)
