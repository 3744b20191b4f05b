"""A cheap fingerprint of what is in the inbox, so a sensor can tell that something arrived or changed."""
from __future__ import annotations

import hashlib
from pathlib import Path

from connectors.loader import inbox_files


def inbox_fingerprint(inbox: Path) -> str | None:
    """Digest of the (path, size, mtime) of the files `load_inbox` would read; None when there are none."""
    files = inbox_files(inbox) if inbox.is_dir() else []
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.relative_to(inbox).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
