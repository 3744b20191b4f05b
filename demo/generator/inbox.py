"""`generate`: writes a complete sample inbox (settlements, bank statement, store config, SKU map, purchases, answer key).

The same arguments always give byte-identical files: every random draw comes from a `random.Random` seeded
from the arguments, and nothing reads the clock, the locale or the environment.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import random
from datetime import UTC, date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from demo.generator.anomalies import DUPLICATE_FILE, MALFORMED_FILE, Slot, pick_deposit_anomalies, shortfall_for
from demo.generator.answer_key import ANSWER_KEY_NAME, render_answer_key
from demo.generator.bank import BankRow, payout_row, plain_amount, render_statement, sort_rows, unrelated_rows
from demo.generator.catalogue import sku_map_rows
from demo.generator.purchases import PURCHASE_COLUMNS, UnitsSold, purchase_rows
from demo.generator.result import (
    DEPOSIT_MISSING,
    DEPOSIT_SHORT,
    TIED,
    Anomaly,
    GenerationResult,
    SettlementSummary,
)
from demo.generator.risk_reports import RISK_AS_OF_DAYS, RiskFacts, build_risk_reports
from demo.generator.simulation import Settlement
from demo.generator.world import DEFAULT_START, DEFAULT_STORES, SellerWorld, WorldArguments

STORE_COLUMNS = ("store_id", "seller_id", "marketplace_id", "marketplace_name", "currency", "time_zone")
SKU_MAP_COLUMNS = ("store_id", "seller_sku", "internal_sku", "brand", "category", "unit_cost", "unit_cost_currency")


def generate(out_dir: Path, *, seed: int = 7, months: int = 3, orders_per_day: int = 20,
             start: date = DEFAULT_START, stores: tuple[str, ...] = DEFAULT_STORES,
             risk_as_of: date | None = None) -> GenerationResult:
    """Write the inbox into `out_dir` (created if needed; files of other names are left alone).

    `orders_per_day` is per store; each 14-day cycle varies it by up to 15%.
    """
    world = SellerWorld(WorldArguments(seed=seed, months=months, orders_per_day=orders_per_day, start=start,
                                       stores=tuple(stores)))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles, plan, anomaly_rng = world.profiles, world.plan, world.anomaly_rng
    by_store = {p.store_id: p for p in profiles}
    store_ids = [p.store_id for p in profiles]
    minor_units = {p.currency: p.minor_unit for p in profiles}

    written: list[Path] = []
    summaries: list[SettlementSummary] = []
    file_anomalies: dict[str, Anomaly] = {}
    sold = UnitsSold(profiles)
    risk = RiskFacts()
    for settlement in world.settlements():
        profile = settlement.profile
        sold.add(settlement)
        slot = Slot(profile.store_id, settlement.cycle.index)
        data = settlement.document()
        written.append(_write(out_dir / settlement.file_name, data))
        if slot == plan.duplicate:
            # The copy's name sorts after the original's, so a loader reading in name order meets the
            # original first and flags the copy (a name like `... (1).txt` would sort first).
            copy_name = f"settlement_{profile.store_id}_{settlement.settlement_id}_resent.txt"
            written.append(_write(out_dir / copy_name, data))
            file_anomalies[DUPLICATE_FILE] = Anomaly(
                DUPLICATE_FILE, profile.store_id, settlement.settlement_id, settlement.file_name,
                {"duplicate_file_name": copy_name, "sha256": hashlib.sha256(data).hexdigest()},
            )
        summaries.append(_summary(settlement, quarantined=slot == plan.malformed))
        risk.observe(settlement, loaded=slot != plan.malformed)
    assert world.malformed is not None  # the plan always places the malformed file
    file_anomalies[MALFORMED_FILE] = world.malformed

    missing, short = pick_deposit_anomalies(summaries, plan, store_ids, anomaly_rng)
    shortfall = shortfall_for(short.total_amount, by_store[short.store_id].minor_unit, anomaly_rng)
    bank_rng = random.Random(f"acorn-generator:{seed}:bank")
    payouts = [
        payout_row(by_store[s.store_id], s.settlement_id, s.deposit_date,
                   s.total_amount - shortfall if s is short else s.total_amount, bank_rng)
        for s in summaries if s is not missing
    ]
    # The statement runs past the last payout, so no settlement is left pending.
    last_day = max([r.booking_date for r in payouts] + [missing.deposit_date])
    totals = {(s.currency, s.total_amount) for s in summaries}
    bank_rows = sort_rows(payouts + unrelated_rows(profiles, start, last_day, bank_rng, totals))
    written.append(_write(out_dir / "bank_statement.csv", render_statement(bank_rows, minor_units)))
    numbered = list(enumerate(bank_rows, start=2))  # line 1 is the header
    payout_lines = {row.settlement_id: (line, row) for line, row in numbered if row.settlement_id}
    statuses = {missing.settlement_id: DEPOSIT_MISSING, short.settlement_id: DEPOSIT_SHORT}
    summaries = [_with_bank(s, payout_lines.get(s.settlement_id), statuses.get(s.settlement_id, TIED))
                 for s in summaries]
    settled = {s.settlement_id: s for s in summaries}
    missing, short = settled[missing.settlement_id], settled[short.settlement_id]

    def money(amount: Decimal, currency: str) -> str:
        return plain_amount(amount, minor_units[currency])

    malformed = file_anomalies[MALFORMED_FILE]
    anomalies = [
        Anomaly(DEPOSIT_MISSING, missing.store_id, missing.settlement_id, missing.file_name, {
            "currency": missing.currency,
            "settlement_total": money(missing.total_amount, missing.currency),
            "deposit_date": missing.deposit_date.isoformat(),
        }),
        Anomaly(DEPOSIT_SHORT, short.store_id, short.settlement_id, short.file_name, {
            "currency": short.currency,
            "settlement_total": money(short.total_amount, short.currency),
            "bank_amount": money(short.bank_amount, short.currency),
            "shortfall": money(shortfall, short.currency),
            "bank_booking_date": short.bank_booking_date.isoformat(),
            "bank_line": short.bank_line,
        }),
        # The money still arrived; with its settlement quarantined, that bank row stays unmatched.
        dataclasses.replace(malformed, details={**malformed.details,
                                                "bank_line": settled[malformed.settlement_id].bank_line}),
        file_anomalies[DUPLICATE_FILE],
    ]

    written.append(_write(out_dir / "stores.csv", _csv(STORE_COLUMNS, [
        (p.store_id, p.seller_id, p.marketplace_id, p.marketplace_name, p.currency, p.time_zone) for p in profiles
    ])))
    written.append(_write(out_dir / "sku_map.csv", _csv(SKU_MAP_COLUMNS, sku_map_rows(profiles))))
    written.append(_write(out_dir / "purchases.csv", _csv(PURCHASE_COLUMNS, purchase_rows(sold, seed=seed, start=start))))
    reports = build_risk_reports(risk, store_ids, risk_as_of or start + timedelta(days=RISK_AS_OF_DAYS), seed)
    written += [_write(out_dir / name, data) for name, data in reports.files.items()]
    seller_alerts = reports.alerts + [
        {"rule": a.kind, "store_id": a.store_id, "subject": a.settlement_id}
        for a in anomalies if a.kind in (DEPOSIT_MISSING, DEPOSIT_SHORT)
    ]
    answer_key = _write(out_dir / ANSWER_KEY_NAME, render_answer_key(
        seed=seed, months=months, orders_per_day=orders_per_day, start=start, store_ids=store_ids,
        settlements=summaries, anomalies=anomalies,
        unrelated=[(line, row) for line, row in numbered if row.settlement_id is None], minor_units=minor_units,
        money_at_risk={"as_of": (risk_as_of or start + timedelta(days=RISK_AS_OF_DAYS)).isoformat(),
                       "injected": reports.injected,
                       "seller_alerts": sorted(seller_alerts, key=lambda a: (a["rule"], a["store_id"], a["subject"]))},
    ))
    written.append(answer_key)
    return GenerationResult(
        out_dir=out_dir,
        files=tuple(sorted(written, key=lambda p: p.name)),
        settlements=tuple(summaries),
        anomalies=tuple(anomalies),
        answer_key=answer_key,
        line_count=sum(s.line_count for s in summaries),
        bank_rows=len(bank_rows),
        risk_reports=reports.by_store,
    )


def _summary(settlement: Settlement, quarantined: bool) -> SettlementSummary:
    cycle, profile = settlement.cycle, settlement.profile
    return SettlementSummary(
        store_id=profile.store_id,
        settlement_id=settlement.settlement_id,
        cycle_index=cycle.index,
        file_name=settlement.file_name,
        currency=profile.currency,
        period_start=cycle.start_at,
        period_end=cycle.end_at,
        deposit_at=cycle.deposit_at,
        deposit_date=cycle.deposit_at.replace(tzinfo=UTC).astimezone(ZoneInfo(profile.time_zone)).date(),
        total_amount=settlement.total,
        line_count=len(settlement.builder.rows),
        reserve_released=settlement.reserve_released,
        reserve_held=settlement.reserve_held,
        quarantined=quarantined,
    )


def _with_bank(summary: SettlementSummary, payout: tuple[int, BankRow] | None, status: str) -> SettlementSummary:
    # A quarantined settlement never reaches reconciliation, so it has no status.
    status_or_none = None if summary.quarantined else status
    if payout is None:
        return dataclasses.replace(summary, expected_status=status_or_none)
    line, row = payout
    return dataclasses.replace(summary, bank_amount=row.amount, bank_booking_date=row.booking_date,
                               bank_line=line, expected_status=status_or_none)


def _csv(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
