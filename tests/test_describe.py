from sourcetrace.describe import Name, describe_change, describe_changes, pair_summary, plural, short_id
from sourcetrace.records import Divergence, Pair


def divergence(change, a_text, b_text, kind="attribution"):
    return Divergence(kind, change, 0, 0, None, None, a_text, b_text)


def pair(source="b", divergences=()):
    return Pair("a", "b", "rewrite", 0.81, 0.6, 0.87, [], list(divergences), source=source)


def test_changes_are_told_from_the_side_of_the_text_that_took():
    told = divergence("added", None, "told AFP")  # B has it, A does not
    assert describe_change(told, taker_is_b=False) == "dropped the attribution 'told AFP'"
    assert describe_change(told, taker_is_b=True) == "added the attribution 'told AFP'"
    figure = divergence("changed", "3 million", "4 million", kind="number")
    assert describe_change(figure, taker_is_b=True) == "changed '3 million' to '4 million'"
    assert describe_change(figure, taker_is_b=False) == "changed '4 million' to '3 million'"
    assert "None" not in describe_change(divergence("dropped", "KCNA said", None))


def test_the_summary_names_the_taker_first_and_says_what_it_changed():
    names = {"a": Name("a", "Taker title"), "b": Name("b", "Source title", "2023-09-15", "Reuters")}
    text = pair_summary(pair("b", [divergence("added", None, "told AFP")]), names)
    assert text.startswith("“Taker title” is a rewrite of “Source title”: 60 % of it comes from the source")
    assert "it dropped the attribution 'told AFP'." in text
    undecided = pair_summary(pair(None), names)
    assert "which came first is undecided" in undecided


def test_repeated_changes_are_told_once_and_the_rest_counted():
    many = [divergence("dropped", f"name {n}", None, kind="name") for n in range(5)] * 2
    said = describe_changes(pair("a", many), limit=3)
    assert said[-1] == "and 2 more changes" and len(said) == 4


def test_counts_and_names():
    assert plural(1, "pair") == "1 pair" and plural(2, "pair") == "2 pairs"
    assert plural(1, "story", "stories") == "1 story" and plural(3, "story") == "3 stories"
    assert short_id("articles_2010_2b9aaaaaaaaaaaaaaaaaaaaa").endswith("…")
    assert Name("x", None, "2010-07-02", "AP").full == "x (AP, 2010-07-02)"


def test_attributions_come_first_and_a_fact_moved_between_sentences_is_no_change():
    changes = [
        divergence("dropped", "Pyongyang", None, kind="name"),
        divergence("added", None, "10", kind="number"),
        divergence("added", None, "Pyongyang", kind="name"),
        divergence("dropped", "10", None, kind="number"),
        divergence("dropped", "Moscow", None, kind="name"),
        divergence("added", None, "told AFP"),
    ]
    assert describe_changes(pair("b", changes)) == ["dropped the attribution 'told AFP'", "added the name 'Moscow'"]
