"""A pair's relation and strength come from the two articles alone: unrelated articles around them change nothing."""

import json

import pytest

from sourcetrace.pipeline import analyse
from sourcetrace.stages.ingest import read_articles

from .conftest import SEEDS


@pytest.mark.shared
def test_seed_pairs_keep_their_verdicts_among_unrelated_news(settings, models, shared_data, tmp_path):
    noise = tmp_path / "unrelated.jsonl"
    lines = (shared_data / "llm-rewrites-dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    # originals only (their model rewrites would be related to each other), 120 US-politics texts
    originals = [line for line in lines if line.strip() and "." not in json.loads(line)["id"].split("-", 1)[1]]
    noise.write_text("\n".join(originals[:120]) + "\n", encoding="utf-8")
    seeds, _ = read_articles([SEEDS], settings.ingest)
    crowd, _ = read_articles([noise], settings.ingest)
    alone = analyse(seeds, settings, models)
    among = analyse(seeds + crowd, settings, models)
    seed_ids = {a.id for a in seeds}

    def verdicts(result):
        return {
            frozenset((p.a, p.b)): (p.relation, p.score, p.coverage_a, p.coverage_b)
            for p in result.pairs
            if {p.a, p.b} <= seed_ids
        }

    expected = verdicts(alone)
    assert any(relation == "rewrite" for relation, *_ in expected.values())
    assert verdicts(among) == expected


@pytest.mark.shared
def test_seed_stories_do_not_move_among_unrelated_news(settings, models, shared_data, tmp_path):
    """Story weights come from the language, not from the collection: the seeds are grouped the same way alone and
    among 120 unrelated US-politics articles, and none of those joins a seed story."""
    lines = (shared_data / "llm-rewrites-dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    originals = [line for line in lines if line.strip() and "." not in json.loads(line)["id"].split("-", 1)[1]]
    noise = tmp_path / "unrelated.jsonl"
    noise.write_text("\n".join(originals[:120]) + "\n", encoding="utf-8")
    seeds, _ = read_articles([SEEDS], settings.ingest)
    crowd, _ = read_articles([noise], settings.ingest)
    seed_ids = {a.id for a in seeds}

    def groups(result):
        return {frozenset(s.articles) for s in result.stories if set(s.articles) & seed_ids}

    alone = groups(analyse(seeds, settings, models))
    assert groups(analyse(seeds + crowd, settings, models)) == alone
