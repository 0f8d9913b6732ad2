"""Search the stored articles' titles, outlets and text with SQLite's full-text index (FTS5).

The index reads the article rows themselves (an external-content table), so it adds no copy of the text; it is
built on the first search and rebuilt when the store's generation has moved since, which costs one pass over the
text after a batch of adds, not one per search. A store that cannot be written (a read-only file) is searched by
title instead.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from .store import Store

HIT_START, HIT_END = "\ue000", "\ue001"  # private-use marks around matched words in a snippet
_TABLES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5(title, outlet, text, content='articles', "
    "content_rowid='key', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS article_search_state (generation INTEGER NOT NULL)",
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    id: str
    title: str | None
    date: str | None
    outlet: str | None
    snippet: str  # with HIT_START/HIT_END around the matched words


def fts_query(text: str) -> str | None:
    """The words of a reader's query as an FTS5 query: every word must occur, the last as a prefix.

    Only words are kept, each quoted, so that nothing a reader types is read as FTS5 syntax."""
    words = _WORD.findall(text)[:20]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _refresh(store: Store) -> None:
    generation = store.generation()
    with store._write() as db:  # the store's writer lock: no add can run while the index is rebuilt
        for statement in _TABLES:
            db.execute(statement)
        row = db.execute("SELECT generation FROM article_search_state").fetchone()
        if row is not None and row[0] == generation:
            return
        db.execute("INSERT INTO article_search (article_search) VALUES ('rebuild')")
        db.execute("DELETE FROM article_search_state")
        db.execute("INSERT INTO article_search_state (generation) VALUES (?)", (generation,))


def search(store: Store, text: str, offset: int = 0, limit: int = 50) -> tuple[list[Hit], int]:
    """Current articles matching every word of ``text`` (best first), and how many match in all."""
    query = fts_query(text)
    if query is None:
        return [], 0
    try:
        _refresh(store)
    except sqlite3.OperationalError:
        return _by_title(store, text, offset, limit)
    where = "FROM article_search s JOIN articles a ON a.key = s.rowid WHERE article_search MATCH ? AND a.current = 1"
    with store._read() as db:
        total = int(db.execute(f"SELECT count(*) {where}", (query,)).fetchone()[0])
        rows = db.execute(
            f"SELECT a.id, a.title, a.date, a.outlet, snippet(article_search, 2, ?, ?, '…', 16) {where} "
            "ORDER BY rank LIMIT ? OFFSET ?",
            (HIT_START, HIT_END, query, limit, offset),
        ).fetchall()
    return [Hit(*row) for row in rows], total


def _by_title(store: Store, text: str, offset: int, limit: int) -> tuple[list[Hit], int]:
    pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "FROM articles WHERE current = 1 AND title LIKE ? ESCAPE '\\'"
    with store._read() as db:
        total = int(db.execute(f"SELECT count(*) {where}", (pattern,)).fetchone()[0])
        rows = db.execute(
            f"SELECT id, title, date, outlet, '' {where} ORDER BY id LIMIT ? OFFSET ?", (pattern, limit, offset)
        ).fetchall()
    return [Hit(*row) for row in rows], total


def snippet_pieces(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, matched) runs, for a template to escape and mark."""
    out: list[tuple[str, bool]] = []
    for part in re.split(f"({HIT_START}[^{HIT_END}]*{HIT_END})", snippet):
        if part.startswith(HIT_START):
            out.append((part.strip(HIT_START + HIT_END), True))
        elif part:
            out.append((part.replace(HIT_START, "").replace(HIT_END, ""), False))
    return out
