"""A collection that persists: articles, sentences, vectors, pairs and stories in one SQLite file (WAL mode).

The store is a persistence edge over the pipeline, not a second pipeline. Adding articles runs, per chunk:

1. featurise (``pipeline.featurise``): clean, segment, static sentence vectors, MinHash signatures;
2. encode every sentence of the new articles with the transformer, one at a time, before taking the write lock;
3. shortlist: the stored articles that could pair with a new one, from the store's own index (band keys of
   signatures and of sentence vectors, probed in SQLite; the nearest articles by document vector, in memory);
4. candidates (``candidates.find_candidates``) among the new articles and the shortlist;
5. relate (``pipeline.related_pairs``) the candidates that involve a new article, answering the transformer from
   stored vectors: a stored sentence is never encoded again;
6. write the articles, their sentences, vectors, index keys and pairs in one transaction.

The shortlist bounds the work by what is added, not by the size of the store. ``Store.check`` runs steps 1 and
3-5 for an article without writing. Schema, migrations and concurrency: docs/store.md.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .candidates import centre, find_candidates, mean_vector
from .describe import Name
from .encoder import Encoder
from .errors import DamagedStoreError, InputError, StoreError
from .ingest import read_articles
from .integrity import check_file, damaged_message, quick_check
from .pipeline import Models, Progress, featurise, related_pairs
from .records import (
    Article,
    Divergence,
    FileError,
    Pair,
    Passage,
    Removal,
    ScanResult,
    Sentence,
    SentenceLink,
    Story,
)
from .settings import Settings
from .stories import cluster_stories

SCHEMA_VERSION = 1
CHUNK = 20  # new articles per write transaction: each chunk sees the chunks before it as stored
NEAREST = 3  # the shortlist takes NEAREST x candidates.neighbours nearest stored articles of each new one
BUSY_TIMEOUT = 600.0  # seconds a writer waits for another writer's transaction
_IN_LIMIT = 500  # ids per "IN (...)" query
_SEED = 20240918  # the store's random hyperplanes; fixed, because stored keys must stay comparable

# --- schema ---------------------------------------------------------------------------------------------------
# Each entry upgrades the schema from the previous version; PRAGMA user_version holds the version reached.
# Never edit a released entry: append one (see docs/store.md).

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
            """CREATE TABLE articles (
                key INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                current INTEGER NOT NULL,
                digest TEXT NOT NULL,
                path TEXT NOT NULL,
                title TEXT, date TEXT, outlet TEXT, url TEXT,
                text TEXT NOT NULL,
                removed TEXT NOT NULL,
                added TEXT NOT NULL,
                UNIQUE (id, version))""",
            "CREATE UNIQUE INDEX articles_current ON articles (id) WHERE current = 1",
            """CREATE TABLE sentences (
                article INTEGER NOT NULL REFERENCES articles (key),
                idx INTEGER NOT NULL,
                start INTEGER NOT NULL, end INTEGER NOT NULL,
                quote INTEGER NOT NULL, quote_spans TEXT NOT NULL, speaker TEXT,
                PRIMARY KEY (article, idx)) WITHOUT ROWID""",
            """CREATE TABLE vectors (
                article INTEGER PRIMARY KEY REFERENCES articles (key),
                embeddings BLOB NOT NULL,
                static BLOB NOT NULL,
                signature BLOB NOT NULL,
                static_mean BLOB NOT NULL,
                minhash_keys BLOB NOT NULL,
                simhash_keys BLOB NOT NULL)""",
            "CREATE TABLE minhash (key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (key, article)) "
            "WITHOUT ROWID",
            "CREATE TABLE simhash (key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (key, article)) "
            "WITHOUT ROWID",
            """CREATE TABLE pairs (
                a INTEGER NOT NULL REFERENCES articles (key),
                b INTEGER NOT NULL REFERENCES articles (key),
                relation TEXT NOT NULL, score REAL NOT NULL, coverage_a REAL NOT NULL, coverage_b REAL NOT NULL,
                source INTEGER, reasons TEXT NOT NULL,
                PRIMARY KEY (a, b)) WITHOUT ROWID""",
            "CREATE INDEX pairs_b ON pairs (b)",
            """CREATE TABLE passages (
                a INTEGER NOT NULL, b INTEGER NOT NULL, idx INTEGER NOT NULL,
                a_start INTEGER NOT NULL, a_end INTEGER NOT NULL, b_start INTEGER NOT NULL, b_end INTEGER NOT NULL,
                links TEXT NOT NULL,
                PRIMARY KEY (a, b, idx)) WITHOUT ROWID""",
            """CREATE TABLE divergences (
                a INTEGER NOT NULL, b INTEGER NOT NULL, idx INTEGER NOT NULL,
                kind TEXT NOT NULL, change TEXT NOT NULL, a_sentence INTEGER, b_sentence INTEGER,
                a_start INTEGER, a_end INTEGER, b_start INTEGER, b_end INTEGER, a_text TEXT, b_text TEXT,
                PRIMARY KEY (a, b, idx)) WITHOUT ROWID""",
            "CREATE TABLE stories (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, label TEXT NOT NULL)",
            "CREATE TABLE story_articles (article INTEGER PRIMARY KEY, story TEXT NOT NULL)",
            "CREATE INDEX story_articles_story ON story_articles (story)",
        ],
    ),
]


# --- results --------------------------------------------------------------------------------------------------


@dataclass
class AddResult:
    """What one ``Store.add`` did."""

    added: list[str] = field(default_factory=list)  # ids stored for the first time
    updated: list[str] = field(default_factory=list)  # ids whose changed content became a new version
    unchanged: list[str] = field(default_factory=list)  # ids already stored with the same text and metadata
    pairs: list[Pair] = field(default_factory=list)  # pairs found between the added articles and the collection
    errors: list[FileError] = field(default_factory=list)
    total: int = 0  # current articles in the store afterwards


@dataclass(frozen=True)
class ArticleInfo:
    """One stored version of an article, without its text."""

    id: str
    version: int
    current: bool
    title: str | None
    date: str | None
    outlet: str | None
    url: str | None
    path: str
    added: str
    sentence_count: int


# --- the store's index: what makes the shortlist cheap ---------------------------------------------------------


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


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-9)).astype(np.float32)


@dataclass
class _Index:
    """The current articles' mean static vectors, in memory for the nearest-article search of the shortlist."""

    generation: int
    keys: np.ndarray  # article key per row
    means: np.ndarray  # (n, dim) float32: the mean of each article's (uncentred) static sentence vectors
    _centred: tuple[bytes, np.ndarray] | None = None

    def documents(self, mean: np.ndarray) -> np.ndarray:
        """Document vectors centred on the collection's running ``mean`` (the last one asked for is kept)."""
        tag, cached = mean.tobytes(), self._centred
        if cached is not None and cached[0] == tag:
            return cached[1]
        centred = _unit(self.means - mean.astype(np.float32))
        self._centred = (tag, centred)
        return centred

    def nearest(self, document: np.ndarray, mean: np.ndarray, count: int, leave_out: set[int]) -> list[int]:
        if not len(self.keys):
            return []
        sims = self.documents(mean) @ _unit(document - mean.astype(np.float32))
        order = np.argsort(-sims, kind="stable")[: count + len(leave_out)]
        return [int(k) for k in self.keys[order] if int(k) not in leave_out][:count]

    def grown(self, generation: int, keys: Sequence[int], means: Sequence[np.ndarray], gone: set[int]) -> _Index:
        keep = np.array([int(k) not in gone for k in self.keys], dtype=bool)
        added = np.array(means, dtype=np.float32).reshape(len(keys), -1)
        kept = self.means[keep] if len(self.keys) else np.zeros((0, added.shape[1]), dtype=np.float32)
        return _Index(
            generation, np.concatenate([self.keys[keep], np.array(keys, dtype=np.int64)]), np.concatenate([kept, added])
        )


@dataclass
class _New:
    """An article being added or checked: prepared by the pipeline, with what the store keeps of it."""

    article: Article
    digest: str
    static: np.ndarray  # uncentred static sentence vectors
    signature: np.ndarray  # MinHash signature (uint64)
    embeddings: np.ndarray | None  # transformer sentence vectors; None for a check (encoded when needed)
    minhash: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    simhash: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def mean(self) -> np.ndarray:
        return self.static.mean(axis=0).astype(np.float32)


class _KnownVectors:
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


def index_settings(settings: Settings) -> dict[str, Any]:
    """The candidate settings that shape stored signatures and band keys; a store keeps those it was made with."""
    c = settings.candidates
    return {
        "shingle_words": c.shingle_words,
        "num_perm": c.num_perm,
        "minhash_bands": c.minhash_bands,
        "vector_bits": c.vector_bits,
        "vector_bands": c.vector_bands,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _blob(array: np.ndarray) -> bytes:
    return np.ascontiguousarray(array).tobytes()


def _mark(timings: dict[str, float] | None, stage: str, since: float) -> float:
    now = time.perf_counter()
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + now - since
    return now


# --- the store ------------------------------------------------------------------------------------------------


class Store:
    """A collection in one SQLite file. Safe to share between threads: each thread gets its own connection.

    ``models`` are loaded on first need, so that reading pages and listings never loads the encoder.
    """

    def __init__(
        self,
        path: str | Path,
        settings: Settings | None = None,
        models: Models | None = None,
        create: bool = True,
        timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.settings = settings or Settings.load()
        self._models = models
        self._timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._index: _Index | None = None
        self._connections: list[sqlite3.Connection] = []
        check_file(self.path, create)
        existing = self.path.is_file() and self.path.stat().st_size > 0
        db = self._db()
        if existing:  # before anything reads or writes it: a damaged file is refused whole
            quick_check(db, self.path)
        self._migrate(db)

    # connections and transactions

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            return db
        try:
            db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open or create {self.path} ({exc}); check that its folder exists") from exc
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(f"{self.path} is not a sourcetrace store (SQLite says: {exc})") from exc
        if str(mode).lower() != "wal":
            db.close()
            raise StoreError(f"{self.path}: cannot switch the database to WAL mode (got {mode!r})")
        self._local.db = db
        with self._lock:
            self._connections.append(db)
        return db

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One consistent snapshot for several queries."""
        db = self._db()
        if db.in_transaction:  # inside a write, or another read
            yield db
            return
        db.execute("BEGIN")
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            _raise_if_damaged(self.path, exc)
            raise
        finally:
            db.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; other writers wait (up to the busy timeout) until it commits or rolls back."""
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path} is busy: another writer held it over {self._timeout:.0f} s ({exc})") from exc
        try:
            yield db
        except BaseException as exc:
            db.execute("ROLLBACK")
            self._index = None
            if isinstance(exc, sqlite3.DatabaseError):
                _raise_if_damaged(self.path, exc)
            raise
        db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a sourcetrace store (SQLite says: {exc})") from exc
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema {version}, newer than this sourcetrace understands "
                f"({SCHEMA_VERSION}); upgrade sourcetrace"
            )
        if version == SCHEMA_VERSION:
            return
        if version == 0 and tables:
            raise StoreError(f"{self.path} is an SQLite database but not a sourcetrace store")
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
            for target, statements in MIGRATIONS:
                if target > version:
                    for statement in statements:
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {target}")
            if version == 0:
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("generation", 0), ("stories_generation", 0), ("static_count", 0), ("created", _now())],
                )

    @property
    def schema_version(self) -> int:
        return int(self._db().execute("PRAGMA user_version").fetchone()[0])

    @property
    def models(self) -> Models:
        if self._models is None:
            with self._lock:
                if self._models is None:
                    self._models = Models.load(self.settings)
        return self._models

    # meta

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str, default: Any = None) -> Any:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _check_compatible(self, db: sqlite3.Connection, write: bool) -> None:
        """Refuse to mix vectors of other encoder files, or band keys of other candidate settings."""
        for name, wanted in (("encoder", encoder_identity(self.settings)), ("index", index_settings(self.settings))):
            stored = self._meta(db, name)
            if stored is None:
                if write:
                    self._set_meta(db, name, json.dumps(wanted, sort_keys=True))
                continue
            if json.loads(stored) != wanted:
                what = "sentence encoder" if name == "encoder" else "candidate settings (shingles, permutations, bands)"
                raise StoreError(
                    f"{self.path} was built with a different {what}: stored {stored}, "
                    f"now {json.dumps(wanted, sort_keys=True)}; use the same ones, or build a new store"
                )

    def generation(self) -> int:
        """Bumped by every committed change of articles or pairs."""
        return int(self._meta(self._db(), "generation", 0))

    def _running_mean(self, db: sqlite3.Connection) -> np.ndarray | None:
        """The mean of every static sentence vector stored so far (old versions included), or None when empty."""
        blob, count = self._meta(db, "static_sum"), int(self._meta(db, "static_count", 0))
        return None if blob is None or not count else np.frombuffer(blob, dtype=np.float64) / count

    # --- reading ------------------------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM articles WHERE current = 1").fetchone()[0])

    def count_pairs(self, article: str | None = None, relation: str | None = None) -> int:
        sql, args = _pair_filter(article, relation)
        return int(self._db().execute(f"SELECT count(*) {sql}", args).fetchone()[0])

    def articles(self, offset: int = 0, limit: int = 50, order: str = "id") -> list[ArticleInfo]:
        """Current articles, by id (``order`` "id"), newest first ("date"), by title or by outlet."""
        rows = (
            self._db()
            .execute(
                f"SELECT {_INFO_COLUMNS} FROM articles a WHERE a.current = 1 ORDER BY {_ARTICLE_ORDER[order]} "
                "LIMIT ? OFFSET ?",
                (limit, offset),
            )
            .fetchall()
        )
        return [_info(r) for r in rows]

    def versions(self, article_id: str) -> list[ArticleInfo]:
        """Every stored version of an article, oldest first."""
        rows = (
            self._db()
            .execute(f"SELECT {_INFO_COLUMNS} FROM articles a WHERE a.id = ? ORDER BY a.version", (article_id,))
            .fetchall()
        )
        return [_info(r) for r in rows]

    def article(self, article_id: str, version: int | None = None) -> Article | None:
        """An article with its cleaned text and sentences (the current version unless ``version`` is given)."""
        with self._read() as db:
            if version is None:
                row = db.execute("SELECT key FROM articles WHERE id = ? AND current = 1", (article_id,)).fetchone()
            else:
                row = db.execute(
                    "SELECT key FROM articles WHERE id = ? AND version = ?", (article_id, version)
                ).fetchone()
            return None if row is None else self._load_articles(db, [row[0]])[row[0]]

    @staticmethod
    def _current_key(db: sqlite3.Connection, article_id: str) -> int | None:
        row = db.execute("SELECT key FROM articles WHERE id = ? AND current = 1", (article_id,)).fetchone()
        return None if row is None else int(row[0])

    def pairs(
        self,
        offset: int = 0,
        limit: int | None = 50,
        article: str | None = None,
        relation: str | None = None,
        details: bool = True,
        order: str = "id",
    ) -> list[Pair]:
        """Pairs between current articles, ordered by the ids of their two articles (``order`` "id"), strongest
        first ("strength") or newest first ("date").

        ``details=False`` leaves passages and divergences out (for listings).
        """
        sql, args = _pair_filter(article, relation)
        by = _PAIR_ORDER[order]
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_PAIR_COLUMNS} {sql} ORDER BY {by} LIMIT ? OFFSET ?",
                [*args, -1 if limit is None else limit, offset],
            ).fetchall()
            return self._pairs_from_rows(db, rows, details)

    def pair(self, a: str, b: str) -> Pair | None:
        """The stored pair of two current articles, in its stored orientation, or None."""
        with self._read() as db:
            ka, kb = self._current_key(db, a), self._current_key(db, b)
            if ka is None or kb is None:
                return None
            rows = db.execute(
                f"SELECT {_PAIR_COLUMNS} FROM pairs p JOIN articles x ON x.key = p.a JOIN articles y ON y.key = p.b "
                "WHERE (p.a = ? AND p.b = ?) OR (p.a = ? AND p.b = ?)",
                (ka, kb, kb, ka),
            ).fetchall()
            found = self._pairs_from_rows(db, rows, True)
        return found[0] if found else None

    @staticmethod
    def _pairs_from_rows(db: sqlite3.Connection, rows: Sequence[Any], details: bool) -> list[Pair]:
        out = []
        for ka, kb, ida, idb, relation, score, cov_a, cov_b, source, reasons in rows:
            passages: list[Passage] = []
            divergences: list[Divergence] = []
            if details:
                for a0, a1, b0, b1, links in db.execute(
                    "SELECT a_start, a_end, b_start, b_end, links FROM passages WHERE a = ? AND b = ? ORDER BY idx",
                    (ka, kb),
                ):
                    links = tuple(SentenceLink(i, j, s, bool(v)) for i, j, s, v in json.loads(links))
                    passages.append(Passage((a0, a1), (b0, b1), links))
                for kind, change, sa, sb, a0, a1, b0, b1, ta, tb in db.execute(
                    "SELECT kind, change, a_sentence, b_sentence, a_start, a_end, b_start, b_end, a_text, b_text "
                    "FROM divergences WHERE a = ? AND b = ? ORDER BY idx",
                    (ka, kb),
                ):
                    a_span = None if a0 is None else (a0, a1)
                    b_span = None if b0 is None else (b0, b1)
                    divergences.append(Divergence(kind, change, sa, sb, a_span, b_span, ta, tb))
            out.append(
                Pair(
                    a=ida,
                    b=idb,
                    relation=relation,
                    score=score,
                    coverage_a=cov_a,
                    coverage_b=cov_b,
                    passages=passages,
                    divergences=divergences,
                    source=None if source is None else (ida if source == ka else idb),
                    source_reasons=json.loads(reasons),
                )
            )
        return out

    def pairs_among(self, ids: Sequence[str]) -> list[Pair]:
        """Pairs whose two articles are both among the current ``ids`` (without passages and divergences)."""
        wanted = set(ids)
        with self._read() as db:
            keys: list[int] = []
            for chunk in _chunks(sorted(wanted), _IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                keys += [
                    r[0] for r in db.execute(f"SELECT key FROM articles WHERE current = 1 AND id IN ({marks})", chunk)
                ]
            rows = []
            for chunk in _chunks(keys, _IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                rows += db.execute(
                    f"SELECT {_PAIR_COLUMNS} FROM pairs p JOIN articles x ON x.key = p.a "
                    f"JOIN articles y ON y.key = p.b WHERE y.current = 1 AND p.a IN ({marks})",
                    chunk,
                ).fetchall()
            found = self._pairs_from_rows(db, [r for r in rows if r[3] in wanted], False)
        return sorted(found, key=lambda p: (p.a, p.b))

    def titles(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Titles of current articles by id."""
        out: dict[str, str | None] = {}
        with self._read() as db:
            for chunk in _chunks(sorted(set(ids)), _IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                out.update(db.execute(f"SELECT id, title FROM articles WHERE current = 1 AND id IN ({marks})", chunk))
        return out

    def names(self, ids: Sequence[str]) -> dict[str, Name]:
        """Title, date and outlet of current articles by id: what a reader sees in place of an id."""
        out: dict[str, Name] = {}
        with self._read() as db:
            for chunk in _chunks(sorted(set(ids)), _IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT id, title, date, outlet FROM articles WHERE current = 1 AND id IN ({marks})"
                out.update((row[0], Name(*row)) for row in db.execute(sql, chunk))
        return out

    def relation_counts(self) -> dict[str, int]:
        """Pairs between current articles, by relation."""
        sql, args = _pair_filter(None, None)
        return dict(self._db().execute(f"SELECT p.relation, count(*) {sql} GROUP BY p.relation", args).fetchall())

    def stories(self, offset: int = 0, limit: int | None = 50, min_articles: int = 1) -> list[Story]:
        """Stories of the current articles, largest first (ids are positions: they change when stories are redone)."""
        with self._read() as db:
            rows = db.execute(
                "SELECT s.id, s.label, group_concat(a.id, char(31)) FROM stories s "
                "JOIN story_articles m ON m.story = s.id JOIN articles a ON a.key = m.article "
                "GROUP BY s.position HAVING count(*) >= ? ORDER BY s.position LIMIT ? OFFSET ?",
                (min_articles, -1 if limit is None else limit, offset),
            ).fetchall()
        return [Story(sid, tuple(sorted(ids.split("\x1f"))), label) for sid, label, ids in rows]

    def count_stories(self, min_articles: int = 1) -> int:
        sql = "SELECT count(*) FROM (SELECT story FROM story_articles GROUP BY story HAVING count(*) >= ?)"
        return int(self._db().execute(sql, (min_articles,)).fetchone()[0])

    def story(self, story_id: str) -> Story | None:
        with self._read() as db:
            row = db.execute("SELECT label FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                return None
            ids = db.execute(
                "SELECT a.id FROM story_articles m JOIN articles a ON a.key = m.article "
                "WHERE m.story = ? ORDER BY a.id",
                (story_id,),
            ).fetchall()
        return Story(story_id, tuple(r[0] for r in ids), row[0])

    def story_of(self, article_id: str) -> Story | None:
        """The story of a current article (None before the stories were worked out)."""
        row = (
            self._db()
            .execute(
                "SELECT m.story FROM story_articles m JOIN articles a ON a.key = m.article "
                "WHERE a.id = ? AND a.current = 1",
                (article_id,),
            )
            .fetchone()
        )
        return None if row is None else self.story(row[0])

    def stories_stale(self) -> bool:
        """True when articles changed since the stories were last worked out (e.g. an add was interrupted)."""
        with self._read() as db:
            return int(self._meta(db, "generation", 0)) != int(self._meta(db, "stories_generation", 0))

    def collection(self) -> ScanResult:
        """Every current article (with sentences), pair and story, as one result (for reports)."""
        with self._read() as db:
            keys = [r[0] for r in db.execute("SELECT key FROM articles WHERE current = 1 ORDER BY id")]
            loaded = self._load_articles(db, keys)
            return ScanResult(
                articles=[loaded[k] for k in keys],
                pairs=self.pairs(limit=None),
                stories=self.stories(limit=None),
                errors=[],
            )

    @staticmethod
    def _load_articles(db: sqlite3.Connection, keys: Sequence[int]) -> dict[int, Article]:
        """Articles by key, with their sentences."""
        out: dict[int, Article] = {}
        for chunk in _chunks(list(keys), _IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            for key, ident, path, title, date, outlet, url, text, removed in db.execute(
                f"SELECT key, id, path, title, date, outlet, url, text, removed FROM articles WHERE key IN ({marks})",
                chunk,
            ):
                out[key] = Article(
                    id=ident,
                    path=path,
                    text=text,
                    title=title,
                    date=date,
                    outlet=outlet,
                    url=url,
                    removed=[Removal(t, r) for t, r in json.loads(removed)],
                )
            for key, idx, start, end, quote, spans, speaker in db.execute(
                "SELECT article, idx, start, end, quote, quote_spans, speaker FROM sentences "
                f"WHERE article IN ({marks}) ORDER BY article, idx",
                chunk,
            ):
                quoted = tuple((int(s), int(e)) for s, e in json.loads(spans)) if spans != "[]" else ()
                text = out[key].text
                out[key].sentences.append(Sentence(idx, start, end, text, bool(quote), quoted, speaker))
        return out

    # --- the shortlist ------------------------------------------------------------------------------------------

    def _current_index(self, db: sqlite3.Connection) -> _Index:
        """The in-memory mean static vectors for the snapshot ``db`` reads (reloaded when another writer changed it)."""
        generation = int(self._meta(db, "generation", 0))
        index = self._index
        if index is not None and index.generation == generation:
            return index
        keys, means = [], []
        for key, blob in db.execute(
            "SELECT a.key, v.static_mean FROM articles a JOIN vectors v ON v.article = a.key WHERE a.current = 1"
        ):
            keys.append(key)
            means.append(np.frombuffer(blob, dtype=np.float32))
        dim = len(means[0]) if means else 1
        index = _Index(generation, np.array(keys, dtype=np.int64), np.stack(means) if means else np.zeros((0, dim)))
        self._index = index
        return index

    def _shortlist(
        self, db: sqlite3.Connection, items: Sequence[_New], mean: np.ndarray, leave_out: set[int]
    ) -> list[int]:
        """Stored articles that could make a candidate pair with one of ``items``: a superset for find_candidates.

        1. MinHash band keys and sentence band keys, probed in the index tables (a bucket holding more than
           ``max_bucket`` stored articles is boilerplate-like and skipped, as candidate search skips it);
        2. each item's NEAREST x ``neighbours`` nearest stored articles by document vector.
        """
        c = self.settings.candidates
        found: set[int] = set()
        # 1.
        for table, keys in (
            ("minhash", {int(k) for p in items for k in p.minhash}),
            ("simhash", {int(k) for p in items for k in p.simhash}),
        ):
            for key in keys:
                rows = db.execute(
                    f"SELECT article FROM {table} WHERE key = ? LIMIT ?", (key, c.max_bucket + 1)
                ).fetchall()
                if len(rows) <= c.max_bucket:
                    found.update(r[0] for r in rows)
        # 2.
        index = self._current_index(db)
        for p in items:
            found.update(index.nearest(p.mean, mean, NEAREST * c.neighbours, leave_out))
        return sorted(found - leave_out)

    def _relate(
        self, db: sqlite3.Connection, items: Sequence[_New], shortlist: Sequence[int], checking: bool
    ) -> tuple[list[Pair], dict[str, Article]]:
        """Candidates among the items and the shortlisted stored articles, and their related pairs (stages 4-8).

        Articles are in id order, so that a pair's ``a`` is the id that sorts first, as in a scan; when
        ``checking``, the checked article comes first and is the ``a`` of every pair, as in ``compare``.
        """
        settings, models = self.settings, self.models
        stored = self._load_articles(db, shortlist)
        features: dict[int, tuple[bytes, bytes]] = {}
        for chunk in _chunks(list(shortlist), _IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            for key, static, signature in db.execute(
                f"SELECT article, static, signature FROM vectors WHERE article IN ({marks})", chunk
            ):
                features[key] = (static, signature)
        entries: list[tuple[Article, np.ndarray, np.ndarray, int | None]] = [
            (p.article, p.static, p.signature, None) for p in items
        ]
        for key in shortlist:
            static, signature = features[key]
            rows = np.frombuffer(static, dtype=np.float16).reshape(len(stored[key].sentences), -1)
            entries.append((stored[key], rows.astype(np.float32), np.frombuffer(signature, dtype=np.uint64), key))
        if not checking:
            entries.sort(key=lambda e: e[0].id)
        articles = [e[0] for e in entries]
        mean = mean_vector([e[1] for e in entries])
        vectors = [centre(e[1], mean) for e in entries]
        quotations = [np.array([bool(s.quote_spans) for s in a.sentences], dtype=bool) for a in articles]
        new = [e[3] is None for e in entries]
        candidates = [
            c
            for c in find_candidates(np.stack([e[2] for e in entries]), vectors, settings.candidates, quotations)
            if new[c.a] or new[c.b]
        ]
        # the transformer answers from stored vectors for stored sentences, and from the items' own when added
        known: dict[str, np.ndarray] = {}
        needed = sorted({e[3] for c in candidates for e in (entries[c.a], entries[c.b]) if e[3] is not None})
        dim = models.sentence.dim
        for chunk in _chunks(needed, _IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            for key, blob in db.execute(f"SELECT article, embeddings FROM vectors WHERE article IN ({marks})", chunk):
                embedded = np.frombuffer(blob, dtype=np.float32).reshape(-1, dim)
                known.update((s.text, embedded[s.index]) for s in stored[key].sentences)
        for p in items:
            if p.embeddings is not None:
                known.update((s.text, p.embeddings[s.index]) for s in p.article.sentences)
        encoder = _KnownVectors(models.sentence, known)
        pairs = list(related_pairs(articles, vectors, candidates, encoder, settings, False, None))
        return pairs, {a.id: a for a in articles}

    # --- adding -------------------------------------------------------------------------------------------------

    def add_paths(
        self, paths: Sequence[str | Path], progress: Progress | None = None, stories: bool = True
    ) -> AddResult:
        """Read the files under ``paths`` and add their articles (see :meth:`add`)."""
        raw, errors = read_articles(paths, self.settings.ingest)
        result = self.add(raw, progress, stories)
        result.errors[:0] = errors
        return result

    def add(self, articles: Sequence[Article], progress: Progress | None = None, stories: bool = True) -> AddResult:
        """Add raw articles (as read, before cleaning): compare them with the collection and with each other.

        An article stored with the same id, text and metadata is left alone; one whose id is stored with other
        content becomes a new version, compared with the others but never with its own earlier version. Articles
        are stored in chunks, each in one transaction with its pairs: an interrupted add leaves whole articles or
        none, and running it again finishes the job. Stories are worked out again at the end unless ``stories`` is
        False (the caller then calls :meth:`update_stories` when it suits it).
        """
        result = AddResult()
        unique: dict[str, Article] = {}
        for article in articles:
            if article.id in unique:
                reason = f"duplicate id {article.id!r} in one add: the first is kept; give each article its own id"
                result.errors.append(FileError(article.path, reason))
            else:
                unique[article.id] = article
        with self._read() as db:
            self._check_compatible(db, write=False)
            stored = self._current_digests(db, list(unique))
        digests = {ident: digest(a) for ident, a in unique.items()}
        result.unchanged = [ident for ident in unique if stored.get(ident) == digests[ident]]
        todo = [a for ident, a in unique.items() if stored.get(ident) != digests[ident]]
        if todo:
            features = featurise(todo, self.settings, progress=progress)
            result.errors.extend(features.errors)
            total = len(features.articles)
            for start in range(0, total, CHUNK):
                end = min(start + CHUNK, total)
                items = [
                    _New(a, digests[a.id], features.static[k].astype(np.float32), features.signatures[k], None)
                    for k, a in zip(range(start, end), features.articles[start:end], strict=True)
                ]
                self._add_chunk(items, result)
                if progress:
                    progress("store", end, total)
        if stories and (todo or self.stories_stale()):
            self.update_stories()
        result.total = self.count()
        return result

    @staticmethod
    def _current_digests(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids), _IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT id, digest FROM articles WHERE current = 1 AND id IN ({marks})", chunk))
        return out

    def _add_chunk(self, items: list[_New], result: AddResult) -> None:
        # 2. everything that does not depend on the store happens before taking the write lock
        encoder = _KnownVectors(self.models.sentence)
        for p in items:
            p.embeddings = encoder.encode([s.text for s in p.article.sentences])
            p.minhash = signature_keys(p.signature, self.settings.candidates.minhash_bands)
        with self._write() as db:
            self._check_compatible(db, write=True)
            # another writer may have stored some of these meanwhile
            stored = self._current_digests(db, [p.article.id for p in items])
            result.unchanged += [p.article.id for p in items if stored.get(p.article.id) == p.digest]
            items = [p for p in items if stored.get(p.article.id) != p.digest]
            if not items:
                return
            generation = int(self._meta(db, "generation", 0))
            index = self._current_index(db)
            retired = self._retire(db, [p.article.id for p in items if p.article.id in stored])
            mean = self._grow_mean(db, [p.static for p in items])
            for p in items:
                p.simhash = self._sentence_keys(p.static, mean)
            # 3.-5.
            shortlist = self._shortlist(db, items, mean, set(retired.values()))
            pairs, _ = self._relate(db, items, shortlist, checking=False)
            # 6.
            now = _now()
            keys = {ident: key for ident, key in self._current_keys(db, pairs).items()}
            for p in items:
                keys[p.article.id] = self._insert_article(db, p, now)
            for pair in pairs:
                self._insert_pair(db, pair, keys[pair.a], keys[pair.b])
            self._set_meta(db, "generation", generation + 1)
        if index.generation == generation:  # nobody else wrote in between: the in-memory index grows in place
            self._index = index.grown(
                generation + 1, [keys[p.article.id] for p in items], [p.mean for p in items], set(retired.values())
            )
        for p in items:
            (result.updated if p.article.id in retired else result.added).append(p.article.id)
        result.pairs.extend(pairs)

    @staticmethod
    def _current_keys(db: sqlite3.Connection, pairs: Sequence[Pair]) -> dict[str, int]:
        ids = sorted({i for p in pairs for i in (p.a, p.b)})
        out: dict[str, int] = {}
        for chunk in _chunks(ids, _IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT id, key FROM articles WHERE current = 1 AND id IN ({marks})", chunk))
        return out

    def _grow_mean(self, db: sqlite3.Connection, static: Sequence[np.ndarray]) -> np.ndarray:
        """Add the new sentences' static vectors to the running sum and return the new mean."""
        blob = self._meta(db, "static_sum")
        total = np.frombuffer(blob, dtype=np.float64).copy() if blob is not None else 0.0
        count = int(self._meta(db, "static_count", 0))
        for v in static:
            total = total + v.sum(axis=0, dtype=np.float64)
            count += len(v)
        self._set_meta(db, "static_sum", _blob(np.asarray(total, dtype=np.float64)))
        self._set_meta(db, "static_count", count)
        return np.asarray(total, dtype=np.float64) / max(count, 1)

    def _sentence_keys(self, static: np.ndarray, mean: np.ndarray) -> np.ndarray:
        c = self.settings.candidates
        return sentence_keys(_unit(static - mean.astype(np.float32)), c.vector_bits, c.vector_bands)

    def _retire(self, db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
        """Retire the current versions of ``ids``: they keep their text and pairs but leave the index."""
        retired = {}
        for ident in ids:
            key = self._current_key(db, ident)
            if key is None:
                continue
            retired[ident] = key
            db.execute("UPDATE articles SET current = 0 WHERE key = ?", (key,))
            row = db.execute("SELECT minhash_keys, simhash_keys FROM vectors WHERE article = ?", (key,)).fetchone()
            if row is not None:
                for table, blob in zip(("minhash", "simhash"), row, strict=True):
                    db.executemany(
                        f"DELETE FROM {table} WHERE key = ? AND article = ?",
                        [(int(k), key) for k in np.frombuffer(blob, dtype=np.int64)],
                    )
            db.execute("DELETE FROM vectors WHERE article = ?", (key,))
            db.execute("DELETE FROM story_articles WHERE article = ?", (key,))
        return retired

    @staticmethod
    def _insert_article(db: sqlite3.Connection, p: _New, now: str) -> int:
        a = p.article
        version = db.execute("SELECT coalesce(max(version), 0) + 1 FROM articles WHERE id = ?", (a.id,)).fetchone()[0]
        removed = json.dumps([[r.text, r.reason] for r in a.removed], ensure_ascii=False)
        cursor = db.execute(
            "INSERT INTO articles (id, version, current, digest, path, title, date, outlet, url, text, removed, added) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.id, version, p.digest, a.path, a.title, a.date, a.outlet, a.url, a.text, removed, now),
        )
        key = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO sentences (article, idx, start, end, quote, quote_spans, speaker) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (key, s.index, s.start, s.end, int(s.quote), json.dumps([list(q) for q in s.quote_spans]), s.speaker)
                for s in a.sentences
            ],
        )
        assert p.embeddings is not None
        db.execute(
            "INSERT INTO vectors (article, embeddings, static, signature, static_mean, minhash_keys, simhash_keys) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                _blob(p.embeddings.astype(np.float32)),
                _blob(p.static.astype(np.float16)),
                _blob(p.signature.astype(np.uint64)),
                _blob(p.mean),
                _blob(p.minhash),
                _blob(p.simhash),
            ),
        )
        db.executemany("INSERT OR IGNORE INTO minhash (key, article) VALUES (?, ?)", [(int(k), key) for k in p.minhash])
        db.executemany("INSERT OR IGNORE INTO simhash (key, article) VALUES (?, ?)", [(int(k), key) for k in p.simhash])
        return key

    @staticmethod
    def _insert_pair(db: sqlite3.Connection, pair: Pair, ka: int, kb: int) -> None:
        source = None if pair.source is None else (ka if pair.source == pair.a else kb)
        db.execute(
            "INSERT OR REPLACE INTO pairs (a, b, relation, score, coverage_a, coverage_b, source, reasons) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ka,
                kb,
                pair.relation,
                pair.score,
                pair.coverage_a,
                pair.coverage_b,
                source,
                json.dumps(pair.source_reasons, ensure_ascii=False),
            ),
        )
        db.executemany(
            "INSERT INTO passages (a, b, idx, a_start, a_end, b_start, b_end, links) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    ka,
                    kb,
                    n,
                    *p.a_span,
                    *p.b_span,
                    json.dumps([[k.a, k.b, k.score, k.verbatim] for k in p.links]),
                )
                for n, p in enumerate(pair.passages)
            ],
        )
        db.executemany(
            "INSERT INTO divergences (a, b, idx, kind, change, a_sentence, b_sentence, a_start, a_end, b_start, b_end, "
            "a_text, b_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    ka,
                    kb,
                    n,
                    d.kind,
                    d.change,
                    d.a_sentence,
                    d.b_sentence,
                    *(d.a_span or (None, None)),
                    *(d.b_span or (None, None)),
                    d.a_text,
                    d.b_text,
                )
                for n, d in enumerate(pair.divergences)
            ],
        )

    # --- stories ------------------------------------------------------------------------------------------------

    def update_stories(self) -> list[Story]:
        """Work out the stories of the current articles again (stage 9 over the whole collection)."""
        with self._read() as db:
            generation = int(self._meta(db, "generation", 0))
            keys = [r[0] for r in db.execute("SELECT key FROM articles WHERE current = 1 ORDER BY id")]
            loaded = self._load_articles(db, keys)
            articles = [loaded[k] for k in keys]
            pairs = self.pairs(limit=None, details=False)
        stories = cluster_stories(articles, pairs, self.settings.stories)
        key_of = {a.id: k for k, a in zip(keys, articles, strict=True)}
        with self._write() as db:
            if int(self._meta(db, "generation", 0)) != generation:
                return stories  # a concurrent writer changed the articles; its own update follows
            db.execute("DELETE FROM story_articles")
            db.execute("DELETE FROM stories")
            db.executemany(
                "INSERT INTO stories (position, id, label) VALUES (?, ?, ?)",
                [(n, s.id, s.label) for n, s in enumerate(stories)],
            )
            db.executemany(
                "INSERT INTO story_articles (story, article) VALUES (?, ?)",
                [(s.id, key_of[a]) for s in stories for a in s.articles],
            )
            self._set_meta(db, "stories_generation", generation)
        return stories

    # --- checking -----------------------------------------------------------------------------------------------

    def check_paths(self, paths: Sequence[str | Path]) -> ScanResult:
        """Read the articles under ``paths`` and check each against the collection (see :meth:`check`)."""
        raw, errors = read_articles(paths, self.settings.ingest)
        result = self.check(raw)
        result.errors[:0] = errors
        return result

    def check(
        self, articles: Sequence[Article], timings: dict[str, float] | None = None, max_sentences: int | None = None
    ) -> ScanResult:
        """Reuse of each raw article against the collection, without storing anything.

        Each pair has the checked article as ``a``, as ``compare CHECKED STORED`` gives it. A stored article with
        the checked article's id is left out (it would be the same article). The result lists the checked
        articles, then the stored articles they share material with, and the stories those belong to.
        ``timings`` collects the seconds spent in each step. An article of more than ``max_sentences`` sentences
        raises InputError before anything is aligned (a bound for services).
        """
        clock = time.perf_counter()
        features = featurise(articles, self.settings, workers=1)
        clock = _mark(timings, "prepare", clock)
        for article in features.articles:
            if max_sentences is not None and len(article.sentences) > max_sentences:
                raise InputError(
                    article.path,
                    f"has {len(article.sentences):,} sentences, over the limit of {max_sentences:,} for a check; "
                    "check a shorter text",
                )
        out = ScanResult(articles=[], pairs=[], stories=[], errors=list(features.errors))
        matched: dict[str, Article] = {}
        c = self.settings.candidates
        for k, article in enumerate(features.articles):
            item = _New(article, "", features.static[k].astype(np.float32), features.signatures[k], None)
            item.minhash = signature_keys(item.signature, c.minhash_bands)
            with self._read() as db:
                self._check_compatible(db, write=False)
                mean = self._running_mean(db)
                if mean is None:  # an empty store
                    out.articles.append(article)
                    continue
                item.simhash = self._sentence_keys(item.static, mean)
                same = self._current_key(db, article.id)
                shortlist = self._shortlist(db, [item], mean, set() if same is None else {same})
                clock = _mark(timings, "shortlist", clock)
                pairs, by_id = self._relate(db, [item], shortlist, checking=True)
                clock = _mark(timings, "candidates and align", clock)
            out.articles.append(article)
            for pair in sorted(pairs, key=lambda p: (-p.score, p.b)):
                out.pairs.append(pair)
                matched.setdefault(pair.b, by_id[pair.b])
        out.articles.extend(matched[k] for k in sorted(matched))
        stories = {s.id: s for s in (self.story_of(ident) for ident in sorted(matched)) if s is not None}
        out.stories = list(stories.values())
        return out


def _raise_if_damaged(path: Path, exc: sqlite3.DatabaseError) -> None:
    """Damage found after the store was opened (the quick check does not see everything) as the same refusal."""
    if type(exc) is sqlite3.DatabaseError:  # not a busy, constraint or programming error: the file itself
        raise DamagedStoreError(damaged_message(path, [str(exc)])) from exc


def _pair_filter(article: str | None, relation: str | None) -> tuple[str, list[Any]]:
    sql = (
        "FROM pairs p JOIN articles x ON x.key = p.a JOIN articles y ON y.key = p.b "
        "WHERE x.current = 1 AND y.current = 1"
    )
    args: list[Any] = []
    if article is not None:
        sql += " AND (x.id = ? OR y.id = ?)"
        args += [article, article]
    if relation is not None:
        sql += " AND p.relation = ?"
        args.append(relation)
    return sql, args


_ARTICLE_ORDER = {
    "id": "a.id",
    "date": "a.date IS NULL, a.date DESC, a.id",
    "title": "a.title IS NULL, a.title COLLATE NOCASE, a.id",
    "outlet": "a.outlet IS NULL, a.outlet COLLATE NOCASE, a.date DESC, a.id",
}
_PAIR_ORDER = {
    "id": "x.id, y.id",
    "strength": "p.score DESC, x.id, y.id",
    "date": "max(coalesce(x.date, ''), coalesce(y.date, '')) DESC, p.score DESC, x.id, y.id",
}
_PAIR_COLUMNS = "p.a, p.b, x.id, y.id, p.relation, p.score, p.coverage_a, p.coverage_b, p.source, p.reasons"
_INFO_COLUMNS = (
    "a.id, a.version, a.current, a.title, a.date, a.outlet, a.url, a.path, a.added, "
    "(SELECT count(*) FROM sentences s WHERE s.article = a.key)"
)


def _info(row: Sequence[Any]) -> ArticleInfo:
    ident, version, current, title, date, outlet, url, path, added, sentences = row
    return ArticleInfo(ident, version, bool(current), title, date, outlet, url, path, added, sentences)
