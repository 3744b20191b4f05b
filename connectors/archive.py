"""The raw archive: every input's bytes, stored once under their SHA-256 before anything parses them.

Layout: `<archive_dir>/<sha[:2]>/<sha>` (read-only) plus `manifest.jsonl`, an append-only record of every
(sha256, file name, received_at) delivery in arrival order, which is what a rebuild replays.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from connectors.file_modes import private_dir, protect

MANIFEST = "manifest.jsonl"


class ArchiveCorrupted(RuntimeError):
    pass


@dataclass(frozen=True)
class Delivery:
    sha256: str
    file_name: str
    received_at: datetime
    # Set for reference data ACORN fetches itself (ECB rates), which a rebuild must not treat as an inbox file.
    kind: str | None = None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_path(archive_dir: Path, sha256: str) -> Path:
    return archive_dir / sha256[:2] / sha256


def store(archive_dir: Path, data: bytes, sha256: str, group: str | None = None) -> Path:
    """Write the bytes once (readable by the owner, or `group`, only); an existing copy is verified, never rewritten."""
    path = archive_path(archive_dir, sha256)
    if path.exists():
        if sha256_of(path.read_bytes()) != sha256:
            raise ArchiveCorrupted(f"archived file {path} no longer matches its SHA-256")
        return path
    private_dir(archive_dir, group)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temp file of its own per writer: two syncs archiving the same page at once must not share one.
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{sha256}.", suffix=".partial")
    with os.fdopen(handle, "wb") as tmp:
        tmp.write(data)
    os.chmod(tmp_name, 0o440 if group else 0o400)
    # Rename is atomic, so a crash never leaves a truncated file under a valid checksum name; a concurrent
    # writer of the same checksum wrote the same bytes, so whichever rename lands last changes nothing.
    os.replace(tmp_name, path)
    return path


def record_delivery(archive_dir: Path, delivery: Delivery, group: str | None = None) -> None:
    private_dir(archive_dir, group)
    new = not (archive_dir / MANIFEST).exists()
    with (archive_dir / MANIFEST).open("a", encoding="utf-8") as manifest:
        if new:
            protect(archive_dir / MANIFEST, group)
        manifest.write(
            json.dumps(
                {
                    "sha256": delivery.sha256,
                    "file_name": delivery.file_name,
                    "received_at": delivery.received_at.isoformat(),
                    "kind": delivery.kind,
                }
            )
            + "\n"
        )


def deliveries(archive_dir: Path) -> Iterator[Delivery]:
    manifest = archive_dir / MANIFEST
    if not manifest.exists():
        return
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            yield Delivery(
                entry["sha256"], entry["file_name"], datetime.fromisoformat(entry["received_at"]), entry.get("kind")
            )


def read(archive_dir: Path, sha256: str) -> bytes:
    data = archive_path(archive_dir, sha256).read_bytes()
    if sha256_of(data) != sha256:
        raise ArchiveCorrupted(f"archived file {sha256} no longer matches its SHA-256")
    return data
