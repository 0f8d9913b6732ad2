"""Where the dev rewrites are lost, stage by stage: each (original, model rewrite) pair of `llm-rewrites-dev` is
followed through the scan's cascade with the packaged settings.

    python bench/rewrite_losses.py [--data ../shared/data]

For every pair: lost to cleaning (an article left without text), never a candidate, dropped by the probes, aligned
but below the reuse bar, or found; and beside each stage, how many of its pairs would reach the bar if aligned whole
(what fixing that stage alone could bring back). Figures: docs/quality.md.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import numpy as np

from sourcetrace.pipeline import Models, _cosines, _Embeddings, _probe_all, _static_view, featurise, relate
from sourcetrace.settings import Settings
from sourcetrace.stages.candidates import Candidate, centre, find_candidates, mean_vector
from sourcetrace.stages.ingest import read_articles
from sourcetrace.stages.story_terms import Rarity, term_matrix

ROOT = Path(__file__).resolve().parent.parent
REUSE = ("copy", "rewrite", "excerpt")
STAGES = ("cleaning", "candidates", "probes", "reuse bar", "found")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    folder = args.data / "llm-rewrites-dev"
    settings = Settings.load()
    articles, _ = read_articles([folder / "articles.jsonl"], settings.ingest)
    with (folder / "derived.csv").open(encoding="utf-8") as handle:
        gold = [(r["original"], r["derived"]) for r in csv.DictReader(handle)]
    features = featurise(articles, settings)
    prepared, static = features.articles, features.static
    index = {a.id: k for k, a in enumerate(prepared)}
    mean = mean_vector(static)
    for vectors in static:
        vectors[...] = centre(vectors, mean)
    quotes = [np.array([bool(s.quote_spans) for s in a.sentences], dtype=bool) for a in prepared]
    terms = term_matrix(features.stories, features.common, settings.stories, Rarity.load(settings.model_dir))
    found = find_candidates(features.signatures, static, settings.candidates, quotes, terms)
    candidates = {(c.a, c.b): c for c in found}
    vectors = _Embeddings(Models.load(settings).sentence, prepared)
    lost, whole = Counter(), Counter()
    for original, derived in gold:
        if original not in index or derived not in index:
            lost["cleaning"] += 1
            continue
        a, b = sorted((index[original], index[derived]))
        candidate = candidates.get((a, b))
        view = _static_view(prepared[a], prepared[b], _cosines(static[a], static[b]), settings)
        probed = _probe_all(prepared, [candidate or Candidate(a, b, 0, False)], [view], vectors, settings)[0]
        vectors.need(a, set(range(len(prepared[a].sentences))))
        vectors.need(b, set(range(len(prepared[b].sentences))))
        cosines = (vectors.matrix(a) @ vectors.matrix(b).T).astype(np.float32)
        reuse = relate(prepared[a], prepared[b], cosines, settings, keep_unrelated=True).relation in REUSE
        stage = "candidates" if not candidate else "probes" if not probed else "found" if reuse else "reuse bar"
        lost[stage] += 1
        whole[stage] += reuse
    print(f"{len(gold)} pairs; where each one stops, and how many of those reach the reuse bar aligned whole")
    for stage in STAGES:
        print(f"  {stage:11s} {lost[stage]:4d}   reach the bar aligned whole: {whole[stage]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
