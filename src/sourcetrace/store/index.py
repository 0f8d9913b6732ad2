"""The store's index: what makes the shortlist cheap (band keys of signatures and of sentence vectors, and the
nearest articles by document vector), and the articles being added or checked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..encoder import Encoder
from ..records import Article
from ..settings import Settings
from ..stages.candidates import RUN_SHINGLE, RUN_WINDOW, distinct_texts, rows_by_text, run_keys

_SEED = 20240918  # the store's random hyperplanes; fixed, because stored keys must stay comparable


def digest(article: Article) -> str:
    """Identity of an article's content: its text and metadata as read (the path is not part of it)."""
    payload = json.dumps([article.text, article.title, article.date, article.outlet, article.url], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _mix(values: np.ndarray) -> np.ndarray:
    """(n, bands) uint64 band values -> distinct signed 64-bit keys with the band mixed in (SQLite integers)."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    bands = np.arange(values.shape[1], dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = (values ^ ((bands + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15))) * np.uint64(0xBF58476D1CE4E5B9)
    return np.unique(mixed.ravel()).view(np.int64)


def signature_keys(signature: np.ndarray, bands: int) -> np.ndarray:
    """Keys of the bands of one MinHash signature: two articles share a key when they agree on a whole band."""
    rows = len(signature) // bands
    values = np.zeros(bands, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in signature[: rows * bands].reshape(bands, rows).T.astype(np.uint64):
            values = (values ^ row) * np.uint64(1099511628211)
    return _mix(values[None, :])


@lru_cache(maxsize=4)
def _planes(dim: int, count: int) -> np.ndarray:
    return np.random.default_rng(_SEED).standard_normal((dim, count)).astype(np.float32)


def sentence_keys(centred: np.ndarray, bits: int, bands: int) -> np.ndarray:
    """Random-hyperplane band keys of centred sentence vectors: near-identical sentences share a key."""
    if len(centred) == 0:
        return np.zeros(0, dtype=np.int64)
    signs = (centred @ _planes(centred.shape[1], bits * bands)) > 0
    weights = np.uint64(1) << np.arange(bits, dtype=np.uint64)
    values = (signs.reshape(len(centred), bands, bits).astype(np.uint64) * weights).sum(axis=2, dtype=np.uint64)
    return _mix(values)


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-9)).astype(np.float32)


@dataclass
class Index:
    """The current articles' mean static vectors, in memory for the nearest-article search of the shortlist."""

    generation: int
    keys: np.ndarray  # article key per row
    means: np.ndarray  # (n, dim) float32: the mean of each article's (uncentred) static sentence vectors
    _centred: tuple[bytes, np.ndarray] | None = None
    _texts: tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None  # first rows, rows by text

    def documents(self, mean: np.ndarray) -> np.ndarray:
        """Document vectors centred on the collection's running ``mean`` (the last one asked for is kept)."""
        tag, cached = mean.tobytes(), self._centred
        if cached is not None and cached[0] == tag:
            return cached[1]
        centred = unit(self.means - mean.astype(np.float32))
        self._centred = (tag, centred)
        return centred

    def nearest(
        self, document: np.ndarray, mean: np.ndarray, count: int, leave_out: set[int], most_copies: int = 64
    ) -> list[int]:
        """The stored articles of the ``count`` texts nearest to ``document``, copies of one text (the same mean
        vector) counted once, each text with all its copies; a text with more than ``most_copies`` is not taken
        (candidate search does not search it: :func:`.candidates.nearest_documents`)."""
        if not len(self.keys):
            return []
        if self._texts is None:
            of_row, firsts, _ = distinct_texts(self.means)
            self._texts = (firsts, rows_by_text(of_row))
        firsts, (by_text, starts, copies) = self._texts
        kept = ~np.isin(self.keys, list(leave_out))
        sims = self.documents(mean)[firsts] @ unit(document - mean.astype(np.float32))
        found: list[int] = []
        texts = 0
        for text in np.argsort(-sims, kind="stable"):
            rows = by_text[starts[text] : starts[text] + copies[text]]
            rows = rows[kept[rows]]
            if 0 < len(rows) <= most_copies:
                found += [int(k) for k in self.keys[rows]]
                texts += 1
                if texts == count:
                    break
        return found

    def grown(self, generation: int, keys: Sequence[int], means: Sequence[np.ndarray], gone: set[int]) -> Index:
        keep = np.array([int(k) not in gone for k in self.keys], dtype=bool)
        added = np.array(means, dtype=np.float32).reshape(len(keys), -1)
        kept = self.means[keep] if len(self.keys) else np.zeros((0, added.shape[1]), dtype=np.float32)
        return Index(
            generation, np.concatenate([self.keys[keep], np.array(keys, dtype=np.int64)]), np.concatenate([kept, added])
        )


def stored_runs(text: str) -> np.ndarray:
    """:func:`.candidates.run_keys` as the store keeps them: SQLite integers are signed."""
    return as_stored(run_keys(text))


def as_stored(keys: np.ndarray) -> np.ndarray:
    """Fingerprints (uint64) as the store keeps them (int64)."""
    return keys.view(np.int64)


@dataclass
class New:
    """An article being added or checked: prepared by the pipeline, with what the store keeps of it."""

    article: Article
    digest: str
    static: np.ndarray  # uncentred static sentence vectors
    signature: np.ndarray  # MinHash signature (uint64)
    embeddings: np.ndarray | None  # transformer sentence vectors; None for a check (encoded when needed)
    minhash: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    simhash: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    runs: np.ndarray = field(kw_only=True)  # as_stored(run_keys(text)): given, as nothing finds them later

    @property
    def mean(self) -> np.ndarray:
        return self.static.mean(axis=0).astype(np.float32)


class KnownVectors:
    """A transformer encoder that answers from vectors already computed and encodes the rest one at a time.

    The int8 encoder quantises activations per batch, so a sentence's vector depends on its batch-mates (cosines
    moved by up to 0.01 on the seeds). Encoded alone, a vector does not depend on what it was added or checked
    with, so that stored vectors and fresh ones agree; on CPU this measured no slower than batches.
    """

    def __init__(self, encoder: Encoder, known: dict[str, np.ndarray] | None = None) -> None:
        self._encoder = encoder
        self.known = known if known is not None else {}
        self.dim = encoder.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for n, text in enumerate(texts):
            vector = self.known.get(text)
            if vector is None:
                vector = self.known[text] = self._encoder.encode([text])[0]
            out[n] = vector
        return out


def encoder_identity(settings: Settings) -> dict[str, Any]:
    """What identifies the encoder files: stored vectors are comparable only with vectors of the same ones."""
    try:
        manifest = json.loads((Path(settings.model_dir).expanduser() / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: manifest.get(k) for k in ("onnx_sha256", "static_sha256", "tokenizer_sha256", "dim", "static_dim")}


SCORING_VERSION = 8  # bumped when the same settings give pairs other strengths, relations or sources (2: both texts
# measured; 3: stock phrasing is no excerpt or shared quotation; new boilerplate lines; 4: the words language models
# favour vote for the source; 5: a short text's strength is that of a text of ten sentences as unlikely by chance;
# 6: no fact of a call for tips counts among the facts a rewrite keeps; one sentence pair sharing a long run of
# words is an excerpt; "your identity will be kept anonymous" asks for tips; 7: sentence pairs sharing a long run
# of words are linked however unlike as wholes, and a run does not span a quotation; shared quotations have no source;
# an attribution a sentence near the partner credits to the same source is no divergence, so no vote for a source;
# a page's "Published" date line wins over its "Updated" one; 8: a run of a few words repeated is no long run; lines
# of escaped HTML are boilerplate; a headline in another script than its text is not checked against it; a long run
# of words shared makes a candidate pair, so a store holds pairs the version before never looked at)


def scoring_identity(settings: Settings) -> dict[str, Any]:
    """What decides a pair's strength and relation: the scoring code's version and the align and classify settings.
    Pairs scored otherwise are not comparable with new ones, so a store keeps those its pairs were scored with."""
    return {"version": SCORING_VERSION, "align": asdict(settings.align), "classify": asdict(settings.classify)}


def index_settings(settings: Settings) -> dict[str, Any]:
    """The candidate settings that shape stored signatures and band keys; a store keeps those it was made with."""
    c = settings.candidates
    return {
        "shingle_words": c.shingle_words,
        "num_perm": c.num_perm,
        "minhash_bands": c.minhash_bands,
        "vector_bits": c.vector_bits,
        "vector_bands": c.vector_bands,
        "run_shingle": RUN_SHINGLE,  # the fingerprints of long runs (schema 5 adds these two to older stores' record)
        "run_window": RUN_WINDOW,
    }
