"""Whether a `dbt build` may update the incremental models in place or must rebuild them (`--full-refresh`).

The incremental models (dbt_project/macros/incremental.sql) take the settlement files they have not seen and redo
the store-months whose lines changed. What else they read (stores, the SKU map, FX rates, seeds, vars, the models'
own SQL) they take as unchanged since their last build. So a build that succeeded on the whole project records a
fingerprint of those other inputs in `audit.incremental_builds`; the next build refreshes fully when the fingerprint
differs, or when no such build is on record (a first build, a failed or partial one, `forget_incremental_state`).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from config.settings import DBT_PROJECT_DIR, Settings
from connectors.loader import connect

TABLE = "audit.incremental_builds"
_CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (inputs_fingerprint VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL)"
# Sources the incremental models read file by file: rows are only ever added, each under its file's SHA-256.
APPEND_ONLY_SOURCES = frozenset({
    "source.acorn.amazon.settlement_lines",
    "source.acorn.amazon.settlement_headers",
    "source.acorn.audit.file_loads",
})
# What dbt parses: an edit there may change what every row of an incremental model holds.
_PROJECT_INPUTS = ("dbt_project.yml", "models", "macros", "seeds")
# The vendor as-of day: no incremental model reads it, and it changes every day a warehouse measures on today.
_VARS_NOT_READ = frozenset({"as_of"})


def incremental_models(manifest: Mapping[str, Any]) -> list[str]:
    return sorted(uid for uid, node in manifest["nodes"].items()
                  if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental")


def upstream_sources(manifest: Mapping[str, Any], models: Iterable[str]) -> list[str]:
    """Every source the given models read, directly or through other models."""
    parents = manifest["parent_map"]
    seen: set[str] = set()
    todo = list(models)
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return sorted(uid for uid in seen if uid.startswith("source."))


def inputs_fingerprint(settings: Settings, manifest: Mapping[str, Any], con: duckdb.DuckDBPyConnection,
                       project_dir: Path = DBT_PROJECT_DIR) -> str:
    """SHA-256 over the vars, the project's files and the content of every non-append-only source upstream of an
    incremental model (row count and an order-independent XOR of row hashes, one scan of small tables)."""
    digest = hashlib.sha256()
    variables = {k: v for k, v in settings.dbt_vars().items() if k not in _VARS_NOT_READ}
    digest.update(json.dumps(variables, sort_keys=True, default=str).encode())
    for name in _PROJECT_INPUTS:
        root = project_dir / name
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes())
    for uid in upstream_sources(manifest, incremental_models(manifest)):
        if uid in APPEND_ONLY_SOURCES:
            continue
        relation = manifest["sources"][uid]["relation_name"]
        try:
            row = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {relation} AS t").fetchone()
        except duckdb.CatalogException:  # not loaded yet: the loader creates it with its first file
            row = ("absent",)
        digest.update(f"{uid}={row}".encode())
    return digest.hexdigest()


def begin_build(settings: Settings, manifest_path: Path) -> tuple[bool, str]:
    """(whether this build must refresh fully, the fingerprint to record once it succeeds). Forgets the record, so a
    build that fails or stops half way makes the next one refresh fully."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        fingerprint = inputs_fingerprint(settings, manifest, con)
        recorded = con.execute(f"SELECT inputs_fingerprint FROM {TABLE}").fetchone()
        con.execute(f"DELETE FROM {TABLE}")
    return recorded is None or recorded[0] != fingerprint, fingerprint


def record_build(settings: Settings, fingerprint: str) -> None:
    """The whole project was built from inputs with this fingerprint: the next build may be incremental."""
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        con.execute("BEGIN TRANSACTION")
        con.execute(f"DELETE FROM {TABLE}")
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?)", [fingerprint, datetime.now(UTC).replace(tzinfo=None)])
        con.execute("COMMIT")


def forget_incremental_state(settings: Settings) -> None:
    """The next build refreshes every incremental model fully (`dbt build --full-refresh`)."""
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        con.execute(f"DELETE FROM {TABLE}")
