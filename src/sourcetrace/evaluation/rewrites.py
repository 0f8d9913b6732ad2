"""Evaluation on real reuse and real non-reuse: language-model rewrites of real news, and independent reports of one
event by several outlets (formats: docs/datasets.md). The core decision is right only if it finds the first and
leaves the second alone; figures: docs/quality.md.
"""

from __future__ import annotations

import csv
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..pipeline import Models, scan
from ..settings import Settings
from .baselines import document_vectors, minhash_scores, tfidf_cosines
from .datasets import load_story_labels, read_text
from .results import Evaluation, Table

Log = Callable[[str], None]
REUSE = ("copy", "rewrite", "excerpt")


def load_derived(folder: str | Path) -> tuple[Path, list[tuple[str, str]]]:
    """``articles.jsonl`` and the (original, derived) id pairs of ``derived.csv`` in ``folder``."""
    root = Path(folder)
    articles, listing = root / "articles.jsonl", root / "derived.csv"
    for path in (articles, listing):
        if not path.is_file():
            raise InputError(str(path), "missing: a rewrites folder holds articles.jsonl and derived.csv")
    rows = list(csv.DictReader(read_text(listing).splitlines()))
    if rows and not {"original", "derived"} <= set(rows[0]):
        raise InputError(str(listing), "expected the columns original and derived")
    return articles, [(r["original"], r["derived"]) for r in rows]


def _texts(path: Path) -> dict[str, str]:
    out = {}
    for line in read_text(path).splitlines():
        if line.strip():
            record = json.loads(line)
            out[str(record["id"])] = str(record.get("text") or "")
    return out


def evaluate_rewrites(
    folder: str | Path, settings: Settings, models: Models, baselines: bool = True, log: Log | None = None
) -> Evaluation:
    """Every (original, derived) pair: found as copy, rewrite or excerpt; as rewrite; with the original named as the
    source. Baselines: the original as the derived text's best TF-IDF or MiniLM document match among the originals
    (retrieval, which always names a best match, with no verdict), and datasketch MinHashLSH retrieving the pair."""
    started = time.perf_counter()
    path, gold = load_derived(folder)
    result = scan([path], settings, models)
    pairs = {frozenset((p.a, p.b)): p for p in result.pairs}
    found = [pairs.get(frozenset(g)) for g in gold]
    n = len(gold)
    reuse = sum(1 for p in found if p and p.relation in REUSE) / n
    rewrite = sum(1 for p in found if p and p.relation == "rewrite") / n
    source = sum(1 for (original, _), p in zip(gold, found, strict=True) if p and p.source == original) / n
    rows: list[tuple[object, ...]] = [
        ("sourcetrace", reuse, rewrite, source, "packaged settings"),
    ]
    if baselines:
        texts = _texts(path)
        ids = sorted(texts)
        index = {k: i for i, k in enumerate(ids)}
        known = [(index[o], index[d]) for o, d in gold if o in index and d in index]

        originals = np.zeros(len(ids), dtype=bool)
        originals[[o for o, _ in known]] = True

        def top1(similarity: np.ndarray) -> float:
            """Share of derived texts whose best match among the originals is their own original."""
            similarity = np.where(originals[None, :], similarity, -np.inf)
            return sum(int(similarity[d].argmax()) == o for o, d in known) / n

        rows.append(("TF-IDF cosine, best match", top1(tfidf_cosines([texts[k] for k in ids])), None, None,
                     "retrieval only: the best match is always reported"))  # fmt: skip
        sentences = [[a for a in texts[k].split(". ") if a] for k in ids]
        vectors = document_vectors(sentences, models.sentence)
        rows.append(("MiniLM document cosine, best match", top1(vectors @ vectors.T), None, None, "retrieval only"))
        retrieved = minhash_scores([texts[k] for k in ids])
        lsh = sum(1 for o, d in known if (min(o, d), max(o, d)) in retrieved) / n
        rows.append(("MinHashLSH (datasketch, Jaccard 0.5)", lsh, None, None, "near-duplicate search"))
    if log:
        log(f"llm-rewrites: {n} pairs")
    table = Table(
        "Language-model rewrites of real news",
        ("method", "pairs found", "as rewrite", "source named", "how"),
        rows,
    )
    return Evaluation(
        "llm-rewrites",
        f"{n} (original, model rewrite) pairs among {len(result.articles)} texts",
        {"found": reuse, "as_rewrite": rewrite, "source_right": source},
        [table],
        time.perf_counter() - started,
    )


def evaluate_independent(path: str | Path, settings: Settings, models: Models, log: Log | None = None) -> Evaluation:
    """Articles labelled by event (``id``, ``story``, ``text`` per JSON line), written independently: every pair of
    one event called copy, rewrite or excerpt is a false claim of reuse."""
    started = time.perf_counter()
    file = Path(path)
    story = load_story_labels(file)
    result = scan([file], settings, models)
    same = sum(1 for x, y in itertools.combinations(sorted(story), 2) if story[x] == story[y])
    claimed = [p for p in result.pairs if p.relation in REUSE]
    same_claimed = sum(1 for p in claimed if story.get(p.a) == story.get(p.b))
    other_claimed = len(claimed) - same_claimed
    quotes = sum(1 for p in result.pairs if p.relation == "shared-quotes")
    if log:
        log(f"independent reports: {same_claimed} of {same} same-event pairs called reuse")
    table = Table(
        "Independent reports of one event",
        ("same-event pairs", "called copy, rewrite or excerpt", "share", "other pairs called reuse", "shared-quotes"),
        [(same, same_claimed, same_claimed / same if same else 0.0, other_claimed, quotes)],
    )
    return Evaluation(
        "independent-reports",
        f"{len(story)} articles, {same} pairs of articles on one event written independently",
        {"clear_share": 1 - (same_claimed / same if same else 0.0)},
        [table],
        time.perf_counter() - started,
    )
