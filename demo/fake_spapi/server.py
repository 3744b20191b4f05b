"""A local SP-API on 127.0.0.1 for tests and demos: LWA tokens, Reports, Finances v0 and 2024-06-19.

It speaks Amazon's JSON shapes (errors as `{"errors": [...]}`, which python-amazon-sp-api needs to raise),
pages with opaque tokens that must come back with the same arguments, serves report documents gzipped from
presigned-style URLs that expire after 5 minutes, and injects faults on request:

    server.inject("listFinancialEvents", "429", times=2)      # also "500", "expired_token",
    server.inject("getReportDocument", "expired_url")         # "invalid_next_token", "slow"
"""
from __future__ import annotations

import base64
import gzip
import json
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from demo.fake_spapi.data import EVENT_LISTS, FakeData, FakeReport
from demo.fake_spapi.times import iso as _iso
from demo.fake_spapi.times import parse_iso
from demo.fake_spapi.vendor_data import VendorEndpoints, VendorFakeData

FAULTS = ("429", "500", "expired_token", "invalid_next_token", "expired_url", "slow")
URL_LIFETIME = 300
SETTLEMENT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
MAX_WINDOW = timedelta(days=180)


class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str = ""):
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass
class _Fault:
    fault: str
    times: int
    after: int
    delay: float


def _json_default(value: Any) -> Any:
    # Amazon sends amounts as JSON numbers; a float's shortest repr is the same decimal text.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


class FakeSpApi:
    def __init__(self, data: FakeData, *, host: str = "127.0.0.1", port: int = 0, max_page_size: int = 100,
                 clock: Callable[[], float] = time.time, vendor: VendorFakeData | None = None):
        self.data = data
        # Vendor endpoints (vendorOrders, Finances Invoices, vendorInvoices, transaction status), when given.
        self.vendor = VendorEndpoints(self, vendor) if vendor else None
        self.max_page_size = max_page_size
        self.clock = clock
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._tokens: dict[str, tuple[str, float]] = {}          # access token → (seller id, expiry)
        self._pages: dict[str, tuple[str, str, dict, int]] = {}  # next token → (op, seller, args, offset)
        self._urls: dict[str, tuple[str, float]] = {}            # url key → (document id, expiry)
        self.calls: list[tuple[str, dict]] = []                  # (operation, query) in arrival order
        self._requested: dict[str, dict] = {}                    # report id → getReport answer (createReport)

    # ---- lifecycle ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def lwa_url(self) -> str:
        return self.url + "/auth/o2/token"

    def start(self) -> FakeSpApi:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-spapi", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSpApi:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- faults ---------------------------------------------------------------------------------------
    def inject(self, operation: str, fault: str, times: int = 1, *, after: int = 0, delay: float = 0.5) -> None:
        """Make the next `times` calls of `operation` (after skipping `after` calls) fail with `fault`."""
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}")
        with self._lock:
            self._faults[operation].append(_Fault(fault, times, after, delay))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, operation: str, has_token: bool) -> _Fault | None:
        with self._lock:
            for fault in self._faults.get(operation, []):
                if fault.fault == "invalid_next_token" and not has_token:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None
                if fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    # ---- request handling -----------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, list[str]], headers, body: bytes) -> tuple[int, dict, bytes]:
        if method == "POST" and path == "/auth/o2/token":
            return self._lwa(parse_qs(body.decode()))
        if path.startswith("/documents/"):
            return self._download(path.removeprefix("/documents/"), query)
        operation, handler, params = self._route(path, method, body)
        flat = {k: v[-1] for k, v in query.items()}
        has_token = "nextToken" in flat or "NextToken" in flat
        self.calls.append((operation, flat))
        fault = self._take_fault(operation, has_token)
        try:
            seller = self._authorize(headers.get("x-amz-access-token"), fault)
            if fault and fault.fault == "slow":
                time.sleep(fault.delay)
            elif fault and fault.fault == "429":
                raise _ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
            elif fault and fault.fault == "500":
                raise _ApiError(500, "InternalFailure", "We encountered an internal error. Please try again.")
            elif fault and fault.fault == "invalid_next_token":
                raise _ApiError(400, "InvalidInput", "Invalid NextToken")
            payload = handler(seller, flat, *params, expired_url=bool(fault and fault.fault == "expired_url"))
        except _ApiError as error:
            errors = [{"code": error.code, "message": error.message, "details": error.details}]
            return error.status, {"content-type": "application/json"}, json.dumps({"errors": errors}).encode()
        return 200, {"content-type": "application/json", "x-amzn-RateLimit-Limit": "0.5"}, json.dumps(
            payload, default=_json_default).encode()

    def _route(self, path: str, method: str = "GET", body: bytes = b""):
        parts = path.strip("/").split("/")
        if path == "/reports/2021-06-30/reports" and method == "POST":
            return "createReport", self._create_report, (json.loads(body or b"{}"),)
        if path == "/reports/2021-06-30/reports":
            return "getReports", self._get_reports, ()
        if parts[:3] == ["reports", "2021-06-30", "reports"] and len(parts) == 4:
            return "getReport", self._get_report, (parts[3],)
        if parts[:3] == ["reports", "2021-06-30", "documents"] and len(parts) == 4:
            return "getReportDocument", self._get_report_document, (parts[3],)
        if path == "/finances/v0/financialEventGroups":
            return "listFinancialEventGroups", self._list_groups, ()
        if path == "/finances/v0/financialEvents":
            return "listFinancialEvents", self._list_events, (None,)
        if parts[:3] == ["finances", "v0", "financialEventGroups"] and parts[-1] == "financialEvents":
            return "listFinancialEventsByGroupId", self._list_events, (parts[3],)
        if path == "/finances/2024-06-19/transactions":
            return "listTransactions", self._list_transactions, ()
        if self.vendor and (vendor_route := self.vendor.route(method, path, body)):
            return vendor_route
        return "unknown", self._not_found, ()

    def _not_found(self, seller, query, **_):
        raise _ApiError(404, "NotFound", "Resource not found")

    def _lwa(self, form: dict[str, list[str]]) -> tuple[int, dict, bytes]:
        get = lambda key: (form.get(key) or [""])[0]  # noqa: E731
        for seller in [*self.data.sellers, *(self.vendor.data.sellers if self.vendor else [])]:
            if (get("refresh_token"), get("client_id"), get("client_secret")) == (
                    seller.refresh_token, seller.lwa_app_id, seller.lwa_client_secret):
                token = "Atza|" + secrets.token_urlsafe(24)
                with self._lock:
                    self._tokens[token] = (seller.seller_id, self.clock() + 3600)
                body = {"access_token": token, "token_type": "bearer", "expires_in": 3600}
                return 200, {"content-type": "application/json"}, json.dumps(body).encode()
        body = {"error": "invalid_grant", "error_description": "The request has an invalid grant parameter"}
        return 400, {"content-type": "application/json"}, json.dumps(body).encode()

    def _authorize(self, token: str | None, fault: _Fault | None) -> str:
        with self._lock:
            if fault and fault.fault == "expired_token" and token in self._tokens:
                self._tokens[token] = (self._tokens[token][0], 0.0)
            seller, expiry = self._tokens.get(token or "", ("", 0.0))
        if not seller:
            raise _ApiError(403, "Unauthorized", "Access to requested resource is denied.", "")
        if expiry <= self.clock():
            raise _ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                            "The access token you provided has expired.")
        return seller

    def _page(self, operation: str, seller: str, query: dict, token_key: str, items: list, page_size: int):
        """Slice `items` into a page; the token remembers the arguments it must come back with."""
        args = {k: v for k, v in query.items() if k != token_key}
        token = query.get(token_key)
        offset = 0
        if token:
            with self._lock:
                saved = self._pages.get(token)
            if not saved or saved[:3] != (operation, seller, args):
                raise _ApiError(400, "InvalidInput", "Invalid NextToken")
            offset = saved[3]
        size = max(1, min(page_size, self.max_page_size))
        page = items[offset: offset + size]
        next_token = None
        if offset + size < len(items):
            next_token = base64.b64encode(secrets.token_bytes(24)).decode()
            with self._lock:
                self._pages[next_token] = (operation, seller, args, offset + size)
        return page, next_token

    @staticmethod
    def _window(query: dict, after_key: str, before_key: str) -> tuple[datetime, datetime]:
        after = parse_iso(query.get(after_key)) or datetime.min
        before = parse_iso(query.get(before_key)) or datetime.max
        if before - after > MAX_WINDOW and after != datetime.min and before != datetime.max:
            return after, after  # Amazon: ranges more than 180 days apart return nothing
        return after, before

    def _get_reports(self, seller: str, query: dict, **_) -> dict:
        if "nextToken" in query and len(query) > 1:
            raise _ApiError(400, "InvalidInput", "nextToken must be the only parameter")
        args = query
        if "nextToken" in query:
            with self._lock:
                saved = self._pages.get(query["nextToken"])
            if not saved:
                raise _ApiError(400, "InvalidInput", "Invalid NextToken")
            args = saved[2]
        since, until = self._window(args, "createdSince", "createdUntil")
        types = set((args.get("reportTypes") or "").split(","))
        reports = [
            {"reportId": r.report_id, "reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
             "dataStartTime": _iso(r.data_start), "dataEndTime": _iso(r.data_end), "createdTime": _iso(r.created),
             "processingStatus": "DONE", "processingStartTime": _iso(r.created), "processingEndTime": _iso(r.created),
             "reportDocumentId": r.document_id, "marketplaceIds": []}
            for r in sorted(self.data.reports, key=lambda r: r.created)
            if r.seller_id == seller and since <= r.created < until
            and "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2" in types and r.report_type == SETTLEMENT_TYPE
        ]
        page, token = self._page("getReports", seller, {**args, **query}, "nextToken", reports,
                                 int(args.get("pageSize", 10)))
        return {"reports": page, **({"nextToken": token} if token else {})}

    def _create_report(self, seller: str, query: dict, body: dict, **_) -> dict:
        """The rows of the generator's report whose date falls in [dataStartTime, dataEndTime); CANCELLED when none."""
        report_type = body.get("reportType", "")
        start, end = parse_iso(body.get("dataStartTime")), parse_iso(body.get("dataEndTime"))
        if start is None or end is None:
            raise _ApiError(400, "InvalidInput", "dataStartTime and dataEndTime are required")
        if report_type == "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE" and end - start > timedelta(days=60):
            raise _ApiError(400, "InvalidInput", "The returns report covers at most 60 days")
        header, rows = None, []
        for marketplace in body.get("marketplaceIds") or []:
            document = self.data.requestable.get((seller, marketplace, report_type))
            if document is None:
                continue
            lines = document.decode("utf-8").splitlines()
            header = lines[0]
            # The date each report is "by": approval-date, return-date, Return request date.
            column = 2 if report_type == "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE" else 0
            rows += [line for line in lines[1:] if start <= datetime.fromisoformat(line.split("\t")[column][:19]) < end]
        report_id = str(50_000_000_000 + len(self.data.reports) + len(self._requested))
        done = bool(rows)
        with self._lock:
            self._requested[report_id] = {
                "reportId": report_id, "reportType": report_type, "dataStartTime": _iso(start),
                "dataEndTime": _iso(end), "marketplaceIds": body.get("marketplaceIds") or [],
                "processingStatus": "DONE" if done else "CANCELLED", "createdTime": _iso(end),
                **({"reportDocumentId": "amzn1.spdoc.1.4.req" + report_id} if done else {}),
            }
            if done:
                self.data.reports.append(FakeReport(
                    seller, report_id, "amzn1.spdoc.1.4.req" + report_id, end, start, end,
                    ("\n".join([header or "", *rows]) + "\n").encode("utf-8"), report_type))
        return {"reportId": report_id}

    def _get_report(self, seller: str, query: dict, report_id: str, **_) -> dict:
        with self._lock:
            report = self._requested.get(report_id)
        if report is None:
            raise _ApiError(404, "NotFound", "Report not found")
        return report

    def _get_report_document(self, seller: str, query: dict, document_id: str, expired_url: bool = False) -> dict:
        if not any(r.document_id == document_id and r.seller_id == seller for r in self.data.reports):
            raise _ApiError(404, "NotFound", "Report document not found")
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._urls[key] = (document_id, self.clock() + (-1 if expired_url else URL_LIFETIME))
        return {"reportDocumentId": document_id, "url": f"{self.url}/documents/{key}", "compressionAlgorithm": "GZIP"}

    def _download(self, key: str, query) -> tuple[int, dict, bytes]:
        with self._lock:
            document_id, expiry = self._urls.get(key, ("", 0.0))
        fault = self._take_fault("downloadReportDocument", False)
        if fault and fault.fault == "slow":
            time.sleep(fault.delay)
        if not document_id or expiry <= self.clock():
            body = b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            return 403, {"content-type": "application/xml"}, body
        report = next(r for r in self.data.reports if r.document_id == document_id)
        return 200, {"content-type": "application/octet-stream"}, gzip.compress(report.data, mtime=0)

    def _list_groups(self, seller: str, query: dict, **_) -> dict:
        after, before = self._window(query, "FinancialEventGroupStartedAfter", "FinancialEventGroupStartedBefore")
        groups = [body for s, start, body in sorted(self.data.groups, key=lambda g: g[1])
                  if s == seller and after <= start < before]
        page, token = self._page("listFinancialEventGroups", seller, query, "NextToken", groups,
                                 int(query.get("MaxResultsPerPage", 10)))
        return {"payload": {"FinancialEventGroupList": page, **({"NextToken": token} if token else {})}}

    def _list_events(self, seller: str, query: dict, group_id: str | None, **_) -> dict:
        after, before = self._window(query, "PostedAfter", "PostedBefore")
        events = [e for e in sorted(self.data.events, key=lambda e: e.posted)
                  if e.seller_id == seller and after <= e.posted < before and group_id in (None, e.group_id)]
        operation = "listFinancialEventsByGroupId" if group_id else "listFinancialEvents"
        page, token = self._page(operation, seller, query, "NextToken", events, int(query.get("MaxResultsPerPage", 100)))
        lists: dict[str, list] = {name: [] for name in EVENT_LISTS}
        for event in page:
            lists.setdefault(event.event_list, []).append(event.body)
        return {"payload": {"FinancialEvents": lists, **({"NextToken": token} if token else {})}}

    def _list_transactions(self, seller: str, query: dict, **_) -> dict:
        after, before = self._window(query, "postedAfter", "postedBefore")
        wanted = {query["transactionStatus"]} if query.get("transactionStatus") else {"RELEASED", "DEFERRED_RELEASED"}
        transactions = [body for s, posted, body in sorted(self.data.transactions, key=lambda t: t[1])
                        if s == seller and after <= posted < before and body["transactionStatus"] in wanted]
        page, token = self._page("listTransactions", seller, query, "nextToken", transactions, 100)
        return {"payload": {"transactions": page, **({"nextToken": token} if token else {})}}


def _handler_for(server: FakeSpApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes; without this, Nagle plus delayed ACK adds 40 ms a request.
        disable_nagle_algorithm = True

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, content = server.handle(method, parts.path, parse_qs(parts.query), self.headers, body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args) -> None:
            # Request lines are not secret, but a test server has no business writing to stderr.
            pass

    return Handler
