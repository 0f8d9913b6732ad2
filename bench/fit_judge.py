"""Fit the sentence judge's three parameters on the STS benchmark and print them (docs/quality.md).

    python bench/fit_judge.py ../shared/data/sts-benchmark

A logistic model of "same meaning" (an STS score of 3 or more) over the transformer cosine and the word Jaccard of
the two sentences, fitted by Newton's method on sts-train.csv without its MSRpar and MSRvid rows (their licence does
not allow shipping what is learnt from them). The printed values go to [align] in src/sourcetrace/defaults.toml;
the accuracy on sts-dev.csv (the same rows left out) is printed beside them.

    python bench/fit_judge.py ../shared/data/sts-benchmark --ceiling ../shared/data

also prints how far sentence features like these can go on MRPC and PAN paraphrases (docs/quality.md): the accuracy
on each training split of a model fitted on STS with two more features (character similarity of the folded texts,
word containment), and of one fitted on the split itself (5-fold), which no shipped setting may be.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Indel

from sourcetrace.evaluation.datasets import load_mrpc, load_pan_paraphrase
from sourcetrace.pipeline import Models
from sourcetrace.settings import Settings
from sourcetrace.stages.align import normalise, same_meaning, word_jaccard, word_set

SAME_MEANING = 3.0
EXCLUDED = ("MSRpar", "MSRvid")


def rows(path: Path) -> list[tuple[str, str, float]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(r[5], r[6], float(r[4])) for r in reader if len(r) >= 7 and r[1] not in EXCLUDED]


def features(pairs: list[tuple[str, str, float]], models: Models) -> np.ndarray:
    vectors = models.sentence.encode([s for a, b, _ in pairs for s in (a, b)])
    cosines = np.einsum("ij,ij->i", vectors[0::2], vectors[1::2])
    jaccards = np.array([word_jaccard(a, b) for a, b, _ in pairs])
    return np.column_stack([np.ones(len(pairs)), cosines, jaccards])


def more_features(pairs: list[tuple[str, str, float]], models: Models) -> np.ndarray:
    """The judge's features, then the character similarity of the folded texts and the word containment."""
    characters = [Indel.normalized_similarity(normalise(a), normalise(b)) for a, b, _ in pairs]
    contained = [len(word_set(a) & word_set(b)) / max(1, min(len(word_set(a)), len(word_set(b)))) for a, b, _ in pairs]
    return np.column_stack([features(pairs, models), characters, contained])


def ceiling(x_sts: np.ndarray, y_sts: np.ndarray, data: Path, models: Models) -> None:
    """Accuracy on MRPC and PAN paraphrases (training splits) of the features fitted on STS (``x_sts``:
    :func:`more_features` of its training rows, ``y_sts`` their labels), and fitted on each."""
    for name, pairs in (
        ("MRPC train", load_mrpc(data / "mrpc-train")),
        ("PAN paraphrase train", load_pan_paraphrase(data / "pan-paraphrase-train")),
    ):
        x = more_features([(p.s1, p.s2, 0.0) for p in pairs], models)
        y = np.array([p.label for p in pairs], dtype=bool)
        shown = []
        for label, columns in (("judge's 2 features", [0, 1, 2]), ("4 features", [0, 1, 2, 3, 4])):
            w = fit(x_sts[:, columns], y_sts)
            shown.append(f"{label} fitted on STS {np.mean(((x[:, columns] @ w) >= 0) == y):.3f}")
        folds = np.arange(len(y)) % 5
        right = [
            ((x[folds == f] @ fit(x[folds != f], y[folds != f].astype(float))) >= 0) == y[folds == f] for f in range(5)
        ]
        shown.append(f"4 features fitted on the set itself (5-fold) {np.mean(np.concatenate(right)):.3f}")
        print(f"{name} ({len(y)} pairs): " + "; ".join(shown))


def fit(x: np.ndarray, y: np.ndarray, ridge: float = 1e-3, steps: int = 50) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + ridge * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("../shared/data/sts-benchmark"))
    parser.add_argument("--ceiling", type=Path, metavar="DATA", help="also MRPC and PAN paraphrases from DATA")
    args = parser.parse_args(argv)
    folder, data = args.folder, args.ceiling
    settings = Settings.load()
    models = Models.load(settings)
    train, dev = rows(folder / "sts-train.csv"), rows(folder / "sts-dev.csv")
    y = np.array([s >= SAME_MEANING for _, _, s in train], dtype=float)
    x = (features if data is None else more_features)(train, models)  # the judge's features come first
    w = fit(x[:, :3], y)
    x_dev = features(dev, models)
    accuracy = float((((x_dev @ w) >= 0) == np.array([s >= SAME_MEANING for _, _, s in dev])).mean())
    print(f"judge_bias = {w[0]:.2f}\njudge_cosine = {w[1]:.2f}\njudge_words = {w[2]:.2f}")
    print(f"# {len(train)} training pairs; accuracy on {len(dev)} sts-dev pairs: {accuracy:.3f}", file=sys.stderr)
    cosine, jaccard = np.meshgrid(np.linspace(0, 1, 201), np.linspace(0, 1, 201))
    fitted = 1 / (1 + np.exp(-(w[0] + w[1] * cosine + w[2] * jaccard)))
    apart = float(np.abs(fitted - same_meaning(cosine, jaccard, settings.align)).max())
    print(f"# the packaged values' probabilities differ from these by {apart:.3f} at most", file=sys.stderr)
    if data is not None:
        ceiling(x, y, data, models)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
