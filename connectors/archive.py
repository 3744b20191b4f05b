"""The raw archive: every input's bytes, stored once under their SHA-256 before anything parses them.

Layout: `<archive_dir>/<sha[:2]>/<sha>` (read-only) plus `manifest.jsonl`, an append-only record of every
(sha256, file name, received_at) delivery in arrival order, which is what a rebuild replays.

`archive_dir` is a local folder (a Path) or an object-storage URL such as `s3://bucket/acorn/archive` (a str with
`://`), written through fsspec (s3fs for `s3://`; credentials and AWS_ENDPOINT_URL from the environment as boto
reads them). Same layout, same checksums, same manifest. An object store has no append: the manifest is rewritten
whole on each delivery, which is safe because the pipeline has one writer at a time (the DuckDB warehouse's).
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

import fsspec

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


def is_remote(archive_dir: Path | str) -> bool:
    return "://" in str(archive_dir)


def archive_path(archive_dir: Path | str, sha256: str) -> Path | str:
    if is_remote(archive_dir):
        return f"{str(archive_dir).rstrip('/')}/{sha256[:2]}/{sha256}"
    return Path(archive_dir) / sha256[:2] / sha256


def _object_store(archive_dir: Path | str) -> tuple[fsspec.AbstractFileSystem, str]:
    filesystem, root = fsspec.core.url_to_fs(str(archive_dir))
    return filesystem, root.rstrip("/")


def _verified(data: bytes, sha256: str, where: object) -> bytes:
    if sha256_of(data) != sha256:
        raise ArchiveCorrupted(f"archived file {where} no longer matches its SHA-256")
    return data


def store(archive_dir: Path | str, data: bytes, sha256: str, group: str | None = None) -> Path | str:
    """Write the bytes once (readable by the owner, or `group`, only); an existing copy is verified, never rewritten."""
    if is_remote(archive_dir):
        filesystem, root = _object_store(archive_dir)
        key = f"{root}/{sha256[:2]}/{sha256}"
        if filesystem.exists(key):
            _verified(filesystem.cat_file(key), sha256, key)
        else:
            # One PUT: an object appears whole or not at all, as the local rename below guarantees.
            filesystem.pipe_file(key, data)
        return archive_path(archive_dir, sha256)
    archive_dir = Path(archive_dir)
    path = archive_path(archive_dir, sha256)
    if path.exists():
        _verified(path.read_bytes(), sha256, path)
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


def _manifest_line(delivery: Delivery) -> str:
    entry = {"sha256": delivery.sha256, "file_name": delivery.file_name,
             "received_at": delivery.received_at.isoformat(), "kind": delivery.kind}
    return json.dumps(entry) + "\n"


def record_delivery(archive_dir: Path | str, delivery: Delivery, group: str | None = None) -> None:
    if is_remote(archive_dir):
        filesystem, root = _object_store(archive_dir)
        key = f"{root}/{MANIFEST}"
        earlier = filesystem.cat_file(key) if filesystem.exists(key) else b""
        filesystem.pipe_file(key, earlier + _manifest_line(delivery).encode("utf-8"))
        return
    archive_dir = Path(archive_dir)
    private_dir(archive_dir, group)
    new = not (archive_dir / MANIFEST).exists()
    with (archive_dir / MANIFEST).open("a", encoding="utf-8") as manifest:
        if new:
            protect(archive_dir / MANIFEST, group)
        manifest.write(_manifest_line(delivery))


def _manifest_text(archive_dir: Path | str) -> str | None:
    if is_remote(archive_dir):
        filesystem, root = _object_store(archive_dir)
        key = f"{root}/{MANIFEST}"
        return filesystem.cat_file(key).decode("utf-8") if filesystem.exists(key) else None
    manifest = Path(archive_dir) / MANIFEST
    return manifest.read_text(encoding="utf-8") if manifest.exists() else None


def deliveries(archive_dir: Path | str) -> Iterator[Delivery]:
    text = _manifest_text(archive_dir)
    if text is None:
        return
    for line in text.splitlines():
        if line.strip():
            entry = json.loads(line)
            yield Delivery(
                entry["sha256"], entry["file_name"], datetime.fromisoformat(entry["received_at"]), entry.get("kind")
            )


def read(archive_dir: Path | str, sha256: str) -> bytes:
    if is_remote(archive_dir):
        filesystem, root = _object_store(archive_dir)
        return _verified(filesystem.cat_file(f"{root}/{sha256[:2]}/{sha256}"), sha256, sha256)
    return _verified(archive_path(archive_dir, sha256).read_bytes(), sha256, sha256)
