"""Evaluation: measures, and runs of the library and the baselines on one labelled data set each.

The runs read a data set with the readers of ``datasets`` (formats: docs/datasets.md), put ``scan``, ``analyse`` or
``match_sentences`` through it, score the result with ``measures``, and measure the baselines of ``baselines`` on the
same data. Figures: docs/quality.md. One module per kind of data set:

- ``seeds``: the expectations of the bundled seeds;
- ``sentence_pairs``: MRPC and PAN paraphrases;
- ``passages``: reuse of passages (Clough & Stevenson, PAN 2013 text alignment);
- ``stories``: story clustering (ECB+);
- ``collection``: a collection with planted pairs;
- ``rewrites``: language-model rewrites of real news, and independent reports of one event;
- ``reviews``: a store's pairs against the verdicts its readers gave (``evaluate_reviews``; no data set to read);

``runner`` lists them by name (``DATASETS``) and runs one (``run_evaluation``); ``results`` holds the outcome of a
run and its text, Markdown and JSON forms; ``common`` what the runs share.
"""

from .results import Evaluation, Table, evaluation_dict, evaluation_markdown, evaluation_text
from .reviews import evaluate_reviews
from .runner import DATASETS, run_evaluation

__all__ = [
    "DATASETS",
    "Evaluation",
    "Table",
    "evaluate_reviews",
    "evaluation_dict",
    "evaluation_markdown",
    "evaluation_text",
    "run_evaluation",
]
