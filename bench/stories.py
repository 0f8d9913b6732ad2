"""Time of the story stage on one collection: the story matrix and the clustering, after the per-article work.

    python bench/stories.py COLLECTION.jsonl [--runs 3]

Reads and featurises the collection once (as `scan` does, in worker processes, which also find each article's
story terms), then times, per run, building the story matrix from those terms (`term_matrix`, in the main process)
and `cluster_stories` without reuse pairs, and prints the median of the runs (docs/performance.md). The workers'
share, `story_terms` on the pipeline's chunks of articles (their mentions found beforehand, as the workers find
them anyway), is timed once on one core and printed first. Build a synthetic collection with
`python bench/collection.py --n N`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sourcetrace.pipeline import CHUNK, featurise
from sourcetrace.settings import Settings
from sourcetrace.stages.ingest import read_articles
from sourcetrace.stages.stories import cluster_stories
from sourcetrace.stages.story_terms import Rarity, common_words, mentions, story_terms, term_matrix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collection", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.load()
    articles, _ = read_articles([args.collection], settings.ingest)
    features = featurise(articles, settings)
    rarity = Rarity.load(settings.model_dir)
    chunks = [features.articles[k : k + CHUNK] for k in range(0, len(features.articles), CHUNK)]
    found = [[mentions(a, rarity) for a in chunk] for chunk in chunks]
    common = [common_words(a.text for a in chunk) for chunk in chunks]
    started = time.process_time()
    for chunk_found, chunk_common in zip(found, common, strict=True):
        story_terms(chunk_found, chunk_common)
    print(f"story terms in the workers: {time.process_time() - started:.2f} s of one core")
    matrix_s, cluster_s = [], []
    for run in range(args.runs):
        started = time.perf_counter()
        x = term_matrix(list(features.stories), features.common, settings.stories, rarity)
        built = time.perf_counter()
        stories = cluster_stories(features.articles, [], settings.stories, x)
        done = time.perf_counter()
        matrix_s.append(built - started)
        cluster_s.append(done - built)
        print(f"run {run + 1}: {len(features.articles)} articles: story matrix {matrix_s[-1]:.2f} s, clustering "
              f"{cluster_s[-1]:.2f} s, {len(stories)} stories")  # fmt: skip
    print(f"median: story matrix {statistics.median(matrix_s):.2f} s, clustering {statistics.median(cluster_s):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
