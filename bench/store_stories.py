"""What working out the stories costs when `index add` adds 1,000 articles to a 10,000-article store.

    python bench/store_stories.py [--n 10000] [--held-out 1000] [--runs 3] [--total N] [--data ../shared/data]
    python bench/store_stories.py --update-only bench/out/store-10000-added.db [--runs 3]

1. builds (once, cached under bench/out/, shared with bench/check_latency.py) a synthetic collection of n + held-out
   articles and a store of its first n;
2. on a copy of that store, works the stories out once (a store made by an earlier version keeps no story state:
   this is the one full rebuild after an upgrade), then adds the held-out articles without stories
   (`store.add(..., stories=False)`, timed) and keeps the file as it is then;
3. per run, on a fresh copy of that file, times `update_stories()`: what `add` does after the articles are stored
   when `stories` is true, so an add with stories costs the add without them plus this;
4. then, once, the stories worked out whole on that file (the state dropped) and, step by step, what a full rebuild
   spends: reading the articles and pairs, the story matrix (mentions, common words, terms), the clustering.

The store of step 2 is kept as bench/out/store-{n}-added.db. ``--update-only FILE`` times only step 3 on copies of
FILE: run with an earlier version of the package on that file, it measures the figure before (that version keeps
no story state, so each of its updates is a full rebuild; the file is taken back to schema version 1 by dropping
the story-state tables, which that version does not know). Prints one JSON record; the medians of the runs go to
docs/performance.md.
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from check_latency import OUT, ensure_collection, ensure_store, read  # noqa: E402
from collection import DEFAULT_DATA  # noqa: E402
from sourcetrace.pipeline import Models  # noqa: E402
from sourcetrace.settings import Settings  # noqa: E402
from sourcetrace.stages.stories import cluster_stories  # noqa: E402
from sourcetrace.stages.story_terms import Rarity, term_vectors  # noqa: E402
from sourcetrace.store import Store, schema  # noqa: E402


def timed_update(store: Store) -> tuple[float, dict[str, float], list]:
    steps: dict[str, float] = {}
    takes_timings = "timings" in inspect.signature(store.update_stories).parameters
    start = time.perf_counter()
    stories = store.update_stories(timings=steps) if takes_timings else store.update_stories()
    return time.perf_counter() - start, steps, stories


def updates(added: Path, runs: int, settings: Settings, models: Models) -> tuple[list[float], list[dict], list]:
    """``update_stories`` on ``runs`` fresh copies of ``added``: seconds, steps, and the last run's stories."""
    seconds, steps, stories = [], [], []
    for _ in range(runs):
        work = added.with_name("run.db")
        shutil.copy(added, work)
        if schema.SCHEMA_VERSION == 1:  # an earlier version: the file as it would have made it
            db = sqlite3.connect(work)
            for table in ("story_terms", "story_words", "story_links", "story_blocks"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("PRAGMA user_version = 1")
            db.commit()
            db.close()
        with Store(work, settings, models) as store:
            took, spent, stories = timed_update(store)
        seconds.append(took)
        steps.append({k: round(v, 2) for k, v in spent.items()})
        for leftover in added.parent.glob("run.db*"):
            leftover.unlink()
    return seconds, steps, stories


def full_rebuild_steps(store: Store, settings: Settings) -> dict[str, float]:
    """A full rebuild's steps, as update_stories did them before the store kept story state."""
    steps, start = {}, time.perf_counter()
    with store._read() as db:
        keys = [r[0] for r in db.execute("SELECT key FROM articles WHERE current = 1 ORDER BY id")]
        loaded = store._load_articles(db, keys)
        articles = [loaded[k] for k in keys]
        steps["read articles"] = time.perf_counter() - start
        pairs = store.pairs(limit=None, details=False)
    steps["read pairs"] = time.perf_counter() - start - steps["read articles"]
    start = time.perf_counter()
    x = term_vectors(articles, settings.stories, Rarity.load(settings.model_dir))
    steps["story matrix"] = time.perf_counter() - start
    start = time.perf_counter()
    cluster_stories(articles, pairs, settings.stories, x)
    steps["clustering"] = time.perf_counter() - start
    return {k: round(v, 2) for k, v in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles in the store")
    parser.add_argument("--held-out", type=int, default=1000, help="articles added")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--total", type=int, help="articles in the collection built (default n + held-out)")
    parser.add_argument("--update-only", type=Path, help="time update_stories only, on copies of this store")
    args = parser.parse_args()

    settings = Settings.load()
    models = Models.load(settings)
    if args.update_only:
        with tempfile.TemporaryDirectory(dir=OUT) as folder:
            added = Path(folder) / "added.db"
            shutil.copy(args.update_only, added)
            seconds, steps, stories = updates(added, args.runs, settings, models)
        median = round(statistics.median(seconds), 2)
        print(json.dumps({"update_s": [round(s, 2) for s in seconds], "update_median_s": median, "steps": steps}))
        return
    articles = read(ensure_collection(args.total or args.n + args.held_out, args.data), settings)
    base = ensure_store(args.n, articles, settings, models)
    held_out = articles[args.n : args.n + args.held_out]
    record: dict = {"store_articles": args.n, "added": len(held_out)}
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        added = Path(folder) / "added.db"
        shutil.copy(base, added)
        with Store(added, settings, models) as store:
            record["first_update_s"] = round(timed_update(store)[0], 2)
            start = time.perf_counter()
            store.add(held_out, stories=False)
            record["add_without_stories_s"] = round(time.perf_counter() - start, 1)
        shutil.copy(added, OUT / f"store-{args.n}-added.db")
        seconds, steps, stories = updates(added, args.runs, settings, models)
        record["update_s"] = [round(s, 2) for s in seconds]
        record["update_median_s"] = round(statistics.median(seconds), 2)
        record["update_steps"] = steps
        record["ratio_with_stories"] = round(
            (record["add_without_stories_s"] + record["update_median_s"]) / record["add_without_stories_s"], 3
        )
        with Store(added, settings, models) as store:
            with store._write() as db:
                db.execute("DELETE FROM meta WHERE key = 'story_state'")  # no state: worked out whole
            took, _, whole = timed_update(store)
            record["whole_update_s"] = round(took, 2)
            record["same_stories_as_whole"] = whole == stories
            record["stories"] = len(whole)
            record["full_rebuild_steps"] = full_rebuild_steps(store, settings)
    print(json.dumps(record))


if __name__ == "__main__":
    main()
