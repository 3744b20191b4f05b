"""No `_`-prefixed module or name of Dagster, dagster-dbt, dbt or python-amazon-sp-api is used by the product,
except inside an adapter module (a file named `*adapter*.py`) whose own test pins the library version it was
checked against: a private API changes without notice in any release."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from config.settings import REPO_ROOT

LIBRARIES = {"dagster", "dagster_dbt", "dbt", "sp_api"}
PACKAGES = ("acorn", "config", "connectors", "orchestration", "outbound", "dashboards", "demo")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _root(node: ast.expr) -> str | None:
    """The name an expression such as `a.b().c[0]` starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def client_private_members() -> set[str]:
    """Private methods of python-amazon-sp-api's `Client`, which every API class (and so every client object the
    connectors hold) inherits: an object's type is not visible to `ast`, the method's name is."""
    from sp_api.base import Client

    return {name for cls in Client.__mro__ if cls.__module__.startswith("sp_api") for name in vars(cls) if _private(name)}


def private_uses(source: str, member_names: set[str] = frozenset()) -> list[str]:
    """`line: what` for each import of, or attribute access on, a private part of one of LIBRARIES, and each
    access to one of `member_names` that the file does not define itself."""
    tree = ast.parse(source)
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: list[str] = []
    bound: set[str] = set()  # local names of library modules and of what was imported from them
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in LIBRARIES:
                    bound.add(alias.asname or parts[0])
                    if any(map(_private, parts)):
                        found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] in LIBRARIES:
                bound.update(alias.asname or alias.name for alias in node.names)
                found.extend(
                    f"{node.lineno}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if any(map(_private, parts)) or _private(alias.name)
                )
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner, name = node.value, node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"getattr", "setattr"}
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            owner, name = node.args[0], node.args[1].value
        else:
            continue
        if _private(name) and (_root(owner) in bound or (name in member_names and name not in defined)):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return sorted(set(found), key=lambda line: int(line.split(":")[0]))


def _product_files() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (REPO_ROOT / package).rglob("*.py") if "adapter" not in path.name
    )


@pytest.mark.parametrize("source, expected", [
    ("from dagster._core.log_manager import get_log_record_metadata", ["1: from dagster._core.log_manager import get_log_record_metadata"]),
    ("import dagster._core.events as events", ["1: import dagster._core.events"]),
    ("from dagster import _check", ["1: from dagster import _check"]),
    ("import sp_api.base as base\nbase.Client(x)._request('GET')", ["2: base.Client(x)._request"]),
    ("from sp_api.base import Client\nClient._request", ["2: Client._request"]),
    ("import dagster as dg\ngetattr(dg, '_core')", ["2: getattr(dg, '_core')"]),
    ("from dagster import Definitions, __version__\nDefinitions.merge\nself._cache", []),
    ("from mylib import thing\nthing._private", []),
    ("def call(clients):\n    return clients.vendor.requests._request('/x')", ["2: clients.vendor.requests._request"]),
    ("class Mine:\n    def _request(self):\n        return self._request()", []),
])
def test_the_scan_finds_private_imports_and_attributes(source, expected):
    assert "_request" in client_private_members()
    assert private_uses(source, client_private_members()) == expected


def test_the_product_uses_no_private_api_of_dagster_dbt_or_sp_api_outside_adapters():
    found = {}
    members = client_private_members()
    for path in _product_files():
        uses = private_uses(path.read_text(encoding="utf-8"), members)
        if uses:
            found[path.relative_to(REPO_ROOT).as_posix()] = uses
    assert not found, found
