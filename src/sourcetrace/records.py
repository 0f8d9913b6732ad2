"""Plain records passed between the pipeline stages.

Offsets are character offsets into ``Article.text`` (the cleaned text), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Relation = Literal["copy", "rewrite", "excerpt", "shared-quotes"]
DivergenceKind = Literal["number", "name", "negation", "antonym", "attribution"]
Change = Literal["changed", "dropped", "added"]
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of boilerplate taken out of the raw text, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article: ``source`` is the article's whole text (shared by its sentences, not copied),
    and the sentence is ``source[start:end]`` (:attr:`text`)."""

    index: int
    start: int
    end: int
    source: str = field(repr=False)
    quote: bool = False  # mostly a direct quotation
    quote_spans: tuple[Span, ...] = ()  # quoted material, offsets into the article text
    speaker: str | None = None

    @property
    def text(self) -> str:
        return self.source[self.start : self.end]


@dataclass(slots=True)
class Article:
    """An article as it moves through ingest -> clean -> segment."""

    id: str
    path: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601 date, from metadata or found in the text
    outlet: str | None = None
    url: str | None = None
    removed: list[Removal] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FileError:
    """An input that could not be read (``level`` "error": the scan goes on without it), or one that was read with
    a caveat the reader should know of (``level`` "warning": bad bytes replaced, a legacy encoding guessed)."""

    path: str
    reason: str
    level: Literal["error", "warning"] = "error"


@dataclass(frozen=True, slots=True)
class SentenceLink:
    """Sentence ``a`` of article A aligned with sentence ``b`` of article B."""

    a: int
    b: int
    score: float  # similarity in [0, 1]
    verbatim: bool  # near-identical wording


@dataclass(frozen=True, slots=True)
class Passage:
    """Neighbouring aligned sentences merged into one stretch of text on each side."""

    a_span: Span
    b_span: Span
    links: tuple[SentenceLink, ...]


@dataclass(frozen=True, slots=True)
class Divergence:
    """A fact that differs between two aligned sentences.

    ``change`` reads from A to B: ``dropped`` means A has it and B does not.
    """

    kind: DivergenceKind
    change: Change
    a_sentence: int | None
    b_sentence: int | None
    a_span: Span | None
    b_span: Span | None
    a_text: str | None
    b_text: str | None


@dataclass(slots=True)
class Alignment:
    """The sentence-level alignment of two articles."""

    links: list[SentenceLink]
    passages: list[Passage]
    coverage_a: float  # share of A's sentence characters aligned with B
    coverage_b: float
    strength: float = 0.0  # the evidence of reuse in [0, 1] (align.pair_strength)


@dataclass(slots=True)
class Pair:
    """Two articles that share material, with the evidence."""

    a: str
    b: str
    relation: Relation | None  # None only from compare(): the pair shares no more than a topic
    score: float
    coverage_a: float
    coverage_b: float
    passages: list[Passage]
    divergences: list[Divergence]
    source: str | None = None
    source_reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Story:
    """Articles that report the same real-world event."""

    id: str
    articles: tuple[str, ...]
    label: str


@dataclass(slots=True)
class ScanResult:
    articles: list[Article]
    pairs: list[Pair]
    stories: list[Story]
    errors: list[FileError]
