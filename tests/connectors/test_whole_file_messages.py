"""Issue 8, case 5: a file that cannot be read as a whole says why; a gzip delivery and blank lines above the header load."""
from __future__ import annotations

import gzip
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.loader import LoadReport, load_inbox
from tests.helpers.paths import FIXTURES
from tests.helpers.settlement_edits import write

US = (FIXTURES / "settlement_v2_us.txt").read_bytes()


def _zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", US)
    return buffer.getvalue()


def _without(column: str) -> bytes:
    lines = US.decode().split("\n")
    index = lines[0].split("\t").index(column)
    return "\n".join("\t".join(c for i, c in enumerate(line.split("\t")) if i != index) for line in lines).encode()


# file -> (bytes, what its quarantine message must say)
WHOLE_FILE = {
    "empty.txt": (b"", "empty file"),
    "bom_only.txt": (b"\xef\xbb\xbf\r\n\r\n", "empty file"),
    "random.bin": (bytes(range(1, 32)) * 40, "binary file"),
    "report.zip": (_zip(), "ZIP archive"),
    "broken.gz": (b"\x1f\x8b\x08\x00garbage", "gzip-compressed file that does not decompress"),
    "no_settlement_id.txt": (_without("settlement-id"), "header lacks required column(s): settlement-id"),
    "no_sku.txt": (_without("sku"), "header lacks column(s): sku"),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> LoadReport:
    root = tmp_path_factory.mktemp("whole_file")
    settings = Settings(warehouse=root / "wh" / "acorn.duckdb", archive_dir=root / "wh" / "archive")
    inbox = root / "inbox"
    for name, (data, _) in WHOLE_FILE.items():
        write(inbox, name, data)
    write(inbox, "delivered.txt.gz", gzip.compress(US.replace(b"11000000001", b"11000000002")))
    write(inbox, "blank_lines_on_top.txt", b"\r\n\r\n" + US.replace(b"11000000001", b"11000000003"))
    text = US.replace(b"11000000001", b"11000000004").decode()
    write(inbox, "utf16_no_bom.txt", text.encode("utf-16-le"))
    return load_inbox(settings, inbox)


def _fate(report: LoadReport, name: str):
    return next(f for f in report.files if f.file_name == name)


@pytest.mark.parametrize("name", sorted(WHOLE_FILE))
def test_a_file_unreadable_as_a_whole_says_why(report, name):
    fate = _fate(report, name)
    assert fate.status == "quarantined"
    assert fate.message.startswith(f"{name}: ")
    assert WHOLE_FILE[name][1] in fate.message, fate.message


@pytest.mark.parametrize("name", ["delivered.txt.gz", "blank_lines_on_top.txt", "utf16_no_bom.txt"])
def test_gzip_blank_lines_above_the_header_and_utf16_without_bom_load(report, name):
    fate = _fate(report, name)
    assert (fate.status, fate.rows_loaded) == ("loaded", 4), fate.message


def test_line_numbers_count_the_blank_lines_above_the_header(tmp_path: Path):
    from connectors.settlement_flatfile import parse_settlement_report

    parsed = parse_settlement_report(b"\n\n" + US)
    assert parsed.header_rows[0].source_line == 4 and parsed.lines[0].source_line == 5
    assert len(parsed.lines) == 4
