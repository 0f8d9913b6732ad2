"""Stories (ECB+, and any JSON-lines file of articles labelled by event): the story clustering beside the baselines'
clusterings."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from ..pipeline import Models, scan
from ..records import Pair
from ..settings import Settings
from .baselines import average_linkage, document_vectors, tfidf_cosines
from .common import RELATIONS, REUSE, Log, caching, say
from .datasets import load_ecbplus, load_story_labels
from .measures import bcubed_per_item, cluster_scores, f1_score
from .results import Evaluation, Table


def _cluster_row(name: str, pred: Mapping[str, Hashable], gold: Mapping[str, str], how: str) -> tuple[object, ...]:
    s = cluster_scores(pred, gold)
    clusters = len({pred.get(k, ("alone", k)) for k in gold})
    return (name, s.bcubed_precision, s.bcubed_recall, s.bcubed_f1, s.pairwise.f1, s.ari, clusters, how)


def _cross_validated_clustering(
    similarity: np.ndarray, items: Sequence[str], gold: Mapping[str, str], topics: Mapping[str, str], k: int = 5
) -> tuple[float, float, float, tuple[float, ...]]:
    """B-cubed P/R/F1 of average-linkage clustering cut where the other topics' items score best.

    For each fold of topics, the cut maximising B-cubed F1 over the training topics' items (clustered with
    everything) is chosen; the held-out items are scored in the clustering of everything at that cut.
    """
    per_item = {
        t: bcubed_per_item(dict(zip(items, average_linkage(similarity, t), strict=True)), gold)
        for t in np.round(np.arange(0.05, 0.96, 0.025), 3).tolist()
    }
    fold_of = {topic: n % k for n, topic in enumerate(sorted(set(topics.values())))}
    chosen, precision, recall = [], [], []
    for fold in range(k):
        train = [i for i in items if fold_of[topics[i]] != fold]
        test = [i for i in items if fold_of[topics[i]] == fold]
        if not test:
            continue

        def f1(t: float, train: list[str] = train) -> float:
            return f1_score(
                float(np.mean([per_item[t][i][0] for i in train])), float(np.mean([per_item[t][i][1] for i in train]))
            )

        best = max(per_item, key=f1)
        chosen.append(best)
        precision += [per_item[best][i][0] for i in test]
        recall += [per_item[best][i][1] for i in test]
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return p, r, f1_score(p, r), tuple(chosen)


def evaluate_ecbplus(
    path: str | Path,
    settings: Settings,
    models: Models,
    baselines: bool = True,
    log: Log | None = None,
    topics: Iterable[str] | None = None,
) -> Evaluation:
    """Scan the articles together; score the stories against the labels and count reuse within and across stories.

    ``topics`` keeps the articles of those topics only.
    """
    started = time.perf_counter()
    root = Path(path)
    labels = load_ecbplus(root)
    if topics is not None:
        keep = set(topics)
        labels = {f: label for f, label in labels.items() if label.topic in keep}
    models = caching(models)
    say(log, f"ecbplus: scanning {len(labels)} articles")
    result = scan([root / "docs" / f for f in labels], settings, models)
    file_of = {Path(f).stem: f for f in labels}
    items = [file_of[a.id] for a in result.articles]
    gold = {f: labels[f].story for f in items}
    topic = {f: labels[f].topic for f in items}
    pred = {file_of[a]: s.id for s in result.stories for a in s.articles}
    rows = [
        _cluster_row("sourcetrace stories", pred, gold, "packaged settings"),
        _cluster_row("one cluster per topic (reference)", topic, gold, "the labels' topics"),
    ]
    if baselines:
        docs = document_vectors([[s.text for s in a.sentences] for a in result.articles], models.sentence)
        for name, sim in (
            ("TF-IDF cosine, average linkage", tfidf_cosines([a.text for a in result.articles])),
            ("MiniLM document cosine, average linkage", (docs @ docs.T).astype(float)),
        ):
            p, r, f1, chosen = _cross_validated_clustering(sim, items, gold, topic)
            cuts = ", ".join(f"{t:.2f}" for t in chosen)
            rows.append((name, p, r, f1, None, None, None, f"cut chosen on other topics (5-fold CV): {cuts}"))
    s = cluster_scores(pred, gold)
    reuse, within_share = _reuse_by_story(result.pairs, {a: gold[f] for a, f in file_of.items() if f in gold})
    return Evaluation(
        "ecbplus",
        f"{len(gold)} articles, {len(set(gold.values()))} stories in {len(set(topic.values()))} topics",
        {
            "bcubed_f1": s.bcubed_f1,
            "pairwise_f1": s.pairwise.f1,
            "ari": s.ari,
            "reuse_within_story_share": within_share,
        },
        [
            Table(
                "ECB+: stories against the labels",
                ("method", "B³ precision", "B³ recall", "B³ F1", "pairwise F1", "ARI", "clusters", "decision"),
                rows,
                "Each topic holds two different events of the same kind; a story is one event. Baselines: every "
                "article is scored in the clustering of all articles at a cut chosen on the other topics' articles "
                "(B-cubed only).",
            ),
            _reuse_table("ECB+: reuse pairs found, within and across stories", reuse),
        ],
        time.perf_counter() - started,
    )


def evaluate_stories(
    path: str | Path, settings: Settings, models: Models, baselines: bool = True, log: Log | None = None
) -> Evaluation:
    """Scan a JSON-lines file of articles labelled by event (``id``, ``story``, ``text``, optionally ``title`` and
    ``published``) and score its stories with B-cubed; beside them, TF-IDF average linkage at its best cut for
    this very file (a bound no setting chosen elsewhere reaches: the baseline is given every advantage)."""
    started = time.perf_counter()
    file = Path(path)
    labels = load_story_labels(file)
    say(log, f"stories: scanning {len(labels)} articles of {file.name}")
    result = scan([file], settings, caching(models))
    items = [a.id for a in result.articles if a.id in labels]
    gold = {k: labels[k] for k in items}
    pred = {k: s.id for s in result.stories for k in s.articles if k in gold}
    rows = [_cluster_row("sourcetrace stories", pred, gold, "packaged settings")]
    if baselines:
        kept = [a for a in result.articles if a.id in gold]
        similarity = tfidf_cosines([f"{a.title or ''}\n{a.text}" for a in kept])
        tree = linkage(np.clip(1.0 - similarity[np.triu_indices(len(kept), k=1)], 0.0, 2.0), method="average")
        del similarity

        def clusters(t: float) -> dict[str, Hashable]:
            return dict(zip(items, fcluster(tree, t=1.0 - t, criterion="distance").tolist(), strict=True))

        best = max((cluster_scores(clusters(t), gold).bcubed_f1, t) for t in np.arange(0.05, 0.95, 0.05))
        cut = clusters(best[1])
        rows.append(_cluster_row("TF-IDF cosine, average linkage", cut, gold, f"best cut for this file: {best[1]:.2f}"))
    s = cluster_scores(pred, gold)
    # every labelled article scored, those scan set aside (no text, not the article) as stories of their own
    everyone = cluster_scores({**{k: ("set aside", k) for k in labels}, **pred}, dict(labels))
    reuse, within_share = _reuse_by_story(result.pairs, gold)
    return Evaluation(
        "stories",
        f"{len(gold)} articles, {len(set(gold.values()))} stories ({file.name})",
        {
            "bcubed_f1": s.bcubed_f1,
            "bcubed_precision": s.bcubed_precision,
            "bcubed_recall": s.bcubed_recall,
            "bcubed_f1_all_labelled": everyone.bcubed_f1,
            "reuse_within_story_share": within_share,
        },
        [
            Table(
                f"Stories against the labels: {file.name}",
                ("method", "B³ precision", "B³ recall", "B³ F1", "pairwise F1", "ARI", "clusters", "decision"),
                rows,
            ),
            _reuse_table(f"Reuse pairs found, within and across the labelled stories: {file.name}", reuse),
        ],
        time.perf_counter() - started,
    )


def _reuse_by_story(pairs: Iterable[Pair], story_of: Mapping[str, str]) -> tuple[Counter[tuple[str, bool]], float]:
    """The reported pairs by relation and by whether the labels put the two articles in one story, and the share of
    the copies, rewrites and excerpts that are within one story (1 when there are none). Articles without a label
    are left out."""
    reuse: Counter[tuple[str, bool]] = Counter(
        (str(p.relation), story_of[p.a] == story_of[p.b])
        for p in pairs
        if p.relation and p.a in story_of and p.b in story_of
    )
    within = sum(v for (r, same), v in reuse.items() if same and r in REUSE)
    across = sum(v for (r, same), v in reuse.items() if not same and r in REUSE)
    return reuse, within / (within + across) if within + across else 1.0


def _reuse_table(title: str, reuse: Counter[tuple[str, bool]]) -> Table:
    return Table(
        title,
        ("relation", "within a story", "across stories"),
        [(r, reuse[(r, True)], reuse[(r, False)]) for r in RELATIONS],
    )
