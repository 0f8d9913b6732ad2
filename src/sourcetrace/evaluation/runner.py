"""The data sets ``sourcetrace eval`` knows, by name, and the run of one of them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from ..pipeline import Models
from ..settings import Settings
from .collection import evaluate_collection
from .common import Log
from .datasets import load_mrpc, load_pan_paraphrase
from .passages import evaluate_clough, evaluate_pan13
from .results import Evaluation
from .rewrites import evaluate_independent, evaluate_rewrites
from .seeds import evaluate_seeds
from .sentence_pairs import evaluate_sentence_pairs
from .stories import evaluate_ecbplus, evaluate_stories

T = TypeVar("T")

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
    "stories",
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
        if dataset == "llm-rewrites":
            return evaluate_rewrites(path, settings, models, baselines, log)
        return evaluate_independent(path, settings, models, log)
    if dataset == "stories":
        return evaluate_stories(path, settings, models, baselines, log)
    raise ValueError(f"unknown data set {dataset!r}; known: {', '.join(DATASETS)}")
