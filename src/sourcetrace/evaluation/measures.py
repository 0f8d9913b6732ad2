"""Measures: precision, recall and F1 of pairs, of clusterings (B-cubed, pairwise, adjusted Rand) and of binary
decisions; thresholds chosen on held-out folds; PAN's plagdet for passages. They take plain Python data.

Zero-division convention, used by every precision/recall below: when both the predicted and the gold sets are empty
the score is 1 (nothing to find, nothing wrongly found); when only one of them is empty it is 0.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np

from .datasets import Case, check_case

K = TypeVar("K", bound=Hashable)

# ---------------------------------------------------------------------------------------------------------------------
# Precision / recall / F1
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 with the counts they come from."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def _ratio(num: int, den: int, other_den: int) -> float:
    # An empty denominator is a perfect score only when the other side is empty too.
    if den:
        return num / den
    return 1.0 if other_den == 0 else 0.0


def f1_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def scores_from_counts(tp: int, fp: int, fn: int) -> Scores:
    """Precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = their harmonic mean (module zero-division convention)."""
    precision = _ratio(tp, tp + fp, tp + fn)
    recall = _ratio(tp, tp + fn, tp + fp)
    return Scores(precision, recall, f1_score(precision, recall), tp, fp, fn)


def _unordered(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(a, b) if a <= b else (b, a) for a, b in pairs}


def pair_scores(predicted: Iterable[tuple[str, str]], gold: Iterable[tuple[str, str]]) -> Scores:
    """Precision/recall/F1 of predicted against gold unordered pairs; (a, b) equals (b, a), duplicates count once.

    tp = pairs in both sets, fp = predicted pairs not in gold, fn = gold pairs not predicted.
    """
    pred, ref = _unordered(predicted), _unordered(gold)
    tp = len(pred & ref)
    return scores_from_counts(tp, len(pred) - tp, len(ref) - tp)


# ---------------------------------------------------------------------------------------------------------------------
# Clustering
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterScores:
    """B-cubed precision/recall/F1, pairwise (co-clustered pairs) scores and adjusted Rand index."""

    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise: Scores
    ari: float


def _label_ids(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> tuple[list[int], list[int]]:
    """Integer cluster ids for every gold item; items absent from ``predicted`` each get a cluster of their own."""
    pred_ids: dict[Hashable, int] = {}
    gold_ids: dict[Hashable, int] = {}
    p: list[int] = []
    g: list[int] = []
    for item, label in gold.items():
        g.append(gold_ids.setdefault(label, len(gold_ids)))
        if item in predicted:
            p.append(pred_ids.setdefault(("label", predicted[item]), len(pred_ids)))
        else:
            p.append(pred_ids.setdefault(("singleton", item), len(pred_ids)))
    return p, g


def _contingency(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> tuple[Counter, Counter, Counter]:
    p, g = _label_ids(predicted, gold)
    return Counter(zip(p, g, strict=True)), Counter(p), Counter(g)


def _pairs_in(n: int) -> int:
    return n * (n - 1) // 2


def bcubed_per_item(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> dict[K, tuple[float, float]]:
    """B-cubed precision and recall of each gold item.

    For item i with predicted cluster C(i) and gold cluster G(i): precision_i = |C(i) & G(i)| / |C(i)|,
    recall_i = |C(i) & G(i)| / |G(i)|. Only gold items count; predicted items absent from gold are ignored, gold
    items absent from the prediction are singletons.
    """
    p, g = _label_ids(predicted, gold)
    joint, pred_sizes, gold_sizes = Counter(zip(p, g, strict=True)), Counter(p), Counter(g)
    return {
        item: (joint[(c, k)] / pred_sizes[c], joint[(c, k)] / gold_sizes[k])
        for item, c, k in zip(gold, p, g, strict=True)
    }


def bcubed_scores(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> tuple[float, float, float]:
    """B-cubed (Bagga & Baldwin 1998) precision, recall, F1: the per-item scores averaged, and their harmonic mean."""
    if not gold:
        return 1.0, 1.0, 1.0
    per_item = bcubed_per_item(predicted, gold).values()
    precision = sum(q for q, _ in per_item) / len(gold)
    recall = sum(r for _, r in per_item) / len(gold)
    return precision, recall, f1_score(precision, recall)


def co_cluster_pair_scores(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> Scores:
    """Pairwise clustering scores: pair_scores of the item pairs placed in one cluster, predicted vs gold."""
    joint, pred_sizes, gold_sizes = _contingency(predicted, gold)
    tp = sum(_pairs_in(n) for n in joint.values())
    return scores_from_counts(
        tp, sum(_pairs_in(n) for n in pred_sizes.values()) - tp, sum(_pairs_in(n) for n in gold_sizes.values()) - tp
    )


def adjusted_rand_index(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) from the contingency table of the two clusterings.

    ARI = (index - expected) / (max - expected) with index = sum_ij C(n_ij, 2), expected = sum_i C(a_i, 2) *
    sum_j C(b_j, 2) / C(n, 2), max = (sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2. 1 for identical clusterings, about 0
    for chance agreement. When max == expected (both all-singletons or both one cluster) it is 1.
    """
    joint, pred_sizes, gold_sizes = _contingency(predicted, gold)
    total = _pairs_in(len(gold))
    if total == 0:
        return 1.0
    index = sum(_pairs_in(n) for n in joint.values())
    sum_pred = sum(_pairs_in(n) for n in pred_sizes.values())
    sum_gold = sum(_pairs_in(n) for n in gold_sizes.values())
    expected = sum_pred * sum_gold / total
    maximum = (sum_pred + sum_gold) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def cluster_scores(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> ClusterScores:
    """All clustering measures of ``predicted`` (item -> cluster label) against ``gold`` (item -> label)."""
    precision, recall, f1 = bcubed_scores(predicted, gold)
    return ClusterScores(
        precision, recall, f1, co_cluster_pair_scores(predicted, gold), adjusted_rand_index(predicted, gold)
    )


# ---------------------------------------------------------------------------------------------------------------------
# Binary decisions and thresholds chosen on training folds
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BinaryScores:
    """Accuracy, precision, recall and F1 of yes/no decisions against gold labels (positive class = True)."""

    accuracy: float
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    tn: int


def binary_scores(pred: Sequence[bool], gold: Sequence[bool]) -> BinaryScores:
    """Accuracy = share of decisions equal to gold; precision/recall/F1 of the True class."""
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold labels")
    if not gold:
        raise ValueError("no decisions to score")
    tp = fp = fn = tn = 0
    for p, g in zip(pred, gold, strict=True):
        if p and g:
            tp += 1
        elif p:
            fp += 1
        elif g:
            fn += 1
        else:
            tn += 1
    s = scores_from_counts(tp, fp, fn)
    return BinaryScores((tp + tn) / len(gold), s.precision, s.recall, s.f1, tp, fp, fn, tn)


def _stratified_folds(labels: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """A fold number per item, each class shuffled and dealt round-robin so every fold gets its share of both."""
    rng = np.random.default_rng(seed)
    folds = np.empty(labels.size, dtype=int)
    offset = 0
    for cls in (True, False):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        # Carry the deal on where the previous class stopped, so fold sizes differ by at most one.
        folds[idx] = (np.arange(idx.size) + offset) % k
        offset += idx.size
    return folds


Objective = Literal["accuracy", "f1"]


def best_threshold(
    scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray, objective: Objective = "accuracy"
) -> float:
    """The threshold t maximising accuracy (or F1 of the positive class) of ``score >= t``; ties go to the lowest.

    Candidates are the lowest score (all positive), the midpoints between consecutive distinct scores, and just
    above the highest score (all negative).
    """
    x, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    if x.size == 0 or x.shape != y.shape:
        raise ValueError(f"{x.size} scores for {y.size} labels")
    values, inverse = np.unique(x, return_inverse=True)
    pos = np.bincount(inverse, weights=y.astype(float), minlength=values.size)
    neg = np.bincount(inverse, weights=(~y).astype(float), minlength=values.size)
    # At values[k]: scores at or above it are called positive; the last entry calls everything negative.
    pos_above = np.append(pos[::-1].cumsum()[::-1], 0.0)
    neg_above = np.append(neg[::-1].cumsum()[::-1], 0.0)
    if objective == "accuracy":
        value = (pos_above + neg.sum() - neg_above) / x.size
    else:
        # F1 = 2tp / (tp + fp + P); with no positives at all, calling none is perfect.
        value = 2 * pos_above / np.maximum(pos_above + neg_above + pos.sum(), 1.0)
        if pos.sum() == 0:
            value[-1] = 1.0
    k = int(np.argmax(value))
    if k == values.size:
        return float(np.nextafter(values[-1], math.inf))
    if k == 0:
        return float(values[0])
    mid = (values[k - 1] + values[k]) / 2
    return float(mid if mid > values[k - 1] else values[k])  # adjacent floats can have no midpoint between them


@dataclass(frozen=True, slots=True)
class HeldOut:
    """Decisions made by k-fold cross-validation: each item decided by a threshold chosen without its fold."""

    decisions: np.ndarray  # bool per item
    fold_choices: tuple[float, ...]  # the threshold chosen for each fold, on its training folds
    choice: float  # chosen on all the data: the one to use afterwards


def held_out_decisions(
    scores: Sequence[float] | np.ndarray,
    labels: Sequence[bool] | np.ndarray,
    k: int = 5,
    seed: int = 0,
    objective: Objective = "accuracy",
) -> HeldOut:
    """``score >= threshold`` for every item, the threshold chosen (best_threshold) on the other stratified folds.

    ``objective`` "f1" suits retrieval among many negatives, where accuracy would favour calling everything negative.
    """
    x, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    if not 2 <= k <= x.size:
        raise ValueError(f"k must be between 2 and the number of items ({x.size}), got {k}")
    folds = _stratified_folds(y, k, seed)
    decisions = np.zeros(x.size, dtype=bool)
    chosen = []
    for fold in range(k):
        test = folds == fold
        t = best_threshold(x[~test], y[~test], objective)
        decisions[test] = x[test] >= t
        chosen.append(t)
    return HeldOut(decisions, tuple(chosen), best_threshold(x, y, objective))


# ---------------------------------------------------------------------------------------------------------------------
# PAN text-alignment measures
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlagdetScores:
    """PAN character-level measures (Potthast et al. 2010)."""

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int
    detected_cases: int


def _overlaps(a: Case, b: Case) -> bool:
    # PAN: a detection detects a case when they share characters in the suspicious AND in the source document.
    return (
        a.susp_start < b.susp_end and b.susp_start < a.susp_end and a.src_start < b.src_end and b.src_start < a.src_end
    )


def _covered(lo: int, hi: int, spans: Iterable[tuple[int, int]]) -> int:
    """Number of characters of [lo, hi) covered by the union of spans."""
    total, reach = 0, lo
    for s, e in sorted((max(s, lo), min(e, hi)) for s, e in spans):
        if e <= reach:
            continue
        total += e - max(s, reach)
        reach = e
    return total


def _char_share(x: Case, others: list[Case]) -> float:
    """|union over others of (x & other)| / |x|, characters of both documents counted."""
    hit = _covered(x.susp_start, x.susp_end, ((o.susp_start, o.susp_end) for o in others))
    hit += _covered(x.src_start, x.src_end, ((o.src_start, o.src_end) for o in others))
    return hit / ((x.susp_end - x.susp_start) + (x.src_end - x.src_start))


def plagdet_scores(
    cases: Mapping[K, Sequence[tuple[int, int, int, int]]],
    detections: Mapping[K, Sequence[tuple[int, int, int, int]]],
) -> PlagdetScores:
    """PAN text-alignment precision, recall, granularity and plagdet over all document pairs.

    ``cases`` and ``detections`` map a document-pair key to spans (susp_start, susp_end, src_start, src_end).
    A detection r detects a case s of the same pair when they overlap in both documents. With S the cases and R the
    detections of the whole collection, and s & r their shared characters (both documents):
    recall = mean over s in S of |union_{r detects s} s & r| / |s|;
    precision = mean over r in R of |union_{s detected by r} s & r| / |r|;
    granularity = mean over detected cases of the number of detections that detect it (1 if none is detected);
    plagdet = F1(precision, recall) / log2(1 + granularity).
    Empty S and R give precision = recall = 1; one of them empty gives 0 (as in the PAN evaluation code).
    """
    keys = set(cases) | set(detections)
    per_case: list[float] = []
    per_detection: list[float] = []
    hits_per_case: list[int] = []
    for key in keys:
        s_list = [check_case(c) for c in cases.get(key, ())]
        r_list = [check_case(r) for r in detections.get(key, ())]
        for s in s_list:
            found = [r for r in r_list if _overlaps(s, r)]
            per_case.append(_char_share(s, found))
            hits_per_case.append(len(found))
        for r in r_list:
            per_detection.append(_char_share(r, [s for s in s_list if _overlaps(s, r)]))
    if not per_case and not per_detection:
        precision = recall = 1.0
    elif not per_case or not per_detection:
        precision = recall = 0.0
    else:
        precision = sum(per_detection) / len(per_detection)
        recall = sum(per_case) / len(per_case)
    detected = [n for n in hits_per_case if n > 0]
    granularity = sum(detected) / len(detected) if detected else 1.0
    f1 = f1_score(precision, recall)
    return PlagdetScores(
        precision,
        recall,
        granularity,
        f1 / math.log2(1 + granularity),
        len(per_case),
        len(per_detection),
        len(detected),
    )
