"""A warehouse holding `marts.fct_alerts` with the issue-11 contract columns, built by hand for the notifier and the
Money-at-risk page; and local servers (HTTP, SMTP with STARTTLS) that record what the notifier sends them."""
from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb

from connectors.warehouse_schema import create_statements

ALERTS_DDL = """create table marts.fct_alerts (
    alert_id varchar, domain varchar, alert_type varchar, severity varchar, account_id varchar,
    marketplace_id varchar, marketplace_name varchar, vendor_code varchar, purchase_order_number varchar,
    invoice_number varchar, deduction_id varchar, amount decimal(18,2), currency varchar, raised_on date,
    as_of_date date, message varchar, store_id varchar, subject varchar, evidence varchar,
    first_seen_at timestamp, message_zh varchar, next_step_zh varchar, next_step_en varchar, state varchar)"""


def alert(alert_id: str, **values: Any) -> dict[str, Any]:
    return {"alert_id": alert_id, "domain": "seller", "alert_type": "daily_net_loss", "severity": "high",
            "amount": Decimal("612.40"), "currency": "USD", "raised_on": dt.date(2026, 1, 5),
            "first_seen_at": dt.datetime(2026, 1, 6, 6, 0), "state": "open", **values}


SELLER_LOSS = alert(
    "seller:daily_net_loss:acme-us:2026-01-05", store_id="acme-us", subject="acme-us 2026-01-05",
    evidence='{"store_id": "acme-us", "day": "2026-01-05"}',
    message="acme-us lost 612.40 USD on 2026-01-05 (threshold 500.00 USD)",
    message_zh="店铺 acme-us 在 2026-01-05 净亏损 612.40 USD（阈值 500.00 USD）",
    next_step_zh="核对当天的退款、索赔和费用明细", next_step_en="Check the day's refunds, claims and fees",
)
SELLER_CLAIM = alert(
    "seller:a_to_z_claim:acme-de:302-1234567-7654321", alert_type="a_to_z_claim", severity="medium", store_id="acme-de",
    amount=Decimal("89.90"), currency="EUR", subject="302-1234567-7654321",
    message="New A-to-z claim on order 302-1234567-7654321",
)
VENDOR_OVERDUE = alert(
    "vendor:invoice_overdue:INV-77", domain="vendor", alert_type="invoice_overdue", severity="low",
    account_id="vendor-eu", vendor_code="ACME1", marketplace_name="Amazon.de", amount=Decimal("1234.50"),
    currency="EUR", message="Invoice INV-77 is 12 days overdue",
)
ACKNOWLEDGED = alert("seller:chargeback:acme-us:111-1", alert_type="chargeback", store_id="acme-us",
                     message="Chargeback on 111-1", state="acknowledged")


def build_alerts_warehouse(path: Path, alerts: list[dict[str, Any]], extra_ddl: list[str] = ()) -> Path:
    con = duckdb.connect(str(path))
    try:
        for statement in create_statements():
            con.execute(statement)
        con.execute("create schema if not exists marts")
        con.execute(ALERTS_DDL)
        columns = [row[0] for row in con.execute("describe marts.fct_alerts").fetchall()]
        for row in alerts:
            con.execute(f"insert into marts.fct_alerts values ({', '.join('?' * len(columns))})",
                        [row.get(c) for c in columns])
        for statement in extra_ddl:
            con.execute(statement)
    finally:
        con.close()
    return path


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class RecordingServer:
    """An HTTP server on 127.0.0.1 answering each POST with the next queued (status, body), then `default`."""

    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    responses: list[tuple[int, Any]] = field(default_factory=list)
    default: tuple[int, Any] = (200, {"errcode": 0, "errmsg": "ok"})

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def start_http_server() -> RecordingServer:
    holder: dict[str, RecordingServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            recorder = holder["server"]
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            recorder.requests.append(Recorded(self.path, dict(self.headers), json.loads(raw)))
            status, body = recorder.responses.pop(0) if recorder.responses else recorder.default
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["server"] = recorder = RecordingServer(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return recorder


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 / localhost: (cert.pem, key.pem)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


# The seller marts the Money-at-risk page reads (columns as issue 11's marts build them), a few rows each.
SELLER_MARTS = [
    """create table marts.fct_refunds (store_id varchar, order_id varchar, order_item_code varchar, sku varchar,
        settlement_id varchar, fulfillment_channel varchar, refunded_at timestamp, refund_date date, quantity integer,
        principal_refunded decimal(18,2), shipping_refunded decimal(18,2), tax_refunded decimal(18,2),
        promotion_reversed decimal(18,2), fees_refunded decimal(18,2), refund_administration_fee decimal(18,2),
        withheld_tax_returned decimal(18,2), net_cost decimal(18,2), currency varchar, is_return_received boolean,
        returned_at timestamp, returned_quantity integer, return_disposition varchar, is_reimbursed boolean,
        reimbursed_amount decimal(18,2), reimbursed_at timestamp, days_since_refund integer)""",
    """insert into marts.fct_refunds (store_id, order_id, sku, refund_date, principal_refunded,
        refund_administration_fee, net_cost, currency, is_return_received, is_reimbursed) values
        ('acme-us', '111-1', 'WIDGET-1', '2026-01-05', 0.10, 0.02, 0.12, 'USD', false, false),
        ('acme-us', '111-2', 'WIDGET-1', '2026-01-06', 0.20, 0.04, 0.24, 'USD', true, false),
        ('acme-de', '302-1', 'GADGET-9', '2026-01-07', 89.90, 5.00, 94.90, 'EUR', false, true)""",
    """create table marts.fct_refund_rates (grain varchar, store_id varchar, sku varchar, currency varchar,
        week_start date, week_end date, units_sold bigint, units_refunded bigint, principal_refunded decimal(18,2),
        refund_rate decimal(18,6), baseline_units_sold bigint, baseline_units_refunded bigint, baseline_weeks bigint,
        baseline_refund_rate decimal(18,6), change_vs_baseline decimal(18,4))""",
    """insert into marts.fct_refund_rates (grain, store_id, sku, currency, week_start, units_sold, units_refunded,
        refund_rate, baseline_weeks, baseline_refund_rate, change_vs_baseline) values
        ('store', 'acme-us', null, 'USD', '2025-12-29', 100, 4, 0.04, 4, 0.04, 0.0),
        ('store', 'acme-us', null, 'USD', '2026-01-05', 100, 10, 0.10, 4, 0.04, 1.5),
        ('sku', 'acme-us', 'WIDGET-1', 'USD', '2026-01-05', 50, 8, 0.16, 4, 0.05, 2.2)""",
    """create table marts.fct_claims (claim_key varchar, claim_type varchar, store_id varchar, order_id varchar,
        sku varchar, settlement_id varchar, opened_on date, amount decimal(18,2), currency varchar, claim_id varchar,
        state varchar, outcome varchar, refund_date date, filing_deadline date, source varchar,
        source_file_sha256 varchar, source_line integer, days_to_deadline bigint)""",
    """insert into marts.fct_claims (claim_key, claim_type, store_id, order_id, opened_on, amount, currency, state,
        refund_date, filing_deadline, days_to_deadline) values
        ('a_to_z:302-1', 'a_to_z', 'acme-de', '302-1', '2026-01-07', 89.90, 'EUR', 'open', null, null, null),
        ('safet:111-9', 'safet', 'acme-us', '111-9', null, 25.00, 'USD', 'not_filed', '2025-11-10', '2026-01-09', 4)""",
    """create table marts.fct_reimbursement_opportunities (opportunity_id varchar, opportunity_type varchar,
        store_id varchar, order_id varchar, sku varchar, amount decimal(18,2), currency varchar, detected_on date,
        reimbursement_id varchar, evidence varchar)""",
    """insert into marts.fct_reimbursement_opportunities values
        ('refund_not_returned:111-1:WIDGET-1', 'refund_not_returned', 'acme-us', '111-1', 'WIDGET-1', 0.10, 'USD',
         '2026-02-20', null, '{"order_id": "111-1", "sku": "WIDGET-1", "refund_date": "2026-01-05"}'),
        ('reimbursement_reversed:R-9', 'reimbursement_reversed', 'acme-us', '111-7', 'WIDGET-1', 12.34, 'USD',
         '2026-01-20', 'R-9', '{"reimbursement_id": "R-9", "case_id": "CASE-77"}')""",
]
