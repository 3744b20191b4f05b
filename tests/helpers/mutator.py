"""A seeded mutator of settlement files, for the fuzz test: what a hostile inbox does to a good file.

Each mutated copy gets a settlement id of its own first, so it is judged on its own rather than as a duplicate of
the file it came from.
"""
from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Callable

Mutation = Callable[[random.Random, str], bytes]

EXTREME_AMOUNTS = ["99999999999999999", "12345678901234567890", "1e400", "12.345", "0.005", "1,234", "５０", "--5",
                   "NaN", "0x10", "1.2.3", ""]
ODD_DATES = ["01.01.0001", "2026-02-30", "2026-13-01", "9999-12-31", "1900-01-01", "0001-01-01T00:00:00Z",
             "31/31/31", "yesterday"]
ODD_QUANTITIES = ["99999999999", "2.5", "abc", "５０", "-1e9"]
HOSTILE_TEXT = ["=cmd|' /C calc'!A0", "+SUM(A1)", "@x", "\u202e", "' OR 1=1 --", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]


def _cells(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.split("\n")
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def _join(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["\t".join(header), *("\t".join(r) for r in rows)])


def _set_cell(rng: random.Random, text: str, columns: tuple[str, ...], values: list[str]) -> bytes:
    header, rows = _cells(text)
    names = [c.strip().lower() for c in header]
    candidates = [i for i, n in enumerate(names) if n in columns]
    body = [i for i, r in enumerate(rows) if len(r) == len(header)]
    if not candidates or not body:
        return text.encode()
    row, column = rng.choice(body), rng.choice(candidates)
    rows[row][column] = rng.choice(values)
    return _join(header, rows).encode()


def truncate(rng: random.Random, text: str) -> bytes:
    data = text.encode()
    return data[: rng.randrange(0, len(data))]


def flip_bytes(rng: random.Random, text: str) -> bytes:
    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 3)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def swap_headers(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    a, b = rng.sample(range(len(header)), 2)
    header[a], header[b] = header[b], header[a]
    return _join(header, rows).encode()


def extreme_amount(rng: random.Random, text: str) -> bytes:
    columns = ("amount", "total-amount", "price-amount", "item-related-fee-amount", "other-amount")
    return _set_cell(rng, text, columns, EXTREME_AMOUNTS)


def odd_date(rng: random.Random, text: str) -> bytes:
    columns = ("settlement-start-date", "settlement-end-date", "deposit-date", "posted-date", "posted-date-time")
    return _set_cell(rng, text, columns, ODD_DATES)


def odd_quantity(rng: random.Random, text: str) -> bytes:
    return _set_cell(rng, text, ("quantity-purchased",), ODD_QUANTITIES)


def hostile_text(rng: random.Random, text: str) -> bytes:
    return _set_cell(rng, text, ("sku", "order-id", "amount-description", "transaction-type"), HOSTILE_TEXT)


def other_encoding(rng: random.Random, text: str) -> bytes:
    choice = rng.choice(["utf-16-le", "utf-16-be", "utf-16", "cp1252", "gzip", "zip", "gzip-garbage"])
    if choice == "gzip":
        return gzip.compress(text.encode())
    if choice == "gzip-garbage":
        return gzip.compress(text.encode())[: rng.randrange(2, 40)]
    if choice == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("report.txt", text)
        return buffer.getvalue()
    return text.encode(choice, errors="replace")


def other_delimiter(rng: random.Random, text: str) -> bytes:
    return text.replace("\t", rng.choice([",", ";", "|", "  "])).encode()


def blank_lines_on_top(rng: random.Random, text: str) -> bytes:
    return (rng.choice(["\n", "\r\n", "\n\n  \n"]) + text).encode()


def empty_or_binary(rng: random.Random, text: str) -> bytes:
    return rng.choice([b"", b"\n\n", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))])


MUTATIONS: list[Mutation] = [truncate, flip_bytes, swap_headers, extreme_amount, odd_date, odd_quantity, hostile_text,
                             other_encoding, other_delimiter, blank_lines_on_top, empty_or_binary]


def mutate(rng: random.Random, text: str, original_id: str, new_id: str) -> tuple[str, bytes]:
    """(mutation name, mutated bytes) of `text`, renumbered to `new_id`."""
    mutation = rng.choice(MUTATIONS)
    return mutation.__name__, mutation(rng, text.replace(original_id, new_id))
