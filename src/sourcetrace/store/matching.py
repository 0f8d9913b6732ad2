"""Relating new articles to the stored ones: the shortlist, candidates and pairs (shared by add and check)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..pipeline import featurise, related_pairs
from ..records import Article, Pair, ScanResult
from ..stages.candidates import centre, find_candidates, mean_vector
from ..stages.ingest import read_articles
from ..stages.story_terms import Rarity, term_vectors
from .base import IN_LIMIT, chunks, mark
from .index import Index, KnownVectors, New, as_stored, sentence_keys, signature_keys, unit
from .reading import Reading

NEAREST = 3  # the shortlist takes the NEAREST x candidates.neighbours nearest stored texts of each new one


class Matching(Reading):
    """The shortlist of stored articles for new ones, the pairs they make, and checking without storing."""

    def _current_index(self, db: sqlite3.Connection) -> Index:
        """The in-memory mean static vectors for the snapshot ``db`` reads (reloaded when another writer changed it)."""
        generation = int(self._meta(db, "generation", 0))
        index = self._index
        if index is not None and index.generation == generation:
            return index
        keys, means = [], []
        for key, blob in db.execute(
            "SELECT a.key, v.static_mean FROM articles a JOIN vectors v ON v.article = a.key WHERE a.current = 1"
        ):
            keys.append(key)
            means.append(np.frombuffer(blob, dtype=np.float32))
        dim = len(means[0]) if means else 1
        index = Index(generation, np.array(keys, dtype=np.int64), np.stack(means) if means else np.zeros((0, dim)))
        self._index = index
        return index

    def _shortlist(
        self, db: sqlite3.Connection, items: Sequence[New], mean: np.ndarray, leave_out: set[int]
    ) -> list[int]:
        """Stored articles that could make a candidate pair with one of ``items``: a superset for find_candidates.

        1. MinHash band keys, sentence band keys and the fingerprints of long runs, probed in the index tables (a
           bucket holding more than ``max_bucket`` stored articles is boilerplate-like and skipped, as candidate
           search skips it);
        2. each item's NEAREST x ``neighbours`` nearest stored texts by document vector, with their copies.
        """
        c = self.settings.candidates
        found: set[int] = set()
        # 1.
        for table, keys in (
            ("minhash", {int(k) for p in items for k in p.minhash}),
            ("simhash", {int(k) for p in items for k in p.simhash}),
            ("runs", {int(k) for p in items for k in p.runs}),
        ):
            for key in keys:
                rows = db.execute(
                    f"SELECT article FROM {table} WHERE key = ? LIMIT ?", (key, c.max_bucket + 1)
                ).fetchall()
                if len(rows) <= c.max_bucket:
                    found.update(r[0] for r in rows)
        # 2.
        index = self._current_index(db)
        for p in items:
            found.update(index.nearest(p.mean, mean, NEAREST * c.neighbours, leave_out, c.max_bucket))
        return sorted(found - leave_out)

    def _relate(
        self, db: sqlite3.Connection, items: Sequence[New], shortlist: Sequence[int], checking: bool
    ) -> tuple[list[Pair], dict[str, Article]]:
        """Candidates among the items and the shortlisted stored articles, and their related pairs (stages 4-8).

        An article's nearest by rare words are looked for among these articles, not the whole store: a stored
        source whose document vector is not among an item's nearest (and that shares no band key with it) is not
        found, where a scan would find it through its rare words.

        Articles are in id order, so that a pair's ``a`` is the id that sorts first, as in a scan; when
        ``checking``, the checked article comes first and is the ``a`` of every pair, as in ``compare``.
        """
        settings, models = self.settings, self.models
        stored = self._load_articles(db, shortlist)
        features: dict[int, tuple[bytes, bytes, bytes]] = {}
        for chunk in chunks(list(shortlist), IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            for key, static, signature, runs in db.execute(
                f"SELECT article, static, signature, run_keys FROM vectors WHERE article IN ({marks})", chunk
            ):
                features[key] = (static, signature, runs)
        entries: list[tuple[Article, np.ndarray, np.ndarray, np.ndarray, int | None]] = [
            (p.article, p.static, p.signature, p.runs.view(np.uint64), None) for p in items
        ]
        for key in shortlist:
            static, signature, runs = features[key]
            rows = np.frombuffer(static, dtype=np.float16).reshape(len(stored[key].sentences), -1)
            entries.append(
                (
                    stored[key],
                    rows.astype(np.float32),
                    np.frombuffer(signature, dtype=np.uint64),
                    np.frombuffer(runs, dtype=np.uint64),  # never NULL from schema 5 on (base._find_runs)
                    key,
                )
            )
        if not checking:
            entries.sort(key=lambda e: e[0].id)
        articles = [e[0] for e in entries]
        mean = mean_vector([e[1] for e in entries])
        vectors = [centre(e[1], mean) for e in entries]
        quotations = [np.array([bool(s.quote_spans) for s in a.sentences], dtype=bool) for a in articles]
        new = [e[4] is None for e in entries]
        terms = term_vectors(articles, settings.stories, Rarity.load(settings.model_dir))
        signatures = np.stack([e[2] for e in entries])
        candidates = [
            c
            for c in find_candidates(
                signatures, vectors, settings.candidates, quotations, terms, [e[3] for e in entries]
            )
            if new[c.a] or new[c.b]
        ]
        # the transformer answers from stored vectors for stored sentences, and from the items' own when added
        known: dict[str, np.ndarray] = {}
        needed = sorted({e[4] for c in candidates for e in (entries[c.a], entries[c.b]) if e[4] is not None})
        dim = models.sentence.dim
        for chunk in chunks(needed, IN_LIMIT):
            marks = ",".join("?" * len(chunk))
            for key, blob in db.execute(f"SELECT article, embeddings FROM vectors WHERE article IN ({marks})", chunk):
                embedded = np.frombuffer(blob, dtype=np.float32).reshape(-1, dim)
                known.update((s.text, embedded[s.index]) for s in stored[key].sentences)
        for p in items:
            if p.embeddings is not None:
                known.update((s.text, p.embeddings[s.index]) for s in p.article.sentences)
        encoder = KnownVectors(models.sentence, known)
        pairs = list(related_pairs(articles, candidates, encoder, settings, False, None))
        return pairs, {a.id: a for a in articles}

    def _sentence_keys(self, static: np.ndarray, mean: np.ndarray) -> np.ndarray:
        c = self.settings.candidates
        return sentence_keys(unit(static - mean.astype(np.float32)), c.vector_bits, c.vector_bands)

    def check_paths(self, paths: Sequence[str | Path]) -> ScanResult:
        """Read the articles under ``paths`` and check each against the collection (see :meth:`check`)."""
        raw, errors = read_articles(paths, self.settings.ingest)
        result = self.check(raw)
        result.errors[:0] = errors
        return result

    def check(
        self, articles: Sequence[Article], timings: dict[str, float] | None = None, max_sentences: int | None = None
    ) -> ScanResult:
        """Reuse of each raw article against the collection, without storing anything.

        Each pair has the checked article as ``a``, as ``compare CHECKED STORED`` gives it. A stored article with
        the checked article's id is left out (it would be the same article). The result lists the checked
        articles, then the stored articles they share material with, and the stories those belong to.
        ``timings`` collects the seconds spent in each step. An article of more than ``max_sentences`` sentences
        raises InputError before anything is aligned (a bound for services).
        """
        clock = time.perf_counter()
        features = featurise(articles, self.settings, workers=1)
        clock = mark(timings, "prepare", clock)
        for article in features.articles:
            if max_sentences is not None and len(article.sentences) > max_sentences:
                raise InputError(
                    article.path,
                    f"has {len(article.sentences):,} sentences, over the limit of {max_sentences:,} for a check; "
                    "check a shorter text",
                )
        out = ScanResult(articles=[], pairs=[], stories=[], errors=list(features.errors))
        matched: dict[str, Article] = {}
        c = self.settings.candidates
        for k, article in enumerate(features.articles):
            static, signature, runs = features.static[k].astype(np.float32), features.signatures[k], features.runs[k]
            item = New(article, "", static, signature, None, runs=as_stored(runs))
            item.minhash = signature_keys(item.signature, c.minhash_bands)
            with self._read() as db:
                self._check_compatible(db, write=False)
                mean = self._running_mean(db)
                if mean is None:  # an empty store
                    out.articles.append(article)
                    continue
                item.simhash = self._sentence_keys(item.static, mean)
                same = self._current_key(db, article.id)
                shortlist = self._shortlist(db, [item], mean, set() if same is None else {same})
                clock = mark(timings, "shortlist", clock)
                pairs, by_id = self._relate(db, [item], shortlist, checking=True)
                clock = mark(timings, "candidates and align", clock)
            out.articles.append(article)
            for pair in sorted(pairs, key=lambda p: (-p.score, p.b)):
                out.pairs.append(pair)
                matched.setdefault(pair.b, by_id[pair.b])
        out.articles.extend(matched[k] for k in sorted(matched))
        stories = {s.id: s for s in (self.story_of(ident) for ident in sorted(matched)) if s is not None}
        out.stories = list(stories.values())
        return out
