"""Finances 2024-06-19 `listTransactions`: flatten payloads into transaction rows and breakdown rows (pure).

A transaction keeps its total; its (nested) breakdowns and its items' breakdowns become one row each, with
`position` naming where in the tree it sits ("0.1" = second child of the first breakdown, "item0/0" = the
first breakdown of the first item) and `is_leaf` marking the rows that add up without double counting.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.spapi.money import parse_utc, to_decimal

TRANSACTION_STATUSES = ("DEFERRED", "RELEASED", "DEFERRED_RELEASED")


@dataclass(frozen=True)
class TransactionRow:
    transaction_id: str
    transaction_status: str | None
    transaction_type: str | None
    description: str | None
    posted_at: datetime | None
    total_amount: Decimal | None
    currency: str | None
    marketplace_id: str | None
    selling_partner_id: str | None
    group_id: str | None
    settlement_id: str | None
    order_id: str | None
    related_identifiers: str       # JSON of every related identifier, for the ones not given a column


@dataclass(frozen=True)
class BreakdownRow:
    transaction_id: str
    position: str
    breakdown_type: str | None
    amount: Decimal | None
    currency: str | None
    depth: int
    is_leaf: bool


@dataclass
class FlattenedTransactions:
    transactions: list[TransactionRow] = field(default_factory=list)
    breakdowns: list[BreakdownRow] = field(default_factory=list)


def _related(transaction: Mapping[str, Any], name: str) -> str | None:
    for identifier in transaction.get("relatedIdentifiers") or []:
        if identifier.get("relatedIdentifierName") == name:
            return identifier.get("relatedIdentifierValue")
    return None


def _transaction_id(transaction: Mapping[str, Any]) -> str:
    # The sandbox example omits transactionId; fall back to a digest so a row is still keyed stably.
    if transaction.get("transactionId"):
        return str(transaction["transactionId"])
    return "sha256:" + hashlib.sha256(json.dumps(transaction, sort_keys=True, default=str).encode()).hexdigest()


def _breakdowns(transaction_id: str, nodes: list, prefix: str, depth: int, out: list[BreakdownRow]) -> None:
    for index, node in enumerate(nodes or []):
        position = f"{prefix}{index}"
        children = node.get("breakdowns") or []
        amount = node.get("breakdownAmount") or {}
        out.append(
            BreakdownRow(
                transaction_id=transaction_id,
                position=position,
                breakdown_type=node.get("breakdownType"),
                amount=to_decimal(amount.get("currencyAmount")),
                currency=amount.get("currencyCode"),
                depth=depth,
                is_leaf=not children,
            )
        )
        _breakdowns(transaction_id, children, position + ".", depth + 1, out)


def flatten_transactions(payload: Mapping[str, Any]) -> FlattenedTransactions:
    payload = payload.get("payload", payload)
    result = FlattenedTransactions()
    for transaction in payload.get("transactions") or []:
        transaction_id = _transaction_id(transaction)
        total = transaction.get("totalAmount") or {}
        metadata = transaction.get("sellingPartnerMetadata") or {}
        marketplace = (transaction.get("marketplaceDetails") or {}).get("marketplaceId") or metadata.get("marketplaceId")
        result.transactions.append(
            TransactionRow(
                transaction_id=transaction_id,
                transaction_status=transaction.get("transactionStatus"),
                transaction_type=transaction.get("transactionType"),
                description=transaction.get("description"),
                posted_at=parse_utc(transaction.get("postedDate")),
                total_amount=to_decimal(total.get("currencyAmount")),
                currency=total.get("currencyCode"),
                marketplace_id=marketplace,
                selling_partner_id=metadata.get("sellingPartnerId"),
                group_id=_related(transaction, "FINANCIAL_EVENT_GROUP_ID"),
                settlement_id=_related(transaction, "SETTLEMENT_ID"),
                order_id=_related(transaction, "ORDER_ID"),
                related_identifiers=json.dumps(transaction.get("relatedIdentifiers") or [], sort_keys=True),
            )
        )
        _breakdowns(transaction_id, transaction.get("breakdowns") or [], "", 0, result.breakdowns)
        for item_index, item in enumerate(transaction.get("items") or []):
            _breakdowns(transaction_id, item.get("breakdowns") or [], f"item{item_index}/", 0, result.breakdowns)
    return result
