"""The store's schema, as the migrations that build it (docs/store.md).

Each entry upgrades the schema from the previous version; PRAGMA user_version holds the version reached.
Never edit a released entry: append one.
"""

from __future__ import annotations

SCHEMA_VERSION = 5
RUNS = 5  # the version that keeps the fingerprints of long runs: opening an older store finds them (base._find_runs)

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
    (
        2,
        [
            # what the stories were worked out from, so that an add works out only what it changed (store/stories.py)
            """CREATE TABLE story_terms (
                article INTEGER PRIMARY KEY,
                names TEXT NOT NULL, openers TEXT NOT NULL, terms TEXT NOT NULL, words TEXT NOT NULL,
                digest INTEGER NOT NULL)""",
            "CREATE TABLE story_words (word TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID",
            "CREATE TABLE story_links (a INTEGER NOT NULL, b INTEGER NOT NULL, probability REAL NOT NULL, "
            "PRIMARY KEY (a, b)) WITHOUT ROWID",
            "CREATE TABLE story_blocks (article INTEGER PRIMARY KEY, block INTEGER NOT NULL, story INTEGER NOT NULL)",
        ],
    ),
    (
        3,
        [
            # the days each article tells (stages/story_dates.py): its own days, ";", the dates it names
            "ALTER TABLE story_terms ADD COLUMN days TEXT NOT NULL DEFAULT ''",
        ],
    ),
    (
        4,
        [
            # the file an article was read from, resolved (store/adding.py: one file, one article)
            "ALTER TABLE articles ADD COLUMN file TEXT",
            "CREATE INDEX articles_file ON articles (file) WHERE current = 1",
        ],
    ),
    (
        5,
        [
            # the fingerprints of each article's long runs of words (candidates.run_keys), found for the articles
            # stored before by base.StoreBase._find_runs
            "ALTER TABLE vectors ADD COLUMN run_keys BLOB",
            "CREATE TABLE runs (key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (key, article)) "
            "WITHOUT ROWID",
            # how they are made, recorded with the other index settings (index.index_settings)
            "UPDATE meta SET value = json_set(value, '$.run_shingle', 12, '$.run_window', 14) WHERE key = 'index'",
        ],
    ),
]
