"""Where a scan's time and memory go, stage by stage, and the half-precision conversion it relies on.

Runs ``scan`` on a JSON-lines collection (e.g. the 100,000-article one bench/scale.py builds, under
bench/out/scale/) with a thread sampling the main process's resident memory every 50 ms, and prints per stage its
seconds, the peak resident memory while it ran and the memory when it ended (the worker processes that featurise
are not counted: bench/scale.py measures the whole process tree). Then times ``candidates.single`` against NumPy's
``astype`` on the sentence vectors of one article's partners in candidate support (median of the runs).

    python bench/stages.py bench/out/scale/collection-100000-0-0.01/articles.jsonl [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import numpy as np

from sourcetrace.pipeline import Timings, scan
from sourcetrace.stages.candidates import single


def resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


class SampledTimings(Timings):
    """Stage seconds, and the peak and final resident memory of each stage."""

    def __init__(self) -> None:
        super().__init__()
        self.samples: list[tuple[float, float]] = []  # (time, resident MB)
        self.rows: list[tuple[str, float, float, float]] = []
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.samples.append((time.perf_counter(), resident_mb()))
            time.sleep(0.05)

    def mark(self, stage: str, since: float) -> float:
        now = super().mark(stage, since)
        current = resident_mb()
        peak = max([mb for t, mb in self.samples if t >= since] + [current])
        self.rows.append((stage, now - since, peak, current))
        return now


def conversion(runs: int) -> tuple[float, float]:
    """Nanoseconds a value: ``astype(np.float32)`` and ``single`` on 250 x 256 half-precision values (the sentences
    of one article's partners in candidate support, a size that stays in the CPU's caches), 4,000 times a run."""
    vectors = np.random.default_rng(0).standard_normal((250, 256)).astype(np.float16)
    found = []
    for convert in (lambda v: v.astype(np.float32), single):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            for _ in range(4000):
                convert(vectors)
            times.append(time.perf_counter() - start)
        found.append(statistics.median(times) / 4000 / vectors.size * 1e9)
    return found[0], found[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("articles", help="a JSON-lines collection")
    parser.add_argument("--runs", type=int, default=5, help="runs of the conversion timing")
    args = parser.parse_args()
    timings = SampledTimings()
    start = time.perf_counter()
    result = scan([args.articles], timings=timings)
    print(f"{len(result.articles):,} articles, {len(result.pairs):,} pairs, {time.perf_counter() - start:.0f} s")
    print("| stage | seconds | peak MB (main process) | MB at its end |")
    print("|---|---:|---:|---:|")
    for stage, seconds, peak, end in timings.rows:
        print(f"| {stage} | {seconds:.1f} | {peak:,.0f} | {end:,.0f} |")
    astype, table = conversion(args.runs)
    print(f"half to single precision: astype {astype:.2f} ns a value, single {table:.2f} ns a value")


if __name__ == "__main__":
    main()
