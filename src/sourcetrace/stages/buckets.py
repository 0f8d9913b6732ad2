"""Banded indexes: which rows share a key, and which owners (articles) their rows pair (stage 4, :mod:`.candidates`).

Rows are MinHash signatures' bands, sentence vectors' SimHash bands or the fingerprints of long runs of words; a
bucket is the rows sharing one key in one band. A bucket holding more than ``max_bucket`` rows is generic
(boilerplate, stock phrases) and is skipped. Pairs are coded ``i * n + j`` (i < j) and made a block at a time, so
that memory stays bounded however many there are.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-d array. (``np.unique`` hashes since NumPy 2.3, many times slower than
    a sort for the large integer arrays of candidate search.)"""
    return _distinct([values])


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


def colliding_rows(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """Rows that share a key in some band, as the distinct codes ``i * n + j`` of the pairs (i < j, ``n`` rows),
    sorted; a code array is half the size of the (i, j) rows it stands for.

    Buckets holding more than ``max_bucket`` rows are generic (boilerplate, stock phrases) and are skipped. Rows
    equal in every band (one sentence in many articles) are bucketed as one group, so that their pairs among
    themselves are made once rather than once per band. Work is vectorised per bucket size.
    """
    return pairs_within(buckets(keys, max_bucket), len(keys), range(len(keys)))


def buckets(keys: np.ndarray, max_bucket: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The buckets of :func:`colliding_rows`, as (rows, bucket sizes) with the buckets one after another."""
    n, bands = keys.shape
    if n == 0:
        return []
    # groups of rows equal in every band: sorted by a fold of their keys, split where neighbours differ
    fold = np.full(n, np.uint64(1469598103934665603), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            fold = (fold ^ keys[:, band]) * np.uint64(1099511628211)
    by_fold = np.argsort(fold, kind="stable")
    differs = np.zeros(n - 1, dtype=bool)
    for band in range(bands):  # band by band: no copy of all the keys
        differs |= keys[by_fold[1:], band] != keys[by_fold[:-1], band]
    group_start = np.flatnonzero(np.r_[True, differs])
    group_size = np.diff(np.r_[group_start, n])
    first = by_fold[group_start]  # one row standing for each group
    among_themselves = np.zeros(len(first), dtype=bool)  # groups whose rows pair with each other
    buckets: list[tuple[np.ndarray, np.ndarray]] = []
    for band in range(bands):
        order = np.argsort(keys[first, band], kind="stable")  # groups by key
        sorted_keys = keys[first[order], band]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        groups = np.diff(np.r_[starts, len(first)])
        rows = np.add.reduceat(group_size[order], starts)
        kept = (rows > 1) & (rows <= max_bucket)
        among_themselves[order[starts[kept & (groups == 1)]]] = True
        several = np.flatnonzero(kept & (groups > 1))
        if len(several):  # buckets of several groups: every pair of their rows
            members = order[ranges(starts[several], groups[several])]
            buckets.append((by_fold[ranges(group_start[members], group_size[members])], rows[several]))
    alone = np.flatnonzero(among_themselves & (group_size > 1))
    buckets.append((by_fold[ranges(group_start[alone], group_size[alone])], group_size[alone]))
    return buckets


def pair_count(buckets: list[tuple[np.ndarray, np.ndarray]]) -> int:
    """How many pairs the buckets make, with the repeats across bands."""
    return sum(int((sizes * (sizes - 1) // 2).sum()) for _, sizes in buckets)


def pairs_within(buckets: list[tuple[np.ndarray, np.ndarray]], n: int, first: range) -> np.ndarray:
    """The distinct codes, sorted, of the pairs the buckets make whose first row ``i`` lies in ``first``."""
    found: list[np.ndarray] = []
    for rows, sizes in buckets:
        found += _bucket_pairs(rows, sizes, n, first)
    return _distinct(found)


def _distinct(parts: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct values of several arrays, which are released: joined, sorted in place, and the distinct
    values moved to the front block by block, the array then shrunk to them (no further copy)."""
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    parts.clear()
    values.sort()
    kept = 0
    for start in range(0, len(values), PAIR_BLOCK):
        block = values[start : start + PAIR_BLOCK]
        new = block[np.r_[kept == 0 or block[0] != values[kept - 1], block[1:] != block[:-1]]]  # a copy
        values[kept : kept + len(new)] = new
        kept += len(new)
    values.resize(kept, refcheck=False)  # in place: the array is no one else's
    return values


def decode(codes: np.ndarray, n: int) -> np.ndarray:
    """Distinct pair codes ``i * n + j`` as rows (i, j), sorted."""
    codes = unique(codes)
    return np.stack([codes // n, codes % n], axis=1)


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``starts[k] + arange(lengths[k])`` for every k, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - lengths - starts, lengths)


PAIR_BLOCK = 1 << 22  # pairs made or decoded at once: about 32 MB per array


def _bucket_pairs(rows: np.ndarray, sizes: np.ndarray, n: int, first: range) -> list[np.ndarray]:
    """Codes ``i * n + j`` (i < j, i in ``first``) of the pairs within each bucket; ``rows`` holds the buckets one
    after another."""
    starts = np.cumsum(sizes) - sizes
    every = first.start <= 0 and first.stop >= n
    out = []
    for size in np.unique(sizes[sizes > 1]):
        i, j = np.triu_indices(int(size), k=1)
        of_size = starts[sizes == size]
        step = max(1, PAIR_BLOCK // len(i))  # buckets at a time
        for k in range(0, len(of_size), step):
            members = rows[of_size[k : k + step, None] + np.arange(size)]  # (buckets, size)
            left, right = members[:, i].ravel(), members[:, j].ravel()
            low, high = np.minimum(left, right), np.maximum(left, right)
            if not every:
                inside = (low >= first.start) & (low < first.stop)
                low, high = low[inside], high[inside]
            out.append(low.astype(np.int64) * n + high)
    return out


def blocks(codes: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(codes), PAIR_BLOCK):
        yield codes[start : start + PAIR_BLOCK]


def owner_pairs(codes: np.ndarray, n: int, owners: np.ndarray, min_rows: int = 1) -> np.ndarray:
    """Pairs of owners (i < j) of colliding rows (``codes`` from :func:`colliding_rows` over ``n`` rows; rows of one
    owner never pair) with at least ``min_rows`` distinct colliding rows on each side (one row echoed by several is
    still one), shape (k, 2), sorted.

    ``owners`` must not decrease (each owner's rows together, owners in order): then the row pairs of one owner
    pair lie together in the sorted codes, which are taken a block at a time, cut between owners.
    """
    if np.any(owners[1:] < owners[:-1]):
        raise ValueError("owner_pairs needs the rows of each owner together, owners in order")
    width = int(owners[-1]) + 1 if len(owners) else 1
    first_row = np.searchsorted(owners, np.arange(width + 1))  # where each owner's rows start
    found, start = [], 0
    while start < len(codes):
        end = min(start + PAIR_BLOCK, len(codes))
        if end < len(codes):  # on to the end of the last owner's pairs
            end = int(np.searchsorted(codes, first_row[owners[codes[end - 1] // n] + 1] * n))
        found.append(_owner_block(codes[start:end], n, owners, width, min_rows))
        start = end
    return decode(np.concatenate(found) if found else np.zeros(0, dtype=np.int64), width)


def _owner_block(codes: np.ndarray, n: int, owners: np.ndarray, width: int, min_rows: int) -> np.ndarray:
    """:func:`owner_pairs` of a block holding all the row pairs of its owner pairs, as codes ``lo * width + hi``."""
    i, j = codes // n, codes % n
    lo, hi = owners[i], owners[j]  # lo <= hi, as i < j
    other = lo != hi
    pair = lo[other].astype(np.int64) * width + hi[other]
    if min_rows <= 1 or not len(pair):
        return unique(pair)
    order = np.argsort(pair, kind="stable")  # within an owner pair, the row pairs stay sorted by i, then j
    pair, i, j = pair[order], i[other][order], j[other][order]
    first = np.r_[True, pair[1:] != pair[:-1]]
    index = np.cumsum(first) - 1
    rows_lo = np.bincount(index[first | np.r_[True, i[1:] != i[:-1]]], minlength=int(first.sum()))
    rows_hi = np.bincount(unique(index * n + j) // n, minlength=len(rows_lo))
    return pair[first][np.minimum(rows_lo, rows_hi) >= min_rows]
