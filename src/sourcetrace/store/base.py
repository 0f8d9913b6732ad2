"""The store's file, connections, transactions, schema version and metadata."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import numpy as np

from ..errors import DamagedStoreError, OtherStoreError, StoreError
from ..integrity import check_file, damaged_message, quick_check
from ..pipeline import Models
from ..settings import Settings
from . import schema
from .index import Index, encoder_identity, index_settings, scoring_identity, stored_runs

BUSY_TIMEOUT = 600.0  # seconds a writer waits for another writer's transaction
IN_LIMIT = 500  # ids per "IN (...)" query


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_blob(array: np.ndarray) -> bytes:
    return np.ascontiguousarray(array).tobytes()


def mark(timings: dict[str, float] | None, stage: str, since: float) -> float:
    now = time.perf_counter()
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + now - since
    return now


def _raise_if_damaged(path: Path, exc: sqlite3.DatabaseError) -> None:
    """Damage found after the store was opened (the quick check does not see everything) as the same refusal."""
    if type(exc) is sqlite3.DatabaseError:  # not a busy, constraint or programming error: the file itself
        raise DamagedStoreError(damaged_message(path, [str(exc)])) from exc


class StoreBase:
    """The SQLite file of a store: connections (one per thread), transactions, schema and metadata."""

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
        self._index: Index | None = None
        self._connections: list[sqlite3.Connection] = []
        check_file(self.path, create)
        existing = self.path.is_file() and self.path.stat().st_size > 0
        db = self._db()
        if existing:  # before anything reads or writes it: a damaged file is refused whole
            quick_check(db, self.path)
        self._migrate(db)

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

    def __enter__(self) -> Self:
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
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema {version}, newer than this sourcetrace understands "
                f"({schema.SCHEMA_VERSION}); upgrade sourcetrace"
            )
        if version == schema.SCHEMA_VERSION:
            return
        if version == 0 and tables:
            raise StoreError(f"{self.path} is an SQLite database but not a sourcetrace store")
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
            for target, statements in schema.MIGRATIONS:
                if target > version:
                    for statement in statements:
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {target}")
            if 0 < version < schema.RUNS:
                self._find_runs(db)
            if version == 0:
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("generation", 0), ("stories_generation", 0), ("static_count", 0), ("created", utc_now())],
                )

    @staticmethod
    def _find_runs(db: sqlite3.Connection, batch: int = 1000) -> None:
        """The fingerprints of the long runs of the articles stored before they were kept (schema 5), from their
        texts: read a batch of articles at a time (not the whole store), each batch's rows inserted in key order."""
        last = 0
        while True:
            found = db.execute(
                "SELECT key, text FROM articles WHERE current = 1 AND key > ? ORDER BY key LIMIT ?", (last, batch)
            ).fetchall()
            if not found:
                return
            rows = []
            for key, text in found:
                runs = stored_runs(text)
                db.execute("UPDATE vectors SET run_keys = ? WHERE article = ?", (to_blob(runs), key))
                rows += [(int(k), key) for k in runs]
            db.executemany("INSERT OR IGNORE INTO runs (key, article) VALUES (?, ?)", sorted(rows))
            last = found[-1][0]

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

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str, default: Any = None) -> Any:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _check_compatible(self, db: sqlite3.Connection, write: bool, adding: bool = False) -> None:
        """Refuse to mix vectors of other encoder files, band keys of other candidate settings, or (when ``adding``,
        and always when ``write``) pairs scored by other code or settings: a store made before scoring was recorded
        holds pairs scored by an earlier version."""
        wanted_now = {"encoder": encoder_identity(self.settings), "index": index_settings(self.settings)}
        if write or adding:
            wanted_now["scoring"] = scoring_identity(self.settings)
        for name, wanted in wanted_now.items():
            stored = self._meta(db, name)
            if stored is None and name == "scoring" and db.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
                stored = json.dumps({"version": 1})  # stores of the versions before scoring was recorded
            if stored is None:
                if write:
                    self._set_meta(db, name, json.dumps(wanted, sort_keys=True))
                continue
            if json.loads(stored) == wanted:
                continue
            if name == "scoring":
                raise OtherStoreError(f"{self.path} {_scored_otherwise(json.loads(stored), wanted)}")
            what = "sentence encoder" if name == "encoder" else "candidate settings (shingles, permutations, bands)"
            raise OtherStoreError(
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


def _scored_otherwise(stored: dict[str, Any], wanted: dict[str, Any]) -> str:
    """Why a store's pairs do not compare with new ones, and the way out."""
    rebuild = (
        "build a new store from its articles, scored anew, with `sourcetrace index rebuild --db STORE --to NEW.db` "
        "(export its reviews first with `sourcetrace index reviews`: a rebuild does not carry them)"
    )
    if stored.get("version") != wanted["version"]:
        return (
            f"holds pairs scored by an earlier version of sourcetrace (scoring {stored.get('version')}, now "
            f"{wanted['version']}): their strengths and relations would not compare with new ones; {rebuild}"
        )
    changed = [
        f"{group}.{key} {stored.get(group, {}).get(key)} -> {value}"
        for group in ("align", "classify")
        for key, value in wanted[group].items()
        if stored.get(group, {}).get(key) != value
    ]
    return (
        f"holds pairs scored with other settings ({', '.join(changed)}): add with the settings it was made with, "
        f"or {rebuild}"
    )
