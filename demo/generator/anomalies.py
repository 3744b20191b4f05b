"""Where the deliberate problems go: one negative settlement, and the four anomalies of the answer key.

- deposit missing: a positive settlement with no bank row;
- deposit short: the bank row is smaller than the settlement total by a stated shortfall;
- duplicate file: one settlement file delivered twice, byte-identical, under another name;
- malformed file: one amount that is not a number; the loader quarantines the file.

Each lands on its own settlement. Placement is deterministic for a given seed and store list.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from demo.generator.flatfile import AMOUNT_INDEX
from demo.generator.result import DEPOSIT_MISSING, DEPOSIT_SHORT, SettlementSummary

DUPLICATE_FILE = "duplicate_file"
MALFORMED_FILE = "malformed_file"
ANOMALY_DESCRIPTIONS = {
    DEPOSIT_MISSING: "positive settlement with no bank row",
    DEPOSIT_SHORT: "bank row smaller than the settlement total by `shortfall`",
    DUPLICATE_FILE: "the settlement file delivered again, byte-identical, as `duplicate_file_name` (sorts after "
                    "`file_name`): the second one read must be flagged duplicate",
    MALFORMED_FILE: "one amount is not a number; the file must be quarantined",
}


@dataclass(frozen=True)
class Slot:
    store_id: str
    cycle_index: int


@dataclass(frozen=True)
class FilePlan:
    """Placements that change the settlement files, so they are decided before simulating."""

    negative: Slot
    malformed: Slot
    duplicate: Slot


def plan_files(store_ids: list[str], cycles: int, rng: random.Random) -> FilePlan:
    """Negative settlement mid-run in the last store (JPY by default), malformed file as the last cycle of
    the second store (the comma-decimal EUR file by default, so a later cycle never refers to a quarantined
    reserve), duplicate in the third store."""
    count = len(store_ids)
    negative = Slot(store_ids[-1], rng.randrange(1, cycles - 1))
    malformed = Slot(store_ids[1 % count], cycles - 1)
    duplicate_store = store_ids[2 % count]
    free = [i for i in range(cycles) if Slot(duplicate_store, i) not in (negative, malformed)]
    return FilePlan(negative, malformed, Slot(duplicate_store, rng.choice(free)))


def pick_deposit_anomalies(settlements: list[SettlementSummary], plan: FilePlan, store_ids: list[str],
                           rng: random.Random) -> tuple[SettlementSummary, SettlementSummary]:
    """(missing, short): positive settlements that are neither first nor last of their store, preferably in
    the first and second store, on settlements no other anomaly uses."""
    last_cycle = max(s.cycle_index for s in settlements)
    taken = {plan.negative, plan.malformed, plan.duplicate}
    chosen: list[SettlementSummary] = []
    for preferred in (store_ids[0], store_ids[1 % len(store_ids)]):
        usable = [s for s in settlements if s.total_amount > 0 and Slot(s.store_id, s.cycle_index) not in taken]
        candidates = [s for s in usable if s.store_id == preferred and 0 < s.cycle_index < last_cycle] or usable
        if not candidates:
            raise ValueError("too few positive settlements to place every anomaly; generate more months or stores")
        pick = rng.choice(candidates)
        taken.add(Slot(pick.store_id, pick.cycle_index))
        chosen.append(pick)
    return chosen[0], chosen[1]


def shortfall_for(total: Decimal, minor_unit: Decimal, rng: random.Random) -> Decimal:
    """Between 1% and 5% of the total, at least one minor unit."""
    amount = (total * Decimal(rng.randrange(10, 51)) / 1000).quantize(minor_unit, rounding=ROUND_HALF_UP)
    return max(amount, minor_unit)


def malformed_row_index(rows: list[str], rng: random.Random) -> int:
    """Index of an order's Principal row, from a random starting point (rows are rendered text)."""
    start = rng.randrange(len(rows))
    for offset in range(len(rows)):
        index = (start + offset) % len(rows)
        fields = rows[index].split("\t", AMOUNT_INDEX)
        if fields[6] == "Order" and fields[12] == "ItemPrice" and fields[13] == "Principal":
            return index
    raise ValueError("settlement has no order Principal row to corrupt")
