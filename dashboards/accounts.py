"""The users file: who may log in to the dashboards, with which roles, store scope and language.

A YAML file in streamlit-authenticator's layout (`credentials.usernames.<name>` with a bcrypt `password`
and `roles`, so a team can switch to that library's widget), extended with `stores`, `vendor_accounts`, `language` and `disabled`. It lives beside the
warehouse (Settings.users_file), never in the repository. `acorn users add|passwd|disable` edit it through
this module; nobody edits hashes by hand. Absent `stores`/`vendor_accounts` mean every store / account.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from config.settings import LANGUAGES
from dashboards.roles import matrix

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A users-file change that cannot be made (unknown role, short password, existing user, ...)."""


@dataclass(frozen=True)
class User:
    username: str
    name: str
    roles: frozenset[str]
    password_hash: str = field(repr=False)
    stores: tuple[str, ...] | None = None
    vendor_accounts: tuple[str, ...] | None = None
    language: str | None = None
    disabled: bool = False

    def check_password(self, password: str) -> bool:
        try:
            return bcrypt.checkpw(password.encode("utf-8"), self.password_hash.encode("utf-8"))
        except ValueError:  # not a bcrypt hash: nobody can log in with it
            return False


def load_users(path: Path) -> dict[str, User]:
    data = _read(path)
    users = {}
    for username, entry in (data.get("credentials", {}).get("usernames") or {}).items():
        users[username] = User(
            username=username,
            name=entry.get("name") or username,
            roles=frozenset(entry.get("roles") or ()),
            password_hash=entry.get("password") or "",
            stores=_optional_tuple(entry.get("stores")),
            vendor_accounts=_optional_tuple(entry.get("vendor_accounts")),
            language=entry.get("language"),
            disabled=bool(entry.get("disabled")),
        )
    return users


def add_user(
    path: Path,
    username: str,
    password: str,
    roles: list[str],
    *,
    name: str | None = None,
    stores: list[str] | None = None,
    vendor_accounts: list[str] | None = None,
    language: str | None = None,
) -> None:
    data = _read(path)
    usernames = data.setdefault("credentials", {}).setdefault("usernames", {})
    if username in usernames:
        raise AccountError(f"user {username!r} already exists (use `acorn users passwd` to change the password)")
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise AccountError(f"user name {username!r}: letters, digits, '.', '-' and '_' only")
    unknown = set(roles) - set(matrix().roles)
    if not roles or unknown:
        raise AccountError(f"roles must be some of {', '.join(matrix().roles)}; got {', '.join(roles) or 'none'}")
    if language is not None and language not in LANGUAGES:
        raise AccountError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    entry: dict[str, Any] = {"name": name or username, "password": _hash(password), "roles": sorted(roles)}
    if stores:
        entry["stores"] = sorted(stores)
    if vendor_accounts:
        entry["vendor_accounts"] = sorted(vendor_accounts)
    if language:
        entry["language"] = language
    entry["disabled"] = False
    usernames[username] = entry
    _write(path, data)


def set_password(path: Path, username: str, password: str) -> None:
    data = _read(path)
    entry = _entry(data, path, username)
    entry["password"] = _hash(password)
    _write(path, data)


def set_disabled(path: Path, username: str, disabled: bool = True) -> None:
    data = _read(path)
    _entry(data, path, username)["disabled"] = disabled
    _write(path, data)


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > 72:
        raise AccountError("a password may have at most 72 bytes (bcrypt's limit)")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _entry(data: dict[str, Any], path: Path, username: str) -> dict[str, Any]:
    usernames = data.get("credentials", {}).get("usernames") or {}
    if username not in usernames:
        raise AccountError(f"no user {username!r} in {path}")
    return usernames[username]


def _optional_tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(sorted(values)) if values else None


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        # streamlit-authenticator's cookie section, so the same file serves its Authenticate if a team prefers it.
        return {"cookie": {"name": "acorn_session", "key": secrets.token_hex(32), "expiry_days": 1}}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _write(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically, readable by its owner only: it holds password hashes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        yaml.safe_dump(data, out, allow_unicode=True, sort_keys=False)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
