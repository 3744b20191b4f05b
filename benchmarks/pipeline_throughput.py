"""ACORN against the DuckDB floor at a large seller's scale: full rebuild, incremental add, lines/s per stage.

One run writes about N settlement lines with the demo generator (three stores: US/USD, DE/EUR with comma decimals
and cp1252, JP/JPY), then measures, each phase in a fresh process so its peak RSS is its own:
  full rebuild   load_inbox (archive, parse, validate, insert) + the Dagster job (dbt build) on a new warehouse
  floor          DuckDB alone on the same settlement files: read_csv(all_varchar) + sum(try_cast(amount AS
                 DECIMAL(18,2))) per settlement
  incremental    one more 50 k-line settlement added to that warehouse, loaded and built
  one big file   (--big-file) one settlement file of that many lines, loaded alone: peak RSS of the loader
Examples:
    .venv/bin/python benchmarks/pipeline_throughput.py --lines 1000000
    .venv/bin/python benchmarks/pipeline_throughput.py --lines 10000000      # minutes; run on a quiet machine
    .venv/bin/python benchmarks/pipeline_throughput.py --lines 100000 --big-file 2000000 --skip-dbt
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Settlement lines the generator writes per (order per day per store) and month, measured on its three stores.
LINES_PER_ORDER_DAY_MONTH = 472
INCREMENT_LINES = 50_000


def peak_mib() -> tuple[float, float]:
    """(this process, its largest child: dbt) peak RSS in MiB; Linux reports KiB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def settlement_files(inbox: Path) -> list[Path]:
    return sorted(inbox.glob("settlement_*.txt"))


def count_lines(paths: list[Path]) -> int:
    """Data lines (not the header, not the summary row) of settlement files."""
    return sum(p.read_bytes().count(b"\n") - 2 for p in paths)


def resized(template: bytes, lines: int, settlement_id: bytes) -> bytes:
    """`template` (a generated settlement file) under a new settlement id, its detail lines repeated or cut to
    `lines` (each copy keeps the original order ids: the loader keys lines by file and line number)."""
    header, summary, *details = template.rstrip(b"\n").split(b"\n")
    old_id = summary.split(b"\t", 1)[0]
    body = (details * (lines // len(details) + 1))[:lines]
    return b"\n".join([header, summary, *body]).replace(old_id, settlement_id) + b"\n"


# --- phases (each in its own process) ---------------------------------------------------------------------------

def _settings(work: Path):
    from config.settings import Settings

    return Settings(warehouse=work / "warehouse" / "acorn.duckdb", archive_dir=work / "warehouse" / "archive")


def _dbt_seconds() -> float | None:
    from orchestration.dbt_models.assets import BUILD_TARGET

    results = BUILD_TARGET / "run_results.json"
    return json.loads(results.read_text()).get("elapsed_time") if results.exists() else None


def _keep_run_results(work: Path) -> None:
    """dbt's per-node timings of this build, beside the warehouse (the next build overwrites dbt's own copy)."""
    from orchestration.dbt_models.assets import BUILD_TARGET

    results = BUILD_TARGET / "run_results.json"
    if results.exists():
        builds = sorted(work.glob("run_results_*.json"))
        shutil.copyfile(results, work / f"run_results_{len(builds) + 1}.json")


def phase_build(work: Path, inbox: Path, skip_dbt: bool) -> dict[str, object]:
    """Load what the inbox holds that the warehouse has not seen, then run the Dagster job (dbt build)."""
    from connectors.loader import load_inbox

    settings = _settings(work)
    started = time.perf_counter()
    report = load_inbox(settings, inbox)
    load_s = time.perf_counter() - started
    out: dict[str, object] = {"load_s": load_s, "counts": report.counts()}
    if not skip_dbt:
        from orchestration.pipeline import materialize_pipeline

        started = time.perf_counter()
        result = materialize_pipeline(settings, inbox)
        out["pipeline_s"] = time.perf_counter() - started
        out["dbt_s"] = _dbt_seconds()
        _keep_run_results(work)
        if not result.success:
            out["failures"] = [str(f) for f in result.failures][:5]
    out["peak_mib"], out["child_peak_mib"] = peak_mib()
    return out


def utf8_copies(paths: list[Path], folder: Path) -> list[Path]:
    """The files as DuckDB's reader takes them: the cp1252 ones (DE) transcoded, outside the floor's timing, so the
    floor is, if anything, faster than a scan of the originals."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in paths:
        data = path.read_bytes()
        try:
            data.decode("utf-8")
            copies.append(path)
        except UnicodeDecodeError:
            copy = folder / path.name
            copy.write_text(data.decode("cp1252"), encoding="utf-8")
            copies.append(copy)
    return copies


def phase_floor(paths: list[Path]) -> dict[str, object]:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect() as con:
        sums = con.execute(
            "SELECT \"settlement-id\", sum(try_cast(amount AS DECIMAL(18, 2))) FROM read_csv(?, delim = '\t', "
            "header = true, all_varchar = true, quote = '', union_by_name = true) GROUP BY 1",
            [[str(p) for p in paths]],
        ).fetchall()
    return {"floor_s": time.perf_counter() - started, "settlements": len(sums), "peak_mib": peak_mib()[0]}


def run_phase(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"phase {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="settlement lines to generate (1 M; 10 M "
                        "takes minutes)")
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--big-file", type=int, default=0, metavar="LINES",
                        help="also load one settlement file of this many lines alone (the 2 M-line memory target)")
    parser.add_argument("--skip-dbt", action="store_true", help="measure loading only (no Dagster, no dbt)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "build":
            print(json.dumps(phase_build(Path(rest[0]), Path(rest[1]), rest[2] == "skip-dbt")))
        elif name == "floor":
            print(json.dumps(phase_floor([Path(p) for p in rest])))
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="acorn-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        report(work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(work: Path, args: argparse.Namespace) -> None:
    from demo.generator.inbox import generate

    inbox = work / "inbox"
    orders_per_day = max(1, round(args.lines / (LINES_PER_ORDER_DAY_MONTH * args.months)))
    started = time.perf_counter()
    generate(inbox, seed=args.seed, months=args.months, orders_per_day=orders_per_day)
    generation_s = time.perf_counter() - started
    files = settlement_files(inbox)
    lines = count_lines(files)
    mib = sum(p.stat().st_size for p in files) / 2**20
    dbt = "skip-dbt" if args.skip_dbt else "dbt"
    print(f"machine: {os.cpu_count()} cores; input: {len(files)} settlement files, {lines:,} lines, {mib:,.0f} MiB "
          f"({orders_per_day} orders/day per store, {args.months} months; generated in {generation_s:.0f} s)")

    full = run_phase("build", str(work), str(inbox), dbt)
    floor = run_phase("floor", *map(str, utf8_copies(files, work / "utf8")))
    total_s = full["load_s"] + full.get("pipeline_s", 0)
    ratio = total_s / floor["floor_s"]
    print(f"full rebuild : {total_s:7.1f} s, peak {full['peak_mib']:,.0f} MiB (dbt subprocess "
          f"{full['child_peak_mib']:,.0f} MiB); {full['counts']}")
    print(f"DuckDB floor : {floor['floor_s']:7.2f} s ({floor['settlements']} settlements) -> ACORN is {ratio:.1f}x "
          "the floor")
    print(f"  load       : {full['load_s']:7.1f} s = {lines / full['load_s']:>9,.0f} lines/s (archive, parse, "
          "validate, insert)")
    if not args.skip_dbt:
        dbt_s = full.get("dbt_s") or 0.0
        print(f"  dbt build  : {dbt_s:7.1f} s = {lines / dbt_s if dbt_s else 0:>9,.0f} lines/s")
        print(f"  Dagster    : {full['pipeline_s'] - dbt_s:7.1f} s (the job's time beyond dbt: start, assets, checks)")
        if full.get("failures"):
            print(f"  pipeline FAILED: {full['failures']}")

    # One more settlement, after everything the inbox holds: what a daily run meets.
    template = max(files, key=lambda p: p.stat().st_size).read_bytes()
    (inbox / "settlement_acme-us_99000000001.txt").write_bytes(resized(template, INCREMENT_LINES, b"99000000001"))
    added = run_phase("build", str(work), str(inbox), dbt)
    added_s = added["load_s"] + added.get("pipeline_s", 0)
    print(f"incremental  : {added_s:7.1f} s to add {INCREMENT_LINES:,} lines = {100 * added_s / total_s:.0f} % of "
          f"the full rebuild (load {added['load_s']:.1f} s, peak {added['peak_mib']:,.0f} MiB)")

    if args.big_file:
        big = work / "big"
        big.mkdir()
        (big / "settlement_acme-us_98000000001.txt").write_bytes(resized(template, args.big_file, b"98000000001"))
        alone = run_phase("build", str(work / "big-warehouse"), str(big), "skip-dbt")
        print(f"one big file : {args.big_file:,} lines loaded in {alone['load_s']:.1f} s = "
              f"{args.big_file / alone['load_s']:,.0f} lines/s, peak {alone['peak_mib']:,.0f} MiB; {alone['counts']}")


if __name__ == "__main__":
    main()
