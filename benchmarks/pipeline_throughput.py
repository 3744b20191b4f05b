"""Throughput of the file pipeline: generate → load (parse, validate, archive, insert) → dbt marts.

Prints rows/s per stage and peak memory (this process, and the dbt subprocess). Example:
    .venv/bin/python benchmarks/pipeline_throughput.py --orders-per-day 500 --months 3
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import Settings
from connectors.loader import load_inbox
from demo.generator import generate


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def count_lines(settings: Settings) -> int:
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM raw.settlement_lines").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders-per-day", type=int, default=500)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-dbt", action="store_true", help="measure generation and loading only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(warehouse=work / "acorn.duckdb", archive_dir=work / "archive")
        inbox = work / "inbox"

        started = time.perf_counter()
        generated = generate(inbox, seed=args.seed, months=args.months, orders_per_day=args.orders_per_day)
        generation_s = time.perf_counter() - started
        megabytes = sum(p.stat().st_size for p in inbox.iterdir()) / 2**20

        started = time.perf_counter()
        report = load_inbox(settings, inbox)
        load_s = time.perf_counter() - started
        rows = count_lines(settings)

        print(f"input: {len(generated.files)} files, {megabytes:.1f} MiB, {rows} settlement lines "
              f"({args.orders_per_day} orders/day, {args.months} months)")
        print(f"generate : {rows / generation_s:>10,.0f} rows/s  ({generation_s:.1f} s)")
        print(f"load     : {rows / load_s:>10,.0f} rows/s  ({load_s:.1f} s; {report.counts()})")

        if not args.skip_dbt:
            from orchestration.pipeline import materialize_pipeline

            started = time.perf_counter()
            result = materialize_pipeline(settings, inbox)
            marts_s = time.perf_counter() - started
            if not result.success:
                raise SystemExit(f"pipeline failed: {result.failures}")
            print(f"marts    : {rows / marts_s:>10,.0f} rows/s  ({marts_s:.1f} s; Dagster + dbt build)")

        print(f"peak memory: {peak_mib(resource.RUSAGE_SELF):.0f} MiB (python), "
              f"{peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB (largest subprocess: dbt)")


if __name__ == "__main__":
    main()
