"""Working the stories out again after an add, for what the add changed (docs/store.md, "Stories").

Stage 9 links two articles on their two rows of the story matrix alone, except for what the whole collection
settles: which capitalised words are common words (``story_terms.common_words``), and which terms are uncommon
enough to look for pairs through (``term_search.term_links``). The store keeps what the last update worked from: each
article's mentions and the digest of its row (``story_terms``), how many articles write each word in lower case
(``story_words``), the links (``story_links``) and each article's block and story (``story_blocks``). An update
builds the matrix again from the stored mentions (no article text is read but the new ones'), finds the rows whose
digest changed (new articles, and those whose terms the collection now settles otherwise), looks for links from
those rows only, and cuts again only the blocks that are not an earlier block of unchanged articles. The stories
are those of one clustering of the whole collection (``tests/test_store_stories.py``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np

from ..records import Article, Story
from ..stages import stories as rules
from ..stages import story_dates, term_search
from ..stages.story_dates import Days, told_days
from ..stages.story_terms import (
    MOST_WORDS,
    Mentions,
    Rarity,
    common_words,
    mentions,
    story_terms,
    term_matrix_and_columns,
)
from .base import IN_LIMIT, chunks, mark
from .matching import Matching

STATE_VERSION = 3  # of what story_terms holds and how blocks are cut; a change (or other story settings)
# works everything out once


class StoryUpdating(Matching):
    """The stories of a store, worked out again for what changed since the last time."""

    def update_stories(self, timings: dict[str, float] | None = None) -> list[Story]:
        """Work out the stories of the current articles again, the same as stage 9 over the whole collection.

        A store without the state of a previous update (made by an earlier version, or with other story settings)
        is worked out whole, once. Nothing is written when another writer changed the articles or the stories
        meanwhile (its own update follows or has happened). ``timings``: seconds per step, added to.
        """
        settings = self.settings.stories
        since = mark(None, "", 0.0)
        with self._read() as db:
            generation = int(self._meta(db, "generation", 0))
            updates = int(self._meta(db, "story_updates", 0))
            fresh = self._meta(db, "story_state") == _fingerprint(self)
            rows = db.execute("SELECT key, id, title, date FROM articles WHERE current = 1 ORDER BY id").fetchall()
            keys = [r[0] for r in rows]
            earlier = _Earlier.read(db) if fresh else _Earlier.numbered(db)
            new = [k for k in keys if k not in earlier.found]
            loaded = self._load_articles(db, new)
            gone = sorted(set(earlier.found) - set(keys))
            gone_texts = _texts(db, gone)
            pairs = self.pairs(limit=None, details=False)
        since = mark(timings, "read", since)
        rarity = Rarity.load(self.settings.model_dir)
        for k in new:
            earlier.found[k] = (mentions(loaded[k], rarity), None)
            earlier.days[k] = told_days(loaded[k].text, loaded[k].date)
        since = mark(timings, "mentions", since)
        words = Counter(earlier.words)
        for k in new:
            words.update(common_words([loaded[k].text]))
        for text in gone_texts:
            words.subtract(common_words([text]))
        common = frozenset(w for w, c in words.items() if c > 0)
        found = [earlier.found[k][0] for k in keys]
        x, columns = term_matrix_and_columns([story_terms(found, common)], common, settings, rarity)
        digests = term_search.row_digests(x, columns)
        since = mark(timings, "matrix", since)
        row = {k: n for n, k in enumerate(keys)}
        unchanged = np.array([earlier.found[k][1] == int(d) for k, d in zip(keys, digests.view(np.int64), strict=True)])
        dates = [r[3] for r in rows]
        at = {r[1]: n for n, r in enumerate(rows)}
        material = [(at[p.a], at[p.b], p.relation) for p in pairs]
        clustering = (
            rules.cluster_labels(
                x,
                dates,
                material,
                settings,
                earlier.given(row, unchanged) if fresh else None,
                told=[earlier.days[k] for k in keys],
            )
            if keys
            else rules.Clustering(np.zeros(0, np.int64), np.zeros(0, np.int64), {})
        )
        since = mark(timings, "cluster", since)
        stories, story_of = self._named(rows, clustering.labels, earlier)
        since = mark(timings, "name", since)
        with self._write() as db:
            if int(self._meta(db, "generation", 0)) != generation or int(self._meta(db, "story_updates", 0)) != updates:
                return stories  # another writer changed the articles or worked the stories out meanwhile
            if not fresh:
                for table in ("story_terms", "story_words", "story_links", "story_blocks"):
                    db.execute(f"DELETE FROM {table}")
            db.executemany("DELETE FROM story_terms WHERE article = ?", [(k,) for k in gone])
            db.executemany(
                "INSERT OR REPLACE INTO story_terms (article, names, openers, terms, words, digest, days) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (k, *_columns(earlier.found[k][0]), int(d), earlier.days[k].encode())
                    for k, d, same in zip(keys, digests.view(np.int64), unchanged, strict=True)
                    if not same
                ],
            )
            changed_words = {w: c for w, c in words.items() if c != earlier.words.get(w, 0)}
            db.executemany("DELETE FROM story_words WHERE word = ?", [(w,) for w, c in changed_words.items() if c <= 0])
            db.executemany(
                "INSERT OR REPLACE INTO story_words (word, articles) VALUES (?, ?)",
                [(w, c) for w, c in changed_words.items() if c > 0],
            )
            db.execute("DELETE FROM story_links")
            db.executemany(
                "INSERT INTO story_links (a, b, probability) VALUES (?, ?, ?)",
                [(keys[i], keys[j], v) for (i, j), v in clustering.links.items()],
            )
            db.execute("DELETE FROM story_blocks")
            db.executemany(
                "INSERT INTO story_blocks (article, block, story) VALUES (?, ?, ?)",
                [(k, int(b), story_of[k]) for k, b in zip(keys, clustering.blocks, strict=True)],
            )
            db.execute("DELETE FROM story_articles")
            db.execute("DELETE FROM stories")
            db.executemany(
                "INSERT INTO stories (position, id, label) VALUES (?, ?, ?)",
                [(n, s.id, s.label) for n, s in enumerate(stories)],
            )
            db.executemany(
                "INSERT INTO story_articles (story, article) VALUES (?, ?)",
                [(f"s{story_of[k]}", k) for k in keys],
            )
            self._set_meta(db, "stories_generation", generation)
            self._set_meta(db, "story_updates", updates + 1)
            self._set_meta(db, "story_state", _fingerprint(self))
            self._set_meta(db, "story_next", max([*story_of.values(), earlier.next - 1], default=0) + 1)
        mark(timings, "write", since)
        return stories

    def _named(
        self, rows: Sequence[Sequence], labels: np.ndarray, earlier: _Earlier
    ) -> tuple[list[Story], dict[int, int]]:
        """The stories (``stories.name_stories``: biggest first, then by first id), and each key's story number.
        A story that is exactly an earlier one keeps its name; the others are named from their articles' titles
        and dates, or the first words of their first article (read only then)."""
        groups: dict[int, list[int]] = {}
        for n, label in enumerate(labels.tolist()):
            groups.setdefault(label, []).append(n)
        ordered = sorted(groups.values(), key=lambda g: (-len(g), rows[g[0]][1]))  # rows are in id order
        size = Counter(earlier.story.values())
        numbers = _numbers([[earlier.story_of_id.get(rows[n][1]) for n in group] for group in ordered], earlier.next)
        stories: list[Story] = []
        story_of: dict[int, int] = {}
        untitled: list[int] = []
        for number, group in zip(numbers, ordered, strict=True):
            before = {earlier.story.get(rows[n][0]) for n in group}
            old = before.pop() if len(before) == 1 else None
            label = earlier.labels.get(old) if old is not None and size[old] == len(group) else None
            if label is None:
                stubs = [Article(id=rows[n][1], path="", text="", title=rows[n][2], date=rows[n][3]) for n in group]
                label = rules.story_label(stubs) if any(a.title for a in stubs) else None
            if label is None:
                untitled.append(len(stories))
            stories.append(Story(id=f"s{number}", articles=tuple(rows[n][1] for n in group), label=label or ""))
            story_of.update((rows[n][0], number) for n in group)
        if untitled:
            first = {n: rows[ordered[n][0]][0] for n in untitled}
            with self._read() as db:
                loaded = self._load_articles(db, list(first.values()))
            for n, key in first.items():
                s = stories[n]
                stories[n] = Story(id=s.id, articles=s.articles, label=rules.story_label([loaded[key]]))
        return stories, story_of


def _numbers(earlier: Sequence[Sequence[int | None]], first_new: int) -> list[int]:
    """The number of each story (``earlier``: its articles' earlier story numbers, None for a new one; biggest
    story first). An earlier number goes to the story that holds most of its articles (ties: the bigger story, then
    the lower number), each story carrying on at most one; the other stories get numbers from ``first_new`` up,
    none given before."""
    counts = [Counter(n for n in members if n is not None) for members in earlier]
    offers = sorted((-c, k, n) for k, count in enumerate(counts) for n, c in count.items())
    out: list[int | None] = [None] * len(earlier)
    taken: set[int] = set()
    for _, k, n in offers:
        if out[k] is None and n not in taken:
            out[k] = n
            taken.add(n)
    numbers = []
    for given in out:
        if given is None:
            numbers.append(first_new)
            first_new += 1
        else:
            numbers.append(given)
    return numbers


class _Earlier:
    """What the last update worked from, by article key: mentions and row digest, the days the text names,
    lower-case word counts, links, blocks, stories and their labels."""

    def __init__(self) -> None:
        self.found: dict[int, tuple[Mentions, int | None]] = {}
        self.days: dict[int, Days] = {}
        self.words: dict[str, int] = {}
        self.links: list[tuple[int, int, float]] = []
        self.block: dict[int, int] = {}
        self.story: dict[int, int] = {}
        self.labels: dict[int, str] = {}
        self.story_of_id: dict[str, int] = {}  # by article id: an article's new version carries its story on
        self.next = 1  # the first story number never given

    @classmethod
    def numbered(cls, db: sqlite3.Connection) -> _Earlier:
        """Only the stories' numbers (an article's earlier story, the next number): what a store whose state is of
        another version or other settings keeps, so that its stories keep their ids when worked out whole."""
        out = cls()
        out.story_of_id = dict(
            db.execute("SELECT a.id, b.story FROM story_blocks b JOIN articles a ON a.key = b.article")
        )
        given = max(out.story_of_id.values(), default=0) + 1
        out.next = max(int(Matching._meta(db, "story_next", 1)), given)
        return out

    @classmethod
    def read(cls, db: sqlite3.Connection) -> _Earlier:
        out = cls()
        for k, names, openers, terms, words, digest, days in db.execute(
            "SELECT article, names, openers, terms, words, digest, days FROM story_terms"
        ):
            out.found[k] = (Mentions(names, openers, terms, words), digest)
            out.days[k] = Days.decode(days)
        out.words = dict(db.execute("SELECT word, articles FROM story_words"))
        out.links = db.execute("SELECT a, b, probability FROM story_links").fetchall()
        for k, block, story in db.execute("SELECT article, block, story FROM story_blocks"):
            out.block[k], out.story[k] = block, story
        out.labels = {int(i[1:]): label for i, label in db.execute("SELECT id, label FROM stories")}
        numbered = cls.numbered(db)
        out.story_of_id, out.next = numbered.story_of_id, numbered.next
        return out

    def given(self, row: dict[int, int], unchanged: np.ndarray) -> rules.Earlier:
        """Per row of the present matrix (``row``: by key)."""
        n = len(row)
        block, story = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
        for k, r in row.items():
            block[r], story[r] = self.block.get(k, -1), self.story.get(k, -1)
        links = {}
        for a, b, v in self.links:
            i, j = row.get(a), row.get(b)
            if i is not None and j is not None and unchanged[i] and unchanged[j]:
                links[(i, j) if i < j else (j, i)] = v
        sizes = np.bincount(np.fromiter(self.block.values(), dtype=np.int64, count=len(self.block)))
        return rules.Earlier(unchanged, links, block, sizes, story)


def _columns(found: Mentions) -> tuple[str, str, str, str]:
    return found.names, found.openers, found.terms, found.words


def _texts(db: sqlite3.Connection, keys: Sequence[int]) -> list[str]:
    out: list[str] = []
    for chunk in chunks(list(keys), IN_LIMIT):
        marks = ",".join("?" * len(chunk))
        out += [r[0] for r in db.execute(f"SELECT text FROM articles WHERE key IN ({marks})", chunk)]
    return out


def _fingerprint(store: StoryUpdating) -> str:
    """What the stored state depends on besides the articles: settings and the model's constants."""
    constants = [
        STATE_VERSION,
        MOST_WORDS,
        term_search.COMMON_TERM,
        term_search.KEYS,
        rules.MAX_BLOCK,
        rules.MAX_DAYS_APART,
        story_dates.VERSION,
        story_dates.SAME_DAY,
    ]
    return json.dumps([asdict(store.settings.stories), constants], sort_keys=True)
