"""How the reuse bar (classify.reuse_strength) was chosen: the strength of every dev rewrite pair and of every
same-event pair of independent reports, each pair aligned whole (no candidate search, no probes).

    python bench/reuse_bar.py [--data ../shared/data]

Prints the bar that at most 5 of the 100 NewsWCL50 same-event pairs reach, and the share of the 485 dev rewrite
pairs above it (docs/quality.md).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from pathlib import Path

import numpy as np

from sourcetrace.pipeline import Models
from sourcetrace.settings import Settings
from sourcetrace.stages.align import strength
from sourcetrace.stages.clean import clean
from sourcetrace.stages.ingest import read_articles
from sourcetrace.stages.segment import segment

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    settings = Settings.load()
    encoder = Models.load(settings).sentence

    def load(path: Path) -> dict:
        articles, _ = read_articles([path], settings.ingest)
        prepared = {a.id: segment(clean(a)) for a in articles}
        return {k: (a, encoder.encode([s.text for s in a.sentences])) for k, a in prepared.items() if a.sentences}

    def pair_strength(x: tuple, y: tuple) -> float:
        return strength(x[0].sentences, y[0].sentences, x[1] @ y[1].T, settings.align)[0]

    rewrites = load(args.data / "llm-rewrites-dev" / "articles.jsonl")
    with (args.data / "llm-rewrites-dev" / "derived.csv").open(encoding="utf-8") as handle:
        gold = [(r["original"], r["derived"]) for r in csv.DictReader(handle)]
    positive = np.array([pair_strength(rewrites[o], rewrites[d]) if o in rewrites and d in rewrites else 0.0
                         for o, d in gold])  # fmt: skip
    path = args.data / "news-stories-dev" / "newswcl50.jsonl"
    story = {r["id"]: r["story"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    reports = load(path)
    same = sorted(
        pair_strength(reports[x], reports[y])
        for x, y in itertools.combinations(sorted(reports), 2)
        if story[x] == story[y]
    )
    bar = same[-6]  # at most 5 same-event pairs above it
    print(f"{len(same)} same-event pairs; bar {bar:.3f}; dev rewrite pairs above it: "
          f"{(positive > bar).mean():.3f} of {len(gold)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
