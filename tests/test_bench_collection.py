"""Tests for the synthetic benchmark collection generator (needs the shared evaluation data)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

pytestmark = [pytest.mark.shared, pytest.mark.skipif(not DATA.is_dir(), reason="shared evaluation data absent")]


def _load_generator():
    # bench/ is a folder of scripts, not a package.
    spec = importlib.util.spec_from_file_location("bench_collection", ROOT / "bench" / "collection.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


collection = _load_generator()


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture(scope="module")
def small() -> tuple[list[dict], list[dict]]:
    return collection.build_collection(300, seed=0, data_dir=DATA, rate=0.5)


def _texts(articles: list[dict]) -> dict[str, str]:
    return {article["id"]: article["text"] for article in articles}


def _pairs(truth: list[dict], relation: str) -> list[dict]:
    return [pair for pair in truth if pair["relation"] == relation]


def test_small_collection_has_every_kind_in_equal_numbers(small):
    articles, truth = small
    assert len(articles) == 300
    counts = {kind: len(_pairs(truth, kind)) for kind in collection.KINDS}
    assert counts == {"copy": 15, "rewrite": 15, "excerpt": 15, "shared-quotes": 15, "none": 15}


def test_ids_are_unique_and_records_well_formed(small):
    articles, truth = small
    ids = [article["id"] for article in articles]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"a\d{5}", i) for i in ids)
    assert all(set(article) == {"id", "text", "published"} for article in articles)
    assert all(re.fullmatch(r"2023-\d\d-\d\d", article["published"]) for article in articles)
    assert all(set(pair) == {"a", "b", "relation", "source"} for pair in truth)
    assert {i for pair in truth for i in (pair["a"], pair["b"])} <= set(ids)


def test_each_article_is_in_at_most_one_pair(small):
    _, truth = small
    members = [i for pair in truth for i in (pair["a"], pair["b"])]
    assert len(members) == len(set(members))


def test_source_is_a_member_and_published_first(small):
    articles, truth = small
    published = {article["id"]: article["published"] for article in articles}
    for pair in truth:
        other = pair["b"] if pair["source"] == pair["a"] else pair["a"]
        assert pair["source"] in (pair["a"], pair["b"])
        assert published[pair["source"]] < published[other]


def test_rewrites_share_few_shingles_and_copies_many(small):
    articles, truth = small
    texts = _texts(articles)
    rewrites = [_jaccard(texts[p["a"]], texts[p["b"]]) for p in _pairs(truth, "rewrite")]
    copies = [_jaccard(texts[p["a"]], texts[p["b"]]) for p in _pairs(truth, "copy")]
    assert max(rewrites) < 0.3
    assert min(copies) > 0.5
    assert all(texts[p["a"]] != texts[p["b"]] for p in _pairs(truth, "copy"))


def test_excerpt_carries_a_run_of_the_source(small):
    articles, truth = small
    texts = _texts(articles)
    for pair in _pairs(truth, "excerpt"):
        shared = _shingles(texts[pair["a"]]) & _shingles(texts[pair["b"]])
        # Three sentences of some twenty words each, at most one word edited.
        assert len(shared) >= 20
        assert _jaccard(texts[pair["a"]], texts[pair["b"]]) < 0.3


def test_shared_quotes_appear_in_both_articles(small):
    articles, truth = small
    texts = _texts(articles)
    quote = re.compile(r'"[^"]+," [A-Z][a-z]+ [A-Z][a-z]+ said\.')
    for pair in _pairs(truth, "shared-quotes"):
        in_a = set(quote.findall(texts[pair["a"]]))
        in_b = set(quote.findall(texts[pair["b"]]))
        assert 1 <= len(in_a & in_b) <= 2


def test_articles_outside_a_pair_share_little_text(small):
    articles, truth = small
    paired = {frozenset((p["a"], p["b"])) for p in truth}
    shingles = {article["id"]: _shingles(article["text"]) for article in articles}
    for (a, sa), (b, sb) in itertools.combinations(shingles.items(), 2):
        if frozenset((a, b)) not in paired:
            assert len(sa & sb) / len(sa | sb) < 0.1, (a, b)


def test_background_articles_are_news_length_paragraphed(small):
    articles, truth = small
    paired = {i for pair in truth for i in (pair["a"], pair["b"])}
    background = [article["text"] for article in articles if article["id"] not in paired]
    assert len(background) == 150
    for text in background:
        assert 550 <= len(text.split()) <= 1000
        paragraphs = text.split("\n\n")
        assert len(paragraphs) >= 8
        assert all(paragraph.strip() == paragraph and paragraph for paragraph in paragraphs)


def _sentence_keys(text: str) -> set[str]:
    keys = set()
    for paragraph in text.split("\n\n"):
        for sentence in collection.split_sentences(paragraph):
            key = " ".join(re.findall(r"\w+", sentence.lower()))
            # Fragments from a split at an abbreviation the splitter does not know are not sentences of their own.
            boilerplate = any(sentence in line for line in collection._BOILERPLATE)  # shared by copies on purpose
            if len(key.split()) >= 5 and not boilerplate:
                keys.add(key)
    return keys


def test_no_sentence_is_in_two_articles_outside_a_planted_pair(small):
    articles, truth = small
    paired = {frozenset((p["a"], p["b"])) for p in truth}
    carriers: dict[str, set[str]] = {}
    for article in articles:
        for key in _sentence_keys(article["text"]):
            carriers.setdefault(key, set()).add(article["id"])
    shared = [ids for ids in carriers.values() if len(ids) > 1]
    assert shared  # the planted copies and excerpts share sentences, so the check can see sharing
    assert all(len(ids) == 2 and frozenset(ids) in paired for ids in shared)


def test_background_articles_carry_no_detokenisation_artefacts(small):
    articles, truth = small
    paired = {i for pair in truth for i in (pair["a"], pair["b"])}
    artefact = re.compile(r"\d\. \d| [,;:!?]| \.(?!\.\.)")
    assert not [a["id"] for a in articles if a["id"] not in paired and artefact.search(a["text"])]


def test_pool_draws_on_every_source_and_fills_a_small_collection_without_reuse():
    _, _, stats = collection._build(300, 0, DATA, 0.5)
    sources = (*collection.NEWS_SOURCES, collection.WEB_SOURCE, *collection.PAIR_SOURCES)
    assert all(stats.pool[source] > 0 for source in sources)
    assert stats.fresh_articles == stats.background_articles == 195
    assert stats.missing_sentences == 0


def test_a_short_pool_shrinks_articles_then_reuses_at_most_one_sentence_per_pair():
    sentences = [f"Sentence number {i} stands alone here." for i in range(900)]
    stats = collection.BuildStats()
    rng = collection.random.Random(0)
    with pytest.warns(UserWarning, match="reuse sentences"):
        hosts, others = collection._background(sentences, collection.deque(range(900)), 80, 2, rng, stats)
    articles = [set(article) for article in hosts + others]
    assert len(hosts) == 2 and len(articles) == 80
    assert all(len(article) >= collection.FEWEST_SENTENCES for article in articles)
    assert stats.fresh_articles == 900 // collection.FEWEST_SENTENCES
    assert stats.missing_sentences == 80 * collection.FEWEST_SENTENCES - 900
    assert all(len(a & b) <= 1 for a, b in itertools.combinations(articles, 2))
    others_text = set().union(*articles[2:])
    assert not (articles[0] | articles[1]) & others_text  # hosts join planted pairs: nothing of theirs is reused


def test_a_pool_just_short_of_full_articles_shrinks_them_without_reuse():
    size = 20 * (collection.FEWEST_SENTENCES + 2)  # enough for 20 articles, not of full length
    sentences = [f"Sentence number {i} stands alone here." for i in range(size)]
    stats = collection.BuildStats()
    hosts, others = collection._background(
        sentences, collection.deque(range(size)), 20, 0, collection.random.Random(0), stats
    )
    lengths = [len(article) for article in hosts + others]
    assert len(lengths) == 20
    assert all(collection.FEWEST_SENTENCES <= n <= collection.MAX_SENTENCES for n in lengths)
    every = [s for article in hosts + others for s in article]
    assert len(every) == len(set(every))


def test_same_seed_same_collection_other_seed_other_collection(small):
    assert collection.build_collection(300, seed=0, data_dir=DATA, rate=0.5) == small
    assert collection.build_collection(300, seed=1, data_dir=DATA, rate=0.5) != small


def test_rate_outside_unit_interval_is_refused():
    with pytest.raises(ValueError, match="rate"):
        collection.build_collection(10, seed=0, data_dir=DATA, rate=1.5)


def test_command_line_writes_articles_and_truth(tmp_path, small, capsys):
    out = tmp_path / "collection"
    code = collection.main(["--n", "300", "--seed", "0", "--rate", "0.5", "--data", str(DATA), "--out", str(out)])
    assert code == 0
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    truth = [json.loads(line) for line in (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (articles, truth) == small
    printed = capsys.readouterr().out
    assert all(re.search(rf"^\s+{re.escape(kind)}\s+15 pairs", printed, re.M) for kind in collection.KINDS)
