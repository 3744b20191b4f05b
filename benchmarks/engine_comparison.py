"""The same dbt models on DuckDB and on a local Spark (local[2]), same machine: build time and peak memory by size.

For each size, settlement lines are written by the pipeline benchmark's generator (benchmarks/pipeline_throughput.py)
and loaded once into a DuckDB warehouse by ACORN's loader; then, each step in its own process:
  duckdb   `dbt seed` then `dbt build --resource-type model` on the duckdb target (models only: no data tests, no
           unit tests; the same selection on both engines)
  export   `acorn export raw`: the raw and audit tables as Parquet, how the raw layer reaches Spark
  spark    `dbt seed` then `dbt build --resource-type model` on the spark target (dbt-spark session, local[2])
Build seconds are the `dbt build` wall time (Spark's JVM start included: a user pays it too); seeds are timed apart.
Peak RSS is the largest sum over the dbt process and its descendants (Spark's JVM), sampled every 0.2 s.
Examples:
    .venv/bin/python benchmarks/engine_comparison.py --demo
    .venv/bin/python benchmarks/engine_comparison.py --lines 1000000 --lines 5000000 --spark-timeout 1500
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline_throughput import (
    LINES_PER_ORDER_DAY_MONTH,
    count_lines,
    run_phase,
    settlement_files,
)
from config.settings import DBT_PROJECT_DIR

BIN = Path(sys.executable).parent
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") / 1024


def _tree_rss_kib(root: int) -> float:
    """RSS of `root` and every descendant, from /proc (no psutil in the environment)."""
    total, pending, seen = 0.0, [root], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


@dataclass
class Step:
    seconds: float
    peak_mib: float
    ok: bool
    models_done: int
    tail: str


def timed(command: list[str], env: dict[str, str], timeout: float | None = None) -> Step:
    """Run `command`, sampling its process tree's RSS; on timeout the tree is stopped and the step marked not ok."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=DBT_PROJECT_DIR, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    peak = 0.0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        peak = max(peak, _tree_rss_kib(process.pid))
        if timeout and time.monotonic() - started > timeout:
            os.killpg(process.pid, 9)
            process.wait()
            break
        time.sleep(0.2)
    seconds = time.monotonic() - started
    reader.join(timeout=10)
    text = "".join(output)
    # dbt prints one "OK created" line per model it finished: how far a timed-out build got.
    done = sum(1 for line in output if " OK created " in line)
    return Step(seconds, peak / 1024, process.returncode == 0, done, text[-3000:])


def dbt(target: str, *args: str) -> list[str]:
    return [str(BIN / "dbt"), *args, "--target", target, "--project-dir", str(DBT_PROJECT_DIR),
            "--profiles-dir", str(DBT_PROJECT_DIR)]


def model_count(env: dict[str, str]) -> int:
    listed = subprocess.run([str(BIN / "dbt"), "ls", "--resource-type", "model", "--output", "name", "--quiet",
                             "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
                            env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    return len(listed.stdout.split())


def compare(label: str, lines: int, warehouse: Path, work: Path, spark_timeout: float | None,
            targets: tuple[str, ...] = ("local", "spark")) -> dict[str, object]:
    env = {**os.environ, "ACORN_WAREHOUSE": str(warehouse), "ACORN_SPARK_HOME": str(work / "spark"),
           "ACORN_RAW_PARQUET": str(work / "raw_parquet"), "DO_NOT_TRACK": "1"}
    models = model_count(env)
    row: dict[str, object] = {"size": label, "lines": lines, "models": models}
    for target in targets:
        if target == "spark":
            export = timed([str(BIN / "acorn"), "export", "raw", "--warehouse", str(warehouse),
                            "--out", str(work / "raw_parquet")], env)
            if not export.ok:
                raise SystemExit(f"acorn export raw failed:\n{export.tail}")
            row["export_s"], row["export_mib"] = export.seconds, export.peak_mib
        seed = timed(dbt(target, "seed"), env)
        if not seed.ok:
            raise SystemExit(f"dbt seed --target {target} failed:\n{seed.tail}")
        build = timed(dbt(target, "build", "--resource-type", "model"), env,
                      spark_timeout if target == "spark" else None)
        name = "duckdb" if target == "local" else "spark"
        row[f"{name}_seed_s"] = seed.seconds
        row[f"{name}_s"], row[f"{name}_mib"] = build.seconds, build.peak_mib
        row[f"{name}_ok"], row[f"{name}_models_done"] = build.ok, build.models_done
        if not build.ok and build.models_done < models and not (target == "spark" and spark_timeout and
                                                                  build.seconds >= spark_timeout):
            raise SystemExit(f"dbt build --target {target} failed:\n{build.tail}")
        print(f"  {label}: {name} build {build.seconds:.0f} s ({build.models_done}/{models} models), "
              f"peak {build.peak_mib:,.0f} MiB", flush=True)
    return row


def demo_warehouse(work: Path) -> Path:
    """The data set the Spark equality test compares: `acorn demo` (seller and vendor parts)."""
    warehouse = work / "acorn.duckdb"
    subprocess.run([str(BIN / "acorn"), "demo", "--warehouse", str(warehouse)], check=True, capture_output=True)
    return warehouse


def generated_warehouse(work: Path, lines: int, months: int, seed: int) -> tuple[Path, int]:
    from demo.generator.inbox import generate

    inbox = work / "inbox"
    generate(inbox, seed=seed, months=months,
             orders_per_day=max(1, round(lines / (LINES_PER_ORDER_DAY_MONTH * months))))
    loaded = run_phase("build", str(work), str(inbox), "skip-dbt")  # the pipeline benchmark's load, own process
    print(f"  loaded {count_lines(settlement_files(inbox)):,} settlement lines in {loaded['load_s']:.0f} s",
          flush=True)
    return work / "warehouse" / "acorn.duckdb", count_lines(settlement_files(inbox))


def demo_lines(warehouse: Path) -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM raw.settlement_lines").fetchone()[0]


def print_table(rows: list[dict[str, object]]) -> None:
    print(f"\n{'size':>8} {'lines':>11} | {'DuckDB s':>8} {'peak MiB':>8} | {'export s':>8} | {'Spark s':>8} "
          f"{'peak MiB':>8} | Spark/DuckDB")
    for r in rows:
        duckdb = f"{r['size']:>8} {r['lines']:>11,} | {r['duckdb_s']:8.1f} {r['duckdb_mib']:8,.0f} | "
        if "spark_s" not in r:
            print(duckdb + "(Spark not run)")
            continue
        spark = f"{r['spark_s']:8.0f}" + ("" if r["spark_ok"] else
                                          f" (stopped at {r['spark_models_done']}/{r['models']} models)")
        print(f"{duckdb}{r['export_s']:8.1f} | {spark} {r['spark_mib']:8,.0f} | "
              f"{r['spark_s'] / r['duckdb_s']:.1f}x{'' if r['spark_ok'] else ' (at least)'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, action="append", default=[], help="settlement lines to generate; "
                        "repeat for several sizes")
    parser.add_argument("--demo", action="store_true", help="also the demo's data set (`acorn demo`)")
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spark-timeout", type=float, help="stop the Spark build after this many seconds and "
                        "report how many models it finished")
    parser.add_argument("--duckdb-only", action="store_true", help="build on DuckDB alone (no export, no Spark)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also append each size's row to this file (JSON lines)")
    args = parser.parse_args()
    if not args.demo and not args.lines:
        parser.error("give --demo and/or --lines N")

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Spark "
          f"{os.environ.get('ACORN_SPARK_MASTER', 'local[2]')}, driver memory "
          f"{os.environ.get('ACORN_SPARK_DRIVER_MEMORY', '2g')}", flush=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="acorn-engines-"))
    rows = []
    try:
        sizes: list[tuple[str, int | None]] = ([("demo", None)] if args.demo else []) + [
            (f"{n / 1e6:g}M", n) for n in args.lines]
        for label, lines in sizes:
            work = root / label
            work.mkdir(parents=True, exist_ok=True)
            print(f"{label}:", flush=True)
            if lines is None:
                warehouse = demo_warehouse(work)
                lines = demo_lines(warehouse)
            else:
                warehouse, lines = generated_warehouse(work, lines, args.months, args.seed)
            row = compare(label, lines, warehouse, work, args.spark_timeout,
                          ("local",) if args.duckdb_only else ("local", "spark"))
            row["load_average_after"] = os.getloadavg()[0]
            rows.append(row)
            if args.json:
                with args.json.open("a") as out:
                    out.write(json.dumps(row) + "\n")
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if rows:
            print_table(rows)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
