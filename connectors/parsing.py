"""Shared text helpers for the file parsers: decoding, Decimal and timestamp parsing, `ParseError`.

Amazon and bank files differ per marketplace in encoding, decimal separator and date order, so the
parsers detect each convention once per file (`detect_decimal_comma`, `detect_day_first`) and then
parse every field with it. A field that does not parse comes back as None; only structural problems raise.
"""
from __future__ import annotations

import csv
import gzip
import re
import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Marketplaces whose files write `95,00`; used only when the amounts themselves do not tell.
DECIMAL_COMMA_CURRENCIES = frozenset({"EUR", "SEK", "PLN", "TRY", "BRL"})


class ParseError(ValueError):
    """A structural problem: the file as a whole cannot be read as the kind it claims to be."""

    def __init__(self, line: int | None, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(problem if line is None else f"line {line}: {problem}")


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-16 or UTF-8 (with or without BOM), else cp1252, else latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if (utf16 := _utf16_without_bom(data)) is not None:
        return utf16
    if b"\x00" in data:
        raise ParseError(None, "binary file (contains NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it is the last resort.
    return data.decode("latin-1")


def _utf16_without_bom(data: bytes) -> str | None:
    """Text saved as UTF-16 with no byte-order mark: ASCII-heavy text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    for encoding, nul_at in (("utf-16-le", 1), ("utf-16-be", 0)):
        if sample[nul_at::2].count(0) > 0.9 * (len(sample) // 2) and not sample[1 - nul_at::2].count(0):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def looks_binary(data: bytes) -> bool:
    """More than a few control characters (other than tab, CR, LF, FF) in the head: not a text file."""
    head = data[:4096]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13) or b == 127)
    return bool(head) and controls > max(2, len(head) // 100)


def gunzip(data: bytes) -> bytes:
    """The content of a gzip file (SP-API report documents come gzipped); other bytes unchanged."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as problem:
        raise ParseError(None, f"gzip-compressed file that does not decompress ({problem})") from None


def physical_lines(text: str) -> list[str]:
    """Lines as a person counts them (CRLF, LF or CR), so index + 1 is the line number in the file."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def header_index(lines: Sequence[str]) -> int:
    """Index of the first line that is not blank: the header, even below blank lines a re-save left on top."""
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


CSV_DELIMITERS = ",;\t|"
_SNIFF_LINES = 20


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The field delimiter of a delimited text file, from its first physical lines (header first).

    `csv.Sniffer` looks for the candidate that splits every sampled line into the same number of fields. It gives
    up ("Could not determine delimiter") on one-column files and on rows of uneven width; then, as when its answer
    does not occur in the header, the candidate the header holds most often wins, and "," when it holds none (one
    column reads the same with any delimiter). The parser then reports an uneven row by its line number.
    """
    header = lines[0] if lines else ""
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines[:_SNIFF_LINES]), delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and (sniffed in header or not any(c in header for c in CSV_DELIMITERS)):
        return sniffed
    # The header names the columns, so a delimiter that does not split it cannot be the file's.
    best = max(CSV_DELIMITERS, key=header.count)
    return best if header.count(best) else ","


# --- numbers ---------------------------------------------------------------------------------

_DOT_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
# A final separator followed by other than three digits can only be a decimal separator
# (`95,00`, `7.1234`); three digits (`1.234`) may be thousands and decide nothing.
_ENDS_DECIMAL_COMMA = re.compile(r",(?:\d{1,2}|\d{4,})$")
_ENDS_DECIMAL_DOT = re.compile(r"\.(?:\d{1,2}|\d{4,})$")


def detect_decimal_comma(values: Iterable[str], currency: str | None = None) -> bool:
    """True when the file writes `1.234,56`: decided by the amounts, else by the currency."""
    comma = dot = 0
    for value in values:
        value = value.strip()
        comma += bool(_ENDS_DECIMAL_COMMA.search(value))
        dot += bool(_ENDS_DECIMAL_DOT.search(value))
    if comma != dot:
        return comma > dot
    return (currency or "").strip().upper() in DECIMAL_COMMA_CURRENCIES


def parse_decimal(text: str | None, decimal_comma: bool) -> Decimal | None:
    """`1,234.56` / `1.234,56` / `-95,00` / `1234` to Decimal; None when blank or malformed."""
    if text is None:
        return None
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    pattern = _COMMA_DECIMAL if decimal_comma else _DOT_DECIMAL
    if not pattern.fullmatch(value):
        return None
    if decimal_comma:
        value = value.replace(".", "").replace(",", ".")
    else:
        value = value.replace(",", "")
    return Decimal(value)


def parse_money(text: str | None, decimal_comma: bool) -> Decimal | None:
    amount = parse_decimal(text, decimal_comma)
    return None if amount is None else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_int(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if re.fullmatch(r"[+-]?\d+", value) else None


# --- dates -----------------------------------------------------------------------------------

_ZONE_SUFFIX = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME)
_SLASHED = re.compile(r"(\d{1,4})/(\d{1,2})/(\d{2,4})" + _TIME)


def _slashed_fields(text: str) -> tuple[int, int] | None:
    """The first two fields of an `a/b/yy` date whose order is ambiguous, else None."""
    match = _SLASHED.fullmatch(_ZONE_SUFFIX.sub("", text.strip()))
    if not match or len(match.group(1)) == 4:
        return None
    return int(match.group(1)), int(match.group(2))


def detect_day_first(values: Iterable[str], decimal_comma: bool) -> bool:
    """Order of `a/b/yy` dates in one file: a field over 12 settles it, else EU-formatted files are day-first."""
    for value in values:
        fields = _slashed_fields(value)
        if fields and fields[0] > 12:
            return True
        if fields and fields[1] > 12:
            return False
    return decimal_comma


def _year(text: str) -> int:
    # Two-digit years in settlement files are this century's.
    return int(text) + 2000 if len(text) == 2 else int(text)


def parse_timestamp(text: str | None, day_first: bool = False) -> datetime | None:
    """Any date format Amazon or a bank writes, to a naive datetime in UTC; None when it does not parse.

    Values without a zone (`09/06/25`, `2025-06-09`) are taken as UTC.
    """
    value = (text or "").strip()
    if not value:
        return None
    bare = _ZONE_SUFFIX.sub("", value)
    try:
        parsed = datetime.fromisoformat(bare)
    except ValueError:
        parsed = None
    if parsed is None:
        if match := _DOTTED.fullmatch(bare):
            day, month, year = match.group(1), match.group(2), match.group(3)
        elif match := _SLASHED.fullmatch(bare):
            first, second, third = match.group(1), match.group(2), match.group(3)
            if len(first) == 4:
                year, month, day = first, second, third
            elif day_first:
                day, month, year = first, second, third
            else:
                month, day, year = first, second, third
        else:
            return None
        hour, minute, second_ = (int(g or 0) for g in match.groups()[3:6])
        try:
            parsed = datetime(_year(year), int(month), int(day), hour, minute, second_)
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_date(text: str | None, day_first: bool = False) -> date | None:
    parsed = parse_timestamp(text, day_first)
    return None if parsed is None else parsed.date()


def blank_to_none(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None
