"""Stage 5's plan: which sentence pairs of a candidate the transformer sees (pipeline._shared_only and the
quotation pairs it keeps)."""

import numpy as np

from sourcetrace.pipeline import _shared_only
from sourcetrace.records import Sentence
from sourcetrace.settings import Settings
from sourcetrace.stages.classify import quotation_pairs

from .conftest import make_article

S = Settings()
OWN = [
    "The council approved the new budget for the harbour district late on Tuesday evening.",
    "Officials said the repairs to the sea wall would begin before the winter storms arrive.",
    "Residents have waited for more than a decade for the work to be paid for in full.",
]
OTHER = [
    "A completely different report opens with a sentence about the football season.",
    "Its second sentence talks about the weather in the mountains and the snow.",
    "Its last sentence mentions a concert that was held in the old cathedral.",
]


def _quoted(article, k, said):
    """Mark ``said`` inside sentence ``k`` of ``article`` as a quotation."""
    s = article.sentences[k]
    start = article.text.index(said)
    article.sentences[k] = Sentence(s.index, s.start, s.end, s.source, True, ((start, start + len(said)),), None)


def test_sentences_in_the_same_wording_are_seen_whatever_their_static_cosine():
    a = make_article("a", OWN)
    b = make_article("b", [OWN[0], OTHER[1], OWN[1]])
    far = np.zeros((3, 3), dtype=np.float32)  # static vectors that see nothing alike
    worth = _shared_only(a, b, far, S)
    assert worth is not None and worth[0, 0] and worth[1, 2] and worth.sum() == 2


def test_one_sentence_alike_cannot_make_an_excerpt_and_is_not_seen_but_a_quotation_is():
    a = make_article("a", OWN)
    b = make_article("b", [OWN[0], OTHER[1], OTHER[2]])
    far = np.zeros((3, 3), dtype=np.float32)
    assert _shared_only(a, b, far, S) is None  # one shared sentence: neither an excerpt nor a quotation
    said = "repairs to the sea wall would begin before the winter storms arrive"
    a = make_article("a", OWN)
    b = make_article("b", [OTHER[0], f'"The {said}," the mayor said on the radio.', OTHER[2]])
    _quoted(b, 1, f"The {said},")
    worth = _shared_only(a, b, far, S)
    assert worth is not None and worth[1, 1] and worth.sum() == 1


def test_one_sentence_pair_sharing_a_long_run_of_words_is_seen():
    # a passage taken word for word inside a longer sentence can be an excerpt alone (align.long_runs)
    from sourcetrace.stages.align import LONG_RUN

    from .conftest import RUN

    passage = " ".join(RUN[:LONG_RUN])
    a = make_article("a", [OWN[0], passage.capitalize() + ".", OWN[2]])
    b = make_article("b", [OTHER[0], f"Then {passage} and it goes on.", OTHER[2]])
    close = np.zeros((3, 3), dtype=np.float32)  # neither close in static vectors nor in the same wording as wholes
    worth = _shared_only(a, b, close, S)
    assert worth is not None and worth[1, 1] and worth.sum() == 1
    short = " ".join(RUN[: LONG_RUN - 1])
    a = make_article("a", [OWN[0], short.capitalize() + ".", OWN[2]])
    b = make_article("b", [OTHER[0], f"Then {short} and it goes on.", OTHER[2]])
    assert _shared_only(a, b, close, S) is None


def test_stock_phrasing_alone_is_not_seen_but_beside_a_sentence_that_names_something_it_is():
    """Only stock phrasing in the same wording ("No arrests have been made.") cannot make an excerpt
    (classify.is_stock), so the transformer does not see it; beside a sentence that names something it can."""
    stock = ["No arrests have been made.", "The shooting remains under investigation."]
    far = np.zeros((3, 3), dtype=np.float32)
    a = make_article("a", [OWN[0], *stock])
    b = make_article("b", [OTHER[0], *stock])
    assert _shared_only(a, b, far, S) is None
    a = make_article("a", [OWN[0], OWN[1], stock[0]])
    b = make_article("b", [OTHER[0], OWN[1], stock[0]])
    worth = _shared_only(a, b, far, S)
    assert worth is not None and worth[1, 1] and worth[2, 2] and worth.sum() == 2


def test_a_quotation_repeated_without_marks_is_a_quotation_pair_from_either_side():
    said = "We will rebuild every house that the storm took from us, and we will start this week."
    plain = make_article("plain", [OTHER[0], said, OTHER[2]])
    marked = make_article("marked", [OWN[0], OWN[1], f'"{said}" the mayor told reporters.'])
    _quoted(marked, 2, f'"{said}"')
    one = quotation_pairs(marked.sentences, plain.sentences, marked.text, plain.text)
    other = quotation_pairs(plain.sentences, marked.sentences, plain.text, marked.text)
    assert one[2, 1] and one.sum() == 1
    assert np.array_equal(other, one.T)
