"""A collection with planted pairs: the pairs found, by planted relation, beside the baselines."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..encoder import Encoder
from ..pipeline import Models, scan
from ..records import Article
from ..settings import Settings
from .baselines import document_vectors, minhash_scores, tfidf_cosines
from .common import RELATIONS, Log, caching, folds_for, say
from .datasets import PLANTED_RELATIONS, PlantedPair, load_collection
from .measures import held_out_decisions, pair_scores, scores_from_counts
from .results import Evaluation, Table


def evaluate_collection(
    path: str | Path, settings: Settings, models: Models, baselines: bool = True, log: Log | None = None
) -> Evaluation:
    """Scan articles.jsonl; score the pairs found against truth.jsonl, by relation.

    Recall of a planted kind: its pairs reported with any relation (and with its own). Precision of a reported
    relation: its pairs that are planted reuse. Every pair not planted is a false alarm, hard negatives included.
    """
    started = time.perf_counter()
    articles_path, truth = load_collection(path)
    models = caching(models)
    say(log, f"collection: scanning {articles_path}")
    result = scan([articles_path], settings, models)
    reported = {frozenset((p.a, p.b)): p for p in result.pairs if p.relation}
    planted = {frozenset((t.a, t.b)): t for t in truth}
    reuse_truth = {k for k, t in planted.items() if t.relation != "none"}

    def found_rows(key: Callable[[PlantedPair], str]) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for name in sorted({key(t) for t in truth}, key=lambda n: (PLANTED_RELATIONS.index(n.split(" (")[0]), n)):
            mine = [(t, reported.get(frozenset((t.a, t.b)))) for t in truth if key(t) == name]
            found = [(t, p) for t, p in mine if p]
            as_planted = sum(1 for t, p in found if p.relation == t.relation)
            right = sum(1 for t, p in found if t.source and p.source == t.source)
            named = "—" if name.startswith("shared-quotes") else f"{right}/{len(found)}"  # quoting is no taking
            out.append((name, len(mine), len(found) / len(mine), as_planted / len(mine), named))
        return out

    figures: dict[str, float] = {}
    by_relation = found_rows(lambda t: t.relation)
    for name, _, found_share, *_ in by_relation:
        if name != "none":  # for hard negatives "found" is the share wrongly reported: see hard_negatives_clear
            figures[f"recall_{name}"] = float(found_share)  # type: ignore[arg-type]
    precision_rows: list[tuple[object, ...]] = []
    for rel in RELATIONS:
        mine = [k for k, p in reported.items() if p.relation == rel]
        ok = sum(1 for k in mine if k in reuse_truth)
        same = sum(1 for k in mine if k in planted and planted[k].relation == rel)
        precision_rows.append((rel, len(mine), ok / len(mine) if mine else None, same / len(mine) if mine else None))
        if mine:
            figures[f"precision_{rel}"] = ok / len(mine)
    overall = pair_scores([tuple(k) for k in reported], [tuple(k) for k in reuse_truth])  # type: ignore[misc]
    negatives = [k for k, t in planted.items() if t.relation == "none"]
    figures |= {
        "precision": overall.precision,
        "recall": overall.recall,
        "hard_negatives_clear": sum(1 for k in negatives if k not in reported) / len(negatives) if negatives else 1.0,
    }
    recall_of = {row[0]: row[2] for row in by_relation}
    rows: list[tuple[object, ...]] = [
        (
            "sourcetrace",
            overall.precision,
            overall.recall,
            overall.f1,
            *(recall_of.get(r) for r in RELATIONS),
            "packaged settings",
        )
    ]
    if baselines:
        rows += _collection_baselines(result.articles, truth, models.sentence)
    header = ("planted", "pairs", "found", "found as planted", "source named right")
    by_group = found_rows(lambda t: f"{t.relation} ({t.group})" if t.group else t.relation)
    groups = [Table("Planted pairs by group", header, by_group)] if any(t.group for t in truth) else []
    return Evaluation(
        "collection",
        f"{len(result.articles)} articles, {len(reuse_truth)} planted reuse pairs, {len(negatives)} hard negatives",
        figures,
        [
            Table(
                "Planted pairs: found, by planted relation",
                header,
                by_relation,
                "`none` rows are hard negatives: for them `found` is the share wrongly reported.",
            ),
            *groups,
            Table(
                "Reported pairs: precision by relation",
                ("reported as", "pairs", "planted reuse", "planted with this relation"),
                precision_rows,
            ),
            Table(
                "Pair detection beside the baselines",
                ("method", "precision", "recall", "F1", *(f"recall {r}" for r in RELATIONS), "decision"),
                rows,
                "Positive: a planted copy, rewrite, excerpt or shared-quotes pair; every other pair of the collection "
                "is negative. Baselines: F1-best threshold chosen by 5-fold CV over all pairs.",
            ),
        ],
        time.perf_counter() - started,
    )


def _collection_baselines(
    articles: Sequence[Article], truth: Sequence[PlantedPair], encoder: Encoder
) -> list[tuple[object, ...]]:
    """Each baseline scores every pair of the collection; the threshold is chosen for held-out F1."""
    index = {a.id: k for k, a in enumerate(articles)}
    iu, ju = np.triu_indices(len(articles), k=1)
    flat = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(iu, ju, strict=True))}
    labels = np.zeros(iu.size, dtype=bool)
    kind_of: dict[str, list[int]] = defaultdict(list)
    for t in truth:
        if t.a in index and t.b in index:
            at = flat[(min(index[t.a], index[t.b]), max(index[t.a], index[t.b]))]
            kind_of[t.relation].append(at)
            labels[at] = t.relation != "none"
    texts = [a.text for a in articles]
    minhash = np.zeros(iu.size)
    for pair, value in minhash_scores(texts).items():
        minhash[flat[pair]] = value
    docs = document_vectors([[s.text for s in a.sentences] for a in articles], encoder)
    scored = {
        "MinHash/LSH, estimated Jaccard": minhash,
        "TF-IDF cosine": tfidf_cosines(texts)[iu, ju],
        "MiniLM document cosine": (docs @ docs.T)[iu, ju].astype(float),
    }
    k = folds_for(labels.size)
    if not (k and labels.any()):
        return []
    rows: list[tuple[object, ...]] = []
    for name, scores in scored.items():
        held = held_out_decisions(scores, labels, k=k, objective="f1")
        s = scores_from_counts(
            int(np.sum(held.decisions & labels)),
            int(np.sum(held.decisions & ~labels)),
            int(np.sum(~held.decisions & labels)),
        )
        per_kind = [float(np.mean(held.decisions[kind_of[r]])) if kind_of[r] else None for r in RELATIONS]
        rows.append((name, s.precision, s.recall, s.f1, *per_kind, f">= {held.choice:.3f} ({k}-fold CV, F1)"))
    return rows
