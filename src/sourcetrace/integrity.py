"""A store's file checked before it is trusted, and what can be recovered from a damaged one.

SQLite would make an empty store of a zero-byte file, and a damaged file can answer some queries and fail
others: one report quietly short of articles, the next a traceback. So a store file is checked before use:

1. before connecting: a folder, a missing file (for reading), an empty file (for reading) or a file that is not
   SQLite at all is refused, and nothing is written to it;
2. after connecting: SQLite's quick check (pages and records well formed; it reads the whole file once);
3. on request (``sourcetrace index check``): the full integrity check, which also compares indexes with tables.

A damaged store is refused with one message that says how to get the articles back (:func:`salvage`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import DamagedStoreError, StoreError
from .records import Article

SQLITE_HEADER = b"SQLite format 3\x00"
SHOWN_PROBLEMS = 3


def check_file(path: Path, create: bool) -> None:
    """Raise StoreError when ``path`` cannot be a store (1. above); ``create`` allows a missing or empty file."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the path of a store file")
    if not path.exists():
        if not create:
            raise StoreError(f"no store at {path}; create one with `sourcetrace index add PATH --db {path}`")
        if not path.parent.is_dir():
            raise StoreError(f"cannot create the store {path}: the folder {path.parent} does not exist")
        return
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read the store {path}: {exc.strerror or exc}") from exc
    if not header:
        if create:
            return
        raise StoreError(
            f"{path} is an empty file, not a store; give the store's path, or create one with "
            f"`sourcetrace index add PATH --db {path}`"
        )
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a sourcetrace store (not an SQLite database); give the store's path")


def quick_check(db: sqlite3.Connection, path: Path) -> None:
    """Raise DamagedStoreError unless SQLite's quick check passes (2. above)."""
    try:
        problems = [str(r[0]) for r in db.execute(f"PRAGMA quick_check({SHOWN_PROBLEMS})").fetchall()]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise DamagedStoreError(damaged_message(path, problems))


def full_check(path: Path) -> list[str]:
    """The problems SQLite's full integrity check and foreign-key check find in a store (none: an empty list)."""
    check_file(path, create=False)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        problems = [str(r[0]) for r in db.execute("PRAGMA integrity_check(100)").fetchall()]
        problems = [] if problems == ["ok"] else problems
        problems += [f"row {r[1]} of {r[0]} refers to a missing row of {r[2]}" for r in db.execute(
            "PRAGMA foreign_key_check"
        ).fetchall()]  # fmt: skip
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    finally:
        db.close()
    return problems


def damaged_message(path: Path | str, problems: list[str]) -> str:
    shown = "; ".join(" ".join(p.split()) for p in problems[:SHOWN_PROBLEMS]) + (
        " ..." if len(problems) > SHOWN_PROBLEMS else ""
    )
    return (
        f"{path} is damaged (SQLite's integrity check: {shown}); it is not used as it is. Recover its articles "
        f"into a new store with `sourcetrace index rebuild --db {path} --to NEW.db`, or add the original files "
        "to a new store with `sourcetrace index add PATH --db NEW.db`"
    )


_ARTICLE_COLUMNS = "key, id, version, current, path, title, date, outlet, url, text"
_GIVE_UP_AFTER = 10_000  # consecutive keys that cannot be read before the salvage stops looking further


def salvage(path: Path) -> tuple[list[Article], int]:
    """The articles still readable in a (damaged) store, the newest readable version of each id, and how many
    stored versions could not be read. Only what the store kept of them: text, metadata and path as read."""
    check_file(path, create=False)
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    rows: dict[int, tuple] = {}
    lost = 0
    try:
        try:  # the whole table at once, when it can be read so
            rows = {r[0]: r for r in db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles")}
        except sqlite3.DatabaseError:
            rows, key, misses = {}, 0, 0
            while misses < _GIVE_UP_AFTER:  # else one key at a time: a damaged page loses only its own rows
                key += 1
                try:
                    row = db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE key = ?", (key,)).fetchone()
                except sqlite3.DatabaseError:
                    row = None
                    lost += 1
                if row is None:
                    misses += 1
                else:
                    rows[key], misses = row, 0
    finally:
        db.close()
    best: dict[str, tuple] = {}
    for row in rows.values():
        if not isinstance(row[1], str) or not isinstance(row[9], str):
            lost += 1
            continue
        earlier = best.get(row[1])
        if earlier is None or (row[3], row[2]) > (earlier[3], earlier[2]):  # current first, then newest
            best[row[1]] = row
    articles = [
        Article(id=r[1], path=r[4], text=r[9], title=r[5], date=r[6], outlet=r[7], url=r[8])
        for r in sorted(best.values(), key=lambda r: r[1])
    ]
    return articles, lost
