import numpy as np

from sourcetrace.pipeline import analyse
from sourcetrace.stages.candidates import mean_vector
from sourcetrace.stages.story_terms import Rarity, term_matrix

from .conftest import make_article

RATE = "The central bank raised its key interest rate by half a point on Tuesday, citing persistent inflation."
SNOW = "Heavy snow closed mountain roads across the region and stranded hundreds of drivers overnight."


def test_two_one_sentence_articles_in_the_same_words_are_a_copy(settings, models):
    articles = [
        make_article("a", [RATE]),
        make_article("b", [RATE.replace("inflation.", "inflation pressures.")]),
        make_article("c", [SNOW]),
    ]
    result = analyse(articles, settings, models)
    assert [(p.a, p.b, p.relation) for p in result.pairs] == [("a", "b", "copy")]


def test_the_mean_of_a_few_sentences_is_shrunk_toward_zero():
    import numpy as np

    one = np.ones((2, 4), dtype=np.float32)
    many = np.ones((10_000, 4), dtype=np.float32)
    assert mean_vector(one)[0] < 0.2 < 0.99 < mean_vector(many)[0] <= 1.0
    assert np.array_equal(mean_vector([many[:3], many[3:]]), mean_vector(many))


def test_featurising_in_worker_processes_gives_what_one_process_gives(settings, models, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.stages.ingest import read_articles

    from .conftest import SEEDS

    articles, _ = read_articles([SEEDS], settings.ingest)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)  # a pool even for five articles,
    monkeypatch.setattr(pipeline, "CHUNK", 2)  # in three tasks
    alone = pipeline.featurise(articles, settings, workers=1)
    chunks = pipeline.chunked(articles)
    pooled = pipeline.featurise_chunks(chunks, settings, workers=2)
    assert chunks == []  # taken over: the raw articles are let go of as they are done
    assert [(a.id, a.text, a.sentences) for a in pooled.articles] == [
        (a.id, a.text, a.sentences) for a in alone.articles
    ]
    assert all(np.array_equal(p, q) for p, q in zip(pooled.static, alone.static, strict=True))
    assert np.array_equal(pooled.signatures, alone.signatures)
    assert pooled.common == alone.common and len(pooled.stories) == 3  # story terms: a batch per task
    rarity = Rarity.load(settings.model_dir)
    x, y = (term_matrix(f.stories, f.common, settings.stories, rarity) for f in (pooled, alone))
    assert x.shape == y.shape
    assert all(np.array_equal(getattr(x, k), getattr(y, k)) for k in ("indptr", "indices", "data"))
    assert all(s.text == a.text[s.start : s.end] for a in pooled.articles for s in a.sentences)
