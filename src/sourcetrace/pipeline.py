"""The one entry that runs the stages in order, for a folder of files or for articles already in memory."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .align import align, judge, wording_similarity
from .attribute import attribute_source
from .candidates import Candidate, centre, find_candidates, minhash_signatures
from .classify import classify
from .clean import clean, repeated_paragraphs
from .encoder import Encoder, SentenceEncoder, StaticEncoder
from .ingest import read_articles
from .records import Article, FileError, Pair, ScanResult
from .report import divergence_dict
from .segment import segment
from .settings import Settings
from .stories import cluster_stories

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Models:
    """The two sentence encoders: a cheap static one for candidates, the transformer for alignment."""

    sentence: Encoder
    static: Encoder

    @classmethod
    def load(cls, settings: Settings) -> Models:
        return cls(SentenceEncoder.load(settings.model_dir), StaticEncoder.load(settings.model_dir))


@dataclass
class Timings:
    """Seconds spent in each stage, for benchmarks and --verbose."""

    seconds: dict[str, float] = field(default_factory=dict)

    def mark(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - since
        return now


def scan(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    models: Models | None = None,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> ScanResult:
    """Find reuse among the articles under ``paths``.

    1. ingest: read .txt, .html and .jsonl files (unreadable ones go to ``errors``);
    2.-9. see :func:`analyse`.
    """
    settings = settings or Settings.load()
    timings = timings or Timings()
    start = time.perf_counter()
    articles, errors = read_articles(paths, settings.ingest)
    timings.mark("ingest", start)
    result = analyse(articles, settings, models, progress, timings)
    result.errors[:0] = errors
    return result


def prepare(
    articles: Sequence[Article], repeated: frozenset[str] = frozenset()
) -> tuple[list[Article], list[FileError]]:
    """Stages 2-3 on raw articles: clean (rules, and ``repeated`` collection boilerplate) and segment."""
    prepared, errors = [], []
    for article in articles:
        article = segment(clean(article, repeated))
        if article.sentences:
            prepared.append(article)
        else:
            errors.append(FileError(article.path, "no article text left after removing boilerplate; check the file"))
    return prepared, errors


@dataclass
class Features:
    """Prepared articles with what candidate search needs: static sentence vectors and MinHash signatures."""

    articles: list[Article]
    static: list[np.ndarray]
    signatures: np.ndarray
    errors: list[FileError]


def featurise(
    articles: Sequence[Article], settings: Settings, workers: int | None = None, progress: Progress | None = None
) -> Features:
    """Stages 2-3 and the per-article half of stage 4, in worker processes when the collection is large.

    Paragraphs repeated across the collection are found first (cheap, one pass), so that each article can then
    be handled on its own, in any process.
    """
    repeated = repeated_paragraphs(articles)
    workers = workers if workers is not None else settings.workers or os.cpu_count() or 1
    chunks = [articles[k : k + CHUNK] for k in range(0, len(articles), CHUNK)] or [[]]
    jobs = [(chunk, repeated, settings) for chunk in chunks]
    if workers > 1 and len(articles) >= PARALLEL_FROM:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = _reporting(pool.map(_featurise_chunk, jobs), len(articles), progress)
    else:
        parts = _reporting(map(_featurise_chunk, jobs), len(articles), progress)
    return Features(
        articles=[a for part in parts for a in part.articles],
        static=[v for part in parts for v in part.static],
        signatures=np.concatenate([part.signatures for part in parts]),
        errors=[e for part in parts for e in part.errors],
    )


def _reporting(parts: Iterable[Features], total: int, progress: Progress | None) -> list[Features]:
    done: list[Features] = []
    for part in parts:
        done.append(part)
        if progress:
            progress("clean, segment, vectors", min(len(done) * CHUNK, total), total)
    return done


VERBATIM_STATIC = 0.9  # static cosine above which a sentence pair may be the same wording; checked exactly
CHUNK = 250  # articles per worker task: large enough to amortise pickling, small enough to balance
PARALLEL_FROM = 1000  # below this, starting worker processes costs more than it saves


def _featurise_chunk(job: tuple[Sequence[Article], frozenset[str], Settings]) -> Features:
    articles, repeated, settings = job
    prepared, errors = prepare(articles, repeated)
    encoder = StaticEncoder.load(settings.model_dir)
    flat = encoder.encode([s.text for a in prepared for s in a.sentences])
    bounds = np.cumsum([0] + [len(a.sentences) for a in prepared])
    static = [flat[bounds[k] : bounds[k + 1]] for k in range(len(prepared))]
    signatures = minhash_signatures([a.text for a in prepared], settings.candidates)
    return Features(prepared, static, signatures, errors)


def analyse(
    articles: Sequence[Article],
    settings: Settings | None = None,
    models: Models | None = None,
    progress: Progress | None = None,
    timings: Timings | None = None,
    keep_unrelated: bool = False,
) -> ScanResult:
    """Run stages 2-9 on articles already read.

    2. clean: remove boilerplate by rules and by repetition across the collection;
    3. segment: sentences with offsets, quotations and speakers;
    4. candidates: MinHash bands and sentence-vector bands, never all pairs;
    5. align: sentence links (transformer only where candidates are), passages, coverage;
    6. classify: copy, rewrite, excerpt, shared-quotes, or nothing;
    7. divergences: numbers, names, negations, attributions that differ in linked sentences;
    8. attribute: the likely source and why;
    9. stories: articles about the same event.

    ``keep_unrelated`` keeps every candidate pair, related or not (``compare`` uses it).
    """
    settings = settings or Settings.load()
    timings = timings or Timings()
    start = time.perf_counter()
    # 2.-4. clean, segment, and what candidate search needs per article
    features = featurise(articles, settings, progress=progress)
    prepared, static = features.articles, features.static
    start = timings.mark("clean, segment, static vectors, signatures", start)
    if keep_unrelated:
        candidates = [Candidate(i, j, 0, False) for i in range(len(prepared)) for j in range(i + 1, len(prepared))]
    else:
        candidates = find_candidates(features.signatures, static, settings.candidates)
    start = timings.mark("candidates", start)
    models = models or Models.load(settings)
    start = timings.mark("load models", start)
    # 5.-8. align, classify, divergences, attribute
    pairs = list(related_pairs(prepared, static, candidates, models.sentence, settings, keep_unrelated, progress))
    start = timings.mark("align", start)
    # 9. stories
    stories = cluster_stories(prepared, [p for p in pairs if p.relation], settings.stories)
    timings.mark("stories", start)
    return ScanResult(articles=prepared, pairs=pairs, stories=stories, errors=features.errors)


def related_pairs(
    articles: Sequence[Article],
    static: Sequence[np.ndarray],
    candidates: Sequence[Candidate],
    encoder: Encoder,
    settings: Settings,
    keep_unrelated: bool,
    progress: Progress | None,
) -> Iterator[Pair]:
    """Stages 5-8 for every candidate; the transformer runs once, on just the sentences a gated pair needs."""
    # centred static vectors discriminate better: every sentence vector shares the collection's mean
    offsets = np.cumsum([0] + [len(v) for v in static])
    flat = centre(np.concatenate(static)) if len(static) else np.zeros((0, 1))
    centred = [flat[offsets[k] : offsets[k + 1]] for k in range(len(static))]
    gates, known = {}, {}
    needed: dict[int, set[int]] = {}
    for c in candidates:
        close = centred[c.a] @ centred[c.b].T
        gate = close >= settings.align.static_gate
        # sentences in the same words need no transformer: their wording similarity stands in for the cosine
        same = np.full(gate.shape, np.nan, dtype=np.float32)
        for i, j in zip(*np.nonzero(close >= VERBATIM_STATIC), strict=True):
            wording = wording_similarity(articles[c.a].sentences[i].text, articles[c.b].sentences[j].text)
            if wording >= settings.align.verbatim_ratio:
                same[i, j] = wording
                gate[i, j] = False
        gates[(c.a, c.b)], known[(c.a, c.b)] = gate, same
        rows, cols = np.nonzero(gate)
        needed.setdefault(c.a, set()).update(rows.tolist())
        needed.setdefault(c.b, set()).update(cols.tolist())
    # the transformer runs once, in one batch, on just the sentences some gated pair needs
    keys = [(k, i) for k in sorted(needed) for i in sorted(needed[k])]
    vectors = encoder.encode([articles[k].sentences[i].text for k, i in keys])
    embedded = {k: np.zeros((len(articles[k].sentences), encoder.dim), dtype=np.float32) for k in needed}
    for (k, i), vector in zip(keys, vectors, strict=True):
        embedded[k][i] = vector
    for done, c in enumerate(candidates, start=1):
        gate, same = gates.pop((c.a, c.b)), known.pop((c.a, c.b))
        if gate.any():
            same = np.where(gate, embedded[c.a] @ embedded[c.b].T, same).astype(np.float32)
        cosines = same
        pair = relate(articles[c.a], articles[c.b], cosines, settings, keep_unrelated)
        if progress and (done % 50 == 0 or done == len(candidates)):
            progress("align", done, len(candidates))
        if pair is not None:
            yield pair


def relate(
    a: Article, b: Article, cosines: np.ndarray, settings: Settings, keep_unrelated: bool = False
) -> Pair | None:
    """Stages 5-8 for one pair: align, classify, divergences, attribute.

    ``cosines`` holds the transformer cosine of every sentence pair (NaN where not worth computing).
    Returns None when the two share no more than a topic, unless ``keep_unrelated``.
    """
    alignment, divergences = align(a.sentences, b.sentences, cosines, settings.align)
    relation, score = classify(alignment, a.sentences, b.sentences, a.text, b.text, settings.classify)
    if relation is None and not keep_unrelated:
        return None
    source, reasons = attribute_source(a, b, alignment.coverage_a, alignment.coverage_b, divergences)
    return Pair(
        a=a.id,
        b=b.id,
        relation=relation,
        score=score,
        coverage_a=round(alignment.coverage_a, 4),
        coverage_b=round(alignment.coverage_b, 4),
        passages=alignment.passages,
        divergences=divergences,
        source=source if relation else None,
        source_reasons=reasons if relation else [],
    )


def compare(
    path_a: str | Path, path_b: str | Path, settings: Settings | None = None, models: Models | None = None
) -> ScanResult:
    """Align two files, whatever their relation: the pair is always reported with its full alignment."""
    settings = settings or Settings.load()
    articles, errors = read_articles([path_a, path_b], settings.ingest)
    if len(articles) < 2:
        return ScanResult(articles=articles, pairs=[], stories=[], errors=errors)
    result = analyse(articles, settings, models, keep_unrelated=True)
    result.errors[:0] = errors
    return result


def match_sentences(
    rows: Iterable[tuple[str, str, str]], settings: Settings | None = None, models: Models | None = None
) -> Iterator[dict[str, object]]:
    """Judge sentence pairs ``(id, sentence_1, sentence_2)`` with the aligner's own decision."""
    settings = settings or Settings.load()
    models = models or Models.load(settings)
    batch: list[tuple[str, str, str]] = []

    def flush() -> Iterator[dict[str, object]]:
        vectors = models.sentence.encode([s for _, a, b in batch for s in (a, b)])
        for k, (ident, a, b) in enumerate(batch):
            verdict = judge(a, b, float(vectors[2 * k] @ vectors[2 * k + 1]), settings.align)
            yield {
                "id": ident,
                "score": round(verdict.score, 4),
                "match": verdict.match,
                "divergences": [divergence_dict(d) for d in verdict.divergences],
            }
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= 256:
            yield from flush()
    if batch:
        yield from flush()
