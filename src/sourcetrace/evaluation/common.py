"""What the evaluation runs share: relation sets, the caching encoder, folds and table rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..encoder import Encoder
from ..pipeline import Models
from .measures import binary_scores, held_out_decisions

# sourcetrace runs with its packaged settings throughout, none of them chosen on these data. A baseline's threshold is
# chosen by 5-fold cross-validation (each item decided by a threshold chosen without its fold), which is generous to it.

Log = Callable[[str], None]
REUSE: frozenset[str] = frozenset(("copy", "rewrite", "excerpt"))  # shared-quotes is not reuse of the text
RELATIONS: tuple[str, ...] = ("copy", "rewrite", "excerpt", "shared-quotes")
BINARY_HEADER = ("method", "accuracy", "precision", "recall", "F1", "decision")


class CachingEncoder:
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


def caching(models: Models) -> Models:
    return (
        models
        if isinstance(models.sentence, CachingEncoder)
        else Models(CachingEncoder(models.sentence), models.static)
    )


def say(log: Log | None, message: str) -> None:
    if log:
        log(message)


def folds_for(n: int) -> int | None:
    """5 folds, fewer for a small data set; None when there are too few items to cross-validate at all."""
    return min(5, n) if n >= 4 else None


def binary_row(name: str, pred: Sequence[bool], gold: Sequence[bool], how: str) -> tuple[object, ...]:
    s = binary_scores(list(pred), list(gold))
    return (name, s.accuracy, s.precision, s.recall, s.f1, how)


def threshold_rows(scored: Mapping[str, Sequence[float]], gold: Sequence[bool]) -> list[tuple[object, ...]]:
    """A row per baseline score: ``score >= t``, t chosen on the other folds for accuracy."""
    k = folds_for(len(gold))
    rows = []
    for name, scores in scored.items() if k else ():
        held = held_out_decisions(scores, gold, k=k or 5)
        rows.append(binary_row(name, held.decisions.tolist(), gold, f">= {held.choice:.3f} ({k}-fold CV)"))
    return rows
