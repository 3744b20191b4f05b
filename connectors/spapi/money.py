"""Amounts and dates as Amazon's JSON carries them, made exact: Decimal money and naive-UTC datetimes."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def to_decimal(value: Any) -> Decimal | None:
    """JSON numbers arrive as float from the HTTP client; their shortest repr is the decimal Amazon sent."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def parse_utc(value: Any) -> datetime | None:
    """ISO 8601 (with Z or an offset) → naive datetime holding UTC wall time."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def iso_z(moment: datetime) -> str:
    """Naive-UTC datetime → the ISO 8601 form SP-API query parameters take."""
    return moment.replace(microsecond=0).isoformat() + "Z"
