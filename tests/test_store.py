"""The persistent store: incremental adds, versions, check, schema, crash safety and concurrent writers."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sourcetrace.errors import StoreError
from sourcetrace.pipeline import compare, scan
from sourcetrace.records import Article
from sourcetrace.settings import Settings
from sourcetrace.stages.ingest import read_articles
from sourcetrace.store import Store
from sourcetrace.store.schema import SCHEMA_VERSION

from .conftest import SEEDS

_VOCABULARY = """
council minister harbour river market school bridge festival railway budget village hospital storm farmers museum
election court police airport energy drought factory teachers mayor island canal tourists report plan season record
price water road union station project company office league team city county announced approved rejected delayed
opened closed expanded reduced raised lowered blocked reviewed visited
"""
_WORDS = _VOCABULARY.split()


def synthetic(count: int, seed: int = 7, copies: int = 4) -> list[Article]:
    """Word-salad articles (unrelated to each other), with ``copies`` planted reuse pairs: article 2k+1 takes
    six sentences of article 2k word for word. Deterministic."""
    rng = random.Random(seed)

    def sentence() -> str:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 16))]
        return " ".join(words).capitalize() + "."

    texts = [[sentence() for _ in range(rng.randint(8, 12))] for _ in range(count)]
    for k in range(copies):
        source, taker = texts[2 * k], texts[2 * k + 1]
        taker[1:1] = source[:6]
    return [
        Article(
            id=f"syn{n:03d}",
            path=f"syn{n:03d}.txt",
            text="\n\n".join(" ".join(t[i : i + 2]) for i in range(0, len(t), 2)),
        )
        for n, t in enumerate(texts)
    ]


def write_jsonl(path: Path, articles: list[Article]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps({"id": a.id, "text": a.text}) + "\n")
    return path


def links(pair) -> list[tuple[int, int, bool]]:
    return [(k.a, k.b, k.verbatim) for p in pair.passages for k in p.links]


def pair_keys(pairs) -> set[tuple[str, str, str]]:
    return {(p.a, p.b, p.relation) for p in pairs}


@pytest.fixture(scope="module")
def seeds_raw(settings):
    articles, errors = read_articles([SEEDS], settings.ingest)
    assert not errors
    return articles


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, settings, models, seeds_raw):
    path = tmp_path_factory.mktemp("store") / "seeds.db"
    with Store(path, settings, models) as store:
        store.add(seeds_raw)
    return path


def test_seeds_into_an_empty_store_find_what_scan_finds(seeded, settings, models):
    expected = scan([SEEDS], settings, models)
    with Store(seeded, settings, models, create=False) as store:
        assert store.count() == 5
        assert pair_keys(store.pairs(limit=None)) == pair_keys(expected.pairs)
        assert store.stories(limit=None) == expected.stories
        rewrite = next(p for p in store.pairs(limit=None) if p.relation == "rewrite")
        assert rewrite.source and rewrite.source.startswith("001")
        assert any(d.kind == "attribution" and d.b_text == "told AFP" for d in rewrite.divergences)
        assert not store.stories_stale()


def test_re_adding_unchanged_articles_is_a_no_op(seeded, settings, models, seeds_raw):
    with Store(seeded, settings, models) as store:
        before = store.generation()
        result = store.add(seeds_raw)
        assert sorted(result.unchanged) == sorted(a.id for a in seeds_raw)
        assert not result.added and not result.updated and not result.pairs
        assert store.generation() == before


def test_a_changed_article_becomes_a_new_version_not_a_copy_of_itself(tmp_path, settings, models, seeds_raw):
    with Store(tmp_path / "v.db", settings, models) as store:
        store.add(seeds_raw)
        old = next(a for a in seeds_raw if a.id.startswith("000"))
        changed = Article(
            id=old.id, path="elsewhere.txt", text=old.text + "\n\nThe talks ended on Friday, officials said."
        )
        result = store.add([changed])
        assert result.updated == [old.id] and not result.added
        assert [(v.version, v.current) for v in store.versions(old.id)] == [(1, False), (2, True)]
        assert store.count() == 5
        mine = store.pairs(article=old.id, limit=None)
        assert all(p.a != p.b for p in mine)  # never paired with its own earlier version
        assert ("rewrite" in {p.relation for p in mine}) and len(mine) == 2
        assert "Friday" in store.article(old.id).text and "Friday" not in store.article(old.id, version=1).text
        # the old version left the search: its band keys and vectors are gone, its text stays
        db = sqlite3.connect(tmp_path / "v.db")
        (old_key,) = db.execute("SELECT key FROM articles WHERE id = ? AND version = 1", (old.id,)).fetchone()
        for table in ("minhash", "simhash", "vectors"):
            column = "article"
            assert db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (old_key,)).fetchone()[0] == 0
        db.close()


def test_a_file_is_one_article_whatever_folder_it_is_given_through(tmp_path, settings, models):
    # an id is the path below the folder given: the same file through its parent folder gets another id (stored
    # twice, it would be a copy of itself), and two folders' files of one name get one id
    files = sorted(SEEDS.glob("*.txt"))
    for folder, seed in (("a", files[1]), ("b", files[2]), ("news", files[0])):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(seed, tmp_path / "in" / folder / "story.txt")
    with Store(tmp_path / "f.db", settings, models) as store:
        assert store.add_paths([tmp_path / "in" / "a"]).added == ["story"]
        other = store.add_paths([tmp_path / "in" / "b"])  # another article, the same id: said, not silent
        assert other.updated == ["story"]
        (warning,) = other.errors
        assert warning.level == "warning" and "another file that is still there" in warning.reason
        again = store.add_paths([tmp_path / "in"])  # every file again, through the parent folder
        refused = sorted(e.path for e in again.errors if e.level == "error")
        assert refused == [str(tmp_path / "in" / "b" / "story.txt")]  # stored already, as "story"
        assert sorted(again.added) == ["a/story", "news/story"]  # a's file left the index as "story": back in
        assert store.count() == 3 and all(p.a != p.b for p in store.pairs(limit=None))
    with Store(tmp_path / "f.db", settings, models) as store, contextlib.chdir(tmp_path):
        spelt = store.add_paths(["./in"])  # the same files spelt otherwise, from another folder: still the same
        assert not spelt.added and sorted(spelt.unchanged) == ["a/story", "news/story"]
        assert [e.path for e in spelt.errors] == [os.path.join("./in", "b", "story.txt")]  # stored as "story"
        assert store.count() == 3


def test_adding_one_at_a_time_finds_the_pairs_of_adding_all_at_once(tmp_path, settings, models, seeds_raw, seeded):
    with Store(tmp_path / "one.db", settings, models) as store:
        for article in seeds_raw:
            store.add([article])
        one_by_one = pair_keys(store.pairs(limit=None))
        assert store.generation() == 5
    with Store(seeded, settings, models, create=False) as store:
        assert one_by_one == pair_keys(store.pairs(limit=None))


def test_check_gives_what_compare_gives_and_stores_nothing(tmp_path, settings, models, seeds_raw):
    path_000 = next(SEEDS.glob("000_*.txt"))
    with Store(tmp_path / "c.db", settings, models) as store:
        store.add([a for a in seeds_raw if not a.id.startswith("000")])
        generation, count = store.generation(), store.count()
        result = store.check_paths([path_000])
        assert store.generation() == generation and store.count() == count
    assert [a.id for a in result.articles][0].startswith("000")
    assert {p.b[:3]: p.relation for p in result.pairs} == {"001": "rewrite", "003": "shared-quotes"}
    for pair in result.pairs:
        other = next(SEEDS.glob(f"{pair.b[:3]}_*.txt"))
        (expected,) = compare(path_000, other, settings, models).pairs
        assert (pair.a, pair.b, pair.relation, pair.source) == (
            expected.a,
            expected.b,
            expected.relation,
            expected.source,
        )
        # the same sentence links and divergences, up to the encoder's batch effects: the int8 encoder quantises
        # per batch, compare encodes the pair's sentences together and the store one at a time (docs/store.md)
        same = set(links(pair)) & set(links(expected))
        assert len(same) >= 0.85 * max(len(links(pair)), len(links(expected)))
        scores = {(k.a, k.b): k.score for p in pair.passages for k in p.links}
        expected_scores = {(k.a, k.b): k.score for p in expected.passages for k in p.links}
        assert [scores[ab] for ab in sorted(scores.keys() & expected_scores.keys())] == pytest.approx(
            [expected_scores[ab] for ab in sorted(scores.keys() & expected_scores.keys())], abs=0.03
        )
        facts = {(d.kind, d.change, d.a_text, d.b_text) for d in pair.divergences}
        expected_facts = {(d.kind, d.change, d.a_text, d.b_text) for d in expected.divergences}
        assert len(facts & expected_facts) >= 0.8 * len(expected_facts)
        if pair.b.startswith("001"):
            assert ("attribution", "added", None, "told AFP") in facts & expected_facts
    assert result.stories and all(len(s.articles) >= 2 for s in result.stories)


def test_check_leaves_out_the_stored_article_with_the_same_id(seeded, settings, models, seeds_raw):
    seed_000 = next(a for a in seeds_raw if a.id.startswith("000"))
    with Store(seeded, settings, models, create=False) as store:
        result = store.check([seed_000])
    assert {p.b[:3] for p in result.pairs} == {"001", "003"}
    assert all(p.a == seed_000.id != p.b for p in result.pairs)


def test_check_of_an_empty_store_finds_nothing(tmp_path, settings, models, seeds_raw):
    with Store(tmp_path / "empty.db", settings, models) as store:
        result = store.check(seeds_raw[:1])
    assert [a.id for a in result.articles] == [seeds_raw[0].id] and not result.pairs


def test_schema_version_and_what_is_refused(tmp_path, settings, models, seeded):
    with Store(seeded, settings, create=False) as store:
        assert store.schema_version == SCHEMA_VERSION
    with pytest.raises(StoreError, match="no store"):
        Store(tmp_path / "missing.db", settings, create=False)
    (tmp_path / "junk.db").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a sourcetrace store"):
        Store(tmp_path / "junk.db", settings)
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    with pytest.raises(StoreError, match="not a sourcetrace store"):
        Store(tmp_path / "other.db", settings)
    newer = tmp_path / "newer.db"
    newer.write_bytes(Path(seeded).read_bytes())
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(newer, settings)


def test_a_store_refuses_vectors_of_another_encoder(tmp_path, settings, models, seeds_raw):
    path = tmp_path / "enc.db"
    with Store(path, settings, models) as store:
        store.add(seeds_raw[:2])
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'encoder'", (json.dumps({"onnx_sha256": "something else"}),))
    db.commit()
    db.close()
    with Store(path, settings, models) as store, pytest.raises(StoreError, match="different sentence encoder"):
        store.add(seeds_raw[2:3])
    with Store(path, settings, models) as store, pytest.raises(StoreError, match="different sentence encoder"):
        store.check(seeds_raw[2:3])


def test_a_store_refuses_pairs_scored_otherwise_and_a_rebuild_scores_them_anew(tmp_path, settings, models, seeds_raw):
    from dataclasses import replace

    path = tmp_path / "scored.db"
    with Store(path, settings, models) as store:
        store.add(seeds_raw[:2])
    other = replace(settings, classify=replace(settings.classify, reuse_strength=0.5))
    refused = re.escape(f"other settings (classify.reuse_strength {settings.classify.reuse_strength} -> 0.5)")
    with Store(path, other, models) as store, pytest.raises(StoreError, match=refused):
        store.add(seeds_raw[2:3])
    with Store(path, other, models) as store:  # checking against it scores afresh: allowed
        store.check(seeds_raw[2:3])
    # a store made before scoring was recorded holds pairs of an earlier version
    db = sqlite3.connect(path)
    db.execute("DELETE FROM meta WHERE key = 'scoring'")
    db.commit()
    db.close()
    with Store(path, settings, models) as store, pytest.raises(StoreError, match="an earlier version.*index rebuild"):
        store.add(seeds_raw[2:3])
    with Store(path, settings, models) as store:
        assert store.count() == 2  # nothing lost
    # the way out the message names: a new store from its articles, scored now, which takes new articles
    from click.testing import CliRunner

    from sourcetrace.cli import main

    rebuilt = tmp_path / "rebuilt.db"
    result = CliRunner().invoke(main, ["index", "rebuild", "--db", str(path), "--to", str(rebuilt)])
    assert result.exit_code == 0, result.output
    with Store(rebuilt, settings, models) as store:
        store.add(seeds_raw[2:3])
        assert store.count() == 3


def test_the_running_mean_counts_every_stored_sentence(seeded, settings):
    db = sqlite3.connect(seeded)
    count = db.execute("SELECT value FROM meta WHERE key = 'static_count'").fetchone()[0]
    sentences = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    total = np.frombuffer(db.execute("SELECT value FROM meta WHERE key = 'static_sum'").fetchone()[0], dtype=np.float64)
    db.close()
    assert count == sentences > 0
    assert total.shape == (256,) and np.isfinite(total).all() and np.abs(total).sum() > 0


def test_a_check_touches_a_shortlist_not_the_whole_collection(tmp_path, models, monkeypatch):
    """The work of a check (and of an add, which runs the same search) is bounded by the shortlist: the nearest
    articles and band-key matches, never the whole store."""
    import sourcetrace.store.matching as matching

    settings = Settings.load()
    k = settings.candidates.neighbours
    articles = synthetic(120)
    taker = Article(
        id="taker", path="taker.txt", text=articles[50].text + "\n\nA closing line of our own, officials said."
    )
    loaded: list[int] = []
    aligned: list[int] = []
    real_load, real_related = Store._load_articles, matching.related_pairs

    def counting_load(db, keys):
        loaded.extend(keys)
        return real_load(db, keys)

    def counting_related(articles, candidates, *args, **kwargs):
        aligned.append(len(candidates))
        return real_related(articles, candidates, *args, **kwargs)

    work = {}
    with Store(tmp_path / "big.db", settings, models) as store:
        for start, size in ((0, 30), (30, 120)):
            store.add(articles[start:size], stories=False)
            monkeypatch.setattr(Store, "_load_articles", staticmethod(counting_load))
            monkeypatch.setattr(matching, "related_pairs", counting_related)
            loaded.clear()
            aligned.clear()
            result = store.check([taker])
            work[size] = (len(set(loaded)), sum(aligned))
            monkeypatch.undo()
            assert any(p.b == "syn050" and p.relation == "copy" for p in result.pairs) == (size == 120)
    for size, (shortlisted, candidates) in work.items():
        assert 1 <= shortlisted <= matching.NEAREST * k + 5 and candidates <= shortlisted, (size, work)
    assert work[120][0] < 120 / 3


def test_a_passage_taken_word_for_word_is_found_among_many_stored_articles(tmp_path, models):
    """A long run of words shared, and nothing else, brings the stored source into the shortlist (the runs table)
    and makes the pair (candidates.shared_runs), in a store larger than the shortlist."""
    from sourcetrace.store.index import stored_runs

    settings = Settings.load()
    articles = synthetic(120, copies=0)
    rng = random.Random(11)
    long_sentence = " ".join(rng.choice(_WORDS) for _ in range(34))
    source = articles[50]
    articles[50] = Article(id=source.id, path=source.path, text=source.text + "\n\n" + long_sentence.capitalize() + ".")
    own = synthetic(1, seed=99, copies=0)[0].text
    taker = Article(id="taker", path="taker.txt", text=f"{own}\n\nThen {long_sentence} and so it went on.")
    with Store(tmp_path / "runs.db", settings, models) as store:
        store.add(articles, stories=False)
        found = {p.b: p.relation for p in store.check([taker]).pairs}
        assert found == {source.id: "excerpt"}
        db = store._db()
        keys = [int(k) for k in stored_runs(taker.text)]
        marks = ",".join("?" * len(keys))
        holders = {
            r[0]
            for r in db.execute(
                f"SELECT a.id FROM runs JOIN articles a ON a.key = article WHERE runs.key IN ({marks})", keys
            )
        }
        assert holders == {source.id}  # the shortlist's probe: the one stored article holding the run
        store.add([taker], stories=False)
        assert [(p.a, p.relation) for p in store.pairs(article="taker")] == [(source.id, "excerpt")]


def test_a_new_schema_version_is_applied_by_a_migration(tmp_path, settings, models, seeds_raw, monkeypatch):
    import sourcetrace.store.schema as schema

    path = tmp_path / "old.db"
    with Store(path, settings, models) as store:
        store.add(seeds_raw[:2])
    statements = ["ALTER TABLE articles ADD COLUMN language TEXT", "CREATE INDEX by_date ON articles (date)"]
    upgrade = (SCHEMA_VERSION + 1, statements)
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, upgrade])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(path, settings, models) as store:
        assert store.schema_version == SCHEMA_VERSION + 1 and store.count() == 2
    db = sqlite3.connect(path)
    assert "language" in [r[1] for r in db.execute("PRAGMA table_info(articles)")]
    db.close()
    monkeypatch.undo()
    with pytest.raises(StoreError, match="newer"):  # the old code refuses the upgraded file
        Store(path, settings)


def test_bad_input_names_the_file_and_loses_nothing(tmp_path, settings, models, seeds_raw):
    path = tmp_path / "bad.db"
    with Store(path, settings, models) as store:
        store.add(seeds_raw)
        pairs = pair_keys(store.pairs(limit=None))
        (tmp_path / "empty.txt").write_text("Subscribe now!\n\nShare this page", encoding="utf-8")
        (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
        (tmp_path / "lines.jsonl").write_text('{"id": "x", "text": "fine, said nobody."}\n{not json\n', "utf-8")
        # a changed version of a stored article that cleans to nothing: the stored version stays current
        stale = Article(id=seeds_raw[0].id, path="blank.txt", text="Share this page")
        result = store.add_paths([tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "lines.jsonl"])
        result_stale = store.add([stale])
        reasons = {Path(e.path).name: e.reason for e in result.errors + result_stale.errors}
        assert store.count() == 6 and pair_keys(store.pairs(limit=None)) == pairs
        assert store.article(seeds_raw[0].id).text == store.article(seeds_raw[0].id, version=1).text
        assert [v.version for v in store.versions(seeds_raw[0].id)] == [1]
    assert {"empty.txt", "binary.txt", "blank.txt"} <= set(reasons) and any("lines.jsonl" in n for n in reasons)
    assert all(reason for reason in reasons.values())


# --- crash safety and concurrent writers: real processes -------------------------------------------------------

_CHILD = """
import sys
import sourcetrace.store.adding as adding
from sourcetrace.store import Store
adding.CHUNK = int(sys.argv[3])
with Store(sys.argv[1]) as store:
    store.add_paths([sys.argv[2]])
"""


def _child(db: Path, jsonl: Path, chunk: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(jsonl), str(chunk)], env=env)


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def assert_consistent(db_path: Path) -> None:
    """Whole articles only: each has its sentences, vectors and band keys; each pair joins two stored articles."""
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for key, sentences, vectors, blob in db.execute(
            "SELECT a.key, (SELECT count(*) FROM sentences s WHERE s.article = a.key), v.embeddings, v.simhash_keys "
            "FROM articles a LEFT JOIN vectors v ON v.article = a.key WHERE a.current = 1"
        ):
            assert sentences > 0 and vectors is not None and len(vectors) == sentences * 384 * 4, key
            keys = np.frombuffer(blob, dtype=np.int64)
            stored = db.execute("SELECT count(*) FROM simhash WHERE article = ?", (key,)).fetchone()[0]
            assert stored == len(keys), key
        orphans = db.execute(
            "SELECT count(*) FROM pairs p WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.key = p.a) "
            "OR NOT EXISTS (SELECT 1 FROM articles b WHERE b.key = p.b)"
        ).fetchone()[0]
        assert orphans == 0
        generation = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        assert generation == db.execute("SELECT count(DISTINCT added) FROM articles").fetchone()[0] or generation > 0
    finally:
        db.close()


def _stored_pairs(db_path: Path) -> set[tuple[str, str, str]]:
    db = sqlite3.connect(db_path)
    try:
        return set(
            db.execute(
                "SELECT x.id, y.id, p.relation FROM pairs p "
                "JOIN articles x ON x.key = p.a JOIN articles y ON y.key = p.b"
            ).fetchall()
        )
    finally:
        db.close()


@pytest.fixture(scope="module")
def planted(tmp_path_factory, models):
    folder = tmp_path_factory.mktemp("planted")
    articles = synthetic(PLANTED, seed=11, copies=6)
    # the planted sources and takers end up in different chunks: 0..11 -> shuffle so pairs cross chunk borders
    random.Random(3).shuffle(articles)
    jsonl = write_jsonl(folder / "articles.jsonl", articles)
    clean = folder / "clean.db"
    child = _child(clean, jsonl, 4)
    assert child.wait(timeout=600) == 0
    return jsonl, clean


PLANTED = 80


def test_an_add_killed_midway_leaves_whole_articles_and_a_rerun_completes_it(tmp_path, planted):
    jsonl, clean = planted
    expected = _stored_pairs(clean)
    assert {r for _, _, r in expected} >= {"copy"}
    db = tmp_path / "killed.db"
    rng = random.Random(5)
    kills = 0
    while kills < 3 and _count(db) < PLANTED // 2:
        child = _child(db, jsonl, 4)
        deadline = time.monotonic() + 300
        start = _count(db)
        while _count(db) <= start and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.2))  # somewhere in a later chunk: encoding, or inside its transaction
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        assert_consistent(db)
        assert _count(db) % 4 == 0  # a chunk is stored whole or not at all
    assert kills >= 1 and 0 < _count(db) < PLANTED, "the add finished before it could be interrupted"
    child = _child(db, jsonl, 4)
    assert child.wait(timeout=600) == 0
    assert_consistent(db)
    assert _count(db) == PLANTED
    assert _stored_pairs(db) == expected
    with Store(db, create=False) as store:
        assert not store.stories_stale()


def test_two_writers_at_once_lose_nothing(tmp_path, models):
    articles = synthetic(30, seed=19, copies=5)
    # each planted pair is split between the two writers: (2k in one, 2k+1 in the other)
    first = write_jsonl(tmp_path / "first.jsonl", articles[0::2])
    second = write_jsonl(tmp_path / "second.jsonl", articles[1::2] + articles[0:4:2])  # two ids in both
    db = tmp_path / "shared.db"
    children = [_child(db, first, 3), _child(db, second, 3)]
    assert [c.wait(timeout=600) for c in children] == [0, 0]
    assert_consistent(db)
    with Store(db, create=False) as store:
        assert store.count() == 30
        assert sorted(a.id for a in store.articles(limit=100)) == sorted(a.id for a in articles)
        assert all(v.version == 1 for a in articles for v in store.versions(a.id))
        found = {(p.a, p.b) for p in store.pairs(limit=None)}
    for k in range(5):
        assert (f"syn{2 * k:03d}", f"syn{2 * k + 1:03d}") in found


# --- the commands ---------------------------------------------------------------------------------------------


def test_index_add_and_check_commands(tmp_path, models):
    from click.testing import CliRunner

    from sourcetrace.cli import main

    runner = CliRunner()
    db = tmp_path / "cli.db"
    seed_000 = next(SEEDS.glob("000_*.txt"))
    others = [str(p) for p in sorted(SEEDS.glob("*.txt")) if p != seed_000]
    first = runner.invoke(main, ["index", "add", *others, "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "added 4, new versions 0, unchanged 0" in first.stdout and "holds 4 articles" in first.stdout
    again = runner.invoke(main, ["index", "add", *others, "--db", str(db)])
    assert "added 0, new versions 0, unchanged 4" in again.stdout
    checked = runner.invoke(main, ["check", str(seed_000), "--db", str(db), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["schema"] == 1 and report["articles"][0]["id"] == seed_000.stem
    assert {(p["b"][:3], p["relation"]) for p in report["pairs"]} == {("001", "rewrite"), ("003", "shared-quotes")}
    table = runner.invoke(main, ["check", str(seed_000), "--db", str(db)])
    assert table.exit_code == 0 and "is a rewrite of “Putin Accepts Kim" in table.stdout  # the details, in words
    assert runner.invoke(main, ["index", "add", str(seed_000), "--db", str(db)]).exit_code == 0
    assert "holds 5 articles" in runner.invoke(main, ["index", "add", str(seed_000), "--db", str(db)]).stdout
    missing = runner.invoke(main, ["check", str(seed_000), "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no store" in missing.output
    unreadable = runner.invoke(main, ["index", "add", str(tmp_path / "nothing-here.txt"), "--db", str(db)])
    assert unreadable.exit_code == 1 and "nothing-here.txt: does not exist" in unreadable.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database " * 200)
    refused = runner.invoke(main, ["index", "add", str(seed_000), "--db", str(junk)])
    assert refused.exit_code == 1 and f"{junk} is not a sourcetrace store" in refused.output
    assert junk.read_bytes() == b"not a database " * 200  # left as it was
    nowhere = runner.invoke(main, ["index", "add", str(seed_000), "--db", str(tmp_path / "no" / "such" / "x.db")])
    assert nowhere.exit_code == 1 and "x.db" in nowhere.output and "folder" in nowhere.output
    assert "holds 5 articles" in runner.invoke(main, ["index", "add", str(seed_000), "--db", str(db)]).stdout


def test_the_default_install_stays_lean():
    """The web service and the report are extras: the core neither depends on nor imports them."""
    import tomllib

    from .conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    heavy = ("fastapi", "uvicorn", "jinja2", "playwright", "httpx")
    assert not [d for d in project["dependencies"] if d.lower().startswith(heavy)]
    assert {d.split(">")[0] for d in project["optional-dependencies"]["web"]} >= {"fastapi", "uvicorn", "jinja2"}
    code = "import sys, sourcetrace, sourcetrace.cli, sourcetrace.store; print(sorted(m for m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert not [m for m in heavy if f"'{m}'" in loaded]


def test_the_shortlist_counts_copies_of_one_text_once_and_keeps_each():
    from sourcetrace.store.index import Index

    rng = np.random.default_rng(3)
    others = rng.standard_normal((30, 384)).astype(np.float32)  # the static width: copies' cosines may differ in BLAS
    story = rng.standard_normal(384).astype(np.float32)
    means = np.vstack([others[:10], np.repeat(story[None], 12, axis=0), others[10:]])
    index = Index(0, np.arange(100, 100 + len(means), dtype=np.int64), means)
    near = rng.standard_normal(384).astype(np.float32) * 0.1 + story
    found = index.nearest(near, np.zeros(384, np.float32), 3, leave_out={100})
    copies = set(range(110, 122))
    assert copies <= set(found) and len(set(found) - copies) == 2  # the story's 12 copies are one of 3 texts
    capped = index.nearest(near, np.zeros(384, np.float32), 3, set(), most_copies=5)
    assert not set(capped) & copies and len(capped) == 3  # a text copied more is not taken: three others instead
    assert not copies & set(index.nearest(near, np.zeros(384, np.float32), 3, copies))  # left out: not a text found
