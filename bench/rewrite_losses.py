"""Where the dev rewrites are lost, stage by stage: each (original, model rewrite) pair of `llm-rewrites-dev` is
followed through the scan's cascade with the packaged settings.

    python bench/rewrite_losses.py [--data ../shared/data] [--show]

For every pair: lost to cleaning (an article left without text), never a candidate, not aligned whole by the static
plan (its ordered coverage on static vectors below ``align.static_strength``, or not vouched for and its probes
short), aligned but below the reuse bar, or found; and beside each
stage, how many of its pairs would reach the bar if aligned whole (what fixing that stage alone could bring back).
Then the quantiles of the coverage on static vectors of the pairs that reach the reuse bar aligned whole, from which
``align.static_strength`` is chosen (about the 0.005 quantile, rounded), and those of the static cosine of their
sentence pairs at the excerpt bar (``classify.excerpt_score``), from which ``align.near_static`` is (the 0.02
quantile, rounded).
Figures: docs/quality.md.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import numpy as np

from sourcetrace.pipeline import Models, _Embeddings, _plain_static, _probes, _supported, featurise, relate
from sourcetrace.settings import Settings
from sourcetrace.stages.align import coverage_in_order, jaccard_matrix, same_meaning
from sourcetrace.stages.candidates import Candidate, centre, find_candidates, mean_vector
from sourcetrace.stages.ingest import read_articles
from sourcetrace.stages.story_terms import Rarity, term_matrix

ROOT = Path(__file__).resolve().parent.parent
REUSE = ("copy", "rewrite", "excerpt")
STAGES = ("cleaning", "candidates", "static plan", "reuse bar", "found")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--show", action="store_true", help="also list the lost pairs that would reach the bar")
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
    found = find_candidates(features.signatures, static, settings.candidates, quotes, terms, features.runs)
    candidates = {(c.a, c.b): c for c in found}
    vectors = _Embeddings(Models.load(settings).sentence, prepared)
    lost, whole, static_strengths, near_static, recoverable = Counter(), Counter(), [], [], []
    for original, derived in gold:
        if original not in index or derived not in index:
            lost["cleaning"] += 1
            continue
        a, b = sorted((index[original], index[derived]))
        candidate = candidates.get((a, b))
        pair = candidate or Candidate(a, b, 0, False)
        plain = _plain_static(prepared, [pair], settings)
        close = plain[a] @ plain[b].T
        static = coverage_in_order(prepared[a].sentences, prepared[b].sentences, close, settings.align)
        planned = static >= settings.align.static_strength
        if planned and not pair.vouched:  # the probes, as the scan runs them
            probes = _probes(prepared[a], prepared[b], close, settings.align.probes)
            vectors.need(a, {i for i, _ in probes})
            vectors.need(b, {j for _, j in probes})
            planned = _supported(prepared[a], prepared[b], pair, probes, vectors, settings)
        vectors.need(a, set(range(len(prepared[a].sentences))))
        vectors.need(b, set(range(len(prepared[b].sentences))))
        cosines = (vectors.matrix(a) @ vectors.matrix(b).T).astype(np.float32)
        reuse = relate(prepared[a], prepared[b], cosines, settings, keep_unrelated=True).relation in REUSE
        stage = "candidates" if not candidate else "static plan" if not planned else "found" if reuse else "reuse bar"
        lost[stage] += 1
        whole[stage] += reuse
        if reuse and stage != "found":
            recoverable.append(f"  {stage:11s} {original}  {derived}  static coverage {static:.3f}"
                               f"{'  vouched' if pair.vouched else ''}")  # fmt: skip
        if reuse:  # the bars are chosen on the pairs that reach the reuse bar aligned whole
            static_strengths.append(static)
            jaccard = jaccard_matrix(prepared[a].sentences, prepared[b].sentences)
            near = same_meaning(cosines, jaccard, settings.align) >= settings.classify.excerpt_score
            near_static.extend(close[near].tolist())
    print(f"{len(gold)} pairs; where each one stops, and how many of those reach the reuse bar aligned whole")
    for stage in STAGES:
        print(f"  {stage:11s} {lost[stage]:4d}   reach the bar aligned whole: {whole[stage]}")
    if args.show:
        print("lost before the bar but reaching it aligned whole:", *recoverable, sep="\n")
    shares = (0.0, 0.005, 0.01, 0.02, 0.05)
    values = np.quantile(static_strengths, shares)
    quantiles = ", ".join(f"{q}: {v:.3f}" for q, v in zip(shares, values, strict=True))
    print(f"coverage on static vectors of the {len(static_strengths)} pairs that reach the bar, quantiles: {quantiles}")
    values = np.quantile(near_static, shares)
    quantiles = ", ".join(f"{q}: {v:.3f}" for q, v in zip(shares, values, strict=True))
    print(f"static cosine of the {len(near_static)} sentence pairs at the excerpt bar, quantiles: {quantiles}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
