"""Adding articles to a store: new versions, their pairs, and the stories worked out again."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..pipeline import Progress, featurise
from ..records import Article, FileError, Pair
from ..stages.ingest import read_articles
from .base import IN_LIMIT, chunks, to_blob, utc_now
from .index import KnownVectors, New, as_stored, digest, signature_keys
from .stories import StoryUpdating

CHUNK = 20  # new articles per write transaction: each chunk sees the chunks before it as stored


@dataclass
class AddResult:
    """What one ``Store.add`` did."""

    added: list[str] = field(default_factory=list)  # ids stored for the first time
    updated: list[str] = field(default_factory=list)  # ids whose changed content became a new version
    unchanged: list[str] = field(default_factory=list)  # ids already stored with the same text and metadata
    pairs: list[Pair] = field(default_factory=list)  # pairs found between the added articles and the collection
    errors: list[FileError] = field(default_factory=list)
    total: int = 0  # current articles in the store afterwards


def _file_of(path: str) -> str | None:
    """The file an article was read from, resolved (links followed, absolute); None for a record of a JSON-lines
    file (``file.jsonl:LINE``: records carry their own ids, and a record's line may change) or a text not read from
    a file here."""
    return os.path.realpath(path) if os.path.isfile(path) else None


class Adding(StoryUpdating):
    """Adding articles, in chunks of one transaction each, and working out the stories again."""

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
            self._check_compatible(db, write=False, adding=True)  # refused before any work
            stored = self._current_digests(db, list(unique))
            digests = {ident: digest(a) for ident, a in unique.items()}
            result.unchanged = [ident for ident in unique if stored.get(ident) == digests[ident]]
            todo = [a for ident, a in unique.items() if stored.get(ident) != digests[ident]]
            todo = self._check_files(db, todo, result.errors)
        if todo:
            features = featurise(todo, self.settings, progress=progress)
            result.errors.extend(features.errors)
            total = len(features.articles)
            for start in range(0, total, CHUNK):
                end = min(start + CHUNK, total)
                items = [
                    New(
                        a,
                        digests[a.id],
                        features.static[k].astype(np.float32),
                        features.signatures[k],
                        None,
                        runs=as_stored(features.runs[k]),
                    )
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
    def _check_files(db: sqlite3.Connection, todo: list[Article], errors: list[FileError]) -> list[Article]:
        """The articles to add, without those read from a file stored under another id; ``errors`` gets a warning
        for each whose id is stored from another file that is still there (it becomes a new version all the same).

        An article file's id is its path below the folder given, so the same file given through another folder
        gets another id: stored twice, it would be reported as a copy of itself. And two folders' files of one
        name get one id. Files are compared resolved (:func:`_file_of`), however their paths were written; articles
        stored before files were recorded (schema 3) are not checked.
        """
        file = {a.id: f for a in todo if (f := _file_of(a.path))}
        by_file: dict[str, str] = {}
        by_id: dict[str, str] = {}
        for chunk in chunks(sorted(set(file.values())), IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            by_file.update(db.execute(f"SELECT file, id FROM articles WHERE current = 1 AND file IN ({marks})", chunk))
        for chunk in chunks(sorted(file), IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            by_id.update(db.execute(f"SELECT id, file FROM articles WHERE current = 1 AND id IN ({marks})", chunk))
        refused: set[str] = set()
        for a in todo:
            if a.id not in file:
                continue
            if by_file.get(file[a.id], a.id) != a.id:
                reason = (
                    f"is stored already, as {by_file[file[a.id]]!r} (an id is the path below the folder given): not "
                    "added again under another id; give the same folder as before"
                )
                errors.append(FileError(a.path, reason))
                refused.add(a.id)
            elif by_id.get(a.id) not in (None, file[a.id]) and os.path.isfile(by_id[a.id]):
                reason = (
                    f"has the id {a.id!r} of {by_id[a.id]}, another file that is still there: stored as a new version "
                    "of it; if they are different articles, give their folders' parent so that each id names its folder"
                )
                errors.append(FileError(a.path, reason, "warning"))
        return [a for a in todo if a.id not in refused]

    @staticmethod
    def _current_digests(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(list(ids), IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT id, digest FROM articles WHERE current = 1 AND id IN ({marks})", chunk))
        return out

    def _add_chunk(self, items: list[New], result: AddResult) -> None:
        # 2. everything that does not depend on the store happens before taking the write lock
        encoder = KnownVectors(self.models.sentence)
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
            now = utc_now()
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
        for chunk in chunks(ids, IN_LIMIT):
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
        self._set_meta(db, "static_sum", to_blob(np.asarray(total, dtype=np.float64)))
        self._set_meta(db, "static_count", count)
        return np.asarray(total, dtype=np.float64) / max(count, 1)

    def _retire(self, db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
        """Retire the current versions of ``ids``: they keep their text and pairs but leave the index."""
        retired = {}
        for ident in ids:
            key = self._current_key(db, ident)
            if key is None:
                continue
            retired[ident] = key
            db.execute("UPDATE articles SET current = 0 WHERE key = ?", (key,))
            row = db.execute(
                "SELECT minhash_keys, simhash_keys, run_keys FROM vectors WHERE article = ?", (key,)
            ).fetchone()
            if row is not None:
                for table, blob in zip(("minhash", "simhash", "runs"), row, strict=True):
                    if blob is None:
                        continue
                    db.executemany(
                        f"DELETE FROM {table} WHERE key = ? AND article = ?",
                        [(int(k), key) for k in np.frombuffer(blob, dtype=np.int64)],
                    )
            db.execute("DELETE FROM vectors WHERE article = ?", (key,))
            db.execute("DELETE FROM story_articles WHERE article = ?", (key,))
        return retired

    @staticmethod
    def _insert_article(db: sqlite3.Connection, p: New, now: str) -> int:
        a = p.article
        version = db.execute("SELECT coalesce(max(version), 0) + 1 FROM articles WHERE id = ?", (a.id,)).fetchone()[0]
        removed = json.dumps([[r.text, r.reason] for r in a.removed], ensure_ascii=False)
        cursor = db.execute(
            "INSERT INTO articles (id, version, current, digest, path, file, title, date, outlet, url, text, removed, "
            "added) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.id, version, p.digest, a.path, _file_of(a.path), a.title, a.date, a.outlet, a.url, a.text, removed, now),
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
            "INSERT INTO vectors (article, embeddings, static, signature, static_mean, minhash_keys, simhash_keys, "
            "run_keys) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                to_blob(p.embeddings.astype(np.float32)),
                to_blob(p.static.astype(np.float16)),
                to_blob(p.signature.astype(np.uint64)),
                to_blob(p.mean),
                to_blob(p.minhash),
                to_blob(p.simhash),
                to_blob(p.runs),
            ),
        )
        db.executemany("INSERT OR IGNORE INTO minhash (key, article) VALUES (?, ?)", [(int(k), key) for k in p.minhash])
        db.executemany("INSERT OR IGNORE INTO simhash (key, article) VALUES (?, ?)", [(int(k), key) for k in p.simhash])
        db.executemany("INSERT OR IGNORE INTO runs (key, article) VALUES (?, ?)", [(int(k), key) for k in p.runs])
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
