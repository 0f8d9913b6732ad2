"""Stage 4: candidate article pairs, without comparing all pairs.

Banded indexes and nearest-neighbour searches run side by side and their pairs are united:

* lexical: MinHash of word shingles per article (datasketch), banded; catches copies; and fingerprints of long runs
  of words (winnowing), which catch a passage taken word for word however little of either article it is;
* semantic: a cheap static vector per sentence, banded by random hyperplanes (SimHash); catches
  excerpts, because a reused sentence keeps most of its meaning, hence its direction;
* similar articles: each article's nearest by document vector, and by its rare words (:mod:`.term_search`);
  catch rewrites, which reword every sentence but keep the source's subject, names and numbers.

The bands cost O(items x bands) plus the size of the buckets, which are capped: a bucket holding more
than ``max_bucket`` items is generic (boilerplate, stock phrases) and is skipped (:mod:`.buckets`).
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from ..settings import CandidateSettings
from .align import LONG_RUN
from .buckets import (
    band_keys,
    blocks,
    buckets,
    colliding_rows,
    decode,
    owner_pairs,
    pair_count,
    pairs_within,
    ranges,
    unique,
)
from .term_search import term_neighbours

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

_WORD = re.compile(r"\w+")
_SEED = 20240917  # fixed so that results do not depend on the run
NEAR_COPY = 0.9  # static cosine above which two quoting sentences count as a near copy of a quotation


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article pair worth aligning; ``a < b`` are indexes into the article list."""

    a: int
    b: int
    sentence_hits: int  # sentence pairs whose static vectors are close
    vouched: bool  # found by MinHash or a long run of words, or each other's nearest by rare words: no support needed


def word_hashes(text: str) -> np.ndarray:
    """The CRC-32 of each word of the text (case-folded), in order, uint64."""
    words = _WORD.findall(text.casefold())
    return np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def _combined(hashes: np.ndarray, size: int) -> np.ndarray:
    """One 64-bit hash per ``size`` words in a row, from the words' hashes."""
    width = len(hashes) - size + 1
    combined = np.zeros(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(size):
            combined = combined * np.uint64(1_000_003) + hashes[k : k + width]
    return combined


def shingles(text: str, size: int) -> np.ndarray:
    """Hashes of the text's word ``size``-grams (case-folded), unique, uint32; one hash for a shorter text.

    Each word is hashed once (CRC-32) and the n-gram hashes are combined from the word hashes in numpy, which is
    several times cheaper than hashing every shingle string; MinHash mixes the values again before permuting.
    """
    return _shingled(word_hashes(text), size)


def _shingled(hashes: np.ndarray, size: int) -> np.ndarray:
    """:func:`shingles` from the words' hashes."""
    if not len(hashes):
        return np.zeros(0, dtype=np.uint32)
    combined = _combined(hashes, min(size, len(hashes)))
    return unique(((combined >> np.uint64(32)) ^ combined).astype(np.uint32))


# the store keeps these fingerprints (store/schema.py): changing how they are made needs a migration that finds
# them again
RUN_SHINGLE = 12  # words hashed together in a fingerprint of a long run
RUN_WINDOW = LONG_RUN - RUN_SHINGLE + 1  # shingles one fingerprint stands for: LONG_RUN words hold a whole window


def run_keys(text: str) -> np.ndarray:
    """Fingerprints of the text's long runs of words, distinct, uint64: the smallest hash of every
    :data:`RUN_WINDOW` consecutive :data:`RUN_SHINGLE`-word shingles (winnowing: Schleimer, Wilkerson and Aiken,
    SIGMOD 2003). Two texts that share :data:`~.align.LONG_RUN` words in a row (case folded) share a fingerprint,
    whatever else they hold; a text keeps about one shingle in eight. A shingle of a few words repeated (fewer than
    half of them distinct: markup escaped over and over, "amp amp amp ...") is no passage and gives none.
    """
    return _run_keys(word_hashes(text))


def _run_keys(hashes: np.ndarray) -> np.ndarray:
    """:func:`run_keys` from the words' hashes."""
    if len(hashes) < LONG_RUN:
        return np.zeros(0, dtype=np.uint64)
    combined = _combined(hashes, RUN_SHINGLE)
    with np.errstate(over="ignore"):
        combined = (combined ^ (combined >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)  # mixed: minima spread
    none = np.iinfo(np.uint64).max  # a repetitive shingle: never a window's smallest unless all of it is
    combined[_distinct_words(hashes, RUN_SHINGLE) * 2 < RUN_SHINGLE] = none
    smallest = combined[: len(combined) - RUN_WINDOW + 1].copy()
    for k in range(1, RUN_WINDOW):
        np.minimum(smallest, combined[k : k + len(smallest)], out=smallest)
    keys = unique(smallest)
    return keys[keys != none]


def _distinct_words(hashes: np.ndarray, size: int) -> np.ndarray:
    """How many distinct words each ``size`` words in a row hold: those whose last occurrence before them lies
    outside the run (linear in the words, not in the words times the run)."""
    order = np.argsort(hashes, kind="stable")
    same = hashes[order[1:]] == hashes[order[:-1]]
    previous = np.full(len(hashes), -1, dtype=np.int64)
    previous[order[1:][same]] = order[:-1][same]  # each word's last occurrence before it, -1 for a first one
    starts = np.arange(len(hashes) - size + 1)
    repeats = np.zeros(len(starts), dtype=np.int64)
    for k in range(size):
        repeats += previous[k : k + len(starts)] >= starts
    return size - repeats


def shared_runs(runs: Sequence[np.ndarray], max_bucket: int) -> set[tuple[int, int]]:
    """Article pairs (i < j) that share a fingerprint of a long run (:func:`run_keys`, one array per article); one
    held by more than ``max_bucket`` articles is generic (a site's notice) and is skipped. Fingerprints held by the
    same articles (copies of one text share all of theirs) make their pairs once."""
    owners = np.repeat(np.arange(len(runs), dtype=np.int64), [len(r) for r in runs])
    if not len(owners):
        return set()
    keys = np.concatenate([np.asarray(r, dtype=np.uint64) for r in runs])
    order = np.lexsort((owners, keys))  # by key, each key's articles in order
    keys, owners = keys[order], owners[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    # a hash of each bucket's members, the same for the same members: the sum of each member's number mixed whole
    # (splitmix64's finaliser; a sum of numbers mixed only in part is the same for {223, 667} and {427, 463})
    mixed = owners.astype(np.uint64)
    with np.errstate(over="ignore"):
        for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            mixed = (mixed ^ (mixed >> np.uint64(shift))) * np.uint64(factor)
        members = np.add.reduceat(mixed ^ (mixed >> np.uint64(31)), starts) ^ sizes.astype(np.uint64)
    kept = np.flatnonzero((sizes > 1) & (sizes <= max_bucket))
    kept = kept[np.unique(members[kept], return_index=True)[1]]
    rows, n = owners[ranges(starts[kept], sizes[kept])], len(runs)
    return {(int(i), int(j)) for i, j in decode(pairs_within([(rows, sizes[kept])], n, range(n)), n)}


def fingerprints(texts: Sequence[str], settings: CandidateSettings) -> tuple[np.ndarray, list[np.ndarray]]:
    """One MinHash signature per text (datasketch, over :func:`shingles`), shape (n, num_perm), uint64, and the
    fingerprints of its long runs (:func:`run_keys`); each text's words hashed once."""
    from datasketch import MinHash

    hashed = [word_hashes(t) for t in texts]
    runs = [_run_keys(h) for h in hashed]
    if not texts:
        return np.zeros((0, settings.num_perm), dtype=np.uint64), runs
    sets = [_shingled(h, settings.shingle_words).tolist() or [0] for h in hashed]
    signatures = MinHash.bulk(sets, num_perm=settings.num_perm, seed=1, hashfunc=int)
    return np.stack([m.hashvalues for m in signatures]).astype(np.uint64), runs


def small_products() -> ContextManager[object]:
    """One BLAS thread for a loop of small matrix products: waking a second thread for each costs more than the
    product, many times more on a busy machine (the support of 82,000 neighbour pairs took 2.8 s with one thread
    and 19.8 s with two, on 2 busy cores)."""
    return threadpool_limits(1, user_api="blas")


def simhash_keys(vectors: np.ndarray, bits: int, bands: int, chunk: int = 16384) -> np.ndarray:
    """Random-hyperplane band keys for unit vectors, shape (n, bands): bit k of a band's key is the side of its
    k-th plane (``bits`` <= 64); rows in chunks to bound memory."""
    rng = np.random.default_rng(_SEED)
    planes = rng.standard_normal((vectors.shape[1], bits * bands)).astype(np.float32)
    keys = np.zeros((len(vectors), bands, 8), dtype=np.uint8)  # each key's eight bytes, least significant first
    for start in range(0, len(vectors), chunk):
        signs = (single(vectors[start : start + chunk]) @ planes > 0).reshape(-1, bands, bits)
        keys[start : start + chunk, :, : -(-bits // 8)] = np.packbits(signs, axis=2, bitorder="little")
    return keys.view("<u8")[:, :, 0].astype(np.uint64)


_HALF = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)  # every half-precision value


def single(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` in single precision: half precision by looking each value up in a table, exactly the same values
    as ``astype`` and about twice as fast on the benchmark machine (bench/stages.py times both)."""
    if vectors.dtype == np.float16:
        return _HALF.take(vectors.view(np.uint16))
    return vectors.astype(np.float32, copy=False)


MEAN_PRIOR = 10  # sentences: a small collection's mean is shrunk toward zero, so that two sentences do not point apart


def mean_vector(vectors: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """The collection's mean row (of one matrix, or of all rows of several), summed in float64: the same float32
    result whatever the order or grouping of the rows. See :func:`collection_mean`."""
    parts = [vectors] if isinstance(vectors, np.ndarray) else [p for p in vectors if len(p)]
    rows = sum(len(p) for p in parts)
    total = np.sum([p.sum(axis=0, dtype=np.float64) for p in parts], axis=0) if parts else np.zeros(1)
    return collection_mean(np.asarray(total), rows)


def collection_mean(total: np.ndarray, rows: int) -> np.ndarray:
    """The mean from the sum of ``rows`` vectors, shrunk toward zero by :data:`MEAN_PRIOR` rows.

    Centring removes the direction every sentence vector shares; in a collection of a few sentences the mean is
    mostly those sentences themselves (two of them, centred, would point in opposite directions).
    """
    return (total / (rows + MEAN_PRIOR)).astype(np.float32)


def centre(vectors: np.ndarray, mean: np.ndarray | None = None, chunk: int = 65_536) -> np.ndarray:
    """Remove the collection's mean direction, which every sentence vector shares, and renormalise.

    ``mean``: the collection's mean (:func:`mean_vector`) when ``vectors`` are only part of it. Rows are handled
    in chunks, so memory stays at the size of the result, which keeps the precision of ``vectors`` (half, as the
    scan holds them, or single).
    """
    if len(vectors) == 0:
        return vectors
    mean = mean_vector(vectors) if mean is None else mean
    out = np.empty(vectors.shape, dtype=vectors.dtype)
    for start in range(0, len(vectors), chunk):
        block = vectors[start : start + chunk] - mean[None, :]
        out[start : start + chunk] = block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-9)
    return out


def document_vectors(sentence_vectors: Sequence[np.ndarray]) -> np.ndarray:
    """One unit vector per article: the mean of its (centred) sentence vectors."""
    dim = next((v.shape[1] for v in sentence_vectors if v.ndim == 2), 1)
    docs = np.stack(
        [v.mean(axis=0, dtype=np.float32) if len(v) else np.zeros(dim, np.float32) for v in sentence_vectors]
    )
    return docs / np.maximum(np.linalg.norm(docs, axis=1, keepdims=True), 1e-9)


def nearest_documents(
    docs: np.ndarray,
    k: int,
    min_cosine: float = -1.0,
    block: int | None = None,
    texts: range | None = None,
    most_copies: int = 64,
) -> np.ndarray:
    """Each article's ``k`` most similar texts at cosine >= ``min_cosine``, as unique (i, j), i < j.

    Articles with the same document vector (the same text: syndicated copies) count as one text: a story copied
    twenty times would otherwise fill the ``k`` places of every article near it, and which of its copies a rewrite
    is paired with would depend on the order of the input. Each copy of a text found is paired; a text with more
    than ``most_copies`` copies (a page of the site rather than news, as MinHash buckets that full) is not searched
    at all. Copies of one text are paired with each other by MinHash, not here.

    Up to :data:`EXACT_DOCUMENTS` distinct texts (or for a share of them): exact, in blocks of texts so that memory
    stays at block x n (by default about 16 million similarities); the result does not depend on input order beyond
    ties. Above, from an inverted-file index (faiss), whose cost grows with n^1.5, not n^2: on 30,000 benchmark
    articles it keeps 99 % of the exact neighbour pairs at cosine 0.5 or more and all at 0.7 or more
    (bench/nearest_index.py).
    ``texts``: only the neighbours of these of the searched texts, numbered in the order of their first row
    (:func:`searched_texts`), paired with every copy (a share of the work, e.g. one task's: shares that are whole
    blocks compute the cosines a whole search does).
    """
    of_row, firsts, searched = searched_texts(docs, most_copies)
    m = len(searched)
    share = range(0, m) if texts is None else range(texts.start, min(texts.stop, m))
    if not len(share):
        return np.zeros((0, 2), dtype=np.int64)
    vectors = docs[firsts[searched]]
    if texts is None and m > EXACT_DOCUMENTS:
        found, near = _indexed_nearest(vectors, k, min_cosine)
    else:
        found, near = _exact_nearest(vectors, share, k, min_cosine, block)
    return _copies_paired(searched[found], searched[near], of_row)


def searched_texts(docs: np.ndarray, most_copies: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`distinct_texts`' text of each row and first row of each text, and the texts with at most
    ``most_copies`` copies, those :func:`nearest_documents` searches."""
    of_row, firsts, copies = distinct_texts(docs)
    return of_row, firsts, np.flatnonzero(copies <= most_copies)


def distinct_texts(docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with the same values are copies of one text: each row's text (texts numbered in the order of their first
    row), the first row of each text, and its number of copies."""
    flat = np.ascontiguousarray(docs)
    keys = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()
    _, firsts, texts, copies = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(firsts, kind="stable")  # distinct texts in the order of their first row
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[texts.ravel()], firsts[order], copies[order]


def _exact_nearest(
    distinct: np.ndarray, share: range, k: int, min_cosine: float, block: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest of each text of ``share`` among ``distinct``, as directed pairs (two arrays), in blocks of
    texts."""
    m = len(distinct)
    block = block or max(1, min(2048, 16_000_000 // max(m, 1)))
    found, near = [], []
    for start in range(share.start, share.stop, block):
        own = np.arange(start, min(start + block, share.stop))
        sims = distinct[own] @ distinct.T
        sims[np.arange(len(own)), own] = -1.0  # not oneself
        top = np.argpartition(-sims, min(k, m - 1) - 1, axis=1)[:, :k] if m > 1 else np.zeros((len(own), 0), int)
        # not the text itself (when there are fewer than k others)
        keep = (top != own[:, None]) & (np.take_along_axis(sims, top, axis=1) >= min_cosine)
        found.append(np.repeat(own, keep.sum(axis=1)))
        near.append(top[keep])
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found).astype(np.int64), np.concatenate(near).astype(np.int64)


def rows_by_text(of_row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows grouped by text (``of_row``: each row's text, :func:`distinct_texts`): the rows in text order, and
    where each text's rows start in it and how many they are."""
    count = np.bincount(of_row)
    return np.argsort(of_row, kind="stable"), np.cumsum(count) - count, count


def _copies_paired(found: np.ndarray, near: np.ndarray, of_row: np.ndarray) -> np.ndarray:
    """Rows (i, j), i < j, unique: every copy of text ``found[x]`` with every copy of text ``near[x]`` (``of_row``:
    each row's text)."""
    n = len(of_row)
    order, start, count = rows_by_text(of_row)
    left_n, right_n = count[found], count[near]
    pairs = np.repeat(np.arange(len(found)), left_n * right_n)
    if not len(pairs):
        return np.zeros((0, 2), dtype=np.int64)
    offset = ranges(np.zeros(len(found), dtype=np.int64), left_n * right_n)
    i = order[start[found][pairs] + offset // right_n[pairs]]
    j = order[start[near][pairs] + offset % right_n[pairs]]
    return decode(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j), n)


EXACT_DOCUMENTS = 20_000  # above this many distinct texts, the nearest come from an index (nearest_documents)
INDEX_PROBES = 32  # inverted lists searched per article, of 4 x sqrt(n)


def _indexed_nearest(docs: np.ndarray, k: int, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest of each row of ``docs`` among them, as directed pairs (two arrays), from a faiss index."""
    import faiss

    docs = np.ascontiguousarray(docs, dtype=np.float32)
    n, dim = docs.shape
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, int(4 * np.sqrt(n)), faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = _SEED
    index.train(docs)
    index.add(docs)
    index.nprobe = INDEX_PROBES
    sims, top = index.search(docs, k + 1)
    keep = (top >= 0) & (top != np.arange(n)[:, None]) & (sims >= min_cosine)
    keep &= np.cumsum(keep, axis=1) <= k  # k others: the text itself may not be among its k + 1 nearest
    return np.repeat(np.arange(n), keep.sum(axis=1)).astype(np.int64), top[keep].astype(np.int64)


def find_candidates(
    signatures: np.ndarray,
    centred: Sequence[np.ndarray],
    settings: CandidateSettings,
    quotations: Sequence[np.ndarray] | None = None,
    terms: csr_matrix | None = None,
    runs: Sequence[np.ndarray] | None = None,
) -> list[Candidate]:
    """Article pairs worth aligning, from banded or nearest-neighbour searches, never all pairs.

    ``signatures[k]`` is the MinHash signature of article k (:func:`fingerprints`),
    ``centred[k]`` holds the static vectors of its sentences, one row each, centred on the collection's mean
    (:func:`centre`), ``quotations[k]`` says which of them quote someone (one shared quotation may be all two
    reports share; one shared sentence of the reporter's own is not reuse), and ``terms`` has the articles' story
    vectors (:func:`.story_terms.term_vectors`), one row each, and ``runs`` the fingerprints of their long runs of
    words (:func:`run_keys`).

    1. copies: MinHash bands over word shingles of whole articles, and a long run of words shared (a passage taken
       word for word, however little of either article it is);
    2. shared sentences: SimHash bands over sentence vectors (near-verbatim sentences): two, or one quotation;
    3. rewrites: each article's nearest articles by document vector, and its :data:`TERM_NEIGHBOURS` nearest by
       rare words;
    4. support: a pair from 2 or 3 needs a few sentences whose best partners on the other side are close (and
       choose them back), or one near copy of a quotation; unless the two articles are each other's nearest by
       rare words: a rewrite may reword every sentence beyond the static vectors' reach, but it keeps its
       source's names, numbers and rare words, more of them than any other article shares with either.
    """
    n = len(centred)
    if runs is not None and len(runs) != n:
        raise ValueError(f"runs for {len(runs)} articles, vectors for {n}")
    # 1. lexical
    lexical = {
        (int(i), int(j))
        for i, j in decode(colliding_rows(band_keys(signatures, settings.minhash_bands), settings.max_bucket), n)
    }
    lexical |= shared_runs(runs, settings.max_bucket) if runs is not None else set()
    if not any(len(v) for v in centred):
        return [Candidate(i, j, 0, True) for i, j in sorted(lexical)]
    quotes = quotations or [np.zeros(len(v), dtype=bool) for v in centred]
    # 2. shared sentences: two of them, or one quotation (one shared sentence of the reporter's own is no reuse)
    shared = shared_sentences(centred, quotes, settings)
    # 3. similar articles
    similar = {
        (int(i), int(j))
        for i, j in nearest_documents(
            document_vectors(centred), settings.neighbours, settings.document_cosine, most_copies=settings.max_bucket
        )
    }
    near, mutual = word_neighbours(term_neighbours(terms, TERM_NEIGHBOURS)) if terms is not None else (set(), set())
    # 4. support
    vouched = lexical | mutual
    return supported(
        ((a, b, (a, b) in vouched) for a, b in lexical | shared | similar | near), centred, quotes, settings
    )


TERM_NEIGHBOURS = 2  # each article's nearest by rare words that become candidates (step 3 of find_candidates)


def word_neighbours(nearest: np.ndarray) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The pairs (i < j) of directed nearest-neighbour pairs (:func:`.term_search.term_neighbours`), and those of
    them where the choice is mutual."""
    directed = {(int(i), int(j)) for i, j in nearest}
    pairs = {(min(i, j), max(i, j)) for i, j in directed}
    return pairs, {(i, j) for i, j in pairs if (i, j) in directed and (j, i) in directed}


def shared_sentences(
    centred: Sequence[np.ndarray], quotes: Sequence[np.ndarray], settings: CandidateSettings
) -> set[tuple[int, int]]:
    """Article pairs whose sentence vectors collide in some SimHash band (step 2 of :func:`find_candidates`) on
    ``min_sentence_hits`` distinct sentences on each side, or on a quotation in both."""
    owners = np.concatenate([np.full(len(v), k) for k, v in enumerate(centred)])
    quoted = np.concatenate(quotes)
    n = len(owners)  # sentences
    narrow = np.uint32 if settings.vector_bits <= 32 else np.uint64  # half the memory for keys of 32 bits
    keys = np.empty((n, settings.vector_bands), dtype=narrow)
    filled = 0
    for k in range(0, len(centred), KEY_BLOCK):  # a block of articles at a time: no copy of all their vectors
        block = np.concatenate(centred[k : k + KEY_BLOCK])
        keys[filled : filled + len(block)] = simhash_keys(block, settings.vector_bits, settings.vector_bands)
        filled += len(block)
    bucketed = buckets(keys, settings.max_bucket)
    del keys
    found = []
    # the sentence pairs a share of the rows at a time (cut between articles), so that memory stays bounded
    parts = -(-pair_count(bucketed) // PAIRS_AT_ONCE)
    # a pair's first row is the smaller, so early rows have more pairs: cut where as many pairs fall on each side
    cuts = [int(n * (1 - np.sqrt(1 - k / parts))) for k in range(1, parts)]
    starts = np.searchsorted(owners, owners[cuts], side="left") if cuts else np.zeros(0, dtype=np.int64)
    bounds = sorted({0, n, *starts.tolist()})
    for lo, hi in itertools.pairwise(bounds):
        codes = pairs_within(bucketed, n, range(lo, hi))
        found.append(owner_pairs(codes, n, owners, settings.min_sentence_hits))
        both = np.concatenate([c[quoted[c // n] & quoted[c % n]] for c in blocks(codes)] or [codes])  # quotations
        found.append(owner_pairs(both, n, owners))
    return {(int(i), int(j)) for i, j in np.concatenate(found)} if found else set()


PAIRS_AT_ONCE = 1 << 24  # sentence pairs made at once (with their repeats across bands): about 128 MB


KEY_BLOCK = 1024  # articles whose sentence vectors are banded at once


def supported(
    found: Iterable[tuple[int, int, bool]],
    centred: Sequence[np.ndarray],
    quotes: Sequence[np.ndarray],
    settings: CandidateSettings,
) -> list[Candidate]:
    """The pairs ``(a, b, vouched)`` that are vouched for or whose sentences support them (step 4 of
    :func:`find_candidates`), sorted.

    Support: mutual best partners (each sentence the other's closest) at ``static_cosine`` or more, on at least
    ``min_sentence_hits`` sentences (fewer when an article is shorter), or one near copy of a quotation. The pairs
    of one article are measured together, in one product against all its partners' sentences.
    """
    partners: dict[int, list[tuple[int, bool]]] = {}
    for a, b, vouched in found:
        partners.setdefault(a, []).append((b, vouched))
    out = []
    with small_products():
        for a in sorted(partners):
            group = sorted(partners[a])
            others, their_quotes = [centred[b] for b, _ in group], [quotes[b] for b, _ in group]
            hits, quoted = _support(centred[a], quotes[a], others, their_quotes, settings.static_cosine)
            for (b, vouched), h, q in zip(group, hits, quoted, strict=True):
                shortest = min(len(centred[a]), len(centred[b]))
                if vouched or q or h >= min(settings.min_sentence_hits, shortest):
                    out.append(Candidate(a, b, int(h), vouched))
    return out


def _support(
    a: np.ndarray, quotes_a: np.ndarray, others: Sequence[np.ndarray], quotes: Sequence[np.ndarray], min_cosine: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``others``: how many mutual best partners it and ``a`` have at ``min_cosine`` or more, and how
    many of those are near copies of a quotation."""
    lengths = np.array([len(o) for o in others])
    hits, quoted = np.zeros(len(others), dtype=np.int64), np.zeros(len(others), dtype=np.int64)
    if not len(a) or not lengths.sum():
        return hits, quoted
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    sims = single(a) @ single(np.concatenate(others)).T  # (sentences of a, of all others)
    best_a = sims.argmax(axis=0)  # each sentence of the others: its closest in a
    width = np.arange(lengths.max())
    inside = width[None, :] < lengths[:, None]  # (others, longest): which slots hold a sentence
    columns = np.where(inside, starts[:, None] + width[None, :], 0)
    padded = np.where(inside[None], sims[:, columns], -np.inf)  # (sentences of a, others, longest)
    best_b = padded.argmax(axis=2)  # each sentence of a: its closest in each other article
    chosen = np.minimum(starts[None, :] + best_b, len(best_a) - 1)  # (an empty article's slot points anywhere)
    close = np.take_along_axis(padded, best_b[:, :, None], axis=2)[:, :, 0]
    mutual = (best_a[chosen] == np.arange(len(a))[:, None]) & (lengths > 0)[None, :]
    quoted_both = quotes_a[:, None] & np.concatenate(quotes)[chosen]
    hits[:] = (mutual & (close >= min_cosine)).sum(axis=0)
    quoted[:] = (mutual & (close >= NEAR_COPY) & quoted_both).sum(axis=0)
    return hits, quoted
