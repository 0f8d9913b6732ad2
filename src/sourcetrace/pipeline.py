"""The one entry that runs the stages in order, for a folder of files or for articles already in memory."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from .encoder import Encoder, SentenceEncoder, StaticEncoder
from .errors import InputError
from .records import Article, FileError, Pair, ScanResult
from .report import divergence_dict
from .settings import Settings
from .stages.align import align, coverage_in_order, judge, long_runs, normalise, same_meaning, word_jaccard
from .stages.attribute import attribute_source
from .stages.candidates import (
    Candidate,
    centre,
    find_candidates,
    fingerprints,
    mean_vector,
    small_products,
)
from .stages.classify import classify, is_stock_pair, is_substantial, quotation_pairs
from .stages.clean import clean, merge_paragraph_counts, paragraph_counts
from .stages.headline import NOT_THE_ARTICLE, mentions_headline, same_script
from .stages.ingest import read_articles
from .stages.segment import segment
from .stages.stories import MATERIAL, cluster_stories
from .stages.story_terms import Rarity, StoryTerms, common_words, mentions, story_terms, term_matrix

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
    start = timings.mark("ingest", start)
    chunks = chunked(articles)
    del articles  # the chunks hold the raw texts now, and featurising lets go of each chunk once it is done
    features = featurise_chunks(chunks, settings, progress=progress)
    timings.mark(FEATURISE, start)
    result = analyse_features(features, settings, models, progress, timings)
    result.errors[:0] = errors
    return result


def prepare(
    articles: Sequence[Article], repeated: frozenset[str] = frozenset()
) -> tuple[list[Article], list[FileError]]:
    """Stages 2-3 on raw articles (as read: their titles are the headlines their files give): clean (rules, and
    ``repeated`` collection boilerplate) and segment; set aside those with no text left or whose text never
    mentions the headline."""
    prepared, errors = [], []
    for article in articles:
        headline = article.title  # as the file gives it, before cleaning may take one from the text
        article = segment(clean(article, repeated, headline))
        if not article.sentences:
            errors.append(FileError(article.path, "no article text left after removing boilerplate; check the file"))
        elif not mentions_headline(article.text, headline) and same_script(headline or "", article.text):
            # (a headline in another script than the text, a Russian site's title over an English article, names
            # nothing of it whatever the text is: not checked)
            errors.append(FileError(article.path, f"its text never mentions its headline: {NOT_THE_ARTICLE}"))
        else:
            prepared.append(article)
    return prepared, errors


@dataclass
class Features:
    """Prepared articles with what candidate search needs (static sentence vectors, MinHash signatures, the
    fingerprints of long runs of words) and what stories need (the articles' terms, a batch per worker task, and
    the words the collection writes in lower case)."""

    articles: list[Article]
    static: list[np.ndarray]
    signatures: np.ndarray
    runs: list[np.ndarray]
    stories: list[StoryTerms]
    common: frozenset[str]
    errors: list[FileError]


def featurise(
    articles: Sequence[Article], settings: Settings, workers: int | None = None, progress: Progress | None = None
) -> Features:
    """Stages 2-3 and the per-article half of stage 4, in worker processes when the collection is large.

    Paragraphs repeated across the collection are found first (cheap, one pass), so that each article can then
    be handled on its own, in any process.
    """
    return featurise_chunks(chunked(articles), settings, workers, progress)


def chunked(articles: Sequence[Article]) -> list[Sequence[Article]]:
    """The articles in chunks of :data:`CHUNK`, the worker processes' tasks."""
    return [articles[k : k + CHUNK] for k in range(0, len(articles), CHUNK)] or [[]]


def featurise_chunks(
    chunks: list[Sequence[Article]], settings: Settings, workers: int | None = None, progress: Progress | None = None
) -> Features:
    """:func:`featurise` on :func:`chunked` articles, taking the chunks over: the list is emptied once the work is
    handed out, and each chunk is let go of when it is done, so that a caller holding no other reference to the
    raw articles (``scan``) does not keep 100,000 raw texts beside their cleaned copies."""
    workers = workers if workers is not None else settings.workers or os.cpu_count() or 1
    total = sum(map(len, chunks))
    parallel = workers > 1 and total >= PARALLEL_FROM
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # workers fork from a server that has imported the stages once
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) if parallel else contextlib.nullcontext() as pool:
        run = pool.map if pool else map
        repeated = merge_paragraph_counts(run(paragraph_counts, chunks))
        jobs = [(chunk, repeated, settings) for chunk in chunks]
        chunks.clear()
        results = run(_featurise_chunk, jobs)  # in a pool: handed out now, each released when its result is back
        del jobs
        parts = _reporting(results, total, progress)
    return Features(
        articles=[a for part in parts for a in part.articles],
        static=[v for part in parts for v in part.static],
        signatures=np.concatenate([part.signatures for part in parts]),
        runs=[r for part in parts for r in part.runs],
        stories=[s for part in parts for s in part.stories],
        common=frozenset().union(*(part.common for part in parts)),
        errors=[e for part in parts for e in part.errors],
    )


def _reporting(parts: Iterable[Features], total: int, progress: Progress | None) -> list[Features]:
    done: list[Features] = []
    for part in parts:
        done.append(part)
        if len(done) % TRIM_EVERY == 0:  # the raw texts of finished chunks were let go of: hand their memory back
            release_freed_memory()
        if progress:
            progress("clean, segment, vectors", min(len(done) * CHUNK, total), total)
    return done


CHUNK = 250  # articles per worker task: large enough to amortise pickling, small enough to balance
TRIM_EVERY = 40  # chunks featurised between hand-backs of freed memory (each takes milliseconds)
PARALLEL_FROM = 1000  # below this, starting worker processes costs more than it saves


def _featurise_chunk(job: tuple[Sequence[Article], frozenset[str], Settings]) -> Features:
    articles, repeated, settings = job
    prepared, errors = prepare(articles, repeated)
    encoder = StaticEncoder.load(settings.model_dir)
    # half precision, as the store keeps them: a sentence's vector is 512 bytes, not 1 KB, at every scale
    flat = encoder.encode([s.text for a in prepared for s in a.sentences]).astype(np.float16)
    bounds = np.cumsum([0] + [len(a.sentences) for a in prepared])
    static = [flat[bounds[k] : bounds[k + 1]] for k in range(len(prepared))]
    signatures, runs = fingerprints([a.text for a in prepared], settings.candidates)
    rarity = Rarity.load(settings.model_dir)
    common = common_words(a.text for a in prepared)
    terms = story_terms((mentions(a, rarity) for a in prepared), common)
    return Features(prepared, static, signatures, runs, [terms], common, errors)


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
    4. candidates: MinHash bands, long runs of words and sentence-vector bands, never all pairs;
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
    timings.mark(FEATURISE, start)
    return analyse_features(features, settings, models, progress, timings, keep_unrelated)


FEATURISE = "clean, segment, static vectors, signatures"


def analyse_features(
    features: Features,
    settings: Settings,
    models: Models | None = None,
    progress: Progress | None = None,
    timings: Timings | None = None,
    keep_unrelated: bool = False,
) -> ScanResult:
    """Stages 4-9 of :func:`analyse` on featurised articles (whose static vectors are centred here, in place)."""
    timings = timings or Timings()
    start = time.perf_counter()
    prepared, centred = features.articles, features.static
    mean = mean_vector(centred)
    for vectors in centred:  # in place, once: every later step compares static vectors centred
        vectors[...] = centre(vectors, mean)
    rarity = Rarity.load(settings.model_dir)
    terms = term_matrix(features.stories, features.common, settings.stories, rarity)  # takes the batches over
    release_freed_memory()
    start = timings.mark(FEATURISE, start)
    if keep_unrelated:
        candidates = [Candidate(i, j, 0, False) for i in range(len(prepared)) for j in range(i + 1, len(prepared))]
    else:
        quotations = [np.array([bool(s.quote_spans) for s in a.sentences], dtype=bool) for a in prepared]
        candidates = find_candidates(
            features.signatures, centred, settings.candidates, quotations, terms, features.runs
        )
    start = timings.mark("candidates", start)
    models = models or Models.load(settings)
    start = timings.mark("load models", start)
    # 5.-8. align, classify, divergences, attribute
    pairs = list(related_pairs(prepared, candidates, models.sentence, settings, keep_unrelated, progress))
    start = timings.mark("align", start)
    # 9. stories
    stories = cluster_stories(prepared, [p for p in pairs if p.relation], settings.stories, terms)
    timings.mark("stories", start)
    return ScanResult(articles=prepared, pairs=pairs, stories=stories, errors=features.errors)


def release_freed_memory() -> None:
    """Hand the memory Python has freed back to the system, where the C library allows it (glibc keeps freed heap
    for later use: after featurising 100,000 articles and dropping their raw texts, 0.7 GB of it)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # no such library or function: nothing to do
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def related_pairs(
    articles: Sequence[Article],
    candidates: Sequence[Candidate],
    encoder: Encoder,
    settings: Settings,
    keep_unrelated: bool,
    progress: Progress | None,
) -> Iterator[Pair]:
    """Stages 5-8 for every candidate, keeping the transformer to the sentences that can change the verdict.

    1. plan: the pair's static sentence vectors (as the static encoder gives them, not centred on the collection)
       stand in for the transformer's in the pair's ordered coverage (:func:`align.coverage_in_order`). A pair that
       reaches ``static_strength`` this way could be a copy or rewrite; it is aligned whole (the transformer on every
       sentence pair of both articles) when it is vouched for (stage 4) or its probes add up (:func:`_supported`).
       Any other pair can at most share sentences or quotations, and the transformer sees only the sentence pairs
       that could make that so (:func:`_shared_only`); a pair with none leaves here, as most candidates do: they
       merely share a topic;
    2. align, classify, divergences, attribute (:func:`relate`).
    Every step but vouching (each article the other's nearest by rare words) depends on the two articles alone.
    Each sentence is encoded at most once, in batches, whichever pairs need it.
    """
    vectors = _Embeddings(encoder, articles)
    for start in range(0, len(candidates), BATCH):  # in batches: memory stays at a batch's static vectors
        batch = candidates[start : start + BATCH]
        with small_products():
            pairs = _related_batch(articles, batch, vectors, settings, keep_unrelated)
        yield from pairs
        if progress:
            progress("align", min(start + BATCH, len(candidates)), len(candidates))


def _related_batch(
    articles: Sequence[Article],
    batch: Sequence[Candidate],
    vectors: _Embeddings,
    settings: Settings,
    keep_unrelated: bool,
) -> list[Pair]:
    # 1.
    plain = _plain_static(articles, batch, settings)
    closes = [plain[c.a] @ plain[c.b].T for c in batch]
    whole = [
        keep_unrelated or _could_be_rewrite(articles[c.a], articles[c.b], close, settings)
        for c, close in zip(batch, closes, strict=True)
    ]
    probes = {
        k: _probes(articles[c.a], articles[c.b], closes[k], settings.align.probes)
        for k, c in enumerate(batch)
        if whole[k] and not (keep_unrelated or c.vouched)
    }
    for k, cells in probes.items():
        vectors.need(batch[k].a, {i for i, _ in cells})
        vectors.need(batch[k].b, {j for _, j in cells})
    for k, cells in probes.items():
        whole[k] = _supported(articles[batch[k].a], articles[batch[k].b], batch[k], cells, vectors, settings)
    plans = [
        np.ones(close.shape, dtype=bool) if full else _shared_only(articles[c.a], articles[c.b], close, settings)
        for c, close, full in zip(batch, closes, whole, strict=True)
    ]
    for c, worth in zip(batch, plans, strict=True):
        if worth is not None:
            rows, cols = np.nonzero(worth)
            vectors.need(c.a, set(rows.tolist()))
            vectors.need(c.b, set(cols.tolist()))
    # 2.
    pairs = []
    for c, worth in zip(batch, plans, strict=True):
        if worth is None:
            continue
        cosines = (vectors.matrix(c.a) @ vectors.matrix(c.b).T).astype(np.float32)
        cosines[~worth] = np.nan
        pair = relate(articles[c.a], articles[c.b], cosines, settings, keep_unrelated)
        if pair is not None:
            pairs.append(pair)
    return pairs


BATCH = 4096  # candidate pairs whose static vectors are held at once


def _plain_static(articles: Sequence[Article], batch: Sequence[Candidate], settings: Settings) -> dict[int, np.ndarray]:
    """The static sentence vectors of the batch's articles as the encoder gives them: a function of each sentence
    alone (the scan's static vectors are centred on the collection's mean)."""
    encoder = StaticEncoder.load(settings.model_dir)
    needed = sorted({k for c in batch for k in (c.a, c.b)})
    flat = encoder.encode([s.text for k in needed for s in articles[k].sentences])
    bounds = np.cumsum([0] + [len(articles[k].sentences) for k in needed])
    return {k: flat[bounds[n] : bounds[n + 1]] for n, k in enumerate(needed)}


def _could_be_rewrite(a: Article, b: Article, close: np.ndarray, settings: Settings) -> bool:
    """Whether the pair's ordered coverage, with static cosines in place of the transformer's, reaches
    ``static_strength``."""
    return coverage_in_order(a.sentences, b.sentences, close, settings.align) >= settings.align.static_strength


def _probes(a: Article, b: Article, close: np.ndarray, most: int) -> list[tuple[int, int]]:
    """The pair's strongest static matches: substantial sentences that are each other's best partner, best first."""
    if not close.size:
        return []
    best_b, best_a = close.argmax(axis=1), close.argmax(axis=0)
    substantial_a, substantial_b = _substantial(a), _substantial(b)
    mutual = [(i, int(j)) for i, j in enumerate(best_b) if best_a[j] == i and substantial_a[i] and substantial_b[j]]
    return sorted(mutual, key=lambda ij: -close[ij])[:most]


def _supported(
    a: Article,
    b: Article,
    candidate: Candidate,
    cells: Sequence[tuple[int, int]],
    vectors: _Embeddings,
    settings: Settings,
) -> bool:
    """Whether the transformer finds the probes (:func:`_probes`) worth two shared sentences (one for an article of
    one sentence) or one shared quotation: each adds its probability of saying the same thing, so that a rewrite's
    merged and split sentences add up."""
    worth, bar = 0.0, settings.align.match_probability
    needed = min(2, len(a.sentences), len(b.sentences)) * bar
    for i, j in cells:
        sa, sb = a.sentences[i], b.sentences[j]
        cosine = vectors.cosine(candidate.a, i, candidate.b, j)
        p = float(same_meaning(cosine, word_jaccard(sa.text, sb.text), settings.align))
        worth += p
        if (sa.quote_spans and sb.quote_spans and p >= bar) or worth >= needed:
            return True
    return False


def _shared_only(a: Article, b: Article, close: np.ndarray, settings: Settings) -> np.ndarray | None:
    """For a pair that is not aligned whole, the sentence pairs worth the transformer, or None when there are none.

    Such a pair can still be an excerpt (two or more sentences linked nearly word for word: in the same wording, or
    close enough in static vectors, ``near_static``; or one pair sharing a long run of words, :func:`align.long_runs`;
    not all stock phrasing) or share a quotation (:func:`classify.quotation_pairs`); its other sentence pairs cannot
    change its verdict.
    """
    substantial = _substantial(a)[:, None] & _substantial(b)[None, :]
    long = np.zeros(substantial.shape, dtype=bool)
    for i, j in long_runs(a.sentences, b.sentences):
        long[i, j] = True
    wording = cdist(
        [normalise(s.text) for s in a.sentences],
        [normalise(s.text) for s in b.sentences],
        scorer=Indel.normalized_similarity,
        score_cutoff=settings.align.verbatim_ratio,
    )
    taken = substantial & ((wording > 0) | (close >= settings.align.near_static) | long)
    pairs = list(zip(*(x.tolist() for x in np.nonzero(taken)), strict=True))
    enough = min(len({i for i, _ in pairs}), len({j for _, j in pairs})) >= settings.classify.min_excerpt_sentences
    if not (enough or (long & substantial).any()) or all(
        is_stock_pair(a.sentences[i], b.sentences[j]) for i, j in pairs
    ):
        taken[:] = False
    worth = taken | (substantial & quotation_pairs(a.sentences, b.sentences, a.text, b.text))
    return worth if worth.any() else None


def _substantial(article: Article) -> np.ndarray:
    """Which sentences are long enough to be evidence of reuse (:func:`classify.is_substantial`)."""
    return np.array([is_substantial(s) for s in article.sentences], dtype=bool)


class _Embeddings:
    """Transformer vectors of the sentences some pair needs, each distinct text computed once (syndicated copies
    repeat whole articles); requests are batched."""

    def __init__(self, encoder: Encoder, articles: Sequence[Article]) -> None:
        self._encoder, self._articles = encoder, articles
        self._vectors: dict[int, dict[int, np.ndarray]] = {}  # article -> sentence -> vector
        self._by_text: dict[str, np.ndarray] = {}
        self._pending: list[tuple[int, int]] = []

    def need(self, article: int, rows: set[int]) -> None:
        known = self._vectors.setdefault(article, {})
        for i in sorted(rows):
            if i not in known:
                known[i] = _PENDING
                self._pending.append((article, i))

    def _flush(self) -> None:
        if self._pending:
            texts = [self._articles[k].sentences[i].text for k, i in self._pending]
            new = list(dict.fromkeys(t for t in texts if t not in self._by_text))
            if new:
                self._by_text.update(zip(new, self._encoder.encode(new), strict=True))
            for (k, i), text in zip(self._pending, texts, strict=True):
                self._vectors[k][i] = self._by_text[text]
            self._pending = []

    def cosine(self, a: int, i: int, b: int, j: int) -> float:
        self._flush()
        return float(self._vectors[a][i] @ self._vectors[b][j])

    def matrix(self, article: int) -> np.ndarray:
        """The article's sentence vectors: rows never asked for are zero."""
        self._flush()
        out = np.zeros((len(self._articles[article].sentences), self._encoder.dim), dtype=np.float32)
        for i, vector in self._vectors.get(article, {}).items():
            out[i] = vector
        return out


_PENDING = np.zeros(0, dtype=np.float32)  # asked for, not yet encoded


def relate(
    a: Article, b: Article, cosines: np.ndarray, settings: Settings, keep_unrelated: bool = False
) -> Pair | None:
    """Stages 5-8 for one pair: align, classify, divergences, attribute.

    ``cosines`` holds the transformer cosine of every sentence pair (NaN where not worth computing).
    Returns None when the two share no more than a topic, unless ``keep_unrelated``.
    """
    rarity = Rarity.load(settings.model_dir)
    alignment, divergences = align(
        a.sentences, b.sentences, cosines, settings.align, settings.classify.reuse_strength, rarity
    )
    relation, score = classify(alignment, a.sentences, b.sentences, a.text, b.text, settings.classify)
    if relation is None and not keep_unrelated:
        return None
    source: str | None = None  # shared quotations: each quoted the speaker, neither need have taken from the other
    reasons: list[str] = []
    if relation in MATERIAL:
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
        source=source,
        source_reasons=reasons,
    )


def compare(
    path_a: str | Path, path_b: str | Path, settings: Settings | None = None, models: Models | None = None
) -> ScanResult:
    """Align two files, whatever their relation: the pair is always reported with its full alignment. Two files
    whose articles have one id (an old and a new copy of an article, in two folders) are told apart: their articles
    are named by their paths instead. A file of several articles (JSON lines) is refused: the pairs within it are
    not the pair asked for, and a collection is what ``scan`` compares."""
    settings = settings or Settings.load()
    if Path(path_a).resolve() == Path(path_b).resolve():
        raise InputError(str(path_b), "the same file as the first; give two files to compare")
    articles, errors = [], []
    for path in (path_a, path_b):  # each on its own: the same id in both is no duplicate here
        read, problems = read_articles([path], settings.ingest)
        if len(read) > 1:
            raise InputError(
                str(path),
                f"holds {len(read)} articles; compare aligns one article with another: put each in a file of its "
                "own, or scan the collection",
            )
        articles += read
        errors += problems
    if len({a.id for a in articles}) < len(articles):
        for article in articles:
            article.id = article.path
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
