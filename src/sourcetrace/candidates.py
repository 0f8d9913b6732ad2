"""Stage 4: candidate article pairs, without comparing all pairs.

Two banded indexes run side by side and their pairs are united:

* lexical: MinHash of word shingles per article (datasketch), banded; catches copies;
* semantic: a cheap static vector per sentence, banded by random hyperplanes (SimHash); catches
  rewrites and excerpts, because a rewritten sentence keeps most of its meaning, hence its direction.

Both cost O(items x bands) plus the size of the buckets, which are capped: a bucket holding more
than ``max_bucket`` items is generic (boilerplate, stock phrases) and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .records import Article
from .settings import CandidateSettings

_WORD = re.compile(r"\w+")
_SEED = 20240917  # fixed so that results do not depend on the run


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article pair worth aligning; ``a < b`` are indexes into the article list."""

    a: int
    b: int
    sentence_hits: int  # sentence pairs whose static vectors are close
    lexical: bool  # found by MinHash


def shingles(text: str, size: int) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def minhash_signatures(texts: Sequence[str], settings: CandidateSettings) -> np.ndarray:
    """One MinHash signature per text, shape (n, num_perm), uint64."""
    from datasketch import MinHash

    if not texts:
        return np.zeros((0, settings.num_perm), dtype=np.uint64)
    sets = [shingles(t, settings.shingle_words) or {b""} for t in texts]
    hashes = MinHash.bulk(sets, num_perm=settings.num_perm, seed=1)
    return np.stack([h.hashvalues for h in hashes]).astype(np.uint64)


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """Hash each band of each signature row to one uint64 key, shape (n, bands)."""
    n, width = signatures.shape
    rows = width // bands
    sig = signatures[:, : rows * bands].reshape(n, bands, rows).astype(np.uint64)
    # FNV-style fold of the rows of a band; collisions only cost a wasted comparison
    keys = np.full((n, bands), np.uint64(1469598103934665603), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = (keys ^ sig[:, :, r]) * np.uint64(1099511628211)
    return keys


def bucket_pairs(keys: np.ndarray, owners: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs of rows that share a key in some band, as unique (i, j) with i < j, shape (k, 2).

    Rows with the same owner (sentences of one article) are not paired.
    """
    n, bands = keys.shape
    found: list[np.ndarray] = []
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        sorted_keys = keys[order, band]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for start, size in zip(starts[(sizes > 1) & (sizes <= max_bucket)], sizes[(sizes > 1) & (sizes <= max_bucket)], strict=True):
            members = order[start : start + size]
            i, j = np.triu_indices(size, k=1)
            found.append(np.stack([members[i], members[j]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    pairs.sort(axis=1)
    pairs = pairs[owners[pairs[:, 0]] != owners[pairs[:, 1]]]
    return np.unique(pairs, axis=0)


def simhash_keys(vectors: np.ndarray, bits: int, bands: int) -> np.ndarray:
    """Random-hyperplane band keys for unit vectors, shape (n, bands)."""
    rng = np.random.default_rng(_SEED)
    planes = rng.standard_normal((vectors.shape[1], bits * bands)).astype(np.float32)
    signs = (vectors @ planes) > 0
    weights = (np.uint64(1) << np.arange(bits, dtype=np.uint64)).astype(np.uint64)
    return (signs.reshape(len(vectors), bands, bits).astype(np.uint64) * weights).sum(axis=2, dtype=np.uint64)


def centre(vectors: np.ndarray) -> np.ndarray:
    """Remove the collection's mean direction, which every sentence vector shares, and renormalise."""
    if len(vectors) == 0:
        return vectors
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.maximum(norms, 1e-9)


def find_candidates(
    articles: Sequence[Article],
    sentence_vectors: Sequence[np.ndarray],
    settings: CandidateSettings,
) -> list[Candidate]:
    """Article pairs that the lexical or the semantic index puts in a shared bucket.

    ``sentence_vectors[k]`` holds the static vectors of ``articles[k].sentences``, one row each.
    """
    # 1. lexical: MinHash bands over whole articles
    signatures = minhash_signatures([a.text for a in articles], settings)
    lexical = bucket_pairs(
        band_keys(signatures, settings.minhash_bands), np.arange(len(articles)), settings.max_bucket
    )
    # 2. semantic: SimHash bands over sentences, then the exact static cosine of each bucketed pair
    owners = np.concatenate([np.full(len(v), k) for k, v in enumerate(sentence_vectors)] or [np.zeros(0, int)])
    hits: dict[tuple[int, int], set[int]] = {}
    if len(owners):
        vectors = centre(np.concatenate(sentence_vectors).astype(np.float32))
        keys = simhash_keys(vectors, settings.vector_bits, settings.vector_bands)
        pairs = bucket_pairs(keys, owners, settings.max_bucket)
        if len(pairs):
            cos = np.einsum("ij,ij->i", vectors[pairs[:, 0]], vectors[pairs[:, 1]])
            close = pairs[cos >= settings.static_cosine]
            for s, t in close:
                key = (int(owners[s]), int(owners[t]))
                hits.setdefault(key, set()).add(int(s))
    # 3. unite: a semantic pair needs a few distinct sentences, fewer for very short articles
    found: dict[tuple[int, int], Candidate] = {}
    for (a, b), sentences in hits.items():
        shortest = min(len(sentence_vectors[a]), len(sentence_vectors[b]))
        if len(sentences) >= min(settings.min_sentence_hits, shortest):
            found[(a, b)] = Candidate(a, b, len(sentences), False)
    for a, b in lexical:
        key = (int(a), int(b))
        found[key] = Candidate(key[0], key[1], len(hits.get(key, ())), True)
    return [found[k] for k in sorted(found)]
