from sourcetrace.candidates import mean_vector
from sourcetrace.pipeline import analyse

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
