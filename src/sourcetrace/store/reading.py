"""Reading a store: articles, versions, pairs and stories of the current articles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..describe import Name
from ..records import Article, Divergence, Pair, Passage, Removal, ScanResult, Sentence, SentenceLink, Story
from .base import IN_LIMIT, StoreBase, chunks


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


class Reading(StoreBase):
    """Queries over the stored articles, pairs and stories."""

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

    def pairs_among(self, ids: Sequence[str], details: bool = False) -> list[Pair]:
        """Pairs whose two articles are both among the current ``ids`` (with passages and divergences when
        ``details``: a story's digest reads its shared facts and its diverging versions off them)."""
        wanted = set(ids)
        with self._read() as db:
            keys: list[int] = []
            for chunk in chunks(sorted(wanted), IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                keys += [
                    r[0] for r in db.execute(f"SELECT key FROM articles WHERE current = 1 AND id IN ({marks})", chunk)
                ]
            rows = []
            for chunk in chunks(keys, IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                rows += db.execute(
                    f"SELECT {_PAIR_COLUMNS} FROM pairs p JOIN articles x ON x.key = p.a "
                    f"JOIN articles y ON y.key = p.b WHERE y.current = 1 AND p.a IN ({marks})",
                    chunk,
                ).fetchall()
            found = self._pairs_from_rows(db, [r for r in rows if r[3] in wanted], details)
        return sorted(found, key=lambda p: (p.a, p.b))

    def titles(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Titles of current articles by id."""
        out: dict[str, str | None] = {}
        with self._read() as db:
            for chunk in chunks(sorted(set(ids)), IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                out.update(db.execute(f"SELECT id, title FROM articles WHERE current = 1 AND id IN ({marks})", chunk))
        return out

    def names(self, ids: Sequence[str]) -> dict[str, Name]:
        """Title, date and outlet of current articles by id: what a reader sees in place of an id."""
        out: dict[str, Name] = {}
        with self._read() as db:
            for chunk in chunks(sorted(set(ids)), IN_LIMIT):
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT id, title, date, outlet FROM articles WHERE current = 1 AND id IN ({marks})"
                out.update((row[0], Name(*row)) for row in db.execute(sql, chunk))
        return out

    def relation_counts(self) -> dict[str, int]:
        """Pairs between current articles, by relation."""
        sql, args = _pair_filter(None, None)
        return dict(self._db().execute(f"SELECT p.relation, count(*) {sql} GROUP BY p.relation", args).fetchall())

    def stories(self, offset: int = 0, limit: int | None = 50, min_articles: int = 1) -> list[Story]:
        """Stories of the current articles, largest first (a story keeps its id as articles are added: store.md)."""
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
        for chunk in chunks(list(keys), IN_LIMIT):
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
