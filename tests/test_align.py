from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sourcetrace.settings import AlignSettings, Settings
from sourcetrace.stages.align import align, judge, ordered_chain, pair_strength, same_meaning, wording_similarity

from .conftest import make_article


def ordered_coverage(probability, weights):
    return ordered_chain(probability, weights)[0]


SETTINGS = AlignSettings()


@given(st.text(max_size=80), st.text(max_size=80))
def test_wording_similarity_is_symmetric_and_bounded(a, b):
    s = wording_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == wording_similarity(b, a)


def test_wording_similarity_ignores_quote_style_and_case():
    assert (
        wording_similarity("Kim said “We will always be with Russia.”", 'kim said "we will always be with russia."')
        == 1.0
    )


def test_judge_fact_flip_is_similar_but_not_a_match():
    verdict = judge(
        "Unemployment rose to 5 percent in March.", "Unemployment fell to 5 percent in March.", 0.95, SETTINGS
    )
    assert verdict.similar and not verdict.match
    assert any(d.kind == "antonym" for d in verdict.divergences)


def test_judge_paraphrase_matches_and_unrelated_does_not():
    assert judge(
        "The summit signals a seismic change in geopolitics.",
        "The summit indicates a big shift in geopolitics.",
        0.95,
        SETTINGS,
    ).match
    assert not judge(
        "The summit signals a seismic change.", "Rain is expected on Sunday in Paris.", 0.2, SETTINGS
    ).match


def test_align_one_to_many_and_offsets():
    a = make_article(
        "a",
        [
            "Alpha one happened in the city today.",
            "Beta two followed in the same city later.",
            "Gamma three is unrelated here.",
        ],
    )
    b = make_article(
        "b", ["Alpha one happened today, and beta two followed later in the city.", "Something else entirely is said."]
    )
    strong, weak = 0.85, SETTINGS.partial_cosine + 0.05
    cos = np.array([[strong, 0.1], [weak, 0.1], [0.1, 0.2]], dtype=np.float32)
    alignment, _ = align(a.sentences, b.sentences, cos, SETTINGS)
    assert {(k.a, k.b) for k in alignment.links} == {(0, 0), (1, 0)}
    assert len(alignment.passages) == 1
    p = alignment.passages[0]
    assert a.text[p.a_span[0] : p.a_span[1]].startswith("Alpha one") and a.text[p.a_span[0] : p.a_span[1]].endswith(
        "later."
    )
    assert b.text[p.b_span[0] : p.b_span[1]] == b.sentences[0].text
    assert 0.5 < alignment.coverage_a < 1.0
    assert alignment.coverage_b == len(b.sentences[0].text) / sum(len(s.text) for s in b.sentences)


def test_align_nan_means_skipped():
    a = make_article("a", ["The same sentence appears in both articles."])
    b = make_article("b", ["The same sentence appears in both articles."])
    skipped, _ = align(a.sentences, b.sentences, np.full((1, 1), np.nan, dtype=np.float32), SETTINGS)
    assert skipped.links == []
    linked, divergences = align(a.sentences, b.sentences, np.full((1, 1), 0.99, dtype=np.float32), SETTINGS)
    assert [(k.a, k.b, k.verbatim) for k in linked.links] == [(0, 0, True)]
    assert divergences == []


def test_align_divergences_are_in_article_offsets():
    a = make_article(
        "a",
        ["Intro sentence that nobody copies at all.", "Profits rose to $3 million last year, the firm told Reuters."],
    )
    b = make_article("b", ["A different opening line for this piece.", "Profits rose to $4 million last year."])
    cos = np.array([[0.1, 0.1], [0.1, 0.9]], dtype=np.float32)
    _, divergences = align(a.sentences, b.sentences, cos, SETTINGS)
    kinds = {(d.kind, d.change) for d in divergences}
    assert ("number", "changed") in kinds
    for d in divergences:
        if d.a_span:
            assert a.text[d.a_span[0] : d.a_span[1]] == d.a_text
        if d.b_span:
            assert b.text[d.b_span[0] : d.b_span[1]] == d.b_text


def test_sentences_without_lettered_words_never_link():
    assert not judge('"', '"', 1.0, SETTINGS).similar
    assert not judge("…", "…", 1.0, SETTINGS).similar
    # a time stamp: numbers are not words enough to say two reports share material
    assert not judge("September 17, 2013 4:16 PM ET", "August 05, 2013 4:14 PM ET", 0.95, SETTINGS).similar
    assert judge("Kim arrives.", "Kim arrives.", 1.0, SETTINGS).similar


@given(st.floats(-1, 1), st.floats(-1, 1), st.floats(0, 1))
def test_same_meaning_is_a_probability_that_grows_with_cosine_and_shared_words(c1, c2, jaccard):
    low, high = sorted((c1, c2))
    p_low, p_high = same_meaning(low, jaccard, SETTINGS), same_meaning(high, jaccard, SETTINGS)
    assert 0.0 <= p_low <= p_high <= 1.0
    assert same_meaning(high, 0.0, SETTINGS) <= same_meaning(high, 1.0, SETTINGS)


def test_ordered_coverage_rewards_order_and_takes_each_sentence_once():
    weights = np.full(3, 1 / 3)
    in_order = np.eye(3)
    reversed_order = np.eye(3)[::-1]
    assert ordered_coverage(in_order, weights) == 1.0
    # out of order, only one of the three can be on a monotone chain
    assert abs(ordered_coverage(reversed_order, weights) - 1 / 3) < 1e-9
    # a merge: two sentences of the text with one partner count both
    merged = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert ordered_coverage(merged, weights) == 1.0
    # one partner for every sentence is not more than the text
    assert ordered_coverage(np.ones((3, 5)), weights) <= 1.0 + 1e-9


@given(st.integers(1, 6), st.integers(1, 6), st.randoms(use_true_random=False))
def test_ordered_coverage_is_bounded_by_best_matches(rows, cols, rnd):
    probability = np.array([[rnd.random() for _ in range(cols)] for _ in range(rows)])
    weights = np.full(rows, 1 / rows)
    value = ordered_coverage(probability, weights)
    assert 0.0 <= value <= float((probability.max(axis=1) * weights).sum()) + 1e-9


@given(st.integers(1, 7), st.integers(1, 7), st.randoms(use_true_random=False))
def test_ordered_chain_is_the_best_monotone_chain_found_by_brute_force(rows, cols, rnd):
    # probabilities in tenths, often tied: the chain's value is the best over every non-decreasing choice of partners
    import itertools

    probability = np.array([[rnd.randint(0, 10) / 10 for _ in range(cols)] for _ in range(rows)])
    weights = np.array([rnd.randint(1, 5) for _ in range(rows)], dtype=float)
    weights /= weights.sum()
    value, partners = ordered_chain(probability, weights)
    assert (np.diff(partners) >= 0).all() and partners.min() >= 0 and partners.max() < cols
    assert abs(value - float(weights @ probability[np.arange(rows), partners])) < 1e-9  # the partners give the value
    if rows <= 5:
        best = max(
            float(weights @ probability[np.arange(rows), list(chain)])
            for chain in itertools.combinations_with_replacement(range(cols), rows)
        )
        assert abs(value - best) < 1e-9


def test_ordered_chain_walks_back_to_each_rows_partner():
    from sourcetrace.stages.align import ordered_chain

    probability = np.array([[0.9, 0.1, 0.1, 0.1], [0.1, 0.1, 0.8, 0.1], [0.1, 0.1, 0.7, 0.2], [0.9, 0.1, 0.1, 0.6]])
    value, partners = ordered_chain(probability, np.full(4, 0.25))
    assert partners.tolist() == [0, 2, 2, 3]  # in order; row 3's better partner (column 0) is out of order
    assert abs(value - (0.9 + 0.8 + 0.7 + 0.6) / 4) < 1e-9


def test_lone_weak_matches_link_only_in_a_pair_that_is_reuse():
    fruit = ("apples", "pears", "plums", "figs")
    sentences_a = [f"A sentence on {k} of this article tells its own part of the story." for k in fruit]
    sentences_b = [f"A sentence on {k} of that article tells another part of a story." for k in fruit]
    a, b = make_article("a", sentences_a), make_article("b", sentences_b)
    cos = np.full((4, 4), 0.1, dtype=np.float32)
    cos[1, 2] = 0.70  # a lone match between "related" (p >= 0.5) and "similar" (p >= 0.7)
    weak, _ = align(a.sentences, b.sentences, cos, SETTINGS, reuse_strength=0.99)
    dense, _ = align(a.sentences, b.sentences, cos, SETTINGS, reuse_strength=0.0)
    assert (1, 2) not in {(k.a, k.b) for k in weak.links}
    assert (1, 2) in {(k.a, k.b) for k in dense.links}


def test_sentences_of_one_template_with_other_facts_are_no_evidence_of_reuse():
    # two crime briefs of one outlet: the same sentences, another event's ages, times, streets and hospital
    brief = [
        "A {age}-year-old boy was shot {day} afternoon in the {place} neighborhood on the Southwest Side.",
        "He was walking at {time} p.m. in the {block} block of West {street} Street when he heard gunshots, "
        "police said.",
        "He was taken to {hospital} Hospital in good condition.",
    ]
    one = dict(age=16, day="Monday", place="Lawndale", time="4:35", block=3700, street="13th", hospital="Mount Sinai")
    other = dict(age=13, day="Wednesday", place="Garfield", time="3:18", block=3500, street="16th", hospital="Stroger")
    a = make_article("a", [s.format(**one) for s in brief])
    b = make_article("b", [s.format(**other) for s in brief])
    cos = np.diag(np.full(3, 0.92)).astype(np.float32)
    alignment, _ = align(a.sentences, b.sentences, cos, SETTINGS)
    assert alignment.strength < 0.1
    # a retelling that changes one figure of three sentences still follows its source
    c = make_article("c", [s.format(**{**one, "age": 17}) for s in brief])
    assert align(a.sentences, c.sentences, cos, SETTINGS)[0].strength > 2 * Settings().classify.reuse_strength


def test_pair_strength_is_the_ordered_coverage_less_what_is_out_of_order_or_reworded_away():
    from sourcetrace.stages.align import pair_strength, words_kept

    sentences = [
        "The council approved the Maple Street bridge repair on Tuesday.",
        "Work will cost 4.2 million dollars and start in spring.",
        "Residents had complained about potholes for years.",
    ]
    a = make_article("a", sentences)
    same = make_article("b", sentences)
    eye = np.eye(3)
    assert pair_strength(a.sentences, same.sentences, eye) == (1.0, [(0, 0), (1, 1), (2, 2)])
    # the same sentences told in another order: only one of them is on the ordered chain, the rest out of order
    assert pair_strength(a.sentences, same.sentences, eye[::-1])[0] < 1 / 3 * 0.5
    # a text that keeps none of the other's words keeps nothing, however similar its sentences
    other = make_article("c", ["Officials signed off yesterday.", "Crews begin soon.", "People were unhappy."])
    assert words_kept(a.sentences, other.sentences, [0, 1, 2]) == 0.0
    assert pair_strength(a.sentences, other.sentences, eye)[0] == 0.0
    # rarer words weigh more: keeping only "the" and "and" keeps little of a text weighted by rarity
    common = make_article("d", ["the and the and"])
    rare = {"the": 0.01, "and": 0.01}
    assert words_kept(a.sentences, common.sentences, [0, 0, 0], lambda w: rare.get(w, 1.0)) < 0.01


def test_a_condensed_rewrite_is_measured_by_its_own_coverage_whatever_the_quotations():
    # the source is mostly quotation, so it has fewer characters outside quotations than its rewrite, which tells
    # the quotations in its own words; the rewrite is what the source accounts for, in order and with its words
    from sourcetrace.stages.align import pair_strength

    source = make_article("s", [
        "Brian Kline asked Tom Price about Medicaid at the town hall.",
        '"Why do you want to take away my Medicaid expansion, which pays for my cancer treatment at the clinic?"',
        "Price answered him.",
        '"Every American deserves access to the coverage they want, but costs are unsustainable and we must choose."',
    ])  # fmt: skip
    quoted = [replace(x, quote=True, quote_spans=((x.start, x.end),)) if x.text.startswith('"') else x
              for x in source.sentences]  # fmt: skip
    source = replace(source, sentences=quoted)
    rewrite = make_article("r", [
        "At the town hall Brian Kline asked Tom Price why he would take away the Medicaid expansion paying for his "
        "cancer treatment.",
        "Price said every American deserves coverage but that costs are unsustainable and choices must be made.",
    ])  # fmt: skip
    probability = np.array([[0.4, 0.0], [0.8, 0.0], [0.0, 0.1], [0.0, 0.8]])
    strength, chain = pair_strength(source.sentences, rewrite.sentences, probability)
    # the source's own words alone (its first and third sentences) are covered far less
    assert strength > 2 * Settings().classify.reuse_strength
    assert chain == [(1, 0), (3, 1)]
    # and the strength does not depend on which text comes first
    assert pair_strength(rewrite.sentences, source.sentences, probability.T)[0] == strength


@given(
    st.lists(st.text(alphabet="ab cA.", max_size=12), max_size=4),
    st.lists(st.text(alphabet="ab cA.", max_size=12), max_size=4),
)
def test_jaccard_matrix_is_the_word_jaccard_of_every_sentence_pair(left, right):
    from sourcetrace.stages.align import jaccard_matrix, word_jaccard

    a, b = make_article("a", left).sentences, make_article("b", right).sentences
    matrix = jaccard_matrix(a, b)
    assert matrix.shape == (len(a), len(b))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            assert abs(matrix[i, j] - word_jaccard(x.text, y.text)) < 1e-6


def test_words_are_kept_only_beside_the_partner_sentence():
    # a long roundup holds every word of a short brief, but far from the sentences that match it
    from sourcetrace.stages.align import KEPT_NEAR, words_kept

    brief = make_article("a", ["Marcus Delaney was shot on Pinewood Avenue."])
    filler = [f"Filler sentence number {k} says nothing in particular." for k in range(2 * KEPT_NEAR + 2)]
    roundup = make_article("b", ["A man was shot on a street.", *filler, "Marcus Delaney was shot on Pinewood Avenue."])
    assert words_kept(brief.sentences, roundup.sentences, [len(filler) + 1]) == 1.0
    assert words_kept(brief.sentences, roundup.sentences, [0]) < 0.5


def test_a_short_text_needs_a_closer_account_than_a_long_one():
    # a brief or a lead is accounted for by another report of its event more easily than a whole report: the same
    # share of a shorter text is weaker evidence, and no text is made stronger than its own account
    from sourcetrace.stages.align import REFERENCE_SENTENCES, calibrated, effective_sentences

    assert calibrated(0.3, REFERENCE_SENTENCES) == 0.3
    shares = [calibrated(0.3, n) for n in (2, 4, 8, 16, 32)]
    assert shares == sorted(shares) and shares[0] < 0.1 < 0.3 < shares[-1]
    assert calibrated(0.0, 3) == 0.0 and calibrated(1.0, 3) == 1.0
    assert effective_sentences(np.full(4, 0.25)) == 4.0
    assert effective_sentences(np.array([0.97, 0.01, 0.01, 0.01])) < 1.1  # stray fragments count for little
    text = [f"Sentence {k} of the report names the council and its {k + 2} million dollar plan." for k in range(12)]
    long, short = make_article("l", text), make_article("s", text[:3])
    strength_long = pair_strength(long.sentences, long.sentences, np.eye(12) * 0.8)[0]
    strength_short = pair_strength(short.sentences, short.sentences, np.eye(3) * 0.8)[0]
    assert strength_short < strength_long <= 0.8


def test_sentences_sharing_a_long_run_of_words_are_linked_however_unlike_as_wholes():
    # scraped text cut into sentences by other punctuation: a passage taken word for word sits inside a sentence of
    # the other text that runs on, and the transformer sees two unlike sentences
    from sourcetrace.stages.align import LONG_RUN

    from .conftest import RUN

    def linked(words):
        passage = " ".join(words)
        a = make_article("a", ["A report opens on something else entirely.", passage.capitalize() + "."])
        b = make_article("b", [f"Earlier lines of another page run on, then {passage} and a list of names follows."])
        alignment, _ = align(a.sentences, b.sentences, np.zeros((2, 1), dtype=np.float32), SETTINGS)
        return [(k.a, k.b) for k in alignment.links]

    assert linked(RUN[:LONG_RUN]) == [(1, 0)]
    assert linked(RUN[: LONG_RUN - 1]) == []


def test_a_run_of_words_does_not_span_a_quotation():
    # the words before a quotation and those after it are not a run, though they are side by side once the
    # quotation is left out
    from sourcetrace.stages.align import LONG_RUN, long_runs

    from .conftest import RUN

    half = LONG_RUN // 2 + 1
    quotation = "“we will look into it,”"
    before, after = " ".join(RUN[:half]), " ".join(RUN[half : 2 * half])
    a = make_article("a", [f"{before.capitalize()} {quotation} {after}."])
    start = a.text.index(quotation)
    quoted = replace(a.sentences[0], quote_spans=((start, start + len(quotation)),))
    b = make_article("b", [" ".join(RUN[: 2 * half]).capitalize() + "."])
    assert 2 * half >= LONG_RUN
    assert long_runs([quoted], b.sentences) == set()
    assert long_runs(a.sentences, b.sentences) == set()  # the quotation's words break the run anyway
    unquoted = make_article("a", [f"{before.capitalize()} {after}."])
    assert long_runs(unquoted.sentences, b.sentences) == {(0, 0)}


def test_a_few_words_repeated_are_no_long_run():
    # markup escaped over and over ("&amp;amp;amp;...") in two pages of unrelated stories is no passage taken
    from sourcetrace.stages.align import LONG_RUN, long_runs
    from sourcetrace.stages.candidates import run_keys

    junk = "&" + "amp;" * 120 + "lt;!--iframe--"
    a = make_article("a", ["A report of one shooting.", junk])
    b = make_article("b", ["A report of another shooting.", junk])
    assert long_runs(a.sentences, b.sentences) == set()
    assert np.intersect1d(run_keys(a.text), run_keys(b.text)).size == 0
    words = [f"word{k}" for k in range(LONG_RUN // 2 + 1)] * 2  # half of them distinct: still a run
    passage = " ".join(words[:LONG_RUN])
    a, b = make_article("a", [passage.capitalize() + "."]), make_article("b", [f"Then {passage} and more."])
    assert long_runs(a.sentences, b.sentences) == {(0, 0)}
    assert np.intersect1d(run_keys(a.text), run_keys(b.text)).size


def test_an_attribution_moved_to_a_sentence_nearby_is_not_dropped():
    # a rewrite merges and splits sentences, and its attributions move with them ("KCNA said" -> "according to KCNA")
    a = make_article(
        "a",
        ["Kim Jong Un left the Russian city of Vladivostok on Sunday by train.",
         "He toured a naval base and an aircraft plant during the trip, according to KCNA.",
         "He said the talks had gone well and would go on."],
    )  # fmt: skip
    b = make_article(
        "b",
        ["Kim Jong Un left the Russian city of Vladivostok on Sunday by train, KCNA said.",
         "He toured a naval base and an aircraft plant during the trip.",
         "He said the talks had gone well and would go on, an official told AFP."],
    )  # fmt: skip
    cosines = np.where(np.eye(3, dtype=bool), 0.97, 0.2).astype(np.float32)
    _, divergences = align(a.sentences, b.sentences, cosines, SETTINGS)
    told = [(d.change, d.a_text or d.b_text) for d in divergences if d.kind == "attribution"]
    assert told == [("added", "told AFP")]
