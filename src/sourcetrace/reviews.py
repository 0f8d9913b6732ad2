"""A reader's verdict on a pair, confirmed or rejected, with a note: kept in the store beside the pairs.

Reviews are keyed by the two article ids, not by stored versions, so that a review outlives re-indexing (a new
version of either article keeps it). The table is created with the first review: a store without one simply has
none, and a sourcetrace that does not know reviews reads the store as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import InputError
from .store import Store

VERDICTS = ("confirmed", "rejected")
NOTE_CHARS = 2000
_TABLE = """CREATE TABLE IF NOT EXISTS reviews (
    a TEXT NOT NULL, b TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'rejected')),
    note TEXT NOT NULL DEFAULT '', at TEXT NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID"""


@dataclass(frozen=True)
class Review:
    a: str  # the pair's ids in sorted order, whichever way the pair is stored
    b: str
    verdict: str
    note: str
    at: str  # when, ISO 8601 UTC

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "verdict": self.verdict, "note": self.note, "at": self.at}


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _exists(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reviews'").fetchone() is not None


def save_review(store: Store, a: str, b: str, verdict: str, note: str = "") -> Review:
    """Record (or replace) the verdict on the stored pair of ``a`` and ``b``; InputError for an unknown pair, a
    verdict other than confirmed or rejected, or a note over NOTE_CHARS characters."""
    if verdict not in VERDICTS:
        raise InputError("review", f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    note = note.strip()
    if len(note) > NOTE_CHARS:
        raise InputError("review", f"the note is {len(note):,} characters, over the limit of {NOTE_CHARS:,}")
    if store.pair(a, b) is None:
        raise InputError("review", f"no pair of {a!r} and {b!r} shares material (or an id is unknown)")
    first, second = pair_key(a, b)
    review = Review(first, second, verdict, note, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    with store._write() as db:  # one store, one writer lock: the review joins the store's own transactions
        db.execute(_TABLE)
        db.execute(
            "INSERT OR REPLACE INTO reviews (a, b, verdict, note, at) VALUES (?, ?, ?, ?, ?)",
            (review.a, review.b, review.verdict, review.note, review.at),
        )
    return review


def reviews_of(store: Store, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Review]:
    """The reviews of the given pairs, by their sorted key (see :func:`pair_key`)."""
    wanted = {pair_key(a, b) for a, b in pairs}
    if not wanted:
        return {}
    return {k: r for k, r in all_reviews(store).items() if k in wanted}


def all_reviews(store: Store) -> dict[tuple[str, str], Review]:
    with store._read() as db:
        if not _exists(db):
            return {}
        rows = db.execute("SELECT a, b, verdict, note, at FROM reviews ORDER BY at DESC").fetchall()
    return {(r[0], r[1]): Review(*r) for r in rows}


def review_for(reviews: Mapping[tuple[str, str], Review], a: str, b: str) -> Review | None:
    return reviews.get(pair_key(a, b))
