"""The stories of a store, worked out again after each add for what changed: the same as stage 9 over everything."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3

import numpy as np
import pytest

import sourcetrace.store.stories as store_stories
from sourcetrace.pipeline import featurise, scan
from sourcetrace.records import Article
from sourcetrace.stages import stories as rules
from sourcetrace.stages.ingest import read_articles
from sourcetrace.stages.stories import cluster_stories
from sourcetrace.stages.story_terms import Rarity
from sourcetrace.store import Store
from sourcetrace.store.base import utc_now
from sourcetrace.store.index import New, digest, index_settings, stored_runs
from sourcetrace.store.schema import SCHEMA_VERSION

from .conftest import SEEDS, make_article


def put(store: Store, articles: list[Article]) -> None:
    """Store prepared articles as an add does (new versions retire the old), without encoding their sentences:
    the stories read only articles, sentences and pairs."""
    with store._write() as db:
        stored = store._current_digests(db, [a.id for a in articles])
        store._retire(db, [a.id for a in articles if a.id in stored])
        now = utc_now()
        for a in articles:
            n = max(len(a.sentences), 1)
            vectors = New(
                a,
                digest(a),
                np.zeros((n, 4), np.float32),
                np.zeros(1, np.uint64),
                np.zeros((n, 4)),
                runs=stored_runs(a.text),
            )
            store._insert_article(db, vectors, now)
        store._set_meta(db, "generation", int(store._meta(db, "generation", 0)) + 1)


def rebuilt(store: Store) -> list:
    """Stage 9 over the store's current articles and pairs, from scratch."""
    everything = store.collection()
    rarity = Rarity.load(store.settings.model_dir)
    return cluster_stories(everything.articles, everything.pairs, store.settings.stories, rarity=rarity)


def grouped(stories: list) -> list[tuple[tuple[str, ...], str]]:
    """What a store's stories must share with a rebuild's: the articles and label of each, in order (not the ids:
    the store's carry on from its earlier stories)."""
    return [(s.articles, s.label) for s in stories]


def carried_on(before: list, after: list, given: int) -> None:
    """Story ids after an update: distinct; a story with exactly an earlier one's articles keeps its id; an id not
    given before is above every id given so far (``given``)."""
    ids = [int(s.id[1:]) for s in after]
    assert len(set(ids)) == len(ids)
    earlier = {s.articles: s.id for s in before}
    assert all(earlier.get(s.articles, s.id) == s.id for s in after)
    old = {int(s.id[1:]) for s in before}
    assert all(n > given for n in ids if n not in old)


@pytest.fixture
def counted(monkeypatch):
    """How many articles' mentions each update finds, and how many articles it cuts again."""
    work = {"mentions": 0, "cut": 0}
    real_mentions, real_cut = store_stories.mentions, rules.cut_block

    def mentions(article, rarity=None):
        work["mentions"] += 1
        return real_mentions(article, rarity)

    def cut(members, *args, **kwargs):
        work["cut"] += len(members)
        return real_cut(members, *args, **kwargs)

    monkeypatch.setattr(store_stories, "mentions", mentions)
    monkeypatch.setattr(rules, "cut_block", cut)
    return work


@pytest.fixture(scope="module")
def gva(shared_data, settings):
    """About 700 news reports of shootings (many stories of several articles, alike in their words)."""
    path = shared_data / "news-stories-dev" / "gva.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    raw, _ = read_articles([path], settings.ingest)
    return raw[:720]


def test_stories_after_adds_in_batches_and_new_versions_are_those_of_a_rebuild(
    tmp_path, settings, models, gva, counted
):
    prepared = featurise(gva, settings, workers=1).articles
    assert len(prepared) >= 650  # some scraped pages hold no article and are set aside
    first = prepared[:600]
    # new versions: five articles take another article's text and headline (they move to another story, or none)
    moved = [
        dataclasses.replace(first[k], text=prepared[600 + k].text, title=prepared[600 + k].title, sentences=[])
        for k in range(0, 50, 10)
    ]
    moved = featurise(moved, settings, workers=1).articles
    batches = [first[:300], first[300:450], first[450:550], moved, first[550:]]
    with Store(tmp_path / "gva.db", settings, models=None) as store:
        before: list = []
        given = kept = 0
        for n, batch in enumerate(batches):
            put(store, batch)
            counted.update(mentions=0, cut=0)
            stories = store.update_stories()
            assert counted["mentions"] == len(batch)  # only the new articles' text is read
            expected = rebuilt(store)
            assert grouped(stories) == grouped(expected) and store.stories(limit=None) == stories, f"batch {n}"
            carried_on(before, stories, given)
            kept += sum(s.id in {b.id for b in before} and s.id != f"s{k}" for k, s in enumerate(stories, start=1))
            given = max(given, *(int(s.id[1:]) for s in stories))
            before = stories
            if n:
                assert counted["cut"] < store.count() / 2, counted  # most blocks kept as they were
        assert kept >= 10  # ids that a renumbering by position would have changed
        assert sum(len(s.articles) >= 3 for s in expected) >= 10  # the comparison is not a trivial one
        assert not store.stories_stale()
        # a store without the state of an earlier update (an older version's) works everything out once
        with store._write() as db:
            db.execute("DELETE FROM meta WHERE key = 'story_state'")
        counted.update(mentions=0)
        again = store.update_stories()
        assert grouped(again) == grouped(expected) and counted["mentions"] == store.count()
        assert [s.id for s in again] == [s.id for s in stories]  # the stories keep their ids


def test_seeds_added_one_at_a_time_then_a_new_version_give_the_stories_of_scan(tmp_path, settings, models, counted):
    raw, _ = read_articles([SEEDS], settings.ingest)
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    with Store(tmp_path / "seeds.db", settings, models) as store:
        for article in raw:
            store.add([article])
        assert grouped(store.stories(limit=None)) == grouped(scan([folder], settings, models).stories)
        # a new version of the rewrite: its second half only
        rewrite = next(folder.glob("001_*.txt"))
        text = rewrite.read_text(encoding="utf-8")
        rewrite.write_text(text[len(text) // 2 :], encoding="utf-8")
        counted.update(mentions=0)
        result = store.add_paths([rewrite])
        assert result.updated == [rewrite.stem] and counted["mentions"] == 1
        assert grouped(store.stories(limit=None)) == grouped(scan([folder], settings, models).stories)
        assert grouped(rebuilt(store)) == grouped(store.stories(limit=None))


def test_an_update_that_lost_the_race_writes_nothing(tmp_path, settings, models, gva, monkeypatch):
    prepared = featurise(gva[:40], settings, workers=1).articles
    with Store(tmp_path / "race.db", settings, models=None) as store:
        put(store, prepared[:30])
        store.update_stories()
        put(store, prepared[30:])
        real_named = Store._named

        def named_after_another_update(self, *args):
            with self._write() as db:  # another process works the stories out meanwhile
                self._set_meta(db, "story_updates", int(self._meta(db, "story_updates", 0)) + 1)
            return real_named(self, *args)

        monkeypatch.setattr(Store, "_named", named_after_another_update)
        store.update_stories()
        monkeypatch.undo()
        assert store.stories_stale()  # nothing written: the state would have counted the new articles twice
        words = json.dumps(sorted(store._db().execute("SELECT word, articles FROM story_words").fetchall()))
        assert grouped(store.update_stories()) == grouped(rebuilt(store)) and not store.stories_stale()
        assert json.dumps(sorted(store._db().execute("SELECT word, articles FROM story_words").fetchall())) != words


def test_what_the_whole_collection_settles_is_worked_out_again(tmp_path, settings, models):
    """Two cases where articles an add does not touch change stories: a word the new article writes in lower case
    is no longer a name in the others (their link goes), and a retired article no longer bridges two others (their
    story splits)."""
    p = make_article(
        "p", ["Quintar opened the bridge on Monday morning.", "Traffic was light near the river."], "2024-03-01"
    )
    q = make_article("q", ["Quintar closed the old ferry terminal.", "Commuters complained about fares."], "2024-03-02")
    r = make_article("r", ["The quintar of the valley is a small bird.", "Birdwatchers counted many."], "2024-06-01")
    flood = ["Flooding swept through Dornbirn after the Lechner dam failed.", "Rescuers searched for 14 residents."]
    # a (day 0) and c (day 8) are too far apart to be linked; b and e (day 4) link both
    bridged = [make_article(i, flood, f"2024-01-0{d}") for i, d in (("a", 1), ("b", 5), ("c", 9), ("e", 5))]
    elsewhere = ["Budget talks in Tallinn stalled over pension reform.", "Ministers meet again next week."]
    with Store(tmp_path / "settled.db", settings, models=None) as store:
        put(store, [p, q, *bridged])
        assert [s.articles for s in store.update_stories()] == [("a", "b", "c", "e"), ("p", "q")]
        put(store, [r, make_article("b", elsewhere, "2024-01-05"), make_article("e", elsewhere, "2024-01-05")])
        stories = store.update_stories()
        assert grouped(stories) == grouped(rebuilt(store))
        assert [(s.articles, s.id) for s in stories] == [
            (("b", "e"), "s1"),  # the biggest part of the story that split (new versions of its articles) carries it on
            (("a",), "s3"),  # the other parts are new stories, with numbers not given before
            (("c",), "s4"),
            (("p",), "s2"),  # of two articles before, one left: it still carries the story on
            (("q",), "s5"),
            (("r",), "s6"),
        ]


def test_an_earlier_story_number_goes_to_the_story_holding_most_of_its_articles():
    # biggest first: 22 articles with 2 of the old s1, then 8 with the other 8 of s1: the 8 carry s1 on
    assert store_stories._numbers([[1, 1] + [None] * 20, [1] * 8], 5) == [5, 1]
    # a merge of s2 (3 articles) and s1 (2) carries s2 on; s1 goes to what is left of it, if anything
    assert store_stories._numbers([[2, 2, 2, 1, 1], [1], [None]], 3) == [2, 1, 3]


def test_a_store_of_schema_2_gains_the_days_and_keeps_its_story_ids(tmp_path, settings, models, gva):
    """A file as the previous version left it: no `days` column and a story state of version 1. Opening it adds the
    column; the next update works the stories out whole, with the days, and the stories keep their ids."""
    prepared = featurise(gva[:120], settings, workers=1).articles
    path = tmp_path / "old.db"
    with Store(path, settings, models=None) as store:
        put(store, prepared[:100])
        before = store.update_stories()
        put(store, prepared[100:])
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE story_terms DROP COLUMN days")
    db.execute("DROP INDEX articles_file")  # and what schema 4 added
    db.execute("ALTER TABLE articles DROP COLUMN file")
    db.execute("DROP TABLE runs")  # and what schema 5 added
    db.execute("ALTER TABLE vectors DROP COLUMN run_keys")
    before_runs = {k: v for k, v in index_settings(settings).items() if not k.startswith("run_")}
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('index', ?)", (json.dumps(before_runs),))
    db.execute("UPDATE meta SET value = 'a version-1 state' WHERE key = 'story_state'")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Store(path, settings, models=None) as store:
        assert store.schema_version == SCHEMA_VERSION
        after = store.update_stories()
        assert grouped(after) == grouped(rebuilt(store))
        ids = {s.articles: s.id for s in before}
        assert sum(ids.get(s.articles) == s.id for s in after) >= len(before) // 2  # most stories unchanged, same id
        days = store._db().execute("SELECT count(*) FROM story_terms WHERE days != ''").fetchone()[0]
        assert days == store.count()
        # the fingerprints of long runs of the articles stored before, in their column and the index table, and
        # how they were made among the index settings, so that the store still takes new articles
        assert json.loads(store._meta(store._db(), "index")) == index_settings(settings)
        for key, text in store._db().execute("SELECT key, text FROM articles WHERE current = 1"):
            row = store._db().execute("SELECT run_keys FROM vectors WHERE article = ?", (key,)).fetchone()
            indexed = {k for (k,) in store._db().execute("SELECT key FROM runs WHERE article = ?", (key,))}
            assert np.array_equal(np.frombuffer(row[0], dtype=np.int64), stored_runs(text))
            assert indexed == set(stored_runs(text).tolist())
