"""The role × page matrix (dashboards/roles.yaml): which pages and actions each role may use."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MATRIX = HERE / "roles.yaml"


@dataclass(frozen=True)
class PageSpec:
    key: str
    file: str
    icon: str
    financial: bool
    roles: frozenset[str]

    @property
    def exists(self) -> bool:
        return (HERE / self.file).is_file()

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


@dataclass(frozen=True)
class Matrix:
    roles: dict[str, str]
    pages: tuple[PageSpec, ...]
    actions: dict[str, frozenset[str]]

    def page(self, key: str) -> PageSpec:
        return next(p for p in self.pages if p.key == key)

    def allowed_pages(self, roles: frozenset[str] | set[str]) -> list[PageSpec]:
        return [p for p in self.pages if p.roles & roles]

    def may(self, roles: frozenset[str] | set[str], action: str) -> bool:
        return bool(self.actions.get(action, frozenset()) & roles)


@cache
def matrix() -> Matrix:
    data = yaml.safe_load(MATRIX.read_text(encoding="utf-8"))
    roles = dict(data["roles"])
    pages = tuple(
        PageSpec(p["key"], p["file"], p["icon"], bool(p.get("financial")), frozenset(p["roles"])) for p in data["pages"]
    )
    for spec in pages:
        unknown = spec.roles - set(roles)
        if unknown:
            raise ValueError(f"{MATRIX}: page {spec.key} names unknown roles {sorted(unknown)}")
    actions = {name: frozenset(granted) for name, granted in (data.get("actions") or {}).items()}
    return Matrix(roles, pages, actions)
