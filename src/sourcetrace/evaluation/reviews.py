"""Readers' reviews as labels: the store's current pairs scored against what readers confirmed or rejected.

Reviews are the labels a deployment gathers for free, on its own articles: a confirmed pair the store still reports
is a true positive, a rejected one it still reports a false positive, and a confirmed pair it no longer reports (after
new versions, other settings or a rebuild) a miss. Only reviewed pairs are scored: an unreviewed pair says nothing
either way, so this is precision on what readers looked at, not on the whole collection.
"""

from __future__ import annotations

import time

from ..records import Pair
from ..reviews import Review, all_reviews, pair_key
from ..store import Store
from .results import Evaluation, Table


def evaluate_reviews(store: Store) -> Evaluation:
    """Score the store's current pairs against its reviews: counts, precision, recall and every disagreement."""
    started = time.perf_counter()
    reviews = all_reviews(store)
    ids = sorted({ident for key in reviews for ident in key})
    reported: dict[tuple[str, str], Pair] = {pair_key(p.a, p.b): p for p in store.pairs_among(ids)} if ids else {}
    confirmed = {k: r for k, r in reviews.items() if r.verdict == "confirmed"}
    rejected = {k: r for k, r in reviews.items() if r.verdict == "rejected"}
    true_pos = [k for k in confirmed if k in reported]
    false_pos = [k for k in rejected if k in reported]
    missed = [k for k in confirmed if k not in reported]
    agreed_absent = [k for k in rejected if k not in reported]
    precision = len(true_pos) / (len(true_pos) + len(false_pos)) if true_pos or false_pos else None
    recall = len(true_pos) / len(confirmed) if confirmed else None
    figures: dict[str, float] = {
        "reviews": float(len(reviews)),
        "confirmed": float(len(confirmed)),
        "rejected": float(len(rejected)),
        "true_positives": float(len(true_pos)),
        "false_positives": float(len(false_pos)),
        "missed": float(len(missed)),
    }
    if precision is not None:
        figures["precision"] = precision
    if recall is not None:
        figures["recall"] = recall
    counts = Table(
        "Reviewed pairs against the store's current pairs",
        ("verdict", "reviews", "still reported", "no longer reported"),
        [
            ("confirmed", len(confirmed), len(true_pos), len(missed)),
            ("rejected", len(rejected), len(false_pos), len(agreed_absent)),
        ],
        note=(
            f"precision {_figure(precision)} (confirmed among the reviewed pairs still reported), "
            f"recall {_figure(recall)} (confirmed pairs still reported)"
        ),
    )
    disagreements = [_disagreement(k, reviews[k], reported.get(k)) for k in sorted(false_pos + missed)]
    listing = Table(
        "Disagreements",
        ("a", "b", "verdict", "store", "relation", "score", "note"),
        disagreements,
        note="" if disagreements else "None: the store reports every confirmed pair and no rejected one.",
    )
    return Evaluation(
        "reviews",
        f"the store's pairs against {len(reviews)} reader review{'s' if len(reviews) != 1 else ''}",
        figures,
        [counts, listing],
        time.perf_counter() - started,
    )


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _disagreement(key: tuple[str, str], review: Review, pair: Pair | None) -> tuple[object, ...]:
    """A rejected pair the store reports (false positive) or a confirmed one it does not report (missed)."""
    if pair is None:
        return (*key, review.verdict, "missed", None, None, review.note)
    return (*key, review.verdict, "false positive", pair.relation, pair.score, review.note)
