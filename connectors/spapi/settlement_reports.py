"""Settlement reports through the Reports API: list, fetch the document, download, gunzip.

Settlement reports cannot be requested, only listed (`getReports`), and a later page takes `nextToken` as its
only parameter. The document's bytes are kept exactly as Amazon produced them (no decoding here), so a report
fetched by API and the same report dropped by hand have one SHA-256 and load as one settlement.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass

import httpx

from connectors.settlement_flatfile import parse_settlement_report

REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


class DocumentUrlExpired(Exception):
    """The presigned document URL (valid 5 minutes) expired before the download."""


@dataclass(frozen=True)
class Document:
    data: bytes
    charset: str | None


def download_document(url: str, compression: str | None, timeout: float) -> Document:
    response = httpx.get(url, timeout=timeout)
    # S3 answers an expired presigned URL with 403 (AccessDenied, "Request has expired").
    if response.status_code in (400, 403):
        raise DocumentUrlExpired(f"document URL answered HTTP {response.status_code}")
    response.raise_for_status()
    data = response.content
    if compression == "GZIP" or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return Document(data, response.charset_encoding)


@dataclass(frozen=True)
class SettlementIdentity:
    settlement_id: str
    currency: str
    marketplace: str | None


def identify(data: bytes) -> SettlementIdentity:
    """Settlement id, currency and marketplace of a flat file, read with the loader's own parser."""
    report = parse_settlement_report(data)
    header = report.header_rows[0]
    marketplace = next((line.marketplace_name for line in report.lines if line.marketplace_name), None)
    return SettlementIdentity(header.settlement_id, header.currency, marketplace)


def inbox_file_name(store_id: str | None, settlement_id: str) -> str:
    """The generator's naming, so the API copy and a dropped copy of one report share a name too."""
    return f"settlement_{store_id or 'unassigned'}_{settlement_id}.txt"
