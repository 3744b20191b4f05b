"""The evidence behind a ledger line: the archived file it was parsed from (`<archive_dir>/<sha[:2]>/<sha>`, the
connectors' archive layout, read here through Settings.archive_dir since dashboards do not import connectors),
and the raw text of its line.

`archive_dir` is a local folder or an object-storage URL (`s3://bucket/prefix`), read through fsspec as the
connectors write it; a line is streamed from the top of the file, so a large settlement is not fetched whole.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import fsspec

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ArchiveChanged(RuntimeError):
    """The archived bytes no longer match the SHA-256 they are filed under."""


def archived_path(archive_dir: Path | str, sha256: str) -> str | None:
    """Where the archived file of `sha256` is (a local path or a URL), if it is there (the name is checked, so no
    path can be smuggled in)."""
    if not _SHA256.fullmatch(sha256 or ""):
        return None
    location = f"{str(archive_dir).rstrip('/')}/{sha256[:2]}/{sha256}"
    filesystem, path = fsspec.core.url_to_fs(location)
    return location if filesystem.isfile(path) else None


def raw_line(location: str, line: int) -> str | None:
    """Line `line` (1-based, as the loader numbers them) of the archived file, as text."""
    if line < 1:
        return None
    with fsspec.open(location, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == line:
                return raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
    return None


def archived_bytes(location: str, sha256: str) -> bytes:
    """The whole archived file, refused if it was changed after archiving (what a download hands an auditor)."""
    with fsspec.open(location, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ArchiveChanged(f"{location} no longer matches its SHA-256")
    return data
