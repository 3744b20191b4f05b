"""The demo's purchases.csv: deterministic, loads cleanly, and buys at least what the stores sell before they sell it."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from config.settings import Settings
from connectors.loader import load_inbox
from connectors.purchases import parse_purchases
from connectors.settlement_flatfile import parse_settlement_report
from demo.generator import generate
from demo.generator.catalogue import sku_map_rows
from demo.generator.stores import profiles_for
from demo.generator.world import DEFAULT_STORES


def test_purchases_cover_every_unit_sold_before_the_first_sale(tmp_path: Path):
    result = generate(tmp_path / "inbox", seed=11, months=2, orders_per_day=8)
    purchases = parse_purchases((result.out_dir / "purchases.csv").read_bytes())
    internal = {(store, seller): sku for store, seller, sku, *_ in sku_map_rows(profiles_for(DEFAULT_STORES))}
    sold: Counter[str] = Counter()
    first_sale = date.max
    for summary in result.settlements:
        report = parse_settlement_report((result.out_dir / summary.file_name).read_bytes())
        for line in report.lines:
            if line.transaction_type == "Order" and line.amount_description == "Principal" and line.quantity_purchased:
                sold[internal[(summary.store_id, line.sku)]] += line.quantity_purchased
                first_sale = min(first_sale, line.posted_at.date())
    bought_before: Counter[str] = Counter()
    for p in purchases:
        if p.purchase_date < first_sale:
            bought_before[p.internal_sku] += p.quantity
    assert sold and all(bought_before[sku] >= units for sku, units in sold.items())
    # A re-order in another currency at another price gives the cost methods something to disagree on.
    assert {p.currency for p in purchases} == {"CNY", "USD"}
    assert len({p.internal_sku for p in purchases if p.currency == "USD"}) >= 3


def test_purchases_are_deterministic_and_load_without_quarantine(tmp_path: Path):
    first = generate(tmp_path / "a", seed=3, months=1, orders_per_day=5)
    second = generate(tmp_path / "b", seed=3, months=1, orders_per_day=5)
    data = (first.out_dir / "purchases.csv").read_bytes()
    assert data == (second.out_dir / "purchases.csv").read_bytes()
    inbox = tmp_path / "only"
    inbox.mkdir()
    (inbox / "purchases.csv").write_bytes(data)
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")
    (load,) = load_inbox(settings, inbox).files
    assert (load.kind, load.status, load.rows_loaded) == ("purchases", "loaded", len(parse_purchases(data)))
