"""The evidence behind a ledger line: the archived file it was parsed from (`<archive_dir>/<sha[:2]>/<sha>`, the
connectors' archive layout, read here through Settings.archive_dir since dashboards do not import connectors),
and the raw text of its line."""
from __future__ import annotations

import re
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


def archived_path(archive_dir: Path, sha256: str) -> Path | None:
    """The archived file of `sha256`, if it is one (the name is checked, so no path can be smuggled in)."""
    if not _SHA256.fullmatch(sha256 or ""):
        return None
    path = archive_dir / sha256[:2] / sha256
    return path if path.is_file() else None


def raw_line(path: Path, line: int) -> str | None:
    """Line `line` (1-based, as the loader numbers them) of the archived file, as text."""
    if line < 1:
        return None
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == line:
                return raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
    return None
