"""Sentence pairs (MRPC, PAN paraphrases): ``match_sentences`` beside the baselines."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ..pipeline import Models, match_sentences
from ..settings import Settings
from .baselines import sentence_cosines, word_jaccard
from .common import BINARY_HEADER, Log, binary_row, caching, say, threshold_rows
from .datasets import SentencePair
from .measures import binary_scores
from .results import Evaluation, Table


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
    models = caching(models)
    gold = [p.label for p in pairs]
    say(log, f"{dataset}: judging {len(pairs)} sentence pairs")
    pred = [bool(v["match"]) for v in match_sentences(((p.id, p.s1, p.s2) for p in pairs), settings, models)]
    s = binary_scores(pred, gold)
    rows = [binary_row("sourcetrace match-sentences", pred, gold, "packaged settings")]
    if baselines:
        rows.append(binary_row("always yes", [True] * len(gold), gold, "—"))
        cosines = sentence_cosines([(p.s1, p.s2) for p in pairs], models.sentence)  # the vectors are cached
        scored = {"MiniLM cosine": cosines.tolist(), "word Jaccard": [word_jaccard(p.s1, p.s2) for p in pairs]}
        rows += threshold_rows(scored, gold)
    return Evaluation(
        dataset,
        f"{len(pairs)} sentence pairs, {sum(gold)} paraphrases",
        {"accuracy": s.accuracy, "f1": s.f1},
        [
            Table(
                f"{dataset}: is the pair a paraphrase?",
                BINARY_HEADER,
                rows,
                "No setting of sourcetrace was chosen on these data. A baseline decides each pair with a threshold "
                "chosen on the other four folds (5-fold CV); the threshold shown is the one chosen on all pairs.",
            )
        ],
        time.perf_counter() - started,
    )
