"""The vendor (Vendor Central) data set: `generate_vendor` writes the exports and the answer key.

Purchase orders, their status and the Finances invoices are served by the local SP-API from the same world
(`demo.fake_spapi.vendor_data.build_vendor_fake_data`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from demo.generator.vendor.answer_key import ANSWER_KEY_NAME, render_answer_key
from demo.generator.vendor.exports import INVOICE_COLUMNS, REMITTANCE_COLUMNS, invoice_values, remittance_values, render
from demo.generator.vendor.world import MARKETPLACES, VendorWorld, build_world

CONFIG_NAME = ".vendor_config.json"
# The DE entry has none on purpose (situation `invoice_compliance_hold`): an EU invoice needs the vendor's VAT id.
TAX_REGISTRATIONS = {"ca": {"tax_registration_type": "GST", "tax_registration_number": "123456789RT0001"}}


@dataclass(frozen=True)
class VendorGenerationResult:
    out_dir: Path
    files: tuple[Path, ...]        # every file written, sorted by name, hidden ones included
    world: VendorWorld
    answer_key: Path
    config: Path


def generate_vendor(out_dir: Path, *, seed: int = 7, start: date = date(2026, 6, 1),
                    as_of: date = date(2026, 10, 15)) -> VendorGenerationResult:
    """Write the vendor exports of `build_world(seed, start, as_of)` into `out_dir` (created if needed)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = build_world(seed=seed, start=start, as_of=as_of)
    written: list[Path] = []

    def write(name: str, data: bytes) -> Path:
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
        return path

    for market in world.marketplaces:
        suffix = market.export_format
        remittance = [remittance_values(market, row) for row in world.remittances[market.key]]
        write(f"vendor_remittance_{market.key}.{suffix}", render(market, REMITTANCE_COLUMNS, remittance))
        invoices = [invoice_values(world, i) for i in world.invoices if i.marketplace is market]
        write(f"vendor_invoices_{market.key}.{suffix}", render(market, INVOICE_COLUMNS, invoices))
    config = write(CONFIG_NAME, render_config(world))
    key = write(ANSWER_KEY_NAME, render_answer_key(world))
    return VendorGenerationResult(out_dir, tuple(sorted(written)), world, key, config)


def render_config(world: VendorWorld) -> bytes:
    """The vendor configuration ACORN needs (`connectors.vendor.config.load_vendor_config` reads it)."""
    vendors = [
        {"account_id": m.account_id, "region": m.region, "marketplace_id": m.marketplace_id,
         "marketplace_name": m.marketplace_name, "vendor_code": m.vendor_code, "currency": m.currency,
         "bill_to_party_id": m.bill_to_party_id, "remit_to_party_id": m.vendor_code,
         "payment_terms": {"type": "Basic", "net_due_days": m.net_days, "discount_percent": "0",
                           "discount_due_days": 0},
         "legal_name": "Acme Housewares", **TAX_REGISTRATIONS.get(m.key, {})}
        for m in world.marketplaces
    ]
    return (json.dumps({"vendors": vendors, "invoice_prefix": "ACORN-"}, indent=2) + "\n").encode("utf-8")


__all__ = ["ANSWER_KEY_NAME", "CONFIG_NAME", "MARKETPLACES", "VendorGenerationResult", "build_world", "generate_vendor"]
