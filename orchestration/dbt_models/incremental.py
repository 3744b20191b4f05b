"""Whether a `dbt build` may update the incremental models in place or must rebuild them (`--full-refresh`).

The incremental models (dbt_project/macros/incremental.sql) take the settlement files they have not seen and redo
the store-months whose lines changed. What else they read (stores, the SKU map, FX rates, seeds, vars, the models'
own SQL) they take as unchanged since their last build. So a build that succeeded on the whole project records a
fingerprint of those other inputs in `audit.incremental_builds`; the next build refreshes fully when the fingerprint
differs, or when no such build is on record (a first build, a failed or partial one, `forget_incremental_state`).

A build that may continue also selects only what its inputs touch: the build records a digest of every source (and
of the day it measured ages on) in `audit.incremental_build_inputs`; the next one builds and tests only the nodes
downstream of the sources whose digest changed, and leaves the rest as the last build left them.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from config.settings import DBT_PROJECT_DIR, Settings
from connectors.loader import connect

TABLE = "audit.incremental_builds"
# Metadata of the materialization a continued build reports for a model no changed input reaches.
UNCHANGED = "acorn/unchanged"
_CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (inputs_fingerprint VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL)"
# Sources the incremental models read file by file: rows are only ever added, each under its file's SHA-256.
APPEND_ONLY_SOURCES = frozenset({
    "source.acorn.amazon.settlement_lines",
    "source.acorn.amazon.settlement_headers",
    "source.acorn.audit.file_loads",
})
INPUTS_TABLE = "audit.incremental_build_inputs"
_CREATE_INPUTS = f"CREATE TABLE IF NOT EXISTS {INPUTS_TABLE} (input VARCHAR NOT NULL, digest VARCHAR NOT NULL)"
# The pseudo-input of models that read the clock or the as-of day: they move when the day does.
CLOCK = "clock"
_READS_CLOCK = re.compile(r"current_timestamp|current_date|\bnow\(|var\(\s*['\"]as_of['\"]", re.IGNORECASE)
# Nodes a selection names; the on-run-start hook (an operation) always runs.
_SELECTABLE = frozenset({"model", "seed", "snapshot", "test"})
# Nodes that hold data (tests only read it).
_BUILT = frozenset({"model", "seed", "snapshot"})
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


def input_digests(settings: Settings, manifest: Mapping[str, Any], con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A digest of every source's rows and of the day ages are measured on. An append-only source changes exactly
    when it gains rows, so its row count serves (no scan of the largest tables); any other is hashed whole."""
    digests = {CLOCK: (settings.as_of or date.today()).isoformat()}
    for uid, source in manifest["sources"].items():
        aggregate = "count(*)" if uid in APPEND_ONLY_SOURCES else "count(*), bit_xor(hash(t))"
        try:
            row = con.execute(f"SELECT {aggregate} FROM {source['relation_name']} AS t").fetchone()
        except duckdb.CatalogException:  # not loaded yet: the loader creates it with its first file
            row = ("absent",)
        digests[uid] = str(row)
    return digests


def clock_readers(manifest: Mapping[str, Any]) -> list[str]:
    """Models whose SQL, or a project macro they call, reads today's date or the `as_of` var."""
    macros = manifest["macros"]

    def reads_clock(macro_ids: Iterable[str], seen: set[str]) -> bool:
        for uid in macro_ids:
            macro = macros.get(uid)
            if uid in seen or macro is None or macro["package_name"] != manifest["metadata"]["project_name"]:
                continue
            seen.add(uid)
            if _READS_CLOCK.search(macro["macro_sql"]) or reads_clock(macro["depends_on"]["macros"], seen):
                return True
        return False

    return sorted(uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model" and (
        _READS_CLOCK.search(node.get("raw_code") or "") or reads_clock(node["depends_on"]["macros"], set())))


def unaffected_nodes(manifest: Mapping[str, Any], changed_inputs: Iterable[str]) -> list[str]:
    """The unique ids of the models, seeds and tests no changed input reaches: what a build that continues the last
    one leaves as it is."""
    reached = _reached(manifest, changed_inputs)
    return sorted(uid for uid, node in manifest["nodes"].items()
                  if node["resource_type"] in _SELECTABLE and uid not in reached)


def exclusion_selectors(manifest: Mapping[str, Any], changed_inputs: Iterable[str]) -> list[str]:
    """dbt selectors that exclude exactly the nodes no changed input reaches, given `exclude_args`' cautious
    indirect selection.

    What no changed input reaches is closed upwards: every parent of an unreached node is unreached. So it is the
    ancestry (`+`) of its lowest models, seeds and sources, the ones with no unreached model or seed below them,
    which is a few dozen selectors where naming every node took hundreds: dbt matches each selector against every
    node, and that alone took seconds of each build. Tests are not named: under cautious selection dbt leaves out
    a test when all of its parents are left out, so a test over a changed and an unchanged model still runs."""
    reached = _reached(manifest, changed_inputs)
    nodes, children = manifest["nodes"], manifest["child_map"]
    resources = {**{uid: node for uid, node in nodes.items() if node["resource_type"] in _BUILT},
                 **manifest.get("sources", {})}
    unreached = {uid for uid in resources if uid not in reached}
    lowest = [uid for uid in sorted(unreached) if not unreached.intersection(children.get(uid, []))]
    return [f"+{_selector(uid, resources[uid])}" for uid in lowest]


def _selector(uid: str, node: Mapping[str, Any]) -> str:
    if uid.startswith("source."):
        return f"source:{node['package_name']}.{node['source_name']}.{node['name']}"
    return f"fqn:{'.'.join(node['fqn'])}"


def unchanged_assets(manifest: Mapping[str, Any], changed_inputs: Iterable[str]) -> list[str]:
    """The models and seeds no changed input reaches, parents before children. None of their parents is reached
    either, so they can all be reported before anything the build makes."""
    reached = _reached(manifest, changed_inputs)
    nodes, parents = manifest["nodes"], manifest["parent_map"]
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes or uid in reached:
            return
        seen.add(uid)
        for parent in parents.get(uid, []):
            visit(parent)
        if nodes[uid]["resource_type"] in ("model", "seed", "snapshot"):
            ordered.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return ordered


def _reached(manifest: Mapping[str, Any], changed_inputs: Iterable[str]) -> set[str]:
    children = manifest["child_map"]
    todo = [uid for name in changed_inputs for uid in (clock_readers(manifest) if name == CLOCK else [name])]
    reached: set[str] = set()
    while todo:
        uid = todo.pop()
        if uid not in reached:
            reached.add(uid)
            todo.extend(children.get(uid, []))
    return reached


def exclude_args(selectors: list[str]) -> list[str]:
    return ["--indirect-selection", "cautious", "--exclude", " ".join(selectors)] if selectors else []


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool  # the incremental models start over (`--full-refresh`), and everything is built
    fingerprint: str  # of the inputs the incremental models take as unchanged: recorded once the build succeeds
    digests: dict[str, str]  # of every input: recorded once the build succeeds
    changed: list[str] = field(default_factory=list)  # inputs whose digest differs from the last build's
    skipped: list[str] = field(default_factory=list)  # unique ids of the nodes no changed input reaches
    exclude: list[str] = field(default_factory=list)  # dbt selectors that leave out exactly those
    unchanged: list[str] = field(default_factory=list)  # unique ids of the models and seeds among them, in order


def begin_build(settings: Settings, manifest_path: Path) -> BuildPlan:
    """What this build must do. Forgets the record, so a build that fails or stops half way makes the next one
    refresh fully."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        con.execute(_CREATE_INPUTS)
        fingerprint = inputs_fingerprint(settings, manifest, con)
        digests = input_digests(settings, manifest, con)
        recorded = con.execute(f"SELECT inputs_fingerprint FROM {TABLE}").fetchone()
        recorded_digests = dict(con.execute(f"SELECT input, digest FROM {INPUTS_TABLE}").fetchall())
        con.execute(f"DELETE FROM {TABLE}")
        con.execute(f"DELETE FROM {INPUTS_TABLE}")
    if recorded is None or recorded[0] != fingerprint:
        return BuildPlan(full_refresh=True, fingerprint=fingerprint, digests=digests)
    changed = sorted(name for name, digest in digests.items() if recorded_digests.get(name) != digest)
    return BuildPlan(full_refresh=False, fingerprint=fingerprint, digests=digests, changed=changed,
                     skipped=unaffected_nodes(manifest, changed), exclude=exclusion_selectors(manifest, changed),
                     unchanged=unchanged_assets(manifest, changed))


def record_build(settings: Settings, plan: BuildPlan) -> None:
    """The project was built from these inputs: the next build may continue it."""
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        con.execute(_CREATE_INPUTS)
        con.execute("BEGIN TRANSACTION")
        con.execute(f"DELETE FROM {TABLE}")
        con.execute(f"DELETE FROM {INPUTS_TABLE}")
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?)", [plan.fingerprint, datetime.now(UTC).replace(tzinfo=None)])
        con.executemany(f"INSERT INTO {INPUTS_TABLE} VALUES (?, ?)", sorted(plan.digests.items()))
        con.execute("COMMIT")


def forget_incremental_state(settings: Settings) -> None:
    """The next build refreshes every incremental model fully (`dbt build --full-refresh`) and builds everything."""
    with closing(connect(settings)) as con:
        con.execute(_CREATE)
        con.execute(f"DELETE FROM {TABLE}")
