"""The cost of the story digests: one scan, then the digests of every story of two or more articles, timed.

Prints the scan time, the digests' median time over several runs, the largest story's time, and what the digests
add to the JSON report (its time and size with and without them).
    python bench/digests.py PATH... [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sourcetrace import scan
from sourcetrace.digest import build_digest
from sourcetrace.report import to_dict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    result = scan(args.paths)
    scanned = time.perf_counter() - start
    articles = {a.id: a for a in result.articles}
    stories = [s for s in result.stories if len(s.articles) > 1]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        digests = [build_digest(s, articles, result.pairs) for s in stories]
        times.append(time.perf_counter() - start)
    largest = max(stories, key=lambda s: len(s.articles))
    start = time.perf_counter()
    build_digest(largest, articles, result.pairs)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    with_digests = json.dumps(to_dict(result), ensure_ascii=False)
    json_time = time.perf_counter() - start
    bare = json.dumps({**to_dict(result), "stories": [s.id for s in result.stories]}, ensure_ascii=False)
    print(
        f"{len(result.articles)} articles, {len(result.pairs)} pairs, {len(stories)} stories of 2+ articles "
        f"(largest {len(largest.articles)}); scan {scanned:.1f} s\n"
        f"digests: median {statistics.median(times):.2f} s over {args.runs} runs (min {min(times):.2f}), "
        f"largest story {alone * 1000:.0f} ms; lines: {sum(len(d.carried) + len(d.diverging) for d in digests)}\n"
        f"JSON report with digests: {json_time:.2f} s, {len(with_digests) / 1e6:.2f} MB "
        f"(the digests hold {(len(with_digests) - len(bare)) / 1e6:.2f} MB of it)"
    )


if __name__ == "__main__":
    main()
