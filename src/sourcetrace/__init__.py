"""sourcetrace: find which news articles in a collection were copied or rewritten from which.

The pipeline, one module per stage: ingest, clean, segment, candidates, align, classify,
divergences, attribute, stories; ``pipeline`` runs them in order and ``report`` formats the result.
``Store`` keeps a collection in SQLite and adds to it incrementally (the web service and the HTML report, in
``sourcetrace.web`` and ``sourcetrace.html_report``, need the ``web`` extra).
"""

from .errors import ConfigError, InputError, ModelError, SourcetraceError, StoreError
from .pipeline import Models, analyse, compare, match_sentences, scan
from .records import (
    Alignment,
    Article,
    Divergence,
    FileError,
    Pair,
    Passage,
    Removal,
    ScanResult,
    Sentence,
    SentenceLink,
    Story,
)
from .report import to_dict, to_json
from .settings import Settings
from .store import AddResult, Store

__all__ = [
    "AddResult",
    "Alignment",
    "Article",
    "ConfigError",
    "Divergence",
    "FileError",
    "InputError",
    "ModelError",
    "Models",
    "Pair",
    "Passage",
    "Removal",
    "ScanResult",
    "Sentence",
    "SentenceLink",
    "Settings",
    "SourcetraceError",
    "Store",
    "StoreError",
    "Story",
    "analyse",
    "compare",
    "match_sentences",
    "scan",
    "to_dict",
    "to_json",
]
