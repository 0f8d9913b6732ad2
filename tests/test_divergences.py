import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.records import Divergence
from sourcetrace.stages.divergences import find_divergences, is_contradiction

# --- the seed examples (001 is the original, 000 the rewrite) ---------------------------------------------------------

TWICE_A = (
    "He also said Moscow could help Pyongyang build satellites — after the North failed twice recently to put a "
    "military spy satellite into orbit."
)
TWICE_B = (
    "Furthermore, Putin mentioned that Moscow could assist Pyongyang in developing satellites, especially after North "
    "Korea’s recent failed attempts to launch a military spy satellite."
)
AFP_A = (
    "\"With Kim Jong Un's latest visit to Russia, North Korea-Russia relations can be said to have completely returned "
    'to the level of blood alliance during the Cold War," Cheong Seong-chang, a researcher at the Sejong Institute, '
    "told AFP."
)
AFP_B = (
    "Cheong Seong-chang, a researcher at the Sejong Institute, stated, “With Kim Jong Un’s latest visit to Russia, "
    "North Korea-Russia relations can be said to have returned to the level of a blood alliance during the Cold War.”"
)
SUMMIT_A = (
    '"The summit signals a seismic change in northeast Asian geopolitics," said Kim Jong-dae, a former MP and visiting '
    "scholar at Yonsei Institute for North Korean Studies."
)
SUMMIT_B = (
    "“The summit indicates a significant change in northeast Asian geopolitics,” said Kim Jong-dae, a former MP and "
    "visiting scholar at Yonsei Institute for North Korean Studies."
)
NEITHER_A = (
    "And neither the U.S. nor South Korea has come to grips with the implications of such an arms deal between Russia "
    'and the North," he said.'
)
NEITHER_B = (
    "The US and South Korea have not fully grasped the implications of such an arms deal between Russia and North "
    "Korea,” he explained."
)


def summary(a: str, b: str) -> set[tuple[str, str, str | None, str | None]]:
    return {(d.kind, d.change, d.a_text, d.b_text) for d in find_divergences(a, b)}


def test_dropped_number_with_added_name_is_not_a_contradiction():
    divs = find_divergences(TWICE_A, TWICE_B)
    assert ("number", "dropped", "twice", None) in summary(TWICE_A, TWICE_B)
    assert all(d.change != "changed" for d in divs)
    assert {d.kind for d in divs} <= {"number", "name"}
    assert not is_contradiction(divs)


def test_dropped_attribution_told_afp():
    divs = find_divergences(AFP_A, AFP_B)
    assert summary(AFP_A, AFP_B) == {("attribution", "dropped", "told AFP", None)}
    assert not is_contradiction(divs)


def test_paraphrase_without_factual_change_has_no_divergence():
    assert find_divergences(SUMMIT_A, SUMMIT_B) == []


def test_both_sides_negated_differently_is_no_negation():
    assert not [d for d in find_divergences(NEITHER_A, NEITHER_B) if d.kind == "negation"]


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (
            "Unemployment rose to 5.2 percent in March.",
            "Unemployment fell to 5.2 percent in March.",
            {("antonym", "changed", "rose", "fell")},
        ),
        (
            "The company reported profits of $3 million.",
            "The company reported profits of $4 million.",
            {("number", "changed", "$3 million", "$4 million")},
        ),
        ("Putin met Kim in Vladivostok.", "Putin met Xi in Vladivostok.", {("name", "changed", "Kim", "Xi")}),
        (
            "The two countries have denied such cooperation.",
            "The two countries have confirmed such cooperation.",
            {("negation", "dropped", "denied", None)},
        ),
        (
            "The US has not fully grasped the implications",
            "The US has fully grasped the implications",
            {("negation", "dropped", "not", None)},
        ),
    ],
)
def test_brief_examples_are_contradictions(a, b, expected):
    assert summary(a, b) == expected
    assert is_contradiction(find_divergences(a, b))


# --- pairs written for these rules, not taken from the seeds ----------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Police said 24 people were injured.", "Police said twenty-four people were injured."),
        ("The firm was sold for 2.5 million dollars.", "The firm was sold for $2,500,000."),
        ("Inflation reached 30 percent last year.", "Inflation reached 30% last year."),
        ("The rocket failed twice.", "The rocket failed two times."),
        ("A dozen soldiers were hurt.", "12 soldiers were hurt."),
        ("Kim Jong-un met Vladimir Putin at the station.", "Kim Jong Un met Putin at the station."),
        ("U.S. officials declined to comment.", "United States officials declined to comment."),
        ("US troops left the base on Friday.", "U.S. troops left the base on Friday."),
        ("The talks ended, according to Reuters.", "The talks ended, Reuters reported."),
        ("The talks ended, the Korean Central News Agency said.", "The talks ended, KCNA said."),
        (
            "Exports rose 5 percent while imports fell 2 percent.",
            "Imports fell 2 percent while exports rose 5 percent.",
        ),
        ("He wants not only peace but also trade.", "He wants peace and trade."),
        ("Kim, who has not traveled since the pandemic, met Putin.", "Kim met Putin."),
        ("The vote was held on June 9, in the capital.", "The vote was held in June, in the capital."),
        (
            "Kim vowed support, as seen on Russian TV.",
            "Kim vowed support, according to footage broadcast on Russian TV.",
        ),
    ],
)
def test_same_fact_written_differently_is_not_a_divergence(a, b):
    assert find_divergences(a, b) == []


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (
            "The parliament approved the budget on Tuesday.",
            "The parliament rejected the budget on Tuesday.",
            ("antonym", "changed", "approved", "rejected"),
        ),
        (
            "The minister resigned on Tuesday.",
            "The minister resigned on Wednesday.",
            ("number", "changed", "Tuesday", "Wednesday"),
        ),
        (
            "It was his first visit to the region.",
            "It was his second visit to the region.",
            ("number", "changed", "first", "second"),
        ),
        (
            "North Korea fired a missile into the sea.",
            "South Korea fired a missile into the sea.",
            ("name", "changed", "North Korea", "South Korea"),
        ),
        (
            "Kim Jong Un visited the plant on Monday.",
            "Kim Jong-dae visited the plant on Monday.",
            ("name", "changed", "Kim Jong Un", "Kim Jong-dae"),
        ),
        (
            "The company did not confirm the merger.",
            "The company confirmed the merger.",
            ("negation", "dropped", "not", None),
        ),
        ("The envoy visited Kyiv.", "The envoy never visited Kyiv.", ("negation", "added", None, "never")),
        (
            "Shares were up 4% in early trade.",
            "Shares were down 4% in early trade.",
            ("antonym", "changed", "up", "down"),
        ),
    ],
)
def test_changed_fact_is_a_contradiction(a, b, expected):
    divs = find_divergences(a, b)
    assert expected in summary(a, b)
    assert is_contradiction(divs)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (
            "The deal was signed in 1961, 2000 and 2001.",
            "The deal was signed in 1961 and 2000.",
            ("number", "dropped", "2001", None),
        ),
        ("SEOUL (AP) — The talks ended.", "SEOUL — The talks ended.", ("attribution", "dropped", "(AP)", None)),
        (
            "The ministry denied the report.",
            "The ministry denied the report, state media said.",
            ("attribution", "added", None, "state media said"),
        ),
        (
            "Putin said he saw possibilities.",
            "Putin told reporters he saw possibilities.",
            ("attribution", "added", None, "told reporters"),
        ),
        (
            "The army said in a statement it had withdrawn.",
            "The army said it had withdrawn.",
            ("attribution", "dropped", "said in a statement", None),
        ),
    ],
)
def test_dropped_or_added_detail_is_not_a_contradiction(a, b, expected):
    divs = find_divergences(a, b)
    assert expected in summary(a, b)
    assert not is_contradiction(divs)


def test_different_names_for_related_places_are_not_merged():
    divs = find_divergences(
        "On Monday, Pyongyang said it would respond.", "On Monday, North Korea said it would respond."
    )
    assert {d.kind for d in divs} == {"name"}


def test_is_contradiction_reads_kind_and_change():
    def div(kind, change):
        return Divergence(kind, change, None, None, (0, 1), (0, 1), "x", "y")

    assert not is_contradiction([])
    assert not is_contradiction([div("number", "dropped"), div("name", "added"), div("attribution", "changed")])
    assert is_contradiction([div("number", "changed")])
    assert is_contradiction([div("name", "changed")])
    assert is_contradiction([div("negation", "added")])
    assert is_contradiction([div("antonym", "changed")])


def test_spans_are_relative_to_each_sentence_and_sentence_indices_are_left_empty():
    for d in find_divergences(AFP_A, AFP_B) + find_divergences(TWICE_A, TWICE_B):
        assert d.a_sentence is None and d.b_sentence is None
        if d.a_span:
            assert AFP_A[slice(*d.a_span)] == d.a_text or TWICE_A[slice(*d.a_span)] == d.a_text


# --- properties -------------------------------------------------------------------------------------------------------

PIECES = [
    "Putin", "Kim", "Kim Jong Un", "Kim Jong-un", "North Korea", "South Korea", "the North", "U.S.", "US", "Moscow",
    "United States", "KCNA", "AFP", "Reuters", "said", "told", "reporters", "told AFP", "according to", "state media",
    "the", "a", "and", "of", "in", "met", "Vladivostok", "Pyongyang", "rose", "fell", "more", "less", "won", "lost",
    "up", "down", "not", "never", "no", "didn't", "denied", "neither", "nor", "twice", "two", "one", "3", "$4 million",
    "30%", "30 percent", "1961", "June 9", "May", "Wednesday", "first", "second", "a dozen", "hundreds of", "(AP)",
    "in a statement", "Defense Minister", "President", "The", "However,", ",", ".", "—", "“", "”", '"', "'s", "-",
]  # fmt: skip
sentences = st.lists(st.sampled_from(PIECES), min_size=1, max_size=25).map(" ".join)


@st.composite
def sentence_pairs(draw):
    """Two sentences that share most pieces, as aligned sentences do."""
    pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=25))
    other = list(pieces)
    for _ in range(draw(st.integers(0, 4))):
        k = draw(st.integers(0, len(other)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        if op == "insert" or not other:
            other.insert(k, draw(st.sampled_from(PIECES)))
        elif op == "delete":
            del other[min(k, len(other) - 1)]
        else:
            other[min(k, len(other) - 1)] = draw(st.sampled_from(PIECES))
    return " ".join(pieces), " ".join(other)


@given(st.one_of(sentences, st.text(max_size=200)))
def test_a_sentence_has_no_divergence_from_itself(s):
    assert find_divergences(s, s) == []


@given(sentences)
def test_quote_style_alone_is_no_divergence(s):
    curly = s.replace('"', "”").replace("'", "’")
    assert find_divergences(s, curly) == []


def _check_spans(a: str, b: str, divs: list[Divergence]) -> None:
    for d in divs:
        assert (d.a_span is None) == (d.a_text is None) and (d.b_span is None) == (d.b_text is None)
        assert d.change != "dropped" or (d.a_span and d.b_span is None)
        assert d.change != "added" or (d.b_span and d.a_span is None)
        if d.a_span:
            assert 0 <= d.a_span[0] < d.a_span[1] <= len(a) and a[d.a_span[0] : d.a_span[1]] == d.a_text
        if d.b_span:
            assert 0 <= d.b_span[0] < d.b_span[1] <= len(b) and b[d.b_span[0] : d.b_span[1]] == d.b_text


@settings(max_examples=300)
@given(st.one_of(sentence_pairs(), st.tuples(st.text(max_size=150), st.text(max_size=150))))
def test_spans_point_at_their_text(pair):
    a, b = pair
    _check_spans(a, b, find_divergences(a, b))


def _mirror(d: Divergence) -> tuple:
    change = {"dropped": "added", "added": "dropped"}.get(d.change, d.change)
    return (d.kind, change, d.b_span, d.a_span, d.b_text, d.a_text)


@settings(max_examples=300)
@given(sentence_pairs())
def test_swapping_the_sentences_swaps_dropped_and_added(pair):
    a, b = pair
    forward = sorted(_mirror(d) for d in find_divergences(a, b))
    backward = sorted((d.kind, d.change, d.a_span, d.b_span, d.a_text, d.b_text) for d in find_divergences(b, a))
    assert forward == backward
