"""Speed of `scan` on real news: the Gun Violence Archive articles (6,295 scraped local news pages).

    python bench/real_news.py [--data ../shared/data] [--runs 3]

Prints, per run, the articles per second of the whole scan and the seconds of each stage, then the median of the
runs (docs/performance.md). The models are loaded once, outside the timing, as a long-running service would.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from sourcetrace.pipeline import Models, Timings, scan
from sourcetrace.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = args.data / "news-stories-dev" / "gva.jsonl"
    if not path.is_file():
        parser.error(f"{path} not found: give the folder of the labelled data with --data")
    settings = Settings.load()
    models = Models.load(settings)
    rates = []
    for run in range(args.runs):
        timings = Timings()
        started = time.perf_counter()
        result = scan([path], settings, models, timings=timings)
        elapsed = time.perf_counter() - started
        rates.append(len(result.articles) / elapsed)
        stages = "  ".join(f"{stage} {seconds:.1f} s" for stage, seconds in timings.seconds.items())
        relations = dict(Counter(str(p.relation) for p in result.pairs))
        print(f"run {run + 1}: {len(result.articles)} articles in {elapsed:.1f} s = {rates[-1]:.0f} articles/s; "
              f"{len(result.pairs)} pairs {relations}; {len(result.stories)} stories\n  {stages}")  # fmt: skip
    print(f"median of {args.runs} runs: {statistics.median(rates):.0f} articles/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
