"""Financial data on disk is readable by its owner only, or by one configured group: never by every local user."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def protect(path: Path, group: str | None = None) -> None:
    """Owner-only (0600 / 0700 for a directory), or group-readable (0640 / 0750) and owned by `group` when given."""
    directory = path.is_dir()
    if group:
        shutil.chown(path, group=group)
        os.chmod(path, 0o750 if directory else 0o640)
    else:
        os.chmod(path, 0o700 if directory else 0o600)


def private_dir(path: Path, group: str | None = None) -> Path:
    """`path` as a directory (made if missing) only its owner, or `group`, can enter."""
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    if created:
        protect(path, group)
    return path
