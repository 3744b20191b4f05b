"""A user's store scope as bound query parameters: every page query filters by it in SQL.

`None` means every store (or vendor account). A user limited to some stores but given no vendor accounts sees
no vendor account, and the other way round: a scope never widens by omission.
"""
from __future__ import annotations

from typing import Any, NamedTuple


class Scope(NamedTuple):
    stores: tuple[str, ...] | None = None
    vendor_accounts: tuple[str, ...] | None = None

    @classmethod
    def of(cls, stores: tuple[str, ...] | None, vendor_accounts: tuple[str, ...] | None) -> Scope:
        if stores is None and vendor_accounts is None:
            return cls()
        return cls(tuple(stores or ()), tuple(vendor_accounts or ()))

    @property
    def everything(self) -> bool:
        return self.stores is None and self.vendor_accounts is None

    def params(self) -> dict[str, Any]:
        return {
            "scope_stores": None if self.stores is None else list(self.stores),
            "scope_accounts": None if self.vendor_accounts is None else list(self.vendor_accounts),
        }


EVERYTHING = Scope()

# The typed casts let an empty list (a user with no store of that kind) bind as a VARCHAR list.
_STORES = "cast($scope_stores as varchar[])"
_ACCOUNTS = "cast($scope_accounts as varchar[])"


def stores_clause(column: str = "store_id") -> str:
    return f"({_STORES} is null or list_contains({_STORES}, {column}))"


def accounts_clause(column: str = "account_id") -> str:
    return f"({_ACCOUNTS} is null or list_contains({_ACCOUNTS}, {column}))"
