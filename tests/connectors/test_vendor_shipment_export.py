"""A Vendor Central shipment (ASN) spreadsheet dropped into the inbox: detected by its header, read by column name
(CSV or XLSX), archived, validated and loaded into raw.vendor_shipment_exports; bad rows quarantine the file."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from config.settings import Settings
from connectors.file_kinds import detect_kind
from connectors.loader import connect, load_inbox
from connectors.vendor.exports import SHIPMENT_EXPORT_KIND, parse_shipment_export

CSV = ("ASN;PO Number;ASIN;Vendor SKU;Shipped Quantity;Cartons;Ship Date;Estimated Delivery Date;Delivery Date;"
       "Shipment Status;Vendor Code;Ship To\n"
       "ASN-1;po123abc;B0ACME0001;ACME-KETTLE-1L;1.200;4;27.07.2026;29.07.2026;;Shipped;acmd1;FRA7\n"
       "ASN-1;PO123ABC;B0ACME0002;ACME-TEAPOT-06;24;1;27.07.2026;29.07.2026;29.07.2026;Delivered;ACMD1;FRA7\n")


def xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Shipments"
    sheet.append(["Shipment ID", "Purchase Order Number", "Quantity Shipped", "Shipped Date", "ETA"])
    sheet.append(["ASN-9", "PO9", 36, date(2026, 10, 11), date(2026, 10, 17)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_shipment_exports_are_read_by_column_name_in_csv_and_xlsx():
    assert detect_kind("anything.txt", CSV.encode()) == SHIPMENT_EXPORT_KIND
    assert detect_kind("x.xlsx", xlsx()) == SHIPMENT_EXPORT_KIND
    first, second = parse_shipment_export(CSV.encode())
    assert (first.shipment_id, first.purchase_order_number, first.shipped_quantity, first.carton_count) == (
        "ASN-1", "PO123ABC", 1200, 4)
    assert (first.ship_date, first.estimated_delivery_date, first.delivery_date, first.source_line) == (
        date(2026, 7, 27), date(2026, 7, 29), None, 2)
    assert (second.delivery_date, second.vendor_code, second.ship_to) == (date(2026, 7, 29), "ACMD1", "FRA7")
    (row,) = parse_shipment_export(xlsx())
    assert (row.shipment_id, row.shipped_quantity, row.ship_date, row.estimated_delivery_date, row.source_sheet) == (
        "ASN-9", 36, date(2026, 10, 11), date(2026, 10, 17), "Shipments")


def test_a_dropped_shipment_export_loads_and_a_bad_one_is_quarantined(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "shipments.csv").write_text(CSV, encoding="utf-8")
    (inbox / "shipments.xlsx").write_bytes(xlsx())
    (inbox / "bad.csv").write_text("ASN,PO Number,Shipped Quantity,Ship Date\nASN-2,PO2,twelve,2026-07-01\n",
                                   encoding="utf-8")
    settings = Settings(warehouse=tmp_path / "w.duckdb", archive_dir=tmp_path / "archive")
    report = load_inbox(settings, inbox)
    status = {f.file_name: (f.kind, f.status) for f in report.files}
    assert status == {"shipments.csv": (SHIPMENT_EXPORT_KIND, "loaded"), "shipments.xlsx": (SHIPMENT_EXPORT_KIND, "loaded"),
                      "bad.csv": (SHIPMENT_EXPORT_KIND, "quarantined")}
    con = connect(settings)
    try:
        assert con.execute("SELECT shipment_id, sum(shipped_quantity) FROM raw.vendor_shipment_exports "
                           "GROUP BY 1 ORDER BY 1").fetchall() == [("ASN-1", 1224), ("ASN-9", 36)]
        reasons = con.execute("SELECT count(*) FROM audit.validation_results WHERE kind = ? AND NOT success",
                              [SHIPMENT_EXPORT_KIND]).fetchone()[0]
        assert reasons >= 1
    finally:
        con.close()
