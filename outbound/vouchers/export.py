"""`acorn export vouchers`: one period's journal as 记账凭证 in a layout, refused when the period is not fit to post."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from outbound.vouchers.journal import JournalRefused, read_period, refuse_unbalanced, suspense_lines
from outbound.vouchers.layouts import Layout, builtin, load_layout
from outbound.vouchers.render import render

DEFAULT_PREPARER = "ACORN"


@dataclass(frozen=True)
class VoucherExport:
    out: Path
    layout: str
    vouchers: int
    lines: int
    suspense: list[dict[str, Any]] = field(default_factory=list)


def choose_layout(fmt: str | None, layout_file: Path | None) -> Layout:
    if layout_file is not None:
        return load_layout(layout_file)
    return builtin(fmt or "kingdee-kis")


def export_vouchers(warehouse: Path, period: str, out: Path, layout: Layout, *, encoding: str | None = None,
                    allow_suspense: bool = False, preparer: str = DEFAULT_PREPARER) -> VoucherExport:
    """Write the period's vouchers to `out`. Refuses (JournalRefused) an unbalanced period, or one with suspense
    postings unless `allow_suspense` (then the export lists them)."""
    if encoding and layout.file_type == "xlsx":
        raise JournalRefused(f"--encoding applies to csv and txt layouts; {layout.name} writes xlsx")
    lines = read_period(warehouse, period)
    refuse_unbalanced(period, lines)
    suspense = suspense_lines(lines)
    if suspense and not allow_suspense:
        accounts = sorted({line["account_code"] for line in suspense})
        raise JournalRefused(f"period {period} has {len(suspense)} suspense posting(s) (account {', '.join(accounts)}): "
                             "map them in the account mapping seed, or pass --allow-suspense to export them anyway")
    # The document time comes from the journal, so the same journal gives the same bytes.
    stamp = datetime.combine(max(line["entry_date"] for line in lines), datetime.min.time())
    try:
        data = render(layout, lines, preparer, encoding=encoding, stamp=stamp)
    except UnicodeEncodeError as problem:
        text = problem.object[max(0, problem.start - 10): problem.end + 10]
        raise JournalRefused(f"{encoding or layout.encoding} cannot encode {text!r}: export as utf-8-sig") from None
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    written = [line for line in lines if line["debit"] or line["credit"]]
    return VoucherExport(out, layout.name, len({line["voucher_no"] for line in written}), len(written), suspense)
