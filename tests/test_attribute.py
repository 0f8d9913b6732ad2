from sourcetrace.records import Divergence
from sourcetrace.stages.attribute import attribute_source
from sourcetrace.stages.segment import segment

from .conftest import make_article


def _div(kind, change, a_text, b_text):
    return Divergence(kind, change, 0, 0, (0, 1) if a_text else None, (0, 1) if b_text else None, a_text, b_text)


def test_earlier_date_and_kept_attribution_name_the_source():
    a = make_article("orig", ["x"], date="2023-09-14")
    b = make_article("copy", ["y"], date="2023-09-15")
    source, reasons = attribute_source(a, b, 0.5, 0.9, [_div("attribution", "dropped", "told AFP", None)])
    assert source == "orig"
    assert any("2023-09-14" in r for r in reasons) and any("told AFP" in r for r in reasons)


def test_evidence_is_symmetric():
    a = make_article("a", ["x"])
    b = make_article("b", ["y"])
    source_ab, _ = attribute_source(a, b, 0.5, 0.9, [_div("attribution", "dropped", "told AFP", None)])
    source_ba, _ = attribute_source(b, a, 0.9, 0.5, [_div("attribution", "added", None, "told AFP")])
    assert source_ab == source_ba == "a"


def test_no_evidence_is_undecided():
    a = make_article("a", ["x"])
    b = make_article("b", ["y"])
    assert attribute_source(a, b, 0.7, 0.7, []) == (None, [])


def test_the_earlier_date_outweighs_one_attribution_but_not_two():
    a = make_article("a", ["x"], date="2024-01-01")
    b = make_article("b", ["y"], date="2024-01-02")
    one = [_div("attribution", "added", None, "told AFP")]
    two = one + [_div("attribution", "added", None, "according to Reuters")]
    assert attribute_source(a, b, 0.5, 0.5, one)[0] == "a"
    source, reasons = attribute_source(a, b, 0.5, 0.5, two)
    assert source is None and any(r.startswith("a published earlier") for r in reasons)


def test_what_the_other_article_says_elsewhere_was_not_dropped():
    # B merged two of A's sentences: "told reporters" moved from one to the other, and A names Ukraine elsewhere
    a = make_article("a", ["Putin praised the talks.", "He told reporters he saw possibilities in Ukraine."])
    b = make_article("b", ["Putin praised the talks and told reporters he saw possibilities."])
    moved = [_div("attribution", "added", None, "told reporters"), _div("name", "added", None, "Ukraine")]
    assert attribute_source(a, b, 0.9, 0.9, moved) == (None, [])
    c = make_article("c", ["Putin praised the talks and told journalists he saw possibilities."])
    assert attribute_source(c, b, 0.9, 0.9, moved[:1])[0] == "b"  # c says it nowhere: dropped


def test_an_attribution_to_a_source_the_other_names_anywhere_was_not_dropped():
    a = make_article("a", ["The minister resigned, according to the BBC.", "Police said little."])
    b = make_article("b", ["The minister resigned, she told the BBC.", "Police said little."])
    reworded = [_div("attribution", "dropped", "according to the BBC", None)]
    assert attribute_source(a, b, 0.9, 0.9, reworded) == (None, [])
    unnamed = [_div("attribution", "dropped", "according to reports", None)]  # names no source: no evidence
    assert attribute_source(a, make_article("c", ["The minister resigned."]), 0.9, 0.9, unnamed) == (None, [])


def test_a_number_inside_a_longer_one_or_a_possessive_source_is_matched_whole():
    a = make_article("a", ["5 people died, CNN’s Anderson said.", "The count rose to 5,000 by 12:30."])
    b = make_article("b", ["People died.", "The count rose to 5,000 by 12:30, as CNN's Anderson reported."])
    dropped = [_div("number", "dropped", "5", None), _div("number", "dropped", "12", None)]
    source, reasons = attribute_source(a, b, 0.9, 0.9, dropped)
    assert source == "a" and "“5”, “12”" in reasons[0]  # b says 5,000 and 12:30, not 5 or 12
    assert attribute_source(a, b, 0.9, 0.9, [_div("attribution", "dropped", "CNN’s Anderson said", None)]) == (
        None,
        [],
    )


def test_wording_of_language_models_points_to_the_plain_text_as_source():
    plain = make_article("plain", ["The mayor said the bridge will reopen in May.", "Crews also fixed the rails."])
    model = make_article(
        "model",
        ["The mayor stated that the bridge will reopen in May.", "Additionally, crews fixed the rails."],
    )
    source, reasons = attribute_source(plain, model, 0.9, 0.9, [])
    assert source == "plain"
    assert any("“stated”" in r and "“additionally”" in r for r in reasons)
    assert attribute_source(model, plain, 0.9, 0.9, [])[0] == "plain"  # either order


def test_one_such_word_is_a_house_style_and_quotations_do_not_count():
    plain = make_article("plain", ["Police said the man was arrested on Main Street."])
    styled = make_article("styled", ["Police stated the man was arrested on Main Street."])
    source, reasons = attribute_source(plain, styled, 0.9, 0.9, [])
    assert source is None and any("“stated”" in r for r in reasons)  # weight 1: not decisive alone
    quoted = segment(make_article("quoted", ["“Additionally, it is crucial,” the mayor stated about the bridge."]))
    both = segment(make_article("both", ["“Additionally, it is crucial,” the mayor said about the bridge."]))
    assert quoted.sentences[0].quote_spans
    _, reasons = attribute_source(both, quoted, 0.9, 0.9, [])
    assert not any("additionally" in r for r in reasons)  # only "stated" is outside the quotation
