"""The methods people usually reach for, measured beside sourcetrace on the same data.

* MinHash/LSH near-duplicate detection with datasketch over word 5-shingles;
* TF-IDF cosine of whole documents (word unigrams; the defaults of scikit-learn's TfidfVectorizer, in numpy/scipy);
* whole-document embedding cosine with the same MiniLM encoder: the mean of the sentence vectors;
* for sentence pairs, the embedding cosine and the Jaccard overlap of the two word sets.

Each gives a score per pair; the decision threshold is the caller's business (the evaluation runs choose it by
cross-validation, so every baseline gets the threshold that suits the data best).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..encoder import Encoder
from ..stages.align import word_jaccard as word_jaccard  # the sentence judge's own feature is the word-overlap baseline

_WORD = re.compile(r"\w+")
_TFIDF_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
SHINGLE_WORDS = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.1  # retrieval floor for the LSH index; the decision threshold is chosen above it


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def minhash_scores(texts: Sequence[str], threshold: float = LSH_THRESHOLD) -> dict[tuple[int, int], float]:
    """Pairs (i < j) that a datasketch MinHashLSH index at ``threshold`` retrieves, with their estimated Jaccard.

    Pairs the index does not retrieve score 0: that is how LSH is used, never comparing all pairs.
    """
    from datasketch import MinHash, MinHashLSH

    hashes = MinHash.bulk([shingles(t) for t in texts], num_perm=NUM_PERM, seed=1)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for k, h in enumerate(hashes):
        lsh.insert(k, h)
    out: dict[tuple[int, int], float] = {}
    for i, h in enumerate(hashes):
        for j in lsh.query(h):
            if j > i:
                out[(i, j)] = float(h.jaccard(hashes[j]))
    return out


def minhash_jaccard(texts: Sequence[str], pairs: Sequence[tuple[int, int]]) -> list[float]:
    """The MinHash estimate of the shingle Jaccard of the given pairs of texts (no index: the pairs are given)."""
    from datasketch import MinHash

    hashes = MinHash.bulk([shingles(t) for t in texts], num_perm=NUM_PERM, seed=1)
    return [float(hashes[i].jaccard(hashes[j])) for i, j in pairs]


def tfidf_matrix(texts: Sequence[str]) -> Any:
    """L2-normalised TF-IDF rows (a scipy CSR matrix): raw counts of lower-cased words of 2+ characters, smooth idf
    ln((1+n)/(1+df)) + 1."""
    from scipy.sparse import csr_matrix

    counts = [Counter(_TFIDF_TOKEN.findall(t.lower())) for t in texts]
    df: Counter[str] = Counter(w for c in counts for w in c)
    vocab = {w: k for k, w in enumerate(sorted(df))}
    n = len(texts)
    idf = {w: math.log((1 + n) / (1 + f)) + 1 for w, f in df.items()}
    rows, cols, vals = [], [], []
    for r, c in enumerate(counts):
        for w, tf in c.items():
            rows.append(r)
            cols.append(vocab[w])
            vals.append(tf * idf[w])
    x = csr_matrix((vals, (rows, cols)), shape=(n, max(len(vocab), 1)), dtype=np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return csr_matrix(x.multiply(1 / np.maximum(norms, 1e-12)[:, None]))


def tfidf_cosines(texts: Sequence[str]) -> np.ndarray:
    """Dense matrix of TF-IDF cosines between all texts (idf from these texts)."""
    x = tfidf_matrix(texts)
    return np.asarray((x @ x.T).toarray())


def document_vectors(sentences: Sequence[Sequence[str]], encoder: Encoder) -> np.ndarray:
    """One unit vector per document: the mean of its sentence vectors (a zero row for a document without any)."""
    flat = [s for doc in sentences for s in doc]
    vectors = encoder.encode(flat) if flat else np.zeros((0, encoder.dim), dtype=np.float32)
    out = np.zeros((len(sentences), encoder.dim), dtype=np.float32)
    start = 0
    for k, doc in enumerate(sentences):
        if doc:
            mean = vectors[start : start + len(doc)].mean(axis=0)
            out[k] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        start += len(doc)
    return out


def sentence_cosines(pairs: Sequence[tuple[str, str]], encoder: Encoder) -> np.ndarray:
    """The encoder cosine of each sentence pair."""
    vectors = encoder.encode([s for pair in pairs for s in pair])
    return np.einsum("ij,ij->i", vectors[0::2], vectors[1::2]).astype(float)


def average_linkage(similarity: np.ndarray, threshold: float) -> np.ndarray:
    """Cluster labels from average-linkage clustering, cutting where the mean similarity falls below ``threshold``."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = similarity.shape[0]
    if n < 2:
        return np.zeros(n, dtype=int)
    condensed = np.clip(1.0 - similarity[np.triu_indices(n, k=1)], 0.0, 2.0)
    return fcluster(linkage(condensed, method="average"), t=1.0 - threshold, criterion="distance")
