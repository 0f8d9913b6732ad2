"""Article pairs through their rare terms, never all pairs.

Each article's story vector (:mod:`.story_terms`: its heaviest words and its names, places, dates and numbers,
weighted by rarity) is compared only with those of the articles that share one of its :data:`KEYS` heaviest terms
among those at most :data:`COMMON_TERM` articles have. Terms many articles share (a year, a leader's name, "police")
would pair everything with everything: the work would grow with the square of their counts. Two articles that tell
one event, or one text told twice, share the rare names and words that weigh most in each, so this misses few pairs
(measured in docs/quality.md).

Stage 4 takes each article's nearest articles by these vectors (:func:`term_neighbours`: a rewrite keeps its
source's rare names, numbers and words whatever it does to the sentences), stage 9 the pairs whose dot product
reaches the story link (:func:`term_links`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy.sparse import csr_matrix

from .story_terms import term_hashes

COMMON_TERM = 20  # a term in more articles than this does not make a pair worth a look on its own
KEYS = 10  # an article's heaviest uncommon terms through which its pairs are looked for
ROW_PAIRS = 1 << 12  # pairs measured at once by _row_products: about a million stored entries
BLOCK = 500  # rows whose pairs are found at once

T = TypeVar("T")


@dataclass(frozen=True)
class _Keyed:
    """The term matrix ``x`` with its uncommon terms (``index``) and each row's keys among them (``keys``)."""

    x: csr_matrix
    index: csr_matrix
    keys: csr_matrix
    index_t: csr_matrix
    keys_t: csr_matrix

    @classmethod
    def of(cls, x: csr_matrix) -> _Keyed:
        x = x.tocsr()
        rare = np.bincount(x.indices, minlength=x.shape[1]) <= COMMON_TERM
        index = x[:, rare].tocsr()
        keys = heaviest(index, KEYS)
        return cls(x, index, keys, index.T.tocsr(), keys.T.tocsr())

    def meeting(self, rows: slice | np.ndarray, both: bool) -> tuple[np.ndarray, np.ndarray]:
        """The pairs (i, j), i among ``rows`` (a slice, or sorted indexes), where one's key is among the other's
        uncommon terms: each pair once (i < j), or ``both`` ways (i != j)."""
        found = (self.keys[rows] @ self.index_t + self.index[rows] @ self.keys_t).tocoo()
        first = np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows
        i, j = first[found.row].astype(np.int64), found.col.astype(np.int64)
        keep = i != j if both else i < j
        return i[keep], j[keep]


def term_links(
    x: csr_matrix, threshold: float, block: int = BLOCK, rows: range | None = None
) -> dict[tuple[int, int], float]:
    """Article pairs (i < j) whose rows' dot product reaches ``threshold``, found through their keys.

    ``rows``: only pairs whose first article is among these (a share of the work, e.g. one task's).
    """
    keyed = _Keyed.of(x)

    def links(start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i, j = keyed.meeting(slice(start, stop), both=False)
        products = _row_products(x, i, j)
        link = products >= threshold
        return i[link], j[link], products[link]

    edges: dict[tuple[int, int], float] = {}
    for i, j, products in _by_blocks(links, x.shape[0], block, rows):
        edges.update(zip(zip(i.tolist(), j.tolist(), strict=True), products.tolist(), strict=True))
    return edges


def links_of(x: csr_matrix, threshold: float, rows: np.ndarray, block: int = BLOCK) -> dict[tuple[int, int], float]:
    """The pairs (i < j) that :func:`term_links` finds and that involve one of ``rows`` (sorted indexes), with their
    dot products: the same candidates (the rule is symmetric) measured the same way, so the same values, bit for
    bit, looked for from these rows only."""
    keyed = _Keyed.of(x)
    edges: dict[tuple[int, int], float] = {}
    for start in range(0, len(rows), block):
        a, b = keyed.meeting(rows[start : start + block], both=True)
        pair = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1), axis=0).reshape(-1, 2)
        i, j = pair[:, 0], pair[:, 1]
        products = _row_products(x, i, j)
        link = products >= threshold
        edges.update(zip(zip(i[link].tolist(), j[link].tolist(), strict=True), products[link].tolist(), strict=True))
    return edges


def row_digests(x: csr_matrix, columns: Sequence[str]) -> np.ndarray:
    """A 64-bit digest of each row: its terms (``columns``: each column's term), values, and which of its terms
    are uncommon (:func:`term_links`). Two rows with equal digests make the same links with any third row; the
    digest does not depend on the other rows' terms, so it can be compared across collections."""
    rare = np.bincount(x.indices, minlength=x.shape[1]) <= COMMON_TERM
    with np.errstate(over="ignore"):
        term = term_hashes(list(columns))[x.indices]
        mixed = (term ^ (x.data.view(np.uint64) * _MIX) ^ rare[x.indices].astype(np.uint64)) * _MIX
        total = np.concatenate([np.zeros(1, np.uint64), np.cumsum(mixed, dtype=np.uint64)])
        return total[x.indptr[1:]] - total[x.indptr[:-1]]


_MIX = np.uint64(0xBF58476D1CE4E5B9)  # odd


def term_neighbours(x: csr_matrix, k: int, block: int = BLOCK, rows: range | None = None) -> np.ndarray:
    """Each article's ``k`` nearest articles by its rows' dot product among those found through its keys, as
    directed pairs (i, j), shape (m, 2). ``rows``: only these articles' nearest (a share of the work).

    Articles tied with the k-th nearest are all kept, so that the result does not depend on the order of the rows
    (syndicated copies tie): at most :data:`MOST_TIED` in all; when more tie, none of the tied ones is kept, as a
    bucket too full to tell anything is skipped.
    """

    def nearest(start: int, stop: int) -> np.ndarray:
        i, j = keyed.meeting(slice(start, stop), both=True)
        products = _row_products(x, i, j)
        if not len(i):
            return np.zeros((0, 2), dtype=np.int64)
        order = np.lexsort((j, -products, i))  # by row, nearest first
        i, j, products = i[order], j[order], products[order]
        starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])  # where each row's entries begin
        counts = np.diff(np.r_[starts, len(i)])
        kth = np.repeat(products[starts + np.minimum(counts, k) - 1], counts)  # each row's k-th nearest
        tied = products >= kth
        few = np.add.reduceat(tied.astype(np.int64), starts) <= MOST_TIED
        keep = np.where(np.repeat(few, counts), tied, products > kth)
        return np.stack([i[keep], j[keep]], axis=1)

    keyed = _Keyed.of(x)
    found = list(_by_blocks(nearest, x.shape[0], block, rows))
    return np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)


MOST_TIED = 10  # articles kept as one's nearest when several tie (term_neighbours)


def _by_blocks(work: Callable[[int, int], T], n: int, block: int, rows: range | None) -> Iterator[T]:
    """``work(start, stop)`` on blocks of ``rows`` (all rows by default), in order. On all rows, blocks run in
    threads, one per core (the sparse and array work releases the GIL); a share is one task's already."""
    share = rows if rows is not None else range(n)
    stop = min(share.stop, n)
    starts = range(share.start, stop, block)
    with ThreadPoolExecutor((os.cpu_count() or 1) if rows is None else 1) as pool:
        yield from pool.map(lambda s: work(s, min(s + block, stop)), starts)


def heaviest(x: csr_matrix, keep: int) -> csr_matrix:
    """Each row's ``keep`` largest entries (ties: the first columns), the rest dropped."""
    x = x.tocsr()
    row = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    order = np.lexsort((x.indices, -x.data, row))  # by row, then largest first
    rank = np.arange(len(order)) - np.repeat(x.indptr[:-1], np.diff(x.indptr))
    kept = order[rank < keep]
    return csr_matrix((x.data[kept], (row[kept], x.indices[kept])), shape=x.shape)


def _row_products(x: csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``x[i[k]] . x[j[k]]`` for every k: the two rows' entries multiplied where their columns meet (SciPy merges
    the sorted rows) and added up in column order, a slice of the pairs at a time (memory stays at a slice's
    rows)."""
    out = np.zeros(len(i))
    for at in range(0, len(i), ROW_PAIRS):
        ii, jj = i[at : at + ROW_PAIRS], j[at : at + ROW_PAIRS]
        both = x[ii].multiply(x[jj]).tocsr()
        pair = np.repeat(np.arange(len(ii)), np.diff(both.indptr))
        out[at : at + len(ii)] = np.bincount(pair, weights=both.data, minlength=len(ii))
    return out
