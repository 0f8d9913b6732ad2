"""Stage 2: boilerplate rules on the seeds and on general variants, title and date, idempotence."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.records import Article
from sourcetrace.stages.clean import (
    clean,
    merge_paragraph_counts,
    paragraph_counts,
    paragraph_key,
    repeated_paragraphs,
)
from sourcetrace.stages.dates import parse_date
from sourcetrace.stages.headline import mentions_headline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {p.name[:3]: p for p in (ROOT / "examples" / "seeds").glob("*.txt")}
DATA = Path(__file__).resolve().parent / "data"


def seed(number: str) -> Article:
    path = SEEDS[number]
    return Article(id=number, path=str(path), text=path.read_text("utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_seed_001_loses_banner_caption_appeal_and_widgets() -> None:
    cleaned = clean(seed("001"))
    for gone in (
        "Support The Moscow Times!",
        "Mikhail Metzel / TASS",
        "Vladimir Putin and Kim Jong Un seen shaking hands Wednesday.",
        "we have a small favor to ask",
        "We, the journalists of The Moscow Times",
        "support us monthly",
        "Thank you.",
        "paiment methods",
        "Not ready to support today?",
        "Remind me later.",
        "Read more",
    ):
        assert gone not in cleaned.text, gone
    assert cleaned.title == "Putin Accepts Kim's Invitation to Visit North Korea"
    assert not cleaned.text.startswith("Putin Accepts")
    assert cleaned.text.startswith("Russian President Vladimir Putin has accepted an invitation")
    assert cleaned.text.endswith('like the one happening right now."')
    reasons = {r.reason for r in cleaned.removed}
    assert {"donation appeal", "photo caption", "read-more link"} <= reasons
    assert not any("Putin Accepts" in r.text for r in cleaned.removed)  # the title is kept, not listed


def test_seed_001_keeps_its_body_and_headings() -> None:
    raw, cleaned = seed("001"), clean(seed("001"))
    body = raw.text[raw.text.index("Russian President") : raw.text.index("… we have a small favor")]
    for paragraph in filter(None, (p.strip() for p in body.split("\n"))):
        assert paragraph in cleaned.text
    assert "\n\nOld friends\n\n" in cleaned.text
    assert "\n\n'Blood alliance'\n\n" in cleaned.text


def test_seed_003_loses_dateline_and_share_prompt() -> None:
    cleaned = clean(seed("003"))
    assert cleaned.date == "2023-09-15"
    assert cleaned.title == "Kim Jong Un’s Message to Putin After Russia Visit"
    assert "Connect with us" not in cleaned.text
    assert "2023-09-15" not in cleaned.text
    assert cleaned.text.startswith("North Korean leader Kim Jong-un has told")
    (removal,) = cleaned.removed
    assert removal.text == "date 2023-09-15 Connect with us"
    assert "date line" in removal.reason and "share prompt" in removal.reason


@pytest.mark.parametrize("number", ["000", "002", "004"])
def test_plain_seeds_lose_no_sentence(number: str) -> None:
    raw, cleaned = seed(number), clean(seed(number))
    assert cleaned.removed == []
    assert cleaned.title is None
    assert squash(cleaned.text) == squash(raw.text)
    for heading in ("A ‘Blood Alliance’", "Red carpet welcome", "Concerns about weapons"):
        if heading in raw.text:
            assert f"\n{heading}\n" in cleaned.text


@pytest.mark.parametrize("first", [True, False])
def test_the_date_a_page_was_published_wins_over_the_date_it_was_updated(first: bool) -> None:
    lines = ["Updated: September 20, 2023 at 10:02 a.m.", "Published: September 14, 2023"]
    body = [
        "Kim Jong Un met Vladimir Putin at a space centre in Russia on Wednesday, officials said.",
        "The two leaders talked for hours about weapons and food, according to state media.",
    ]
    text = "\n\n".join(["Kim Meets Putin", *(lines if first else lines[::-1]), *body])
    assert clean(Article(id="d", path="d.txt", text=text)).date == "2023-09-14"
    text = "\n\n".join(["Kim Meets Putin", lines[0], *body])  # the only one: better than none
    assert clean(Article(id="d", path="d.txt", text=text)).date == "2023-09-20"


def test_boilerplate_sample_is_cleaned_by_general_rules() -> None:
    text = (DATA / "boilerplate.txt").read_text("utf-8")
    cleaned = clean(Article(id="b", path="b.txt", text=text))
    assert cleaned.title == "Harbour bridge reopens after repairs"
    assert cleaned.date == "2024-03-08"
    assert cleaned.text.split("\n\n") == [
        "The harbour bridge reopened to traffic on Friday morning after eleven weeks of repairs to its steel deck, "
        "the city council said.",
        "“The bridge is safe, and it will stay safe for another fifty years,” said Maria Lindqvist, "
        "the council’s head of infrastructure.",
        "Engineers replaced more than four hundred rivets and repainted the main span.",
    ]
    reasons = [r.reason for r in cleaned.removed]
    assert reasons == [
        "navigation",
        "date line and share prompt",
        "byline",
        "photo caption",
        "advertisement",
        "read-more link",
        "share prompt",
        "cookie notice",
        "donation appeal",
        "newsletter sign-up",
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Support The Kyiv Independent!", "donation appeal"),
        ("Please make a one-time donation today.", "donation appeal"),
        ("Payment methods", "donation appeal"),
        ("Become a member", "donation appeal"),
        ("Follow us on Telegram and X", "share prompt"),
        ("Share this story", "share prompt"),
        ("Facebook | Twitter | WhatsApp | Email", "share prompt"),
        ("Read more", "read-more link"),
        ("See also: Kim inspects warships in Vladivostok", "read-more link"),
        ("Kim Jong Un at the launch site. (AP Photo/Ahn Young-joon)", "photo caption"),
        ("Photo: Alexander Zemlianichenko / AP", "photo caption"),
        ("Image source, Getty Images", "photo caption"),
        ("Russian and North Korean flags in Pyongyang. Gavriil Grigorov / Sputnik", "photo caption"),
        ("A missile launch on Tuesday. KCNA via Reuters", "photo caption"),
        ("Home > World > Asia-Pacific", "navigation"),
        ("World | Asia | North Korea", "navigation"),
        ("This website uses cookies. Accept all", "cookie notice"),
        ("Get our newsletter delivered to your inbox every morning", "newsletter sign-up"),
        ("Close Get email notifications on Jane Smith daily!", "newsletter sign-up"),
        ("Email notifications are only sent once a day, and only if there are new items.", "newsletter sign-up"),
        ("0:43 Homeless man found dead in Parkland; suspect arrested Pause", "video playlist"),
        ("Sorry, your browser doesn't support Flash , needs a Flash update , or has Flash disabled.", "player notice"),
        ("Your browser does not support the audio element.", "player notice"),
        ("You need Flash to watch this video.", "player notice"),
        ("Add a location to your Tweets", "player notice"),
        ("2:05 Video shows three males vandalizing the high school Pause", "video playlist"),
        ("Already a subscriber? Log in", "subscription prompt"),
        ("Published: 15 Sept 2023 10:45 GMT", "date line"),
        ("Updated Fri, September 15, 2023", "date line"),
        ("15.09.2023", "date line"),
        ("Advertisement", "advertisement"),
        ("By Jane Smith and Tom Jones", "byline"),
        ("© 2023 The Example Times. All rights reserved.", "copyright notice"),
        ("This article was originally published by Example News.", "republication notice"),
    ],
)
def test_boilerplate_line_is_removed(line: str, reason: str) -> None:
    text = f"Kim arrived in Vladivostok on Tuesday, officials said.\n\n{line}\n\nPutin met him at the spaceport."
    cleaned = clean(Article(id="x", path="x.txt", text=text))
    assert cleaned.text == "Kim arrived in Vladivostok on Tuesday, officials said.\n\nPutin met him at the spaceport."
    (removal,) = cleaned.removed
    assert removal.text == line
    assert reason in removal.reason


@pytest.mark.parametrize(
    "line",
    [
        "Support for the deal grew in Moscow.",
        "Share prices in Seoul fell 3% on Thursday.",
        "Home prices in Pyongyang are not published.",
        "Follow-up talks are expected next year, the Kremlin said.",
        "The summit was held on September 15, 2023, in Vladivostok.",
        "Photographs of the meeting were released by KCNA on Thursday evening, showing both men smiling.",
        "The newspaper said it would not ask its readers for donations.",
        "Kim called the talks “a new chapter”, according to KCNA.",
        "Old friends",
        "Putin / Kim",
        "10:03 PM - the first two officers arrived at the house",
        "The school sent email alerts to parents on Tuesday.",
        "14:30 Police closed the road and asked drivers to avoid the area.",
        "Adobe Flash Player reached its end of life on Dec. 31, 2020, the company said.",
        "More than 200 scientists from 40 countries contributed to this report.",
    ],
)
def test_body_line_is_kept(line: str) -> None:
    text = f"Kim arrived in Vladivostok on Tuesday, officials said.\n\n{line}\n\nPutin met him at the spaceport."
    cleaned = clean(Article(id="x", path="x.txt", text=text))
    assert line in cleaned.text
    assert cleaned.removed == []


def test_appeal_in_the_middle_does_not_swallow_the_body() -> None:
    text = (
        "Kim arrived in Vladivostok on Tuesday.\n\n"
        "We have a small favor to ask: please read on.\n\n"
        "Your support keeps our reporting going, the editors wrote in a note that Kim never saw.\n\n"
        "Putin met him at the spaceport."
    )
    cleaned = clean(Article(id="x", path="x.txt", text=text))
    assert "small favor" not in cleaned.text
    assert "Your support keeps our reporting going" in cleaned.text  # not at the end: not part of the appeal
    assert "Putin met him at the spaceport." in cleaned.text


def test_title_needs_a_blank_line_and_no_full_stop() -> None:
    def title_of(text: str) -> str | None:
        return clean(Article(id="x", path="x.txt", text=text)).title

    assert title_of("Kim Visits Russia\n\nKim arrived on Tuesday.") == "Kim Visits Russia"
    assert title_of("Kim Visits Russia\nKim arrived on Tuesday.") is None
    assert title_of("Kim arrived on Tuesday.\n\nPutin met him.") is None
    assert title_of("Kim Visits Russia") is None  # nothing after it: the line is the text


def test_metadata_title_wins_and_its_copy_leaves_the_body() -> None:
    article = Article(
        id="x", path="x.html", text="Tram line delayed\nThe tram line opens late.", title="Tram line delayed"
    )
    cleaned = clean(article)
    assert cleaned.title == "Tram line delayed"
    assert cleaned.text == "The tram line opens late."


def test_date_comes_from_the_first_date_line_with_a_date() -> None:
    article = Article(id="x", path="x.txt", text="10:45 GMT\n\nUpdated 15 Sept 2023\n\nKim arrived on Tuesday.")
    cleaned = clean(article)
    assert cleaned.date == "2023-09-15"
    assert cleaned.text == "Kim arrived on Tuesday."


def test_metadata_date_wins_over_date_line() -> None:
    article = Article(id="x", path="x.txt", text="date 2023-09-15\n\nKim arrived on Tuesday.", date="2023-09-14")
    cleaned = clean(article)
    assert cleaned.date == "2023-09-14"
    assert cleaned.text == "Kim arrived on Tuesday."


def test_whitespace_is_normalised() -> None:
    text = "  Kim   arrived\u00a0on Tuesday.  \r\n\r\n\r\n\r\nPutin\tmet him.   \nThen they left.\u200b  "
    cleaned = clean(Article(id="x", path="x.txt", text=text))
    assert cleaned.text == "Kim arrived on Tuesday.\n\nPutin met him.\nThen they left."


def test_hard_wrapped_paragraphs_are_rejoined() -> None:
    text = (
        "Inheritance is a basic concept of object-oriented programming where\n"
        "the basic idea is to create new classes that add extra detail to\n"
        "Existing classes by reusing the methods and variables of the existing\n"
        "classes.\n\n"
        "A second paragraph follows here, and it\n"
        "goes on for one more line."
    )
    cleaned = clean(Article(id="x", path="x.txt", text=text))
    paragraphs = cleaned.text.split("\n\n")
    assert paragraphs[0] == squash(text.split("\n\n")[0])
    assert paragraphs[1] == "A second paragraph follows here, and it goes on for one more line."


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-09-15", "2023-09-15"),
        ("2023-09-15T10:45:00+03:00", "2023-09-15"),
        ("September 15, 2023", "2023-09-15"),
        ("Sept. 15, 2023", "2023-09-15"),
        ("15 Sept 2023", "2023-09-15"),
        ("Fri, 15 Sep 2023 10:00:00 GMT", "2023-09-15"),
        ("the 15th of September, 2023", "2023-09-15"),
        ("15.09.2023", "2023-09-15"),
        ("2023/09/15", "2023-09-15"),
        ("09/15/2023", "2023-09-15"),
        ("15/09/2023", "2023-09-15"),
        ("05/09/2023", None),  # May 9 or 5 September: not guessed
        ("2023-02-30", None),
        ("no date here", None),
        ("Kim left on 2023-09-14 and returned on 2023-09-17", "2023-09-14"),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_repeated_paragraphs_takes_boilerplate_not_copied_news() -> None:
    appeal = "Help us keep reporting: become a member today and you will get our weekly letter."
    banner = "Support independent journalism"
    news = "Putin arrived in Pyongyang on Wednesday for a two-day visit, state media said."
    quote = "“We will always be with Russia,” Kim said."
    articles = [
        Article(
            id=str(n),
            path=f"{n}.txt",
            text=f"{banner}\n\nStory number {n} begins here.\n\n{news}\n\n{quote}\n\n{appeal}",
        )
        for n in range(3)
    ]
    repeated = repeated_paragraphs(articles)
    assert paragraph_key(appeal) in repeated
    assert paragraph_key(banner) in repeated
    assert paragraph_key(news) not in repeated
    assert paragraph_key(quote) not in repeated
    assert repeated_paragraphs(articles, min_articles=4) == frozenset()
    cleaned = clean(articles[0], repeated)
    assert cleaned.text == f"Story number 0 begins here.\n\n{news}\n\n{quote}"
    assert any(r.text == appeal and r.reason == "repeated across 3 articles" for r in cleaned.removed)


@pytest.mark.parametrize(
    "line, boilerplate",
    [
        ("For more neighborhood news, listen to DNAinfo Radio here:", True),
        ("Click here for reuse options!", True),
        ("Don't miss a thing. Get email alerts from the station today.", True),
        ("On a mobile device? Watch the video here.", True),
        ("Anyone with information is asked to call Crime Stoppers at 305-471-8477.", True),
        ("Tipsters remain anonymous and may qualify for a cash reward.", True),
        ("Your identity will be kept anonymous, and you could be eligible for a cash reward of up to $1,000.", True),
        ("The witness, whose identity will be kept anonymous, testified on Tuesday.", False),
        ("Information may also be forwarded to CrimeStoppers at (912) 234-2020.", True),
        ("Acting on an anonymous tip, police arrested the man on Tuesday.", False),
        ("A neighbor, who asked to remain anonymous, said she heard five shots.", False),
        ("The FBI opened a tip line after the bombing, officials said.", False),
        ("Don’t miss a thing. Get email alerts from the station today.", True),
        ("Need an account? Create one now.", True),
        ("Stay on WAVY.com for developments in this story.", True),
        ("Stay-at-home orders were lifted on Monday, the governor said.", False),
        ("No one was in custody.", False),  # stock reporting, not addressed to the reader
        ("Tap water in Flint was found to contain lead, officials said.", False),
        ("Share prices fell 3 percent on Monday after the report.", False),
        ("Follow-up tests showed no damage to the reactor, the agency said.", False),
        ("Register of Deeds John Smith said the office would reopen.", False),
        ("The president will travel to Ohio on Monday, visit a factory and meet workers, the White House said.", False),
        ("Police, who have asked anyone with information to come forward, said the gunman fled in a white van.", False),
        ("Residents, like their neighbours, said the shots woke them up at night.", False),
        ("The officers get paid overtime for the detail, the chief said.", False),
        ('"Watch out," he told the crowd before the shots were fired in the parking lot.', False),
    ],
)
def test_a_repeated_paragraph_telling_the_reader_what_to_do_is_boilerplate(line: str, boilerplate: bool) -> None:
    articles = [Article(id=str(n), path=f"{n}.txt", text=f"Story number {n} begins here.\n\n{line}") for n in range(3)]
    assert (paragraph_key(line) in repeated_paragraphs(articles)) is boilerplate


def test_a_reprinted_text_that_reads_as_boilerplate_is_kept_whole() -> None:
    """A text whose every paragraph recurs (an opinion piece run by three outlets, speaking to "you") is the
    article itself: removing it would leave nothing, and the copies would never be paired."""
    column = "We have all seen it happen: you open the paper and our town is in it again."
    ending = "Write to us and tell us what you think of our plan for the river."
    articles = [Article(id=str(n), path=f"{n}.txt", text=f"{column}\n\n{ending}") for n in range(3)]
    other = Article(id="x", path="x.txt", text=f"The council met on Monday.\n\n{ending}")
    repeated = repeated_paragraphs([*articles, other])
    assert paragraph_key(column) in repeated and paragraph_key(ending) in repeated
    assert clean(articles[0], repeated).text == f"{column}\n\n{ending}"
    assert clean(other, repeated).text == "The council met on Monday."  # around an article, it is still removed


def test_a_login_wall_on_many_pages_is_no_reprint_of_its_headline() -> None:
    """Text that every page carries is a reprint only when it is about the page's headline: a login wall carried
    by many pages shares a word with a headline now and then ("Privacy Policy" and "police") but not three."""
    wall = [
        "Sign in using your profile to continue.",
        "By submitting your registration information, you agree to our Terms of Service and Privacy Policy.",
    ]
    column = [
        "We have all seen the river flood our town again, and you know the council has no plan for it.",
        "Write to us and tell us what you think of our plan for the river and the town council.",
    ]
    walls = [
        Article(id=f"w{n}", path=f"w{n}.txt", text="\n\n".join(wall), title=f"Police say teen {n} shot")
        for n in range(3)
    ]
    columns = [
        Article(id=f"c{n}", path=f"c{n}.txt", text="\n\n".join(column), title="Our town council has no river plan")
        for n in range(3)
    ]
    repeated = repeated_paragraphs([*walls, *columns])
    assert clean(walls[0], repeated, walls[0].title).text == ""
    # the headline repeated as the first line is not the text mentioning it
    headed = [dataclasses.replace(w, text=f"{w.title}\n\n{w.text}") for w in walls]
    assert clean(headed[0], repeated_paragraphs([*headed, *columns]), headed[0].title).text == ""
    assert clean(walls[0], repeated).text == "\n\n".join(wall)  # no headline to tell: taken for a reprint
    assert clean(columns[0], repeated, columns[0].title).text == "\n\n".join(column)


def test_paragraph_key_ignores_case_spacing_and_quote_style() -> None:
    assert paragraph_key("  “We will”  ALWAYS be ") == paragraph_key('"we will" always be')


# --- idempotence -------------------------------------------------------------------------------------------------

BODY = [
    line.strip()
    for number in ("000", "002", "004")
    for line in SEEDS[number].read_text("utf-8").split("\n")
    if len(line.split()) > 8
][:40]
HEADINGS = ["Old friends", "Red carpet welcome", "A ‘Blood Alliance’"]
BOILERPLATE = [
    "Support The Moscow Times!",
    "Read more",
    "Share this article",
    " date 2023-09-15 Connect with us",
    "Vladimir Putin and Kim Jong Un seen shaking hands Wednesday. Mikhail Metzel / TASS",
    "Home > World > Asia",
    "paiment methods",
    "Not ready to support today?",
    "Remind me later.",
    "… we have a small favor to ask. As you may have heard, we need your support.",
    "Your support, no matter how small, makes a world of difference. Thank you.",
    "Sign up for our newsletter",
    "Advertisement",
    "Published: 15 Sept 2023 10:45 GMT",
]
SEPARATORS = st.sampled_from(["\n", "\n\n", "\n\n\n", " \n \n", "\r\n", "  \n"])


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, list[str]]:
    parts = draw(
        st.lists(
            st.one_of(st.sampled_from(BODY), st.sampled_from(HEADINGS), st.sampled_from(BOILERPLATE)),
            min_size=1,
            max_size=12,
        )
    )
    text = parts[0]
    for part in parts[1:]:
        text += draw(SEPARATORS) + draw(st.sampled_from(["", " ", "  "])) + part
    return text, [p for p in parts if p in BODY]


@settings(max_examples=300, deadline=None)
@given(texts())
def test_cleaning_is_idempotent_and_keeps_body_sentences(sample: tuple[str, list[str]]) -> None:
    text, body = sample
    once = clean(Article(id="x", path="x.txt", text=text))
    twice = clean(once)
    assert twice.text == once.text
    assert twice.title == once.title
    assert twice.date == once.date
    flat = squash(once.text)
    for paragraph in body:
        assert squash(paragraph) in flat or paragraph == once.title
    assert once.text == once.text.strip()
    assert "\n\n\n" not in once.text
    assert not re.search(r"[ \t]\n|  ", once.text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .,“”\"'\n\t\u00a0-"), max_size=80))
def test_cleaning_arbitrary_text_is_idempotent(text: str) -> None:
    once = clean(Article(id="x", path="x.txt", text=text))
    assert clean(once).text == once.text


def test_repeated_paragraphs_survive_pickling_for_worker_processes():
    import pickle

    from sourcetrace.stages.clean import RepeatedParagraphs

    repeated = RepeatedParagraphs({"subscribe now": 4})
    again = pickle.loads(pickle.dumps(repeated))
    assert again == repeated and again.counts == {"subscribe now": 4}


def test_cleaning_is_idempotent_when_the_title_repeats_above_short_lines() -> None:
    text = (
        "Old friends\n\nOld friends\nRed carpet welcome\nRed carpet welcome\n"
        "Kim expressed his loyalty to Russia, saying “We will always be with Russia,” as seen on Russian TV."
    )
    once = clean(Article(id="x", path="x", text=text))
    assert clean(once).text == once.text


def test_paragraph_counts_merged_by_parts_equal_the_whole_collection() -> None:
    banner, news = "Support independent journalism", "Putin arrived in Pyongyang on Wednesday, state media said."
    texts = [f"{banner}\n\n{news}", f"{banner}\n\nOther {news}", f"{banner}\n\n{news}", f"{news}\n\n{banner}", "x."]
    articles = [Article(id=str(n), path=f"{n}.txt", text=t) for n, t in enumerate(texts)]
    whole = repeated_paragraphs(articles)
    assert paragraph_key(banner) in whole
    for cut in range(len(articles) + 1):
        parts = [paragraph_counts(articles[:cut]), paragraph_counts(articles[cut:])]
        merged = merge_paragraph_counts(parts)
        assert merged == whole and merged.counts == whole.counts


# --- scraped pages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "(Source: Sun-Times Media Wire © Chicago Sun-Times 2015. All Rights Reserved. This material may not be "
            "published, broadcast, rewritten, or redistributed.)",
            "copyright notice",
        ),
        (
            "(Copyright 2016 The Associated Press. All rights reserved. This material may not be published, "
            "broadcast, rewritten or redistributed.)",
            "copyright notice",
        ),
        (
            "(TM and © Copyright 2014 CBS Radio Inc. and its relevant subsidiaries. CBS RADIO and EYE Logo TM and "
            "Copyright 2014 CBS Broadcasting Inc. Used under license. All Rights Reserved. This material may not be "
            "published, broadcast, rewritten, or redistributed. The Associated Press contributed to this report.)",
            "copyright notice",
        ),
        ("This is a developing story. Check back for updates.", "update notice"),
        ("This story is developing. Check back later for more details.", "update notice"),
        ("Stay with News4 for more on this developing story.", "update notice"),
        ("Contact Raven Jackson at rjackson@reviewjournal.com or 702-383-0381. Follow @ravenmjackson.", "contact line"),
        ("Call IndyStar reporter Holly Hays at (317) 444-6156.", "contact line"),
        ("View Full Caption Flickr/diversey", "photo caption"),
        ("Tribune reporter Jane Smith contributed to this report.", "byline"),
        ("Read or Share this story: http://on.example.net/1br1rjV", "share prompt"),
        ("Buy Photo Two women hug near the scene. (Photo: Jane Doe / The Example News)Buy Photo", "photo caption"),
        ("Doctors who contributed to this report said the findings would be published in the journal next year.", None),
        ("--------------------------------------------------------", "separator"),
        ("&" + "amp;" * 60 + "lt;!--iframe--&" + "amp;" * 60 + "gt;", "markup"),
        ('&lt;div class="ad"&gt;&lt;/div&gt;', "markup"),
        ("Police said the gun &lt;a stolen one&gt; was found nearby, and the suspect ran.", None),
        ("Police asked anyone with information to call 911 or email tips@police.example.org.", None),
        ("He reserved all rights to appeal, his lawyer said.", None),
        ("Officials urged residents to check back for updates on the boil-water notice.", None),
        ("Stay with her for more than an hour, the nurse was told.", None),
        ("Contact with the reporter was lost on Monday, the editor said.", None),
        ("Call 911 or email tips@police.example.org if you saw anything, police said.", None),
        ("Copyright lawsuits against the two companies were filed in federal court on Monday by the authors.", None),
        ("The investigation is ongoing, and police asked anyone with information to call.", None),
    ],
)
def test_sign_off_lines_of_wire_copy_are_boilerplate(line: str, reason: str | None) -> None:
    cleaned = clean(Article(id="x", path="x.txt", text=f"Police said the shooting happened on Friday.\n\n{line}"))
    assert [r.reason for r in cleaned.removed] == ([reason] if reason else [])


def test_a_long_line_of_unclosed_comments_is_read_in_linear_time():
    # hostile text: every "<!--" without its "-->" made the tag pattern rescan the rest of the line (quadratic)
    line = "&lt;!--" * 60000  # 420 KB: minutes if quadratic, a fraction of a second in linear time
    start = time.perf_counter()
    cleaned = clean(Article(id="x", path="x.txt", text=f"Police said the shooting happened on Friday.\n\n{line}"))
    assert time.perf_counter() - start < 20
    assert "Police said" in cleaned.text


LOGIN_WALL = (
    "Just One More Thing...\n\nWe have sent you a verification email. Please check your email and click on the "
    "link to activate your profile."
)


@pytest.mark.parametrize(
    ("text", "headline", "expected"),
    [
        (LOGIN_WALL, "Police identify four killed in Killeen shooting", False),
        ("0:43 Homeless man found dead in Parkland; suspect arrested Pause", "Boy killed with machete", False),
        # a brief in its own words: "shooting" is "shot", by its first letters
        ("Police said the Wednesday afternoon shooting appears to be an accident.", "Kansas City girl shot", True),
        ("Ryan Welch, 4, was killed at his home by a gun.", "Dalton boy, 4, dies after accident", True),  # a number
        (LOGIN_WALL, "Home", True),  # too short a headline to say anything
        (LOGIN_WALL, None, True),
        (LOGIN_WALL, "001_adc2484d8ab1cf3c", True),  # a file's name or an id is no headline
        (LOGIN_WALL, "2016-03-14", True),  # nor a date
        (LOGIN_WALL, "Page 2 of 3", True),
        ("La depeche du maire a ete publiee.", "Dépêche du maire publiée", True),  # accents folded
        (LOGIN_WALL, "普京 访问 平壤", True),  # a script without spaces between words: nothing to check
    ],
)
def test_a_page_must_mention_its_headline(text: str, headline: str | None, expected: bool) -> None:
    assert mentions_headline(text, headline) is expected


def test_a_headline_in_another_script_than_its_text_is_not_checked() -> None:
    # a Russian site's title over an English article names nothing of it, whatever the text is
    from sourcetrace.pipeline import prepare
    from sourcetrace.stages.headline import same_script

    english = "Kim Jong Un arrived in Vladivostok by train on Tuesday, state media said."
    russian = "Ким Чен Ын прибыл во Владивосток на поезде во вторник."
    assert not same_script("Ким Чен Ын прибыл во Владивосток", english)
    assert same_script("Путин посетил Пхеньян в среду утром", russian)
    kept, errors = prepare([Article(id="a", path="a.txt", text=english, title="Ким Чен Ын прибыл во Владивосток")])
    assert [a.id for a in kept] == ["a"] and errors == []
    kept, errors = prepare([Article(id="b", path="b.txt", text=russian, title="Путин посетил Пхеньян в среду утром")])
    assert kept == [] and "not the article" in errors[0].reason  # one script: checked, and it fails


def test_paragraphs_run_together_by_scraping_are_lines_again():
    article = Article(
        id="x",
        path="x",
        text=(
            "Weed smokers rejoice.The bill was first presented in 2016.“This is it,” said Cruz.”Cruz believes it. "
            "Mr.Smith and the U.S.A team won 3.5 points."
        ),
    )
    assert clean(article).text.split("\n") == [
        "Weed smokers rejoice.",
        "The bill was first presented in 2016.",
        "“This is it,” said Cruz.”",
        "Cruz believes it. Mr.Smith and the U.S.A team won 3.5 points.",
    ]


def test_a_title_or_number_opening_a_line_stays_with_what_follows():
    for text in ("Gov.Brown signed the bill.", "2.Bundesliga side Hamburg won."):
        assert clean(Article(id="x", path="x", text=text)).text == text


def test_a_prompt_run_into_the_end_of_a_paragraph_is_found_repeated():
    prompt = "We're following this story on Eyewitness News. Watch for updates on air."
    articles = [Article(id=str(n), path=f"{n}.txt", text=f"Story number {n} ends here.{prompt}") for n in range(3)]
    repeated = repeated_paragraphs(articles)
    assert paragraph_key(prompt) in repeated
    assert clean(articles[0], repeated).text == "Story number 0 ends here."
