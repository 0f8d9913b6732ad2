"""Evaluation measures and readers for the labelled data sets the ``eval`` command accepts.

Everything here is pure: metrics take plain Python data, loaders take a path the user gives and return records.
The formats are described in docs/datasets.md.

Zero-division convention, used by every precision/recall below: when both the predicted and the gold sets are empty
the score is 1 (nothing to find, nothing wrongly found); when only one of them is empty it is 0.
"""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar

import numpy as np

from .errors import InputError

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


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def scores_from_counts(tp: int, fp: int, fn: int) -> Scores:
    """Precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = their harmonic mean (module zero-division convention)."""
    precision = _ratio(tp, tp + fp, tp + fn)
    recall = _ratio(tp, tp + fn, tp + fp)
    return Scores(precision, recall, _f1(precision, recall), tp, fp, fn)


def _unordered(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    out = set()
    for a, b in pairs:
        out.add((a, b) if a <= b else (b, a))
    return out


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


def bcubed_scores(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> tuple[float, float, float]:
    """B-cubed (Bagga & Baldwin 1998) precision, recall, F1 over the gold items.

    For item i with predicted cluster C(i) and gold cluster G(i): precision_i = |C(i) & G(i)| / |C(i)|,
    recall_i = |C(i) & G(i)| / |G(i)|; both are averaged over items and F1 is their harmonic mean.
    Only gold items are scored; predicted items absent from gold are ignored, gold items absent from the
    prediction are singletons.
    """
    if not gold:
        return 1.0, 1.0, 1.0
    joint, pred_sizes, gold_sizes = _contingency(predicted, gold)
    # Every item in cell (c, g) has the same per-item scores, so sum per cell.
    precision = sum(n * n / pred_sizes[c] for (c, _), n in joint.items()) / len(gold)
    recall = sum(n * n / gold_sizes[g] for (_, g), n in joint.items()) / len(gold)
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
# Binary decisions and thresholds
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


class Threshold(NamedTuple):
    """A decision threshold (positive iff score >= threshold) and its accuracy on the data it was chosen on."""

    threshold: float
    accuracy: float


def _as_arrays(
    scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"{x.size} scores for {y.size} labels")
    if not np.all(np.isfinite(x)):
        raise ValueError("scores must be finite numbers")
    return x, y


def best_threshold(scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray) -> Threshold:
    """The threshold maximising accuracy of ``score >= threshold`` on these scores; ties go to the lowest threshold.

    Candidates are the lowest score (all positive), the midpoints between consecutive distinct scores, and just
    above the highest score (all negative).
    """
    x, y = _as_arrays(scores, labels)
    if x.size == 0:
        raise ValueError("no scores to choose a threshold on")
    values, inverse = np.unique(x, return_inverse=True)
    pos = np.bincount(inverse, weights=y.astype(float), minlength=values.size)
    neg = np.bincount(inverse, weights=(~y).astype(float), minlength=values.size)
    # Threshold at values[k]: positives at or above it are right, negatives below it are right.
    pos_at_or_above = pos[::-1].cumsum()[::-1]
    neg_below = np.concatenate(([0.0], neg.cumsum()[:-1]))
    correct = np.append(pos_at_or_above + neg_below, neg.sum())  # last entry: everything negative
    k = int(np.argmax(correct))
    if k == values.size:
        threshold = float(np.nextafter(values[-1], math.inf))
    elif k == 0:
        threshold = float(values[0])
    else:
        mid = (values[k - 1] + values[k]) / 2
        # Adjacent floats can have no midpoint strictly above the lower one.
        threshold = float(mid if mid > values[k - 1] else values[k])
    return Threshold(threshold, float(correct[k]) / x.size)


@dataclass(frozen=True, slots=True)
class CVResult:
    """Held-out scores of a threshold chosen by k-fold cross-validation."""

    accuracy: float  # mean over the held-out folds
    f1: float  # mean over the held-out folds
    accuracy_std: float
    f1_std: float
    fold_thresholds: tuple[float, ...]  # each chosen on the training folds only
    threshold: float  # chosen on all the data: the one to use afterwards
    k: int


def _stratified_folds(labels: np.ndarray, k: int, seed: int) -> np.ndarray:
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


def cross_validated_threshold(
    scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray, k: int = 5, seed: int = 0
) -> CVResult:
    """Stratified k-fold estimate of the accuracy and F1 of ``score >= threshold`` on data unseen when choosing it.

    For each fold the threshold is chosen (best_threshold) on the other k-1 folds and scored on the held-out fold;
    the result reports the mean and standard deviation over folds.
    """
    x, y = _as_arrays(scores, labels)
    if k < 2 or k > x.size:
        raise ValueError(f"k must be between 2 and the number of items ({x.size}), got {k}")
    folds = _stratified_folds(y, k, seed)
    accuracies, f1s, thresholds = [], [], []
    for fold in range(k):
        test = folds == fold
        t = best_threshold(x[~test], y[~test]).threshold
        s = binary_scores((x[test] >= t).tolist(), y[test].tolist())
        accuracies.append(s.accuracy)
        f1s.append(s.f1)
        thresholds.append(t)
    return CVResult(
        float(np.mean(accuracies)),
        float(np.mean(f1s)),
        float(np.std(accuracies)),
        float(np.std(f1s)),
        tuple(thresholds),
        best_threshold(x, y).threshold,
        k,
    )


# ---------------------------------------------------------------------------------------------------------------------
# PAN text-alignment measures
# ---------------------------------------------------------------------------------------------------------------------


class Case(NamedTuple):
    """A text-alignment case or detection: a span of the suspicious text and one of the source, end exclusive."""

    susp_start: int
    susp_end: int
    src_start: int
    src_end: int


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


def _check_case(c: tuple[int, int, int, int]) -> Case:
    case = Case(*c)
    if not (0 <= case.susp_start <= case.susp_end and 0 <= case.src_start <= case.src_end):
        raise ValueError(f"bad span {tuple(case)}: starts must be >= 0 and <= ends")
    if case.susp_end == case.susp_start and case.src_end == case.src_start:
        raise ValueError(f"empty span {tuple(case)}")
    return case


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
        s_list = [_check_case(c) for c in cases.get(key, ())]
        r_list = [_check_case(r) for r in detections.get(key, ())]
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
# Loaders
# ---------------------------------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        # newline="" keeps the characters exactly as stored, so offsets into the text stay valid.
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise InputError(str(path), e.strerror or str(e)) from None


def _require_dir(folder: str | Path) -> Path:
    path = Path(folder)
    if not path.is_dir():
        raise InputError(str(path), "not a folder")
    return path


def _in_folder(path: str | Path, name: str) -> Path:
    """``path`` itself if it is a file, else the file ``name`` inside the folder ``path``."""
    p = Path(path)
    return p / name if p.is_dir() else p


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(_read_text(path).lstrip("\ufeff"), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}; expected header {','.join(columns)}")
    rows = []
    for n, row in enumerate(reader, start=2):
        if any(not (row.get(c) or "").strip() for c in columns):
            raise InputError(str(path), f"line {n}: empty field")
        rows.append({c: row[c].strip() for c in columns})
    return rows


CLOUGH_CATEGORIES: tuple[str, ...] = ("non", "cut", "light", "heavy", "orig")


class CloughFile(NamedTuple):
    """One file of the Clough & Stevenson short-answer corpus and how it was written."""

    file: str
    task: str
    category: str  # one of CLOUGH_CATEGORIES; "orig" marks the source text of a task
    source: str | None  # the task's source file, None for the source itself


def load_clough(folder: str | Path) -> list[CloughFile]:
    """Read file_information.csv (File,Task,Category) of a Clough & Stevenson folder; every listed file must exist."""
    root = _require_dir(folder)
    index = root / "file_information.csv"
    records = []
    for n, row in enumerate(_csv_rows(index, ("File", "Task", "Category")), start=2):
        category = row["Category"].lower()
        if category not in CLOUGH_CATEGORIES:
            raise InputError(str(index), f"line {n}: category {row['Category']!r} is not one of {CLOUGH_CATEGORIES}")
        if not (root / row["File"]).is_file():
            raise InputError(str(root / row["File"]), "listed in file_information.csv but not found")
        source = None if category == "orig" else f"orig_task{row['Task']}.txt"
        records.append(CloughFile(row["File"], row["Task"], category, source))
    return records


class SentencePair(NamedTuple):
    """Two sentences and whether they are paraphrases of each other."""

    id: str
    s1: str
    s2: str
    label: bool


_MRPC_HEADER = ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"]


def load_mrpc(path: str | Path, split: str = "train") -> list[SentencePair]:
    """Read an MRPC file (or the msr_paraphrase_<split>.txt in a folder); the id is "<#1 ID>-<#2 ID>"."""
    file = _in_folder(path, f"msr_paraphrase_{split}.txt")
    text = _read_text(file).lstrip("\ufeff")
    # The strings contain unbalanced double quotes, so quoting must be off.
    rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if header != _MRPC_HEADER:
        raise InputError(str(file), f"expected header {'<TAB>'.join(_MRPC_HEADER)}")
    pairs = []
    for n, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != 5 or row[0] not in ("0", "1"):
            raise InputError(str(file), f"line {n}: expected Quality (0/1) and four tab-separated fields")
        pairs.append(SentencePair(f"{row[1]}-{row[2]}", row[3], row[4], row[0] == "1"))
    return pairs


def _lines(path: Path) -> list[str]:
    """The lines of a text file; only LF or CRLF end a line (str.splitlines would also split on rarer breaks)."""
    lines = _read_text(path).split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def load_pan_paraphrase(folder: str | Path, split: str = "train") -> list[SentencePair]:
    """Read pan-<split>_s1.txt, pan-<split>_s2.txt and pan-<split>.labels (aligned lines); the id is the line number."""
    root = _require_dir(folder)
    s1 = _lines(root / f"pan-{split}_s1.txt")
    s2 = _lines(root / f"pan-{split}_s2.txt")
    labels_path = root / f"pan-{split}.labels"
    labels = _lines(labels_path)
    if not len(s1) == len(s2) == len(labels):
        raise InputError(str(root), f"line counts differ: s1 {len(s1)}, s2 {len(s2)}, labels {len(labels)}")
    pairs = []
    for n, (a, b, label) in enumerate(zip(s1, s2, labels, strict=True), start=1):
        if label.strip() not in ("0", "1"):
            raise InputError(str(labels_path), f"line {n}: label {label!r} is not 0 or 1")
        pairs.append(SentencePair(str(n), a, b, label.strip() == "1"))
    return pairs


def load_ecbplus(folder: str | Path) -> dict[str, str]:
    """Read labels.csv (file,topic,story) of an ECB+-style folder into file -> story; each file must be in docs/."""
    root = _require_dir(folder)
    stories: dict[str, str] = {}
    for row in _csv_rows(root / "labels.csv", ("file", "topic", "story")):
        if not (root / "docs" / row["file"]).is_file():
            raise InputError(str(root / "docs" / row["file"]), "listed in labels.csv but not found")
        if row["file"] in stories:
            raise InputError(str(root / "labels.csv"), f"{row['file']} is listed twice")
        stories[row["file"]] = row["story"]
    return stories


@dataclass(frozen=True)
class Pan13Corpus:
    """A PAN 2013 text-alignment folder: document pairs and, for the labelled subset, the cases at original offsets."""

    root: Path
    pairs: tuple[tuple[str, str], ...]  # every (suspicious, source) pair in the top-level ``pairs`` file
    labelled: tuple[tuple[str, str], ...]  # the pairs of the labelled subset
    cases: Mapping[tuple[str, str], tuple[Case, ...]]  # labelled pair -> cases (empty: no plagiarism)

    def susp_path(self, name: str) -> Path:
        return self.root / "susp" / name

    def src_path(self, name: str) -> Path:
        return self.root / "src" / name


def _read_pairs(path: Path) -> tuple[tuple[str, str], ...]:
    pairs = []
    for n, line in enumerate(_lines(path), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise InputError(str(path), f"line {n}: expected 'suspicious-file source-file'")
        pairs.append((fields[0], fields[1]))
    return tuple(pairs)


def _int_attr(el: ET.Element, name: str, path: Path) -> int:
    value = el.get(name)
    if value is None or not value.isdigit():
        raise InputError(str(path), f"plagiarism feature without a valid {name}")
    return int(value)


def _read_truth(path: Path) -> tuple[str, list[tuple[str, Case]]]:
    try:
        root = ET.fromstring(_read_text(path))
    except ET.ParseError as e:
        raise InputError(str(path), f"malformed XML ({e})") from None
    susp = root.get("reference")
    if not susp:
        raise InputError(str(path), "document element has no reference attribute")
    found = []
    for feature in root.iter("feature"):
        if feature.get("name") != "plagiarism":
            continue
        src = feature.get("source_reference")
        if not src:
            raise InputError(str(path), "plagiarism feature without source_reference")
        t_off, t_len = _int_attr(feature, "this_offset", path), _int_attr(feature, "this_length", path)
        s_off, s_len = _int_attr(feature, "source_offset", path), _int_attr(feature, "source_length", path)
        found.append((src, Case(t_off, t_off + t_len, s_off, s_off + s_len)))
    return susp, found


def load_pan13(folder: str | Path, subset: str = "02-no-obfuscation") -> Pan13Corpus:
    """Read a PAN 2013 text-alignment folder: ``pairs``, ``<subset>/pairs`` and the truth XMLs of the subset."""
    root = _require_dir(folder)
    sub = _require_dir(root / subset)
    labelled = _read_pairs(sub / "pairs")
    cases: dict[tuple[str, str], list[Case]] = {pair: [] for pair in labelled}
    for xml_path in sorted(sub.glob("*.xml")):
        susp, found = _read_truth(xml_path)
        for src, case in found:
            cases.setdefault((susp, src), []).append(case)
    return Pan13Corpus(
        root,
        _read_pairs(root / "pairs"),
        labelled,
        {pair: tuple(sorted(c)) for pair, c in cases.items()},
    )


def read_pan13_pair(corpus: Pan13Corpus, pair: tuple[str, str]) -> tuple[str, str]:
    """The suspicious and source texts of a pair, characters exactly as stored (offsets index these strings)."""
    return _read_text(corpus.susp_path(pair[0])), _read_text(corpus.src_path(pair[1]))


# ---------------------------------------------------------------------------------------------------------------------
# Re-anchoring PAN cases on re-extracted texts
# ---------------------------------------------------------------------------------------------------------------------
#
# The copy of the corpus we have was re-extracted: lines re-wrapped, non-ASCII characters dropped, and in a few
# documents pieces of lines reordered. The truth offsets point into the original texts, which we do not have, and
# the labelled passage is not stored either, so it cannot be searched for. What we do know: the cases are verbatim
# copies, so the passage is still shared word for word by the two re-extracted texts, and it lies near its labelled
# offsets (the drift is the number of characters dropped before it, usually well under 3% of the offset).
# So: find every verbatim passage the two texts share (runs of identical words, compared without case and
# punctuation), and give each case the cluster of shared runs near its offsets whose total length best matches the
# labelled length. Cases found close to their offsets with the full length are trusted first; their positions then
# narrow the search for the others of the pair (passages keep their order within a document).

_WORD = re.compile(r"\S+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_SEED_WORDS = 5  # shared runs shorter than this are ignored: they occur by chance
_MAX_SEED_REPEATS = 20  # word 5-grams repeated more often than this are boilerplate and seed nothing
_NEAR_SLACK = 0.03  # first pass: passage must lie within 3% of its offset (+150 chars)
_SPAN_SLACK = 0.15  # a case's hull may exceed the labelled length by 15% (+50 chars)
_DISTANCE_COST = 0.1  # second pass: one char of matched passage is worth ten chars of distance from the expectation

ReanchorStatus = Literal["exact", "partial", "missing"]


@dataclass(frozen=True, slots=True)
class Reanchored:
    """A labelled case and where its passage was found in the re-extracted texts."""

    original: Case  # offsets into the original texts
    case: Case | None  # offsets into the re-extracted texts; None when nothing was found
    coverage: float  # characters of shared verbatim text found, over the labelled suspicious length
    status: ReanchorStatus  # exact: coverage >= 0.9 and both spans within 10% of the labelled length


class _Run(NamedTuple):
    s0: int  # suspicious start, end (characters)
    s1: int
    r0: int  # source start, end
    r1: int


def _words(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD.finditer(text):
        key = _NOT_ALNUM.sub("", m.group().lower())
        if key:
            out.append((key, m.start(), m.end()))
    return out


def _shared_runs(susp: str, src: str) -> list[_Run]:
    """Maximal runs of consecutive words (normalised) that the two texts share, as character spans."""
    a, b = _words(susp), _words(src)
    wa, wb = [w for w, _, _ in a], [w for w, _, _ in b]
    n = _SEED_WORDS
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j in range(len(wb) - n + 1):
        where[tuple(wb[j : j + n])].append(j)
    seen: set[tuple[int, int]] = set()
    runs = []
    for i in range(len(wa) - n + 1):
        starts = where.get(tuple(wa[i : i + n]), ())
        if len(starts) > _MAX_SEED_REPEATS:
            continue
        for j in starts:
            if (i, j) in seen:
                continue
            k = 0
            while i + k < len(wa) and j + k < len(wb) and wa[i + k] == wb[j + k]:
                seen.add((i + k, j + k))
                k += 1
            runs.append(_Run(a[i][1], a[i + k - 1][2], b[j][1], b[j + k - 1][2]))
    return runs


def _near(run: _Run, case: Case, slack: float) -> bool:
    ms = slack * case.susp_start + 150
    mr = slack * case.src_start + 150
    return (
        run.s1 > case.susp_start - ms
        and run.s0 < case.susp_end + ms
        and run.r1 > case.src_start - mr
        and run.r0 < case.src_end + mr
    )


def _grow(core: _Run, runs: list[_Run], limit: float) -> list[_Run]:
    """The core run plus the longest other runs that keep both hulls within ``limit`` chars and overlap nothing."""
    chosen = [core]
    s_lo, s_hi, r_lo, r_hi = core
    for run in sorted(runs, key=lambda r: r.s0 - r.s1):
        if run is core:
            continue
        if max(s_hi, run.s1) - min(s_lo, run.s0) > limit or max(r_hi, run.r1) - min(r_lo, run.r0) > limit:
            continue
        if any(run.s0 < c.s1 and c.s0 < run.s1 or run.r0 < c.r1 and c.r0 < run.r1 for c in chosen):
            continue
        chosen.append(run)
        s_lo, s_hi, r_lo, r_hi = min(s_lo, run.s0), max(s_hi, run.s1), min(r_lo, run.r0), max(r_hi, run.r1)
    return chosen


def _hull(runs: list[_Run]) -> Case:
    return Case(min(r.s0 for r in runs), max(r.s1 for r in runs), min(r.r0 for r in runs), max(r.r1 for r in runs))


def _best_cluster(runs: list[_Run], case: Case, expected: tuple[float, float] | None) -> tuple[list[_Run], float]:
    """The cluster of runs (and its matched length) that best explains the case; nearest wins when ``expected``."""
    length = case.susp_end - case.susp_start
    limit = length * (1 + _SPAN_SLACK) + 50
    best: list[_Run] = []
    best_score = -math.inf
    best_matched = 0.0
    for core in sorted(runs, key=lambda r: r.s0 - r.s1)[:30]:
        cluster = _grow(core, runs, limit)
        matched = min(sum(r.s1 - r.s0 for r in cluster), length)
        score = float(matched)
        if expected is not None:
            hull = _hull(cluster)
            score -= _DISTANCE_COST * (abs(hull.susp_start - expected[0]) + abs(hull.src_start - expected[1]))
        if score > best_score:
            best, best_score, best_matched = cluster, score, matched
    return best, best_matched


def _status(case: Case, found: Case, coverage: float) -> ReanchorStatus:
    length = case.susp_end - case.susp_start
    s_ratio = (found.susp_end - found.susp_start) / length
    r_ratio = (found.src_end - found.src_start) / max(case.src_end - case.src_start, 1)
    return "exact" if coverage >= 0.9 and 0.9 <= s_ratio <= 1.1 and 0.9 <= r_ratio <= 1.1 else "partial"


def _map_offset(offset: int, anchors: list[tuple[int, int]]) -> float:
    """Where an original offset lands now, interpolating between trusted (original, new) positions."""
    points = sorted([(0, 0), *anchors])
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if offset >= xs[-1]:
        # Beyond the last anchor, assume the drift rate seen so far.
        return offset * (ys[-1] / xs[-1]) if xs[-1] else float(offset)
    return float(np.interp(offset, xs, ys))


def _between(value: int, anchors: list[tuple[int, int]]) -> tuple[float, float]:
    """New positions of the trusted anchors just before and after an original offset (drift keeps order)."""
    lo = max((new for old, new in anchors if old < value), default=-math.inf)
    hi = min((new for old, new in anchors if old > value), default=math.inf)
    return lo, hi


def reanchor_cases(susp_text: str, src_text: str, cases: Sequence[tuple[int, int, int, int]]) -> list[Reanchored]:
    """Find each labelled verbatim case of a document pair in re-extracted texts whose offsets no longer match.

    Returns one Reanchored per case, in the given order. A case is first looked for within 3% (+150 chars) of its
    labelled offsets; cases found there at full length become anchors, and the remaining cases are searched for
    between and around the anchors, preferring the passage nearest the position the anchors predict.
    """
    originals = [_check_case(c) for c in cases]
    if any(c.susp_end == c.susp_start for c in originals):
        raise ValueError("a case to re-anchor needs a non-empty suspicious span")
    runs = _shared_runs(susp_text, src_text)
    results: dict[int, Reanchored] = {}
    used: set[_Run] = set()

    # Pass 1: near the labelled offsets; longest cases first so a short case cannot take a long one's passage.
    for idx in sorted(range(len(originals)), key=lambda i: originals[i].susp_start - originals[i].susp_end):
        case = originals[idx]
        near = [r for r in runs if r not in used and _near(r, case, _NEAR_SLACK)]
        cluster, matched = _best_cluster(near, case, None)
        if not cluster:
            continue
        found = _hull(cluster)
        coverage = matched / (case.susp_end - case.susp_start)
        if _status(case, found, coverage) == "exact":
            results[idx] = Reanchored(case, found, coverage, "exact")
            used.update(cluster)

    # Pass 2: the rest, guided by the anchors; order is preserved within each document.
    susp_anchors = [(r.original.susp_start, r.case.susp_start) for r in results.values() if r.case]
    src_anchors = [(r.original.src_start, r.case.src_start) for r in results.values() if r.case]
    for idx, case in enumerate(originals):
        if idx in results:
            continue
        s_lo, s_hi = _between(case.susp_start, susp_anchors)
        r_lo, r_hi = _between(case.src_start, src_anchors)
        free = [r for r in runs if r not in used and s_lo <= r.s0 < s_hi and r_lo <= r.r0 < r_hi]
        expected = (_map_offset(case.susp_start, susp_anchors), _map_offset(case.src_start, src_anchors))
        cluster, matched = _best_cluster(free, case, expected)
        if not cluster:
            results[idx] = Reanchored(case, None, 0.0, "missing")
            continue
        found = _hull(cluster)
        coverage = matched / (case.susp_end - case.susp_start)
        results[idx] = Reanchored(case, found, coverage, _status(case, found, coverage))
        used.update(cluster)
    return [results[i] for i in range(len(originals))]


def reanchor_pan13(corpus: Pan13Corpus) -> dict[tuple[str, str], list[Reanchored]]:
    """Re-anchor the cases of every labelled pair of the corpus on its stored texts."""
    out: dict[tuple[str, str], list[Reanchored]] = {}
    for pair, cases in corpus.cases.items():
        if not cases:
            out[pair] = []
            continue
        susp, src = read_pan13_pair(corpus, pair)
        out[pair] = reanchor_cases(susp, src, cases)
    return out


def anchored_cases(reanchored: Mapping[K, Sequence[Reanchored]], exact_only: bool = False) -> dict[K, list[Case]]:
    """Gold cases for plagdet_scores: the re-anchored spans of every pair, dropping missing (and, if asked, partial)."""
    keep = ("exact",) if exact_only else ("exact", "partial")
    return {
        key: [r.case for r in found if r.case is not None and r.status in keep] for key, found in reanchored.items()
    }
