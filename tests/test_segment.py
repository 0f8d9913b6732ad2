"""Stage 3: sentences with exact offsets, headings apart, quotations and speakers."""

from __future__ import annotations

from pathlib import Path

import blingfire
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.records import Article
from sourcetrace.stages.clean import clean
from sourcetrace.stages.segment import find_speaker, segment, sentence_offsets

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {p.name[:3]: p for p in (ROOT / "examples" / "seeds").glob("*.txt")}


def seed(number: str) -> Article:
    path = SEEDS[number]
    return segment(clean(Article(id=number, path=str(path), text=path.read_text("utf-8"))))


def sentence_with(article: Article, fragment: str):
    (found,) = [s for s in article.sentences if fragment in s.text]
    return found


def quoted(article: Article, sentence) -> list[str]:
    return [article.text[s:e] for s, e in sentence.quote_spans]


def test_empty_text_has_no_sentences() -> None:
    assert segment(Article(id="x", path="x", text="")).sentences == []
    assert segment(Article(id="x", path="x", text=" \n\n \n")).sentences == []


def test_headings_and_lines_are_sentences_of_their_own() -> None:
    text = "Old friends\n\nKim arrived on Tuesday. Putin met him.\nRed carpet welcome\nThe band played"
    article = segment(Article(id="x", path="x", text=text))
    assert [s.text for s in article.sentences] == [
        "Old friends",
        "Kim arrived on Tuesday.",
        "Putin met him.",
        "Red carpet welcome",
        "The band played",
    ]
    assert [s.index for s in article.sentences] == [0, 1, 2, 3, 4]


def test_seed_headings_stand_alone() -> None:
    assert sentence_with(seed("002"), "Red carpet welcome").text == "Red carpet welcome"
    assert sentence_with(seed("000"), "Blood Alliance").text == "A ‘Blood Alliance’"
    assert sentence_with(seed("001"), "Old friends").text == "Old friends"


def test_offsets_point_at_the_seed_text() -> None:
    for number in SEEDS:
        article = seed(number)
        assert article.sentences
        for s in article.sentences:
            assert article.text[s.start : s.end] == s.text == s.text.strip()


def test_direct_quotes_in_seeds() -> None:
    a001 = seed("001")
    kim = sentence_with(a001, "We will always be with Russia")
    assert quoted(a001, kim) == ["We will always be with Russia,"]
    assert not kim.quote  # the quotation is less than half of the sentence's letters
    assert kim.speaker == "Kim"

    whole = sentence_with(a001, "Putin accepted the invitation with pleasure")
    assert whole.quote
    assert quoted(a001, whole) == [whole.text[1:-1]]

    partial = sentence_with(a001, "great victory")
    assert quoted(a001, partial) == ["great victory"]
    assert not partial.quote

    a003 = seed("003")
    curly = sentence_with(a003, "An old friend is better")
    assert quoted(a003, curly) == ["An old friend is better than two new ones,"]
    assert curly.speaker == "Putin"

    a000 = seed("000")
    assert sentence_with(a000, "Blood Alliance").quote_spans == ()  # two words in single quotes: a heading, no quote
    assert sentence_with(a000, "Soviet Union’s involvement").quote_spans != ()
    no_quotes = sentence_with(a000, "Russia faced isolation in the West")
    assert no_quotes.quote_spans == () and not no_quotes.quote


def test_quote_over_several_sentences_marks_each_sentence() -> None:
    a001 = seed("001")
    first = sentence_with(a001, "I think Russia has already tested")
    second = sentence_with(a001, "And neither the U.S. nor South Korea")
    assert first.quote and second.quote
    assert quoted(a001, first) == [first.text[1:]]
    assert quoted(a001, second)[0].startswith("And neither the U.S.")
    assert quoted(a001, second)[0].endswith("the North,")
    assert second.speaker is None  # "he said": no name

    a004 = seed("004")
    opening = sentence_with(a004, "This also shows that our security is not regional")
    closing = sentence_with(a004, "It is global")
    assert opening.text.startswith("“")  # the opening mark belongs to the quotation, not the sentence before
    assert opening.quote and closing.quote
    assert not sentence_with(a004, "These states supported and fueled").text.endswith("“")


def test_quotation_paragraph_left_open_runs_to_its_end() -> None:
    text = "“We will win. The enemy will be defeated.\n\n“Our cause is just,” Kim said."
    article = segment(Article(id="x", path="x", text=text))
    assert [s.quote for s in article.sentences] == [True, True, True]
    assert quoted(article, article.sentences[1]) == ["The enemy will be defeated."]


@pytest.mark.parametrize(
    "last",
    [
        'Second, Iran kept its knowledge for future use," Netanyahu said.',
        "Second, Iran kept its knowledge for future use,” said Netanyahu.",
        'Second , Iran kept its knowledge for future use , " Netanyahu said .',  # tokenised
        'Second, Iran kept its knowledge for future use," he added.',
    ],
)
def test_the_last_paragraph_of_a_quotation_is_quoted_from_its_start(last) -> None:
    """A quotation over several paragraphs opens each with a mark but closes only the last, which has no opening
    mark: its first mark closes, and its text up to there is quoted."""
    article = segment(Article(id="x", path="x", text=f'"First, Iran lied.\n\n{last} He left.'))
    assert [s.quote for s in article.sentences] == [True, True, False]
    (said,) = quoted(article, article.sentences[1])
    assert said.startswith("Second") and said.rstrip(" ,").endswith("for future use")


def test_a_mark_before_a_quotation_is_not_a_close() -> None:
    for text in ('He said , " Netanyahu is wrong , " and left .', 'He called it 12" wide and left.'):
        article = segment(Article(id="x", path="x", text=text))
        assert not any(s.start == qs for s in article.sentences for qs, _ in s.quote_spans)


def test_quotation_marks_standing_alone_in_tokenised_text() -> None:
    """Corpora and some feeds write every mark between spaces: the quotation is still found, not what follows it."""
    text = '" North Korea has agreed to suspend all Nuclear Tests , " the president said in a Twitter message .'
    article = segment(Article(id="x", path="x", text=text))
    (sentence,) = article.sentences
    assert sentence.quote
    assert quoted(article, sentence) == [" North Korea has agreed to suspend all Nuclear Tests , "]


def test_single_quotes_need_four_words_and_ignore_apostrophes() -> None:
    text = (
        "Kim called it ‘a new chapter in our relations’ on Wednesday.\n"
        "The leaders’ summit and Russia’s ‘Blood alliance’ were discussed.\n"
        "He said 'we are ready to help them' and left."
    )
    article = segment(Article(id="x", path="x", text=text))
    one, two, three = article.sentences
    assert quoted(article, one) == ["a new chapter in our relations"]
    assert two.quote_spans == ()
    assert quoted(article, three) == ["we are ready to help them"]


@pytest.mark.parametrize(
    ("number", "fragment", "speaker"),
    [
        ("000", "The summit indicates a significant change", "Kim Jong-dae"),
        ("001", "The summit signals a seismic change", "Kim Jong-dae"),
        ("000", "State Department spokesman Matthew Miller commented", "Matthew Miller"),
        ("001", "State Department spokesman Matthew Miller said", "Matthew Miller"),
        ("001", "Kim told Putin on Wednesday", "Kim"),
        ("003", "We are confident that the Russian army", "Kim"),
        ("001", "An old friend is better than two new ones", "Putin"),
        ("001", "With Kim Jong Un's latest visit to Russia", "Cheong Seong-chang"),
        ("000", "Cheong Seong-chang, a researcher at the Sejong Institute, stated", "Cheong Seong-chang"),
        ("002", "as US Secretary of State Antony Blinken put it", "Antony Blinken"),
        ("001", "new Foreign Minister Yoko Kamikawa told reporters", "Yoko Kamikawa"),
        ("004", "said US Department of Defense spokesman Pat Ryder", "Pat Ryder"),
        ("002", "McBride said, “It has all culminated", "McBride"),
        ("000", "moved on to his next destination, according to KCNA", "KCNA"),
        ("000", "I believe Russia has already tested North Korean shells", None),
        ("002", "Officials from the US and South Korea have stated", None),
        ("002", "Red carpet welcome", None),
        ("001", "Russia became a pariah in the West", None),
    ],
)
def test_speakers_in_seed_sentences(number: str, fragment: str, speaker: str | None) -> None:
    assert sentence_with(seed(number), fragment).speaker == speaker


def test_names_inside_quotes_are_not_speakers() -> None:
    sentence = "“Putin said we would win,” Kim told reporters."
    assert find_speaker(sentence, [(1, 25)]) == "Kim"
    assert find_speaker("He said the talks went well.") is None
    assert find_speaker("Analysts said the talks went well.") is None


# --- offsets, property ---------------------------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["Kim", "Putin", "said", "the", "talks", "U.S.", "Mr.", "Russia’s", "2023", "3.5%", "—", "(AP)", "e.g.", "ok"]
)
MARKS = st.sampled_from(["", ".", "!", "?", ",", "…", ".”", ",”", "“", "”", '"', "'", "‘", "’"])


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        words = draw(st.lists(st.tuples(WORDS, MARKS), max_size=25))
        lines.append(" ".join(w + m for w, m in words))
    separators = draw(
        st.lists(st.sampled_from(["\n", "\n\n", " \n ", "\n\n\n"]), min_size=len(lines), max_size=len(lines))
    )
    return "".join(line + sep for line, sep in zip(lines, separators, strict=True))


@settings(max_examples=300, deadline=None)
@given(paragraphs())
def test_offsets_point_at_the_text_they_claim(text: str) -> None:
    article = segment(Article(id="x", path="x", text=text))
    previous_end = 0
    for index, s in enumerate(article.sentences):
        assert s.index == index
        assert s.text and s.text == s.text.strip() == text[s.start : s.end]
        assert "\n" not in s.text
        assert previous_end <= s.start < s.end
        previous_end = s.end
        for q_start, q_end in s.quote_spans:
            assert s.start <= q_start < q_end <= s.end
        if s.quote:
            assert s.quote_spans
    # every character but white space is in exactly one sentence
    assert "".join("".join(s.text.split()) for s in article.sentences) == "".join(text.split())


@pytest.mark.parametrize(
    "line",
    [
        "He said so. Then he left!",
        "Он сказал «да». Это всё… Ещё — нет! Emoji 😀 here. Second 日本語。 third.",
        "Dr. Smith met 2nd Lt. Jones at 4:43 p.m. on Jan. 5. They talked.",
        "One sentence without an end",
        "x" * 70_000 + ". Then a short one.",
    ],
)
def test_sentence_offsets_agree_with_the_library_wrapper(line):
    assert sentence_offsets(line) == blingfire.text_to_sentences_and_offsets(line)[1]


@pytest.mark.parametrize(
    "text, first",
    [
        ("He was an agent. Mr. Pray set up four districts.", "Mr. Pray set up four districts."),
        ("Stocks closed at 1,633.53. Mr. Manuel and his group arrived.", "Mr. Manuel and his group arrived."),
    ],
)
def test_a_title_cut_off_by_the_splitter_rejoins_its_sentence(text, first):
    sentences = segment(Article(id="x", path="x", text=text)).sentences
    assert [s.text for s in sentences][1] == first
    assert all(text[s.start : s.end] == s.text for s in sentences)
