"""How the story cut places the articles average linkage leaves out (docs/quality.md, "Link and cut").

    python bench/story_cut.py --data ../shared/data [--only ecbplus newswcl50 gva]

Scans each labelled set once, clusters its articles as `scan` does, and for every linked block of more than two
articles takes average linkage's cut: each story of one or two articles the cut made that has a link at
`link_probability` or more to a bigger story is a candidate join, right when the two sides' labelled events (their
most common) are one. Prints those joins by size (one article: what `join_lone` does; two: what it does not), and
B-cubed F1 of the stories with and without the lone articles joined. ECB+ is where the rule was chosen (the story
model's data); GVA (6,295 articles, a 2.5 minute scan) and NewsWCL50 check it.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Hashable, Mapping
from pathlib import Path

import numpy as np

from sourcetrace.evaluation.datasets import load_ecbplus, load_story_labels
from sourcetrace.evaluation.measures import bcubed_scores
from sourcetrace.pipeline import Models, scan
from sourcetrace.settings import Settings
from sourcetrace.stages.stories import MAX_BLOCK, average_cut, block_probability, cluster_labels
from sourcetrace.stages.story_dates import told_days
from sourcetrace.stages.story_terms import Rarity, term_vectors


def labelled(data: Path, name: str) -> tuple[list[Path], dict[str, str]]:
    if name == "ecbplus":
        labels = load_ecbplus(data / "ecbplus-dev")
        return [data / "ecbplus-dev" / "docs" / f for f in labels], {Path(f).stem: v.story for f, v in labels.items()}
    file = data / "news-stories-dev" / f"{name}.jsonl"
    return [file], load_story_labels(file)


def measure(paths: list[Path], gold: Mapping[str, str], settings: Settings, models: Models) -> None:
    result = scan(paths, settings, models)
    articles = result.articles
    index = {a.id: k for k, a in enumerate(articles)}
    x = term_vectors(articles, settings.stories, Rarity.load(settings.model_dir))
    dates = [a.date for a in articles]
    told = [told_days(a.text, a.date) for a in articles]
    material = [(index[p.a], index[p.b], p.relation) for p in result.pairs]
    found = cluster_labels(x, dates, material, settings.stories, told=told)
    event = [gold.get(a.id) for a in articles]
    threshold = settings.stories.link_probability
    joins: Counter[tuple[int, bool]] = Counter()
    plain = found.blocks.astype(object)  # the stories without the joins; with them: found.labels
    for block in np.unique(found.blocks):
        members = np.flatnonzero(found.blocks == block)
        if len(members) <= 2 or len(members) > MAX_BLOCK:  # kept whole, as cluster_labels keeps them
            continue
        p = block_probability(members, x, found.links, dates, settings.stories, told)
        cut = average_cut(p, threshold)
        plain[members] = [(block, c) for c in cut.tolist()]
        main = {c: _most_common([event[m] for m in members[cut == c]]) for c in np.unique(cut)}
        size = np.bincount(cut)
        for c in np.flatnonzero((size == 1) | (size == 2)):
            inside, bigger = cut == c, size[cut] > size[c]
            if bigger.any() and p[np.ix_(inside, bigger)].max() >= threshold:
                target = cut[np.flatnonzero(bigger)[p[np.ix_(inside, bigger)].max(axis=0).argmax()]]
                joins[(int(size[c]), main[c] is not None and main[c] == main[target])] += 1
    for n, what in ((1, "one article (joined)"), (2, "two articles (not joined)")):
        print(f"  stories of {what} with a link into a bigger one: {joins[(n, True)]} right, {joins[(n, False)]} wrong")
    scored = [k for k, e in enumerate(event) if e is not None]
    truth = {k: event[k] for k in scored}
    for name, labels in (("average linkage alone", plain), ("lone articles joined", found.labels)):
        print(f"  B-cubed P / R / F1, {name}: " + " / ".join(f"{v:.3f}" for v in _scores(labels, truth, scored)))


def _most_common(values: list[str | None]) -> str | None:
    counted = Counter(v for v in values if v is not None).most_common(1)
    return counted[0][0] if counted else None


def _scores(labels: np.ndarray, truth: Mapping[int, Hashable], scored: list[int]) -> tuple[float, float, float]:
    return bcubed_scores({k: labels[k] for k in scored}, truth)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--only", nargs="+", default=["ecbplus", "newswcl50", "gva"])
    args = parser.parse_args()
    settings = Settings.load()
    models = Models.load(settings)
    for name in args.only:
        paths, gold = labelled(args.data, name)
        print(f"{name}:", flush=True)
        measure(paths, gold, settings, models)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
