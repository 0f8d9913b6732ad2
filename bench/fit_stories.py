"""Fit the story model's four parameters on the ECB+ corpus and print them (docs/quality.md).

    python bench/fit_stories.py ../shared/data/ecbplus-dev

A logistic model of "same event" over three features of every pair of articles: the cosine of their words, the
cosine of their event terms (names, places, dates, numbers), both weighted by rarity in English, and whether
`scan` reports shared material (copy, rewrite or excerpt) between them; fitted by Newton's method on all pairs of
the 496 articles of ECB+'s odd topics (CC BY 3.0), where each topic holds two events of the same kind, so that the
model learns to tell one event from another of its kind. The printed values go to [stories] in
src/sourcetrace/defaults.toml; GVA and NewsWCL50 (`sourcetrace eval`) check that they generalise. Also printed: how
far the packaged model's probabilities are from the refit's, over the same pairs.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from sourcetrace.evaluation.datasets import load_ecbplus
from sourcetrace.pipeline import Models, scan
from sourcetrace.settings import Settings
from sourcetrace.stages.stories import MATERIAL
from sourcetrace.stages.story_terms import Rarity, term_vectors

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_judge import fit  # noqa: E402  (one Newton fit for both models)


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "../shared/data/ecbplus-dev")
    settings = Settings.load()
    labels = load_ecbplus(folder)
    result = scan([folder / "docs" / f for f in labels], settings, Models.load(settings))
    articles = result.articles
    story_of = {Path(f).stem: label.story for f, label in labels.items()}
    story = np.array([story_of[a.id] for a in articles])
    rarity = Rarity.load(settings.model_dir)
    words = term_vectors(articles, replace(settings.stories, words=1.0, terms=0.0), rarity)
    terms = term_vectors(articles, replace(settings.stories, words=0.0, terms=1.0), rarity)
    index = {a.id: k for k, a in enumerate(articles)}
    material = np.zeros((len(articles), len(articles)))
    for p in result.pairs:
        if p.relation in MATERIAL:
            material[index[p.a], index[p.b]] = material[index[p.b], index[p.a]] = 1.0
    upper = np.triu_indices(len(articles), k=1)
    x = np.column_stack([
        np.ones(len(upper[0])), (words @ words.T).toarray()[upper], (terms @ terms.T).toarray()[upper], material[upper]
    ])  # fmt: skip
    y = (story[:, None] == story[None, :])[upper].astype(float)
    w = fit(x, y)
    print(f"bias = {w[0]:.1f}\nwords = {w[1]:.1f}\nterms = {w[2]:.1f}\nmaterial = {w[3]:.1f}")
    print(f"# {len(y)} article pairs, {int(y.sum())} of one event", file=sys.stderr)
    s = settings.stories
    packaged = 1 / (1 + np.exp(-(x @ np.array([s.bias, s.words, s.terms, s.material]))))
    refit = 1 / (1 + np.exp(-(x @ w)))
    crossed = int(((packaged >= s.link_probability) != (refit >= s.link_probability)).sum())
    print(
        f"# against the packaged model: probabilities differ by {np.abs(packaged - refit).max():.3f} at most, "
        f"{crossed} pairs on the other side of the link probability",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
