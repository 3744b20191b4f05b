"""The close record `acorn close` writes: one period's journal as it stood when it was closed (a JSON input).

It goes through the inbox machinery like any file (archived by SHA-256, recorded in audit.file_loads), so a
rebuild from the archive closes the same periods with the same frozen journal. Money is carried as strings and
read back as Decimal, never through a float.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.parsing import ParseError

PERIOD_CLOSE_KIND = "period_close"
FORMAT_TAG = "acorn_period_close"  # the key that tells a close record from any other JSON
FORMAT_VERSION = 1

# raw.closed_journal_lines' columns (less period and close_file_sha256), in marts.fct_journal_lines' order.
JOURNAL_COLUMNS = (
    "journal_line_id", "entry_id", "voucher_no", "line_no", "entry_date", "store_id", "source_type", "source_id",
    "account_code", "account_name_zh", "account_name_en", "debit", "credit", "currency", "amount_original",
    "fx_rate", "fx_rate_date", "fx_policy", "fx_rate_source", "memo", "source_file_sha256", "is_suspense",
    "original_period",
)  # fmt: skip
_DECIMALS = ("debit", "credit", "amount_original", "fx_rate")
_DATES = ("entry_date", "fx_rate_date")
_INTEGERS = ("voucher_no", "line_no")


def is_close_record(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"{") and f'"{FORMAT_TAG}"'.encode() in head


def render_close_record(period: str, closed_at: datetime, closed_by: str, lines: list[dict[str, Any]]) -> bytes:
    """The record's bytes: keys sorted and values as text, so the same journal always gives the same file."""
    def text(value: Any) -> Any:
        if isinstance(value, Decimal | date):
            return str(value) if isinstance(value, Decimal) else value.isoformat()
        return value

    document = {
        FORMAT_TAG: FORMAT_VERSION,
        "period": period,
        "closed_at": closed_at.isoformat(timespec="seconds"),
        "closed_by": closed_by,
        "journal_lines": [{column: text(line.get(column)) for column in JOURNAL_COLUMNS} for line in lines],
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def parse_close_record(data: bytes, sha: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the raw.period_closes row, the raw.closed_journal_lines rows), each line keeping its 1-based position."""
    try:
        document = json.loads(data.decode("utf-8"))
        period = str(document["period"])
        closed_at = datetime.fromisoformat(document["closed_at"]).replace(tzinfo=None)
        lines = document["journal_lines"]
    except (ValueError, KeyError, TypeError) as problem:
        raise ParseError(None, f"not a readable close record ({problem})") from None
    close = {"period": period, "closed_at": closed_at, "closed_by": document.get("closed_by"),
             "source_file_sha256": sha}
    rows = []
    for position, line in enumerate(lines, start=1):
        row: dict[str, Any] = {"period": period, "close_file_sha256": sha, "source_line": position}
        for column in JOURNAL_COLUMNS:
            value = line.get(column)
            try:
                if value is not None and column in _DECIMALS:
                    value = Decimal(value)
                elif value is not None and column in _DATES:
                    value = date.fromisoformat(value)
                elif value is not None and column in _INTEGERS:
                    value = int(value)
            except (InvalidOperation, ValueError, TypeError):
                raise ParseError(position, f"journal line {position}: {column} {value!r} does not parse") from None
            row[column] = value
        rows.append(row)
    return close, rows
