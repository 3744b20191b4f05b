"""Edit cells of a tab-separated settlement fixture by line number and column name, as a hostile inbox would."""
from __future__ import annotations

from pathlib import Path

from tests.helpers.paths import FIXTURES


def edited(fixture: str, edits: dict[tuple[int, str], str], settlement_id: str | None = None) -> bytes:
    """`fixture` from tests/fixtures with each (line, column) cell replaced; optionally under another settlement id."""
    raw = (FIXTURES / fixture).read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        encoding = "utf-8"
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # the German fixture is cp1252, as Amazon.de writes it
        encoding = "cp1252"
        text = raw.decode(encoding)
    lines = text.split("\n")
    columns = lines[0].rstrip("\r").split("\t")
    original_id = lines[1].split("\t")[columns.index("settlement-id")]
    for (line, column), value in edits.items():
        cells = lines[line - 1].split("\t")
        cells[columns.index(column)] = value
        lines[line - 1] = "\t".join(cells)
    text = "\n".join(lines)
    if settlement_id:
        text = text.replace(original_id, settlement_id)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding, errors="replace")


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name
