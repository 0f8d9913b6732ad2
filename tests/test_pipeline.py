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


def test_pages_that_never_mention_their_headline_are_listed_not_paired(settings, models, tmp_path):
    """Scraped pages that hold a login wall instead of their article are the same text under different headlines:
    reported as copies of each other before; now each is an error naming the file, and the articles still pair."""
    import json

    from sourcetrace import scan

    wall = (
        "Just One More Thing...\n\nWe have sent you a verification email. Please check your email and click on the "
        "link to activate your profile.\n\nIf you do not receive the verification message within a few minutes of "
        "signing up, please check your Spam or Junk folder."
    )
    story = (
        "A 21-year-old man died early Friday after accidentally shooting himself at a party west of Lake Worth, "
        "according to a sheriff's news release.\n\nIt happened at 4:23 a.m. in the 7400 block of Michigan Isle "
        "Road, and the man was found with a fatal gunshot wound, deputies said."
    )
    records = [
        {"id": "wall-1", "title": "Police identify four killed in Killeen shooting", "text": wall},
        {"id": "wall-2", "title": "Georgia man indicted in shooting that injured 7", "text": wall},
        {"id": "story-1", "title": "Man dies after accidental shooting at party", "text": story},
        {"id": "story-2", "title": "Lake Worth man, 21, killed in accidental shooting", "text": story},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    result = scan([path], settings, models)
    assert sorted(a.id for a in result.articles) == ["story-1", "story-2"]
    assert [(p.a, p.b, p.relation) for p in result.pairs] == [("story-1", "story-2", "copy")]
    walls = [e for e in result.errors if "never mentions its headline" in e.reason]
    assert len(walls) == 2 and all(str(path) in e.path for e in walls)
