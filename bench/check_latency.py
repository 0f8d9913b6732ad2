"""Latency of `check` against a large store, and the cost of `index add` into it compared with an empty store.

    python bench/check_latency.py [--n 10000] [--held-out 1000] [--checks 200] [--data ../shared/data]

1. builds (once, cached under bench/out/) a collection of n + held-out articles with bench/collection.py, and a store
   of its first n articles (the first n/2 are saved on the way as a second store, used by bench/load_test.py);
2. checks `--checks` held-out articles one at a time against the n-article store, model loaded and warm, and
   prints p50/p95/max of the wall time of `Store.check` (read, clean, segment, candidates, encode, align);
3. adds the held-out articles to a copy of the store, then to an empty store, and prints both times: comparing and
   storing, and apart from it, working the stories out again over the whole store afterwards.

Targets (10,000 articles, 2 cores): check p95 under 300 ms; adding 1,000 articles to the 10,000-article store
within 1.5x of adding them to an empty one. Small runs for a try: --n 300 --held-out 60 --checks 40.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from collection import DEFAULT_DATA, build_collection  # noqa: E402
from sourcetrace.pipeline import Models  # noqa: E402
from sourcetrace.settings import Settings  # noqa: E402
from sourcetrace.stages.ingest import read_articles  # noqa: E402
from sourcetrace.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"


def ensure_collection(total: int, data: Path) -> Path:
    path = OUT / f"store-collection-{total}.jsonl"
    if not path.exists():
        articles, _ = build_collection(total, seed=0, data_dir=data)
        OUT.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for record in articles:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read(path: Path, settings: Settings) -> list:
    articles, errors = read_articles([path], settings.ingest)
    if errors:
        raise SystemExit(f"{len(errors)} records not read, e.g. {errors[0]}")
    return articles


def ensure_store(n: int, articles: list, settings: Settings, models: Models) -> Path:
    """The store of the first n articles; the first n/2 are saved as store-{n/2}.db on the way."""
    db = OUT / f"store-{n}.db"
    if db.exists():
        return db
    half = OUT / f"store-{n // 2}.db"
    work = OUT / f"store-{n}.building.db"
    for leftover in OUT.glob(f"store-{n}.building.db*"):
        leftover.unlink()
    figures = {}
    with Store(work, settings, models) as store:
        start = time.perf_counter()
        store.add(articles[: n // 2], progress=_progress)
        figures["first_half_s"] = round(time.perf_counter() - start, 1)
    shutil.copy(work, half)  # closed: the write-ahead log is folded into the file
    with Store(work, settings, models) as store:
        start = time.perf_counter()
        store.add(articles[n // 2 : n], progress=_progress)
        figures["second_half_s"] = round(time.perf_counter() - start, 1)
    work.rename(db)
    (OUT / f"store-{n}.build.json").write_text(json.dumps(figures))
    print(f"built {db}: {figures}", file=sys.stderr)
    return db


def _progress(stage: str, done: int, total: int) -> None:
    if stage != "store" or done % 1000 == 0 or done == total:
        print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles in the store")
    parser.add_argument("--held-out", type=int, default=1000, help="articles checked and added (not in the store)")
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip-add", action="store_true", help="measure check latency only")
    parser.add_argument("--build-only", action="store_true", help="build the collection and the stores, then stop")
    args = parser.parse_args()

    settings = Settings.load()
    models = Models.load(settings)
    articles = read(ensure_collection(args.n + args.held_out, args.data), settings)
    db = ensure_store(args.n, articles, settings, models)
    if args.build_only:
        return
    held_out = articles[args.n : args.n + args.held_out]
    words = statistics.mean(len(a.text.split()) for a in held_out[: args.checks])

    with Store(db, settings, models, create=False) as store:
        for article in held_out[:5]:  # warm: model, caches, the in-memory document vectors
            store.check([article])
        seconds, matched, stages = [], 0, {}
        for article in held_out[: args.checks]:
            spent: dict[str, float] = {}
            start = time.perf_counter()
            result = store.check([article], timings=spent)
            seconds.append(time.perf_counter() - start)
            matched += bool(result.pairs)
            for k, v in spent.items():
                stages.setdefault(k, []).append(v)
        count = store.count()
    check = {
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "store_articles": count,
        "checks": len(seconds),
        "mean_words": round(words),
        "with_matches": matched,
        "p50_ms": round(1000 * statistics.median(seconds), 1),
        "p95_ms": round(1000 * percentile(seconds, 0.95), 1),
        "max_ms": round(1000 * max(seconds), 1),
        "stage_p50_ms": {k: round(1000 * statistics.median(v), 1) for k, v in stages.items()},
    }
    print(json.dumps({"check": check}))

    if args.skip_add:
        return
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        into_full = Path(folder) / "full.db"
        shutil.copy(db, into_full)
        timings: dict[str, float | int] = {}
        for name, path in (("into_store", into_full), ("into_empty", Path(folder) / "empty.db")):
            with Store(path, settings, models) as store:
                start = time.perf_counter()
                store.add(held_out, stories=False)
                timings[f"{name}_s"] = round(time.perf_counter() - start, 1)
                start = time.perf_counter()
                store.update_stories()  # stage 9 over the whole store: the one part that follows its size
                timings[f"{name}_stories_s"] = round(time.perf_counter() - start, 1)
    timings["ratio"] = round(timings["into_store_s"] / timings["into_empty_s"], 2)
    timings["ratio_with_stories"] = round(
        (timings["into_store_s"] + timings["into_store_stories_s"])
        / (timings["into_empty_s"] + timings["into_empty_stories_s"]),
        2,
    )
    timings["articles"] = len(held_out)
    timings["store_articles"] = count
    print(json.dumps({"add": timings}))


if __name__ == "__main__":
    main()
