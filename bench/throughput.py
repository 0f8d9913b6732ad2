"""End-to-end throughput on a synthetic collection with planted reuse (see bench/collection.py).

Runs `sourcetrace scan` in a fresh process per run and prints articles/s (median of the runs), peak memory of
the scanning process, the seconds per stage, and recall/precision of the planted pairs by kind.
    python bench/throughput.py [--n 10000] [--runs 3] [--rate 0.05] [--data ../shared/data]
Targets (10,000 articles, 2 cores): at least 300 articles/s, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def ensure_collection(n: int, seed: int, rate: float, data: Path) -> Path:
    out = ROOT / "bench" / "out" / f"collection-{n}-{seed}-{rate}"
    if not (out / "truth.jsonl").exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "collection.py"),
                "--n",
                str(n),
                "--seed",
                str(seed),
                "--rate",
                str(rate),
                "--data",
                str(data),
                "--out",
                str(out),
            ],
            check=True,
        )
    return out


def run_scan(collection: Path, report: Path) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, peak RSS in MB of the child, and the stage timings it printed."""
    command = [
        sys.executable,
        "-m",
        "sourcetrace.cli",
        "scan",
        str(collection / "articles.jsonl"),
        "--format",
        "json",
        "-o",
        str(report),
        "--timings",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"scan failed ({done.returncode}):\n{done.stderr[-2000:]}")
    stages = json.loads(done.stderr.strip().splitlines()[-1])
    return wall, stages.pop("peak_mb"), stages


def score(report: Path, truth_file: Path) -> dict[str, dict[str, float]]:
    found = {frozenset((p["a"], p["b"])): p for p in json.loads(report.read_text())["pairs"]}
    truth = [json.loads(line) for line in truth_file.read_text().splitlines()]
    by_kind: dict[str, Counter[str]] = {}
    planted = set()
    for t in truth:
        key = frozenset((t["a"], t["b"]))
        planted.add(key)
        c = by_kind.setdefault(t["relation"], Counter())
        c["planted"] += 1
        p = found.get(key)
        if t["relation"] == "none":
            c["reported"] += p is not None and p["relation"] in ("copy", "rewrite", "excerpt")
            continue
        c["found"] += p is not None
        c["same relation"] += p is not None and p["relation"] == t["relation"]
        c["source right"] += p is not None and p["source"] == t["source"]
    related = {frozenset((t["a"], t["b"])) for t in truth if t["relation"] != "none"}
    reported = set(found)
    out = {k: dict(v) for k, v in by_kind.items()}
    out["all"] = {
        "recall": len(reported & related) / max(len(related), 1),
        "precision": len(reported & related) / max(len(reported), 1),
        "reported": len(reported),
        "unplanned": len(reported - planted),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    collection = ensure_collection(args.n, args.seed, args.rate, args.data)
    report = collection / "report.json"
    walls, peaks, stages = [], [], []
    for _ in range(args.runs):
        wall, peak, stage = run_scan(collection, report)
        walls.append(wall)
        peaks.append(peak)
        stages.append(stage)
        print(f"run: {wall:.1f} s, {args.n / wall:.0f} articles/s", file=sys.stderr)
    wall = statistics.median(walls)
    print(
        f"{args.n} articles, rate {args.rate}: median {wall:.1f} s = {args.n / wall:.0f} articles/s "
        f"over {args.runs} runs; peak memory {max(peaks):.0f} MB"
    )
    median_stages = {k: round(statistics.median(s.get(k, 0.0) for s in stages), 2) for k in stages[0]}
    print("seconds per stage (median):", json.dumps(median_stages))
    for kind, figures in score(report, collection / "truth.jsonl").items():
        print(f"  {kind}: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})}")


if __name__ == "__main__":
    main()
