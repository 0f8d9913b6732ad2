"""Sentence encoders at the edge: the int8 MiniLM transformer and its static token-table distillation.

Both read the folder ``python -m sourcetrace.model_build`` writes; onnxruntime and tokenizers are imported on first
load, so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import ModelError
from .model_build import FIRST_WORD

MANIFEST_FILE = "manifest.json"
MAX_LENGTH = 128
BUILD_HINT = "build it with `python -m sourcetrace.model_build --out {dir}` (or `make model`)"


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns sentences into L2-normalised row vectors of width ``dim``."""

    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceEncoder:
    """all-MiniLM-L6-v2, int8 ONNX, mean-pooled and L2-normalised inside the graph: 384 dims."""

    def __init__(self, session: Any, tokenizer: Any, dim: int, runners: int = 1) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in session.get_inputs()}
        self.dim = dim
        self._runners = runners
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def load(cls, model_dir: Path, threads: int | None = None) -> SentenceEncoder:
        """The encoder built in ``model_dir``; loaded once per folder and thread count in a process."""
        return _load_sentence(Path(model_dir).expanduser().resolve(), threads or os.cpu_count() or 1)

    def encode(self, texts: Sequence[str], batch_size: int = 1) -> np.ndarray:
        """One float32 row per text, in input order; texts longer than 128 tokens are truncated.

        The int8 graph quantises its activations per batch, so a text's vector moves (cosine down to 0.97) with the
        texts batched with it; one text per run keeps each vector a function of its text alone (so results do not
        depend on which other sentences a scan, or a Spark task, happens to encode). Runs of one text are too small
        to share among cores, so the session has one thread and ``runners`` runs go on at once (onnxruntime
        releases the GIL while it computes).
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if len(texts) == 0:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        # batches of similar length waste little time on padding
        order = np.argsort(lengths, kind="stable")
        step = max(1, batch_size)

        def run(rows: np.ndarray) -> None:
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for k, row in enumerate(rows):
                n = lengths[row]
                ids[k, :n] = encodings[row].ids
                mask[k, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[rows] = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]

        batches = [order[start : start + step] for start in range(0, len(order), step)]
        if self._runners > 1 and len(batches) > 1:
            self._pool = self._pool or ThreadPoolExecutor(self._runners, thread_name_prefix="sourcetrace-encoder")
            list(self._pool.map(run, batches))
        else:
            for rows in batches:
                run(rows)
        return out


class StaticEncoder:
    """A static vector per sentence: the sum of its tokens' SIF-weighted PCA rows, L2-normalised: 256 dims.

    A text with no weighted token (empty, or only unknown characters) gets a zero row. Texts are split into words
    the way BERT's pre-tokenizer does (runs of word characters; each other non-space character alone), and each
    distinct word is sent through WordPiece once and remembered: news repeats its words, so this is several times
    faster than tokenising every sentence, with the same result.
    """

    def __init__(self, table: np.ndarray, tokenizer: Any, max_words: int = 500_000) -> None:
        self._table = np.ascontiguousarray(table, dtype=np.float32)
        self._tokenizer = tokenizer
        self._word_ids: dict[str, int] = {}  # word -> row of self._words
        self._words = np.zeros((0, self._table.shape[1]), dtype=np.float32)  # the rows in use of _buffer
        self._buffer = self._words
        self._max_words = max_words
        self._lock = threading.Lock()
        self.dim = int(self._table.shape[1])

    @classmethod
    def load(cls, model_dir: Path, threads: int | None = None) -> StaticEncoder:
        """The token table built in ``model_dir``; loaded once per folder in a process (``threads`` is unused)."""
        return _load_static(Path(model_dir).expanduser().resolve())

    def _learn(self, words: set[str]) -> None:
        """Add the summed WordPiece rows of new words to the word table."""
        new = sorted(words)
        encodings = self._tokenizer.encode_batch(new, add_special_tokens=False)
        rows = np.zeros((len(new), self.dim), dtype=np.float32)
        for k, e in enumerate(encodings):
            if e.ids:
                rows[k] = self._table[e.ids].sum(axis=0)
        base = len(self._word_ids)
        self._word_ids.update((w, base + k) for k, w in enumerate(new))
        if base + len(new) > len(self._buffer):  # grow by doubling: appending rows stays linear in time
            grown = np.zeros((max(2 * len(self._buffer), base + len(new), 1024), self.dim), dtype=np.float32)
            grown[:base] = self._buffer[:base]
            self._buffer = grown
        self._buffer[base : base + len(new)] = rows
        self._words = self._buffer[: base + len(new)]  # a view: readers holding the old one are unaffected

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One float32 row per text, in input order (``batch_size`` is accepted for symmetry and unused)."""
        from scipy.sparse import csr_matrix

        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokens = [_BERT_WORDS.findall(t) for t in texts]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        words = list(itertools.chain.from_iterable(tokens))
        # the word table grows as new words come: rows and ids are taken together, as one thread sees them (the
        # web service encodes in several threads at once)
        with self._lock:
            found = list(map(self._word_ids.get, words))
            if None in found:
                unseen = {w for w, k in zip(words, found, strict=True) if k is None}
                if len(self._word_ids) + len(unseen) > self._max_words:  # bound the memory of a long-running process
                    self._word_ids, self._words = {}, self._words[:0].copy()
                    self._buffer = self._words  # a new buffer: rows other threads read are not overwritten
                    unseen = set(words)
                self._learn(unseen)
                found = list(map(self._word_ids.__getitem__, words))
            ids = np.array(found, dtype=np.int64)
            words_table = self._words
        counts = csr_matrix(
            (np.ones(len(ids), np.float32), ids, np.concatenate([[0], np.cumsum(lengths)])),
            shape=(len(texts), len(words_table)),
        )
        sums = np.asarray(counts @ words_table, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)


# BERT's pre-tokenizer: split on white space, and every punctuation character is a word of its own
_BERT_WORDS = re.compile(r"\w+|[^\w\s]")


def check_built(model_dir: Path) -> None:
    """Raise ModelError unless ``model_dir`` holds the built encoders' files (their checksums are checked on load):
    a cheap check for a process that does not load them itself."""
    _manifest(Path(model_dir).expanduser().resolve(), ("onnx_file", "tokenizer_file", "static_file"))


def _manifest(model_dir: Path, needed: tuple[str, ...]) -> dict[str, Any]:
    """The build manifest, after checking that it and the files named by ``needed`` keys exist."""
    hint = BUILD_HINT.format(dir=model_dir)
    path = model_dir / MANIFEST_FILE
    if not path.is_file():
        raise ModelError(f"no sentence encoder in {model_dir} ({MANIFEST_FILE} is missing); {hint}")
    try:
        manifest = json.loads(path.read_text("utf-8"))
        names = [manifest[key] for key in needed]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path} is unreadable or incomplete ({exc}); {hint}") from exc
    missing = [n for n in names if not (model_dir / n).is_file()]
    if missing:
        raise ModelError(f"sentence encoder files missing in {model_dir}: {', '.join(missing)}; {hint}")
    return manifest


def _verified(model_dir: Path, manifest: dict[str, Any], file_key: str) -> Path:
    """The file under ``file_key``, after checking its sha256 against the manifest."""
    path = model_dir / manifest[file_key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    expected = manifest.get(file_key.replace("_file", "_sha256"))
    if digest.hexdigest() != expected:
        raise ModelError(
            f"{path.name} in {model_dir} does not match its manifest checksum (damaged or edited); "
            f"re{BUILD_HINT.format(dir=model_dir)}"
        )
    return path


def _tokenizer(model_dir: Path, manifest: dict[str, Any]) -> Any:
    """The WordPiece tokenizer, truncating and never padding (padding is per batch)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_verified(model_dir, manifest, "tokenizer_file")))
    tokenizer.no_padding()
    tokenizer.enable_truncation(int(manifest.get("max_length", MAX_LENGTH)))
    return tokenizer


@lru_cache(maxsize=8)
def _load_sentence(model_dir: Path, threads: int) -> SentenceEncoder:
    """Open the int8 ONNX session once per folder and thread count."""
    manifest = _manifest(model_dir, ("onnx_file", "tokenizer_file"))
    onnx_path = _verified(model_dir, manifest, "onnx_file")
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # see SentenceEncoder.encode: parallel runs, not threads within one
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: the CLI's output is not the place for graph-optimiser notes
    try:
        session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own unexported exception types
        raise ModelError(
            f"cannot load {onnx_path.name} in {model_dir}: {exc}; {BUILD_HINT.format(dir=model_dir)}"
        ) from exc
    return SentenceEncoder(session, _tokenizer(model_dir, manifest), int(manifest.get("dim", 384)), threads)


@lru_cache(maxsize=8)
def _load_static(model_dir: Path) -> StaticEncoder:
    """Read the static token table once per folder."""
    manifest = _manifest(model_dir, ("static_file", "tokenizer_file"))
    path = _verified(model_dir, manifest, "static_file")
    try:
        table = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path.name} in {model_dir}: {exc}; {BUILD_HINT.format(dir=model_dir)}") from exc
    return StaticEncoder(table, _tokenizer(model_dir, manifest))


@lru_cache(maxsize=8)
def word_ranks(model_dir: Path) -> dict[str, int]:
    """Each whole word of the encoder's WordPiece vocabulary with its rank among words (0 = most frequent).

    The vocabulary lists its words in the order of their frequency in the model's training corpus (after the
    special tokens and single characters), so the rank measures how common a word is in English, the same for every
    collection: stories weigh words by it (:class:`sourcetrace.stages.story_terms.Rarity`).
    """
    model_dir = Path(model_dir).expanduser().resolve()
    manifest = _manifest(model_dir, ("tokenizer_file",))
    vocab = _tokenizer(model_dir, manifest).get_vocab()
    return {w: k - FIRST_WORD for w, k in vocab.items() if k >= FIRST_WORD and not w.startswith("##")}
