"""Evaluation: measures, and runs of the library and the baselines on one labelled data set each.

Metrics take plain Python data; the runs (``evaluate_*``, ``run_evaluation``) read a data set with the readers of
``sourcetrace.datasets`` (formats: docs/datasets.md), put ``scan``, ``analyse`` or ``match_sentences`` through it,
score the result, and measure the baselines of ``sourcetrace.baselines`` on the same data. Figures: docs/quality.md.

Zero-division convention, used by every precision/recall below: when both the predicted and the gold sets are empty
the score is 1 (nothing to find, nothing wrongly found); when only one of them is empty it is 0.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np

from .baselines import (
    average_linkage,
    document_vectors,
    minhash_jaccard,
    minhash_scores,
    sentence_cosines,
    tfidf_cosines,
    word_jaccard,
)
from .datasets import (
    PLANTED_RELATIONS,
    Case,
    PlantedPair,
    SentencePair,
    check_case,
    load_clough,
    load_collection,
    load_ecbplus,
    load_mrpc,
    load_pan13,
    load_pan_paraphrase,
    read_text,
    reanchor_cases,
)
from .encoder import Encoder
from .ingest import read_articles
from .pipeline import Models, analyse, match_sentences, scan
from .records import Article, Pair
from .settings import Settings

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

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


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def scores_from_counts(tp: int, fp: int, fn: int) -> Scores:
    """Precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = their harmonic mean (module zero-division convention)."""
    precision = _ratio(tp, tp + fp, tp + fn)
    recall = _ratio(tp, tp + fn, tp + fp)
    return Scores(precision, recall, _f1(precision, recall), tp, fp, fn)


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
    return precision, recall, _f1(precision, recall)


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
    f1 = _f1(precision, recall)
    return PlagdetScores(
        precision,
        recall,
        granularity,
        f1 / math.log2(1 + granularity),
        len(per_case),
        len(per_detection),
        len(detected),
    )


# ---------------------------------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """One table of a report: rows of cells (floats are shown with three decimals, None as a dash)."""

    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[object, ...]]
    note: str = ""


@dataclass
class Evaluation:
    """The outcome of one run: named figures (what the quality gate checks) and the tables to read."""

    dataset: str
    description: str
    figures: dict[str, float]
    tables: list[Table]
    seconds: float = 0.0


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _numeric_columns(table: Table) -> list[bool]:
    """Columns holding only numbers (or blanks): they line up on the right, words on the left."""
    return [
        any(row[c] is not None for row in table.rows)
        and all(
            isinstance(row[c], int | float) and not isinstance(row[c], bool) or row[c] is None for row in table.rows
        )
        for c in range(len(table.header))
    ]


def evaluation_text(ev: Evaluation) -> str:
    """Plain-text tables for a terminal."""
    out = [f"{ev.dataset}: {ev.description}", ""]
    for table in ev.tables:
        cells = [list(table.header), *([_cell(v) for v in row] for row in table.rows)]
        widths = [max(len(row[c]) for row in cells) for c in range(len(table.header))]
        numeric = _numeric_columns(table)
        out.append(table.title)
        for k, row in enumerate(cells):
            out.append(
                "  ".join(
                    v.rjust(w) if numeric[c] else v.ljust(w) for c, (v, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
            if k == 0:
                out.append("  ".join("-" * w for w in widths))
        if table.note:
            out.append(table.note)
        out.append("")
    out.append(f"({ev.seconds:.0f} s)")
    return "\n".join(out) + "\n"


def evaluation_markdown(ev: Evaluation, level: int = 3) -> str:
    """Markdown tables, one per table of the run."""
    out = []
    for table in ev.tables:
        out += [f"{'#' * level} {table.title}", ""]
        out.append("| " + " | ".join(table.header) + " |")
        out.append("|" + "|".join("---:" if n else "---" for n in _numeric_columns(table)) + "|")
        out += ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |" for row in table.rows]
        out.append("")
        if table.note:
            out += [table.note, ""]
    return "\n".join(out)


def evaluation_dict(ev: Evaluation) -> dict[str, object]:
    """A JSON-ready dict: figures, and each table as a list of row objects keyed by the header."""
    return {
        "dataset": ev.dataset,
        "description": ev.description,
        "seconds": round(ev.seconds, 1),
        "figures": {k: round(v, 4) for k, v in ev.figures.items()},
        "tables": [
            {
                "title": t.title,
                "rows": [dict(zip(t.header, row, strict=True)) for row in t.rows],
                "note": t.note,
            }
            for t in ev.tables
        ],
    }


# ---------------------------------------------------------------------------------------------------------------------
# Runs: the library on one labelled data set, scored, beside the baselines measured on the same data
# ---------------------------------------------------------------------------------------------------------------------
#
# sourcetrace runs with its packaged settings throughout, none of them chosen on these data. A baseline's threshold is
# chosen by 5-fold cross-validation (each item decided by a threshold chosen without its fold), which is generous to it.

Log = Callable[[str], None]
REUSE: frozenset[str] = frozenset(("copy", "rewrite", "excerpt"))  # shared-quotes is not reuse of the text
RELATIONS: tuple[str, ...] = ("copy", "rewrite", "excerpt", "shared-quotes")
_BINARY_HEADER = ("method", "accuracy", "precision", "recall", "F1", "decision")


class _CachingEncoder:
    """The sentence encoder with a memory, so that baselines reuse the vectors the pipeline computed."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


def _caching(models: Models) -> Models:
    return (
        models
        if isinstance(models.sentence, _CachingEncoder)
        else Models(_CachingEncoder(models.sentence), models.static)
    )


def _say(log: Log | None, message: str) -> None:
    if log:
        log(message)


def _folds_for(n: int) -> int | None:
    """5 folds, fewer for a small data set; None when there are too few items to cross-validate at all."""
    return min(5, n) if n >= 4 else None


def _binary_row(name: str, pred: Sequence[bool], gold: Sequence[bool], how: str) -> tuple[object, ...]:
    s = binary_scores(list(pred), list(gold))
    return (name, s.accuracy, s.precision, s.recall, s.f1, how)


def _threshold_rows(scored: Mapping[str, Sequence[float]], gold: Sequence[bool]) -> list[tuple[object, ...]]:
    """A row per baseline score: ``score >= t``, t chosen on the other folds for accuracy."""
    k = _folds_for(len(gold))
    rows = []
    for name, scores in scored.items() if k else ():
        held = held_out_decisions(scores, gold, k=k or 5)
        rows.append(_binary_row(name, held.decisions.tolist(), gold, f">= {held.choice:.3f} ({k}-fold CV)"))
    return rows


# --- seeds -----------------------------------------------------------------------------------------------------------


def evaluate_seeds(path: str | Path, settings: Settings, models: Models, log: Log | None = None) -> Evaluation:
    """The expectations of the bundled seeds (examples/seeds), as a checklist."""
    started = time.perf_counter()
    result = scan([path], settings, models)

    def short(ident: str) -> str:
        return ident.split("_")[0]

    pairs = {frozenset((short(p.a), short(p.b))): p for p in result.pairs}
    rows: list[tuple[object, ...]] = []
    rewrite = pairs.get(frozenset(("000", "001")))
    rows.append(
        ("000 and 001: rewrite", bool(rewrite and rewrite.relation == "rewrite"), str(rewrite and rewrite.relation))
    )
    source = short(rewrite.source) if rewrite and rewrite.source else None
    rows.append(("001 named the source", source == "001", str(source)))
    cov = (rewrite.coverage_a if short(rewrite.a) == "000" else rewrite.coverage_b) if rewrite else 0.0
    rows.append(("000 covered by 001 at least 0.8", cov >= 0.8, f"{cov:.2f}"))
    divs = rewrite.divergences if rewrite else []
    texts = " ".join(f"{d.a_text} {d.b_text}" for d in divs)
    rows.append(
        (
            "dropped attribution or changed figure reported",
            bool({d.kind for d in divs} & {"attribution", "number"}) and ("AFP" in texts or "twice" in texts),
            ", ".join(sorted({f"{d.kind} {d.change}" for d in divs})) or "none",
        )
    )
    # 003 rewords a few of 001's sentences in 001's order beside its quotations: partial reuse, which may be named
    # a rewrite of the shorter 003 as long as it is clearly weaker than the sentence-by-sentence rewrite 000
    p = pairs.get(frozenset(("001", "003")))
    found = f"{p.relation} {p.score:.2f}" if p else "no pair"
    weaker = p is not None and rewrite is not None and p.score < rewrite.score - 0.2
    partial = p is not None and (p.relation in ("excerpt", "shared-quotes") or (p.relation == "rewrite" and weaker))
    rows.append(("001 and 003: partial reuse, weaker than 000-001", partial, found))
    for x, y in (("000", "003"), ("002", "004")):
        p = pairs.get(frozenset((x, y)))
        found = str(p.relation) if p else "no pair"
        rows.append((f"{x} and {y}: excerpt or shared-quotes", found in ("excerpt", "shared-quotes"), found))
    crossing = [
        f"{x}-{y} {p.relation}"
        for x in ("000", "001", "003")
        for y in ("002", "004")
        if (p := pairs.get(frozenset((x, y)))) and p.relation in REUSE
    ]
    rows.append(("no copy, rewrite or excerpt across the two events", not crossing, ", ".join(crossing) or "none"))
    stories = {frozenset(short(a) for a in s.articles) for s in result.stories}
    rows.append(
        (
            "stories: {000 001 003} and {002 004}",
            stories == {frozenset({"000", "001", "003"}), frozenset({"002", "004"})},
            " | ".join(" ".join(sorted(s)) for s in sorted(stories, key=sorted)),
        )
    )
    removed = " ".join(r.text for a in result.articles for r in a.removed)
    missing = [
        w for w in ("we have a small favor to ask", "Support The Moscow Times!", "Connect with us") if w not in removed
    ]
    rows.append(("boilerplate removed (donation appeal, share prompts)", not missing, "; ".join(missing) or "all"))
    dates = {short(a.id): a.date for a in result.articles}
    rows.append(("003 dated 2023-09-15", dates.get("003") == "2023-09-15", str(dates.get("003"))))
    passed = sum(1 for r in rows if r[1])
    return Evaluation(
        "seeds",
        f"the five bundled reports; {passed} of {len(rows)} expectations met",
        {"checks_passed": passed / len(rows)},
        [Table("Seeds: expectations", ("expectation", "met", "found"), rows)],
        time.perf_counter() - started,
    )


# --- Clough & Stevenson ----------------------------------------------------------------------------------------------


def evaluate_clough(
    path: str | Path, settings: Settings, models: Models, baselines: bool = True, log: Log | None = None
) -> Evaluation:
    """Scan all files together; an answer is detected when it is paired with its own task's source as reuse."""
    started = time.perf_counter()
    root = Path(path)
    files = load_clough(root)
    models = _caching(models)
    _say(log, f"clough: scanning {len(files)} files")
    result = scan([root / f.file for f in files], settings, models)
    pairs = {frozenset((p.a, p.b)): p for p in result.pairs}
    answers = [f for f in files if f.category != "orig"]
    stem = {f.file: Path(f.file).stem for f in answers}
    source = {f.file: Path(f.source or "").stem for f in answers}
    gold = [f.category != "non" for f in answers]
    found = [pairs.get(frozenset((stem[f.file], source[f.file]))) for f in answers]
    pred = [bool(p and p.relation in REUSE) for p in found]
    named = Counter(
        "right" if p.source == source[f.file] else "undecided" if p.source is None else "wrong"
        for f, p, hit in zip(answers, found, pred, strict=True)
        if hit and p is not None
    )
    detected = sum(pred)
    rows = [_binary_row("sourcetrace", pred, gold, "packaged settings") + (f"{named['right']}/{detected}",)]
    if baselines:
        texts = [a.text for a in result.articles]
        index = {a.id: k for k, a in enumerate(result.articles)}
        keys = [(index[stem[f.file]], index[source[f.file]]) for f in answers]
        minhash = minhash_scores(texts)
        tfidf = tfidf_cosines(texts)
        docs = document_vectors([[s.text for s in a.sentences] for a in result.articles], models.sentence)
        scored = {
            "MinHash/LSH, estimated Jaccard": [minhash.get((min(i, j), max(i, j)), 0.0) for i, j in keys],
            "TF-IDF cosine": [float(tfidf[i, j]) for i, j in keys],
            "MiniLM document cosine": [float(docs[i] @ docs[j]) for i, j in keys],
        }
        rows += [row + ("—",) for row in _threshold_rows(scored, gold)]

    confusion = []
    for category in ("cut", "light", "heavy", "non"):
        mine = [(f, p) for f, p in zip(answers, found, strict=True) if f.category == category]
        relations: Counter[str | None] = Counter(p.relation if p else None for _, p in mine)
        coverages = [(p.coverage_a if p.a == stem[f.file] else p.coverage_b) if p else 0.0 for f, p in mine]
        confusion.append(
            (
                category,
                len(mine),
                *(relations[r] for r in (*RELATIONS, None)),
                float(np.mean(coverages)) if mine else None,
            )
        )
    s = binary_scores(pred, gold)
    return Evaluation(
        "clough",
        f"{len(answers)} answers to {len(files) - len(answers)} source texts, scanned together",
        {"accuracy": s.accuracy, "f1": s.f1, "source_right": named["right"] / detected if detected else 0.0},
        [
            Table(
                "Clough & Stevenson: is an answer paired with its task's source as copy, rewrite or excerpt?",
                (*_BINARY_HEADER, "source named right"),
                rows,
                "Positive: a `cut`, `light` or `heavy` answer; negative: a `non` answer. Source named right: the "
                "task's `orig_` file named as the source, among the answers detected (the others: "
                f"{named['wrong']} wrong, {named['undecided']} undecided).",
            ),
            Table(
                "Clough & Stevenson: our relation with the task's source, by category",
                ("category", "answers", *RELATIONS, "none", "mean coverage of the answer"),
                confusion,
            ),
        ],
        time.perf_counter() - started,
    )


# --- sentence pairs (MRPC, PAN paraphrases) --------------------------------------------------------------------------


def evaluate_sentence_pairs(
    dataset: str,
    pairs: Sequence[SentencePair],
    settings: Settings,
    models: Models,
    baselines: bool = True,
    log: Log | None = None,
) -> Evaluation:
    """match-sentences (the aligner's own decision, with its packaged settings) on labelled sentence pairs."""
    started = time.perf_counter()
    models = _caching(models)
    gold = [p.label for p in pairs]
    _say(log, f"{dataset}: judging {len(pairs)} sentence pairs")
    pred = [bool(v["match"]) for v in match_sentences(((p.id, p.s1, p.s2) for p in pairs), settings, models)]
    s = binary_scores(pred, gold)
    rows = [_binary_row("sourcetrace match-sentences", pred, gold, "packaged settings")]
    if baselines:
        rows.append(_binary_row("always yes", [True] * len(gold), gold, "—"))
        cosines = sentence_cosines([(p.s1, p.s2) for p in pairs], models.sentence)  # the vectors are cached
        scored = {"MiniLM cosine": cosines.tolist(), "word Jaccard": [word_jaccard(p.s1, p.s2) for p in pairs]}
        rows += _threshold_rows(scored, gold)
    return Evaluation(
        dataset,
        f"{len(pairs)} sentence pairs, {sum(gold)} paraphrases",
        {"accuracy": s.accuracy, "f1": s.f1},
        [
            Table(
                f"{dataset}: is the pair a paraphrase?",
                _BINARY_HEADER,
                rows,
                "No setting of sourcetrace was chosen on these data. A baseline decides each pair with a threshold "
                "chosen on the other four folds (5-fold CV); the threshold shown is the one chosen on all pairs.",
            )
        ],
        time.perf_counter() - started,
    )


# --- ECB+ stories ----------------------------------------------------------------------------------------------------


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
            return _f1(
                float(np.mean([per_item[t][i][0] for i in train])), float(np.mean([per_item[t][i][1] for i in train]))
            )

        best = max(per_item, key=f1)
        chosen.append(best)
        precision += [per_item[best][i][0] for i in test]
        recall += [per_item[best][i][1] for i in test]
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return p, r, _f1(p, r), tuple(chosen)


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
    models = _caching(models)
    _say(log, f"ecbplus: scanning {len(labels)} articles")
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
    reuse: Counter[tuple[str, bool]] = Counter(
        (str(p.relation), gold[file_of[p.a]] == gold[file_of[p.b]]) for p in result.pairs if p.relation
    )
    within = sum(v for (r, same), v in reuse.items() if same and r in REUSE)
    across = sum(v for (r, same), v in reuse.items() if not same and r in REUSE)
    return Evaluation(
        "ecbplus",
        f"{len(gold)} articles, {len(set(gold.values()))} stories in {len(set(topic.values()))} topics",
        {
            "bcubed_f1": s.bcubed_f1,
            "pairwise_f1": s.pairwise.f1,
            "ari": s.ari,
            "reuse_within_story_share": within / (within + across) if within + across else 1.0,
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
            Table(
                "ECB+: reuse pairs found, within and across stories",
                ("relation", "within a story", "across stories"),
                [(r, reuse[(r, True)], reuse[(r, False)]) for r in RELATIONS],
            ),
        ],
        time.perf_counter() - started,
    )


# --- PAN 2013 text alignment -----------------------------------------------------------------------------------------


def evaluate_pan13(
    path: str | Path,
    settings: Settings,
    models: Models,
    limit: int | None = None,
    baselines: bool = True,
    log: Log | None = None,
) -> Evaluation:
    """Every listed (suspicious, source) pair, analysed with the other sources of its suspicious document.

    Pair recall: labelled pairs reported as reuse of any kind. Passages: PAN character measures of the reported
    passages against the labelled cases, re-anchored on the texts as the pipeline cleaned them.
    ``limit`` keeps the first N labelled pairs and the first N unlabelled ones.
    """
    started = time.perf_counter()
    corpus = load_pan13(path)
    labelled = set(corpus.labelled)
    listed = [p for p in corpus.pairs if corpus.susp_path(p[0]).is_file() and corpus.src_path(p[1]).is_file()]
    chosen_labelled = [p for p in listed if p in labelled][:limit]
    chosen_other = [p for p in listed if p not in labelled][:limit]
    chosen = chosen_labelled + chosen_other
    by_susp: dict[str, list[str]] = defaultdict(list)
    for susp, src in chosen:
        by_susp[susp].append(src)
    found: dict[tuple[str, str], Pair | None] = {}
    texts: dict[str, str] = {}
    _say(log, f"pan13: {len(chosen)} pairs ({len(chosen_labelled)} labelled) in {len(by_susp)} groups")
    for n, (susp, sources) in enumerate(sorted(by_susp.items()), start=1):
        articles, _ = read_articles([corpus.susp_path(susp), *(corpus.src_path(s) for s in sources)], settings.ingest)
        result = analyse(articles, settings, models)
        texts.update({a.id: a.text for a in result.articles})
        reported = {frozenset((p.a, p.b)): p for p in result.pairs}
        for src in sources:
            found[(susp, src)] = reported.get(frozenset((Path(susp).stem, Path(src).stem)))
        if n % 50 == 0:
            _say(log, f"pan13: {n}/{len(by_susp)} groups")

    def relation(pair: tuple[str, str]) -> str | None:
        p = found[pair]
        return p.relation if p else None

    hit = [relation(p) is not None for p in chosen_labelled]
    pair_recall = sum(hit) / len(hit) if hit else 0.0
    cases: dict[tuple[str, str], list[Case]] = {}
    detections: dict[tuple[str, str], list[Case]] = {}
    statuses: Counter[str] = Counter()
    for pair in chosen_labelled:
        susp_id, src_id = Path(pair[0]).stem, Path(pair[1]).stem
        if susp_id not in texts or src_id not in texts:
            continue
        anchored = reanchor_cases(texts[susp_id], texts[src_id], corpus.cases[pair]) if corpus.cases[pair] else []
        statuses.update(r.status for r in anchored)
        cases[pair] = [r.case for r in anchored if r.case is not None]
        p = found[pair]
        if p is not None and p.relation:
            flip = p.a != susp_id
            detections[pair] = [
                Case(*(q.b_span if flip else q.a_span), *(q.a_span if flip else q.b_span)) for q in p.passages
            ]
    plag = plagdet_scores(cases, detections)
    rows: list[tuple[object, ...]] = [
        ("sourcetrace", pair_recall, plag.recall, plag.precision, plag.granularity, plag.plagdet, "packaged settings")
    ]
    if baselines and chosen_other and chosen_labelled:
        flagged = sum(relation(p) is not None for p in chosen)
        docs = sorted({d for pair in chosen for d in pair})
        where = {d: k for k, d in enumerate(docs)}
        raw = [read_text(corpus.susp_path(d) if d in by_susp else corpus.src_path(d)) for d in docs]
        tfidf = tfidf_cosines(raw)
        scored = {
            "MinHash, estimated Jaccard": minhash_jaccard(raw, [(where[a], where[b]) for a, b in chosen]),
            "TF-IDF cosine": [float(tfidf[where[a], where[b]]) for a, b in chosen],
        }
        for name, scores in scored.items():
            # as many flagged pairs as sourcetrace: the other pairs carry no labels to choose a threshold on
            top = {chosen[i] for i in np.argsort(-np.asarray(scores), kind="stable")[:flagged]}
            recall = sum(p in top for p in chosen_labelled) / len(chosen_labelled)
            rows.append((name, recall, None, None, None, None, f"the {flagged} highest-scoring pairs"))
    relations: Counter[str | None] = Counter(relation(p) for p in chosen_labelled)
    other_relations: Counter[str | None] = Counter(relation(p) for p in chosen_other)
    return Evaluation(
        "pan13",
        f"{len(chosen)} listed pairs, {len(chosen_labelled)} labelled verbatim pairs, {sum(statuses.values())} cases",
        {
            "pair_recall": pair_recall,
            "passage_recall": plag.recall,
            "passage_precision": plag.precision,
            "plagdet": plag.plagdet,
        },
        [
            Table(
                "PAN 2013 verbatim pairs: reuse reported, and where",
                ("method", "pair recall", "passage recall", "passage precision", "granularity", "plagdet", "decision"),
                rows,
                "Pair recall: labelled no-obfuscation pairs reported with any relation. Passages: PAN character "
                "measures over the labelled pairs, gold spans re-anchored on the cleaned texts "
                f"({statuses['exact']} exact, {statuses['partial']} partial, {statuses['missing']} missing). "
                "Baselines flag as many of all the listed pairs as sourcetrace does, the highest scores first.",
            ),
            Table(
                "PAN 2013: relations reported",
                ("pairs", "count", *RELATIONS, "none"),
                [
                    ("labelled verbatim", len(chosen_labelled), *(relations[r] for r in (*RELATIONS, None))),
                    ("other listed (no labels)", len(chosen_other), *(other_relations[r] for r in (*RELATIONS, None))),
                ],
                "The other listed pairs mix documents without reuse with summarised, machine-translated and "
                "randomly obfuscated copies; their labels are not in the data set.",
            ),
        ],
        time.perf_counter() - started,
    )


# --- a collection with planted pairs ---------------------------------------------------------------------------------


def evaluate_collection(
    path: str | Path, settings: Settings, models: Models, baselines: bool = True, log: Log | None = None
) -> Evaluation:
    """Scan articles.jsonl; score the pairs found against truth.jsonl, by relation.

    Recall of a planted kind: its pairs reported with any relation (and with its own). Precision of a reported
    relation: its pairs that are planted reuse. Every pair not planted is a false alarm, hard negatives included.
    """
    started = time.perf_counter()
    articles_path, truth = load_collection(path)
    models = _caching(models)
    _say(log, f"collection: scanning {articles_path}")
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
            out.append((name, len(mine), len(found) / len(mine), as_planted / len(mine), f"{right}/{len(found)}"))
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
    k = _folds_for(labels.size)
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


# --- by name ---------------------------------------------------------------------------------------------------------

DATASETS: tuple[str, ...] = (
    "seeds",
    "clough",
    "mrpc",
    "pan-paraphrase",
    "ecbplus",
    "pan13",
    "collection",
    "llm-rewrites",
    "independent-reports",
)


def spread(items: Sequence[T], limit: int | None) -> list[T]:
    """``limit`` items at even steps through ``items`` (all without a limit): a sorted file keeps its mix."""
    if limit is None or limit >= len(items):
        return list(items)
    return [items[k * len(items) // limit] for k in range(limit)]


def run_evaluation(
    dataset: str,
    path: str | Path,
    settings: Settings | None = None,
    models: Models | None = None,
    baselines: bool = True,
    limit: int | None = None,
    log: Log | None = None,
) -> Evaluation:
    """Evaluate on one labelled data set laid out as docs/datasets.md describes; ``limit`` keeps the first N items."""
    settings = settings or Settings.load()
    models = models or Models.load(settings)
    if dataset == "seeds":
        return evaluate_seeds(path, settings, models, log)
    if dataset == "clough":
        return evaluate_clough(path, settings, models, baselines, log)
    if dataset in ("mrpc", "pan-paraphrase"):
        pairs = load_mrpc(path) if dataset == "mrpc" else load_pan_paraphrase(path)
        return evaluate_sentence_pairs(dataset, spread(pairs, limit), settings, models, baselines, log)
    if dataset == "ecbplus":
        return evaluate_ecbplus(path, settings, models, baselines, log)
    if dataset == "pan13":
        return evaluate_pan13(path, settings, models, limit, baselines, log)
    if dataset == "collection":
        return evaluate_collection(path, settings, models, baselines, log)
    if dataset in ("llm-rewrites", "independent-reports"):
        from .evaluate_reuse import evaluate_independent, evaluate_rewrites

        if dataset == "llm-rewrites":
            return evaluate_rewrites(path, settings, models, baselines, log)
        return evaluate_independent(path, settings, models, log)
    raise ValueError(f"unknown data set {dataset!r}; known: {', '.join(DATASETS)}")
