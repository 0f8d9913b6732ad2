"""Nearest articles: the faiss index `scan` uses above candidates.EXACT_DOCUMENTS articles against exact search.

On the first N articles of the 100,000-article benchmark collection (bench/collection.py), prints the seconds of
each search (median of the runs) and the share of the exact neighbour pairs the index also finds, by cosine.
    python bench/nearest_index.py [--n 30000] [--runs 3] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sourcetrace.pipeline import featurise  # noqa: E402
from sourcetrace.settings import Settings  # noqa: E402
from sourcetrace.stages import candidates  # noqa: E402
from sourcetrace.stages.ingest import read_articles  # noqa: E402
from throughput import ensure_collection  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    settings = Settings.load()
    collection = ensure_collection(100_000, 0, 0.01, args.data) / "articles.jsonl"
    with tempfile.TemporaryDirectory() as work, collection.open("rb") as handle:
        part = Path(work) / "articles.jsonl"
        part.write_bytes(b"".join(itertools.islice(handle, args.n)))
        articles, _ = read_articles([part], settings.ingest)
    static = featurise(articles, settings).static
    mean = candidates.mean_vector(static)
    docs = candidates.document_vectors([candidates.centre(v, mean) for v in static])
    docs = docs[candidates.distinct_texts(docs)[1]]  # both searches run over distinct texts
    k = settings.candidates.neighbours

    def timed(search) -> tuple[float, Any]:
        seconds, found = [], None
        for _ in range(args.runs):
            start = time.perf_counter()
            found = search()
            seconds.append(time.perf_counter() - start)
        return statistics.median(seconds), found

    exact_s, exact = timed(lambda: candidates.nearest_documents(docs, k, texts=range(len(docs))))
    index_s, (found, near) = timed(lambda: candidates._indexed_nearest(docs, k, -1.0))
    kept = set(zip(np.minimum(found, near).tolist(), np.maximum(found, near).tolist(), strict=True))
    cosine = (docs[exact[:, 0]] * docs[exact[:, 1]]).sum(axis=1)
    shares = {}
    for floor in (0.0, 0.5, 0.7):
        pairs = exact[cosine >= floor].tolist()
        shares[f"cosine >= {floor}"] = {"pairs": len(pairs), "found by the index": round(
            sum(tuple(p) in kept for p in pairs) / max(len(pairs), 1), 4)}  # fmt: skip
    print(json.dumps({"articles": len(docs), "exact s": round(exact_s, 2), "index s": round(index_s, 2), **shares}))


if __name__ == "__main__":
    main()
