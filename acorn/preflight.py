"""What `acorn run`, `rebuild` and `demo` check before starting the pipeline, so a mistake is one line of advice."""
from __future__ import annotations

import tempfile
from pathlib import Path

from acorn.errors import UsageError
from config.settings import Settings


def ensure_writable(settings: Settings, *, warehouse_option: str = "--warehouse") -> None:
    """The warehouse's folder and the archive can be written (they are created if missing), else a UsageError."""
    folders = [(settings.warehouse.parent, f"choose another {warehouse_option}")]
    # An object-storage archive (s3://...) is checked by its first write; its credentials are boto's.
    if isinstance(settings.archive_dir, Path):
        folders.append((settings.archive_dir, "set ACORN_ARCHIVE_DIR to a folder you can write"))
    for folder, advice in folders:
        if not _can_write_into(folder):
            raise UsageError(f"cannot write {folder}: {advice}")
    if settings.warehouse.exists() and not _can_open_for_writing(settings.warehouse):
        raise UsageError(f"cannot write {settings.warehouse}: choose another {warehouse_option}")


def _can_write_into(folder: Path) -> bool:
    """Whether a file can be created in `folder`, or in the nearest folder above it that exists (mkdir -p would).

    Tried, not inferred from permission bits: root ignores them, and read-only mounts and immutable folders
    refuse everyone.
    """
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return False
    try:
        with tempfile.TemporaryFile(dir=existing):
            return True
    except OSError:
        return False


def _can_open_for_writing(path: Path) -> bool:
    try:
        with path.open("r+b"):
            return True
    except OSError:
        return False


def holds_data(settings: Settings) -> bool:
    """Whether the warehouse has received anything: a loaded file or an API sync."""
    import duckdb

    if not settings.warehouse.exists():
        return False
    try:
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            tables = {name for (name,) in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name = 'audit'").fetchall()}
            return any(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                       for table in ("audit.file_loads", "audit.sync_log") if table in tables)
    except duckdb.Error:
        # Open elsewhere for writing, or not a warehouse: the pipeline's own checks say what is wrong.
        return True
