"""Timestamps on the fake's wire: ISO 8601 in UTC with `Z`, read back as naive datetimes holding UTC.

The fake's own, not ACORN's: what it sends must not depend on the code under test.
"""
from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """Naive UTC → `2026-06-01T09:17:23Z`, as Amazon writes PostedDate and the like."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def parse_iso(value: str | None) -> datetime | None:
    """A query parameter (`…Z`, an offset, or none: UTC) → naive UTC; None when absent."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
