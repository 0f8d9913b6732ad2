import numpy as np
import pytest
from scipy.sparse import csr_matrix

from sourcetrace.records import Pair
from sourcetrace.settings import StorySettings
from sourcetrace.stages import story_terms
from sourcetrace.stages.stories import cluster_stories, cut_block, join_lone
from sourcetrace.stages.story_terms import common_words, event_terms, mentions

from .conftest import make_article


def _articles():
    quake_a = [
        "An earthquake of magnitude 6.1 struck near Lombok on Sunday, officials in Mataram said.",
        "Rescuers in Mataram searched collapsed homes as aftershocks shook Lombok.",
    ]
    quake_b = [
        "Officials in Mataram said the Lombok earthquake killed at least 14 people on Sunday.",
        "Aftershocks continued to shake Lombok as rescuers worked through the night.",
    ]
    other = [
        "A magnitude 5.8 earthquake hit Napa early on Monday, the US Geological Survey said.",
        "Residents of Napa reported damaged wine cellars and broken windows.",
    ]
    other_b = [
        "The Napa earthquake damaged historic buildings, the US Geological Survey said on Monday.",
        "Wine cellars in Napa lost thousands of bottles.",
    ]
    return [
        make_article("q1", quake_a),
        make_article("q2", quake_b),
        make_article("n1", other),
        make_article("n2", other_b),
    ]


def test_same_kind_of_event_in_different_places_is_two_stories():
    stories = cluster_stories(_articles(), [], StorySettings())
    groups = {s.articles for s in stories}
    assert groups == {("q1", "q2"), ("n1", "n2")}


def test_every_article_in_exactly_one_story():
    arts = _articles()
    stories = cluster_stories(arts, [], StorySettings())
    ids = [i for s in stories for i in s.articles]
    assert sorted(ids) == sorted(a.id for a in arts)
    assert all(s.label for s in stories)


def test_shared_material_links_but_far_apart_dates_veto():
    a = make_article("a", ["Some words about a thing that happened."], date="2023-09-13")
    b = make_article("b", ["Other words entirely about something."], date="2023-09-14")
    c = make_article("c", ["Unrelated words about another matter."], date="2024-06-19")
    pairs = [Pair("a", "b", "rewrite", 0.9, 0.9, 0.9, [], []), Pair("a", "c", "excerpt", 0.5, 0.2, 0.2, [], [])]
    stories = cluster_stories([a, b, c], pairs, StorySettings())
    assert {s.articles for s in stories} == {("a", "b"), ("c",)}


def test_empty_collection():
    assert cluster_stories([], [], StorySettings()) == []


def test_event_terms_take_names_dates_and_numbers_and_skip_common_sentence_openers():
    article = make_article(
        "a",
        [
            "Police said Vladimir Putin met Kim Jong Un in Vostochny on September 13, 2023.",
            "The two leaders spoke for 4 hours, the police said.",
        ],
    )
    common = common_words([article.text])
    terms = event_terms(mentions(article), common)
    assert {"n:vladimir putin", "n:putin", "n:kim jong un", "n:vostochny", "d:september 13", "y:2023"} <= set(terms)
    assert terms["#:4"] == 1 and "#:2023" not in terms
    assert "n:police" not in terms and "n:the" not in terms  # openers the text also writes in lower case
    assert "n:police" in event_terms(mentions(article), frozenset())


def test_a_name_is_one_term_whatever_its_apostrophe_and_pronouns_and_articles_are_not_names():
    article = make_article(
        "a",
        [
            "Russia’s envoy met officials from Russia in Moscow on Monday.",
            "Russia's president and the Joneses' lawyer spoke.",
            "I saw it, said a witness; police don’t know who she is.",
            "“I was scared,” she said, and I’m still scared.",
            "“A Perth man was hurt,” police said.",
            "Don’t go there, he said.",
        ],
    )
    terms = event_terms(mentions(article), common_words([article.text]))
    assert terms["n:russia"] == 3 and not any("’" in t or t.endswith("'s") for t in terms)
    assert "n:joneses" in terms
    assert {"n:i", "n:i'm", "n:a", "n:a perth", "n:don't", "n:don"}.isdisjoint(terms) and "n:perth" in terms


def _plain_term_matrix(articles, common, settings, rarity):
    """term_matrix written out term by term from event_terms: columns in term order, each kind normalised."""
    counts = [event_terms(mentions(a, rarity), common) for a in articles]
    vocab = sorted(set().union(*counts))
    x = np.zeros((len(articles), len(vocab)))
    for i, terms in enumerate(counts):
        for kind, factor in (("w", settings.words), ("other", settings.terms)):
            mine = {t: (1 + np.log(c)) * rarity.of_term(t) for t, c in terms.items() if (t[0] == "w") == (kind == "w")}
            norm = np.sqrt(sum(v * v for _, v in sorted(mine.items())))
            for t, v in mine.items():
                x[i, vocab.index(t)] = v * (np.sqrt(factor) / max(norm, 1e-12))
    return x


def test_story_terms_made_anywhere_give_the_matrix_of_event_terms():
    sentences = [
        "Police Chief John Smith said the New York Police Department arrested 3 men on May 4, 2021.",
        "The police said Smith and Chief Deputy Ann Lee of New York met Mayor Eric Adams.",
        "New York Mayor Eric Adams spoke on Tuesday, and the mayor said 3 of the men were released.",
        "Chief executives met in Paris. Paris officials said the summit opened on May 4.",
        "The Napa earthquake damaged buildings, the US Geological Survey said. Napa wine cellars lost bottles.",
    ]
    articles = [make_article(f"a{k}", sentences[k:] + sentences[:k][:1]) for k in range(len(sentences))]
    articles += _articles() + [make_article("empty", ["..."])]
    settings, rarity = StorySettings(), story_terms.Rarity.load()
    common = common_words(a.text for a in articles)
    expected = _plain_term_matrix(articles, common, settings, rarity)
    found = [mentions(a, rarity) for a in articles]
    for size in (1, 3, len(articles)):  # batches of any size, each settling what its own texts tell
        parts = [range(k, min(k + size, len(articles))) for k in range(0, len(articles), size)]
        batches = [
            story_terms.story_terms([found[k] for k in p], common_words(articles[k].text for k in p)) for p in parts
        ]
        x = story_terms.term_matrix(batches, common, settings, rarity)
        assert not batches and x.shape == expected.shape
        assert np.allclose(x.toarray(), expected, rtol=0, atol=1e-12) and ((x.toarray() != 0) == (expected != 0)).all()
    assert story_terms.term_matrix([], common, settings, rarity).shape == (0, 1)


def test_stories_do_not_move_when_unrelated_articles_are_added():
    topics = ["budget vote in the state senate", "a new bakery opening downtown", "the county fair schedule",
              "a school board election", "river flooding after heavy rain", "a museum exhibition of maps"]  # fmt: skip
    crowd = [
        make_article(f"u{k}", [f"Residents discussed {t} on Tuesday.", f"Officials said more about {t} would follow."])
        for k, t in enumerate(topics * 5)
    ]
    alone = {s.articles for s in cluster_stories(_articles(), [], StorySettings())}
    among = {s.articles for s in cluster_stories(_articles() + crowd, [], StorySettings()) if s.articles[0][0] != "u"}
    assert alone == among == {("q1", "q2"), ("n1", "n2")}


def test_a_pairs_evidence_depends_on_the_two_articles_alone():
    arts = _articles()
    settings = StorySettings()
    pair = story_terms.term_vectors(arts[:2], settings, story_terms.Rarity.load())
    crowd = story_terms.term_vectors(arts, settings, story_terms.Rarity.load())
    assert (pair @ pair.T).toarray()[0, 1] == pytest.approx((crowd @ crowd.T).toarray()[0, 1])


def _cut(links: dict[tuple[int, int], float], n: int) -> set[tuple[int, ...]]:
    """The stories cut_block makes of n articles whose only evidence is ``links`` (no words in common)."""
    x = csr_matrix((n, 4))
    groups = cut_block(np.arange(n), x, links, [None] * n, StorySettings())
    return {tuple(int(m) for m in g) for g in groups}


def test_an_article_with_one_strong_link_into_a_story_joins_it():
    story = {(0, 1): 0.9, (0, 2): 0.9, (1, 2): 0.9}
    # article 3 tells the side of the event article 0 tells: mean 0.32 with the story, average linkage leaves it out
    assert _cut(story | {(0, 3): 0.85, (1, 3): 0.05, (2, 3): 0.05}, 4) == {(0, 1, 2, 3)}
    # its strongest link below the link probability: it stays alone
    assert _cut(story | {(0, 3): 0.45, (1, 3): 0.3, (2, 3): 0.3}, 4) == {(0, 1, 2), (3,)}


def test_two_articles_the_cut_keeps_together_are_not_joined_to_another_story():
    story = {(0, 1): 0.9, (0, 2): 0.9, (1, 2): 0.9}
    second = {(3, 4): 0.95, (0, 3): 0.9, (0, 4): 0.6}  # a second event of the same kind, one strong link across
    assert _cut(story | second, 5) == {(0, 1, 2), (3, 4)}


def test_join_lone_takes_the_story_of_the_strongest_link():
    cut = np.array([1, 1, 2, 2, 3])
    p = np.full((5, 5), 0.1)
    p[4, 0] = p[0, 4] = 0.6
    p[4, 3] = p[3, 4] = 0.8
    assert join_lone(cut, p, 0.5).tolist() == [1, 1, 2, 2, 2]
    assert join_lone(cut, p, 0.9).tolist() == cut.tolist()
    assert join_lone(np.array([1, 2]), p[:2, :2], 0.05).tolist() == [1, 2]  # nothing but lone articles: unchanged


def test_a_story_without_titles_is_named_by_its_first_words_after_a_dateline():
    from sourcetrace.stages.stories import story_label

    opening = "President Trump dispatched the C.I.A. director Mike Pompeo to North Korea to meet its leader."
    assert story_label([make_article("a", ["WEST PALM BEACH , Fla. —", opening])]).startswith("President Trump")
    assert story_label([make_article("a", [f"LONDON (Reuters) - {opening}"])]).startswith("President Trump")
    assert story_label([make_article("a", ["NEW YORK — A man was shot."])]) == "A man was shot."
    for plain in ("US-led forces took the town on Sunday.", "COVID-19 cases rose.", "A US-made drone fell."):
        assert story_label([make_article("a", [plain])]) == plain  # no dateline
    assert story_label([make_article("a", ["SÃO PAULO — Floods hit the city."])]) == "Floods hit the city."
    assert story_label([make_article("a", ["WILKES-BARRE, Pa. (AP) — A bridge fell."])]) == "A bridge fell."
    titled = make_article("b", [opening])
    titled.title = "Pompeo met Kim"
    assert story_label([make_article("a", [opening]), titled]) == "Pompeo met Kim"
