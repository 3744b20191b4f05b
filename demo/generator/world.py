"""The seller world of one `generate` call, rebuilt from its arguments alone.

`generate` renders it into settlement files; the local SP-API (demo/fake_spapi) serves the same settlements
as Finances events. Both read the simulation, neither reads the other's output, so comparing what ACORN makes
of the files with what it makes of the API tests ACORN, not a round trip through its own parser.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from demo.generator.anomalies import MALFORMED_FILE, FilePlan, Slot, malformed_row_index, plan_files
from demo.generator.answer_key import ANSWER_KEY_NAME
from demo.generator.cycles import cycle_count
from demo.generator.result import Anomaly
from demo.generator.simulation import Settlement, StoreSimulator
from demo.generator.stores import StoreProfile, profiles_for

DEFAULT_STORES = ("acme-us", "acme-de", "acme-jp")
DEFAULT_START = date(2026, 6, 1)


@dataclass(frozen=True)
class WorldArguments:
    """What decides the world: the same arguments always give the same settlements, byte for byte."""

    seed: int = 7
    months: int = 3
    orders_per_day: int = 20
    start: date = DEFAULT_START
    stores: tuple[str, ...] = DEFAULT_STORES


class SellerWorld:
    """The stores, where the file anomalies go, and the settlements, simulated store by store as they are read.

    Settlements are not kept: a benchmark's world is larger than memory should hold twice. `settlements()` can
    therefore run once; build another `SellerWorld` from the same arguments to read it again.
    """

    def __init__(self, arguments: WorldArguments) -> None:
        if arguments.orders_per_day < 1:
            raise ValueError(f"orders_per_day must be at least 1, not {arguments.orders_per_day}")
        self.arguments = arguments
        self.profiles: tuple[StoreProfile, ...] = tuple(profiles_for(tuple(arguments.stores)))
        # Draws for every anomaly come from this one generator, in a fixed order: the file plan, the corrupted
        # row (while settlements are simulated), then the deposit anomalies `generate` places afterwards.
        self.anomaly_rng = random.Random(f"acorn-generator:{arguments.seed}:anomalies")
        self.plan: FilePlan = plan_files([p.store_id for p in self.profiles],
                                         cycle_count(arguments.start, arguments.months), self.anomaly_rng)
        self.malformed: Anomaly | None = None   # known once the malformed settlement has been simulated
        self._read = False

    def settlements(self) -> Iterator[Settlement]:
        """Every store's settlements in store order, the malformed one with its amount already unreadable."""
        if self._read:
            raise RuntimeError("a SellerWorld's settlements can be read once; build it again to re-read them")
        self._read = True
        a = self.arguments
        for index, profile in enumerate(self.profiles):
            simulator = StoreSimulator(
                profile, seed=a.seed, start=a.start, months=a.months, orders_per_day=a.orders_per_day,
                # Each store gets its own range of 11-digit settlement ids.
                id_base=(2 + index) * 10**10,
                negative_cycle=self.plan.negative.cycle_index if self.plan.negative.store_id == profile.store_id else None,
            )
            for settlement in simulator.settlements():
                if Slot(profile.store_id, settlement.cycle.index) == self.plan.malformed:
                    self.malformed = self._corrupt(settlement)
                yield settlement

    def _corrupt(self, settlement: Settlement) -> Anomaly:
        index = malformed_row_index(settlement.builder.rows, self.anomaly_rng)
        original, bad = settlement.builder.make_unreadable(index)
        return Anomaly(MALFORMED_FILE, settlement.profile.store_id, settlement.settlement_id, settlement.file_name, {
            # The column header is line 1 and the summary row line 2.
            "line": index + 3, "column": "amount", "original_value": original, "bad_value": bad,
        })


def arguments_of_inbox(inbox: Path) -> WorldArguments:
    """The arguments a generated inbox was made with, from its answer key (the generator's own record)."""
    recorded = json.loads((Path(inbox) / ANSWER_KEY_NAME).read_text(encoding="utf-8"))["generator"]
    return WorldArguments(seed=recorded["seed"], months=recorded["months"], orders_per_day=recorded["orders_per_day"],
                          start=date.fromisoformat(recorded["start"]), stores=tuple(recorded["stores"]))
