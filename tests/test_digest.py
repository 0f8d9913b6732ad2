"""The digest of a story: timeline and first report, what most reports carry, where versions diverge; in JSON, on
the command line, on the story page and in the HTML report."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from click.testing import CliRunner

from sourcetrace.cli import main
from sourcetrace.digest import build_digest, majority
from sourcetrace.pipeline import scan
from sourcetrace.records import Article, Pair, ScanResult, Story
from sourcetrace.report import to_dict
from sourcetrace.stages.segment import segment
from sourcetrace.terminal import digest_text

from .conftest import SEEDS, seed_id

seed = seed_id
DATES = {"001": "2023-09-13", "000": "2023-09-14", "003": "2023-09-15"}  # 000 and 003 came after 001


def article(ident: str, text: str, date: str | None = None, outlet: str | None = None) -> Article:
    return segment(Article(id=ident, path=f"{ident}.txt", text=text, date=date, outlet=outlet, title=f"{ident} title"))


def digest_of(*articles: Article, pairs: list[Pair] | None = None):
    story = Story("s1", tuple(a.id for a in articles), "label")
    return build_digest(story, {a.id: a for a in articles}, pairs or [])


# --- without the encoder: the digest over hand-made reports written independently --------------------------------

FIRE = (
    "The fire broke out at the Balogun market in Lagos on Tuesday night, police spokesman Benjamin Hundeyin said.\n"
    "{n} people were killed in the fire at the Balogun market in Lagos, the fire service said.\n"
    '"We could not reach the upper floors in time," said Ibrahim Farinloye.'
)


def test_independent_reports_agree_and_diverge_on_a_number():
    a = article("a", FIRE.format(n="15"), "2024-03-02", "Daily One")
    b = article("b", FIRE.format(n="15"), "2024-03-01", "Wire Two")
    c = article("c", FIRE.format(n="17"), None, "Paper Three")
    d = digest_of(a, b, c)
    # timeline: by date, the undated report last; the earliest is the first report
    assert [r.article for r in d.timeline] == ["b", "a", "c"]
    assert d.first == "b" and "earliest publication date (2024-03-01)" in (d.first_reason or "")
    carried = {(s.kind, s.text): s for s in d.carried}
    quote = carried[("quotation", "We could not reach the upper floors in time")]
    assert quote.articles == ("b", "a", "c") and quote.speaker == "Ibrahim Farinloye"
    assert carried[("number", "15 people")].articles == ("b", "a")  # 2 of 3: most reports
    assert carried[("name", "Lagos")].articles == ("b", "a", "c")
    assert ("number", "17 people") not in carried
    (diverging,) = [x for x in d.diverging if x.kind == "number"]
    assert not diverging.reuse
    assert [(v.text, v.articles) for v in diverging.versions] == [("15", ("b", "a")), ("17", ("c",))]
    assert dict(diverging.versions[1].sentences)["c"].startswith("17 people were killed")


def test_a_lone_name_counts_as_a_longer_name_only_when_most_reports_write_that_one_out():
    # "Lagos" is in every report, "Lagos for Abuja" (a phrase read as one name) in one
    texts = [FIRE.format(n="15")] * 3
    texts[2] += "\nTraders left Lagos for Abuja on Wednesday."
    d = digest_of(*(article(x, t) for x, t in zip("abc", texts, strict=True)))
    names = {s.text: s.articles for s in d.carried if s.kind == "name"}
    assert names.get("Lagos") == ("a", "b", "c") and "Lagos for Abuja" not in names
    kim = [
        article(x, f"Kim Jong Un met Putin. Kim {w} later.")
        for x, w in zip("abc", ["left", "spoke", "ate"], strict=True)
    ]
    kim.append(article("d", "Kim arrived. Officials met him."))
    names = {s.text: s.articles for s in digest_of(*kim).carried if s.kind == "name"}
    assert names.get("Kim Jong Un") == ("a", "b", "c", "d") and "Kim" not in names  # the story's name for him


def test_places_of_two_levels_are_no_divergence_between_independent_reports():
    a = article("a", "Netanyahu met Pompeo in Israel on Sunday and both men talked tough about Iran and the deal.")
    b = article("b", "Netanyahu met Pompeo in Tel Aviv on Sunday and both men talked tough about Iran and the deal.")
    assert digest_of(a, b).diverging == ()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("in Ark on Tuesday", "in Arkansas on Tuesday"),  # a shortening
        ("by the US Geological Survey", "by the U.S. Geological Survey"),  # written differently
        ("for the first time", "for the second time"),  # ordinals rank different things
        ("after 12 hours", "after 14 attempts"),  # numbers of different things
    ],
)
def test_facts_written_differently_or_counting_other_things_are_no_divergence(one, other):
    text = "The storm that hit Little Rock {} killed 15 people and destroyed the old courthouse, officials said."
    a, b = article("a", text.format(one)), article("b", text.format(other))
    assert digest_of(a, b).diverging == ()


def test_a_name_told_two_ways_between_independent_reports():
    text = "Police spokesman {} Smith said the suspect was arrested near the station in Leeds on Monday evening."
    d = digest_of(article("a", text.format("John")), article("b", text.format("James")))
    assert [(x.kind, [v.text for v in x.versions]) for x in d.diverging] == [("name", ["James Smith", "John Smith"])]


def test_sentences_that_share_a_few_words_are_not_compared():
    a = article("a", "Police said 15 people died in Lagos on Tuesday after the fire at the market.")
    b = article("b", "Police in Lagos said 40 traders lost their shops when the roof fell on Tuesday.")
    assert digest_of(a, b).diverging == ()


def test_a_lone_report_or_no_dates_names_no_first_report():
    a, b = article("a", FIRE.format(n="15")), article("b", FIRE.format(n="16"))
    d = digest_of(a, b)
    assert d.first is None and d.first_reason is None
    assert [r.article for r in d.timeline] == ["a", "b"]  # undated: by id
    assert digest_of(a).carried == ()


def test_no_first_report_when_the_earliest_dated_took_from_an_undated_one():
    a, b = article("a", FIRE.format(n="15"), "2024-03-01"), article("b", FIRE.format(n="15"))
    took = Pair("a", "b", "rewrite", 0.8, 0.9, 0.9, [], [], source="b")
    d = digest_of(a, b, pairs=[took])
    assert d.first is None
    assert [(t.source, t.taker, t.date, t.decided) for t in d.takings] == [("b", "a", "2024-03-01", True)]
    d = digest_of(a, b, pairs=[dataclasses.replace(took, source="a")])
    assert d.first == "a" and d.first_reason == "earliest publication date (2024-03-01); 1 report has no date"


def test_most_reports_means_half_and_at_least_two():
    assert [majority(n) for n in (1, 2, 3, 4, 5, 10)] == [2, 2, 2, 2, 3, 5]


def test_digest_text_strips_terminal_escapes():
    a = article("a", FIRE.format(n="15"), "2024-03-01", "Evil\x1b]0;owned\x07 Outlet")
    b = article("b", FIRE.format(n="15"), "2024-03-02")
    text = digest_text(digest_of(a, b), width=200)
    assert "\x1b" not in text and "\x07" not in text
    assert "First report: Evil" in text and "quotation, 2 of 2: “We could not reach the upper floors in time”" in text


def test_digests_grow_linearly_with_the_story():
    """Many reports of one event: building the digest stays well under a second (no all-pairs sentence step)."""
    reports = [article(f"r{n:03}", FIRE.format(n=str(15 + n % 2)), f"2024-03-{1 + n % 28:02}") for n in range(200)]
    start = time.perf_counter()
    d = digest_of(*reports)
    assert time.perf_counter() - start < 5
    assert d.size == 200 and any(x.kind == "number" for x in d.diverging)


# --- the seeds: 000 is a rewrite of 001, 003 reuses 001's quotations ------------------------------------------------


@pytest.fixture(scope="module")
def seeds_result(settings, models) -> ScanResult:
    return scan([SEEDS], settings, models)


@pytest.fixture(scope="module")
def dated(seeds_result) -> ScanResult:
    """The seeds with publication dates that put 001 first (the bundled files have one date between them)."""
    articles = [dataclasses.replace(a, date=DATES.get(a.id[:3], a.date)) for a in seeds_result.articles]
    return dataclasses.replace(seeds_result, articles=articles)


def kim_story(result: ScanResult) -> Story:
    """The reports of Kim's visit to Russia (000, 001, 003), whichever story clustering puts them in: these tests
    are about the digest of a group of reports."""
    return Story(id="s1", articles=(seed("000"), seed("001"), seed("003")), label="Kim visits Russia")


def test_seed_story_names_001_first_and_who_took_from_it(dated):
    story = kim_story(dated)
    d = build_digest(story, {a.id: a for a in dated.articles}, dated.pairs)
    assert [r.article for r in d.timeline] == [seed("001"), seed("000"), seed("003")]
    assert [r.date for r in d.timeline] == ["2023-09-13", "2023-09-14", "2023-09-15"]
    assert d.first == seed("001")
    rewrite = next(t for t in d.takings if t.taker == seed("000"))
    assert rewrite.source == seed("001") and rewrite.relation == "rewrite" and rewrite.decided
    assert rewrite.date == "2023-09-14"


def test_seed_story_carries_the_shared_quotations_with_their_speakers(dated):
    d = build_digest(kim_story(dated), {a.id: a for a in dated.articles}, dated.pairs)
    quotes = {s.text: s for s in d.carried if s.kind == "quotation"}
    kim = quotes["We will always be with Russia"]
    assert set(kim.articles) == {seed("000"), seed("001"), seed("003")} and kim.speaker == "Kim"
    assert quotes["An old friend is better than two new ones"].speaker == "Putin"
    miller = next(s for t, s in quotes.items() if t.startswith("quite troubling"))
    assert set(miller.articles) == {seed("000"), seed("001")} and miller.speaker == "Matthew Miller"
    names = {s.text: len(s.articles) for s in d.carried if s.kind == "name"}
    assert names["Vladimir Putin"] == 3


def test_seed_story_shows_the_attributions_the_rewrite_dropped(dated):
    d = build_digest(kim_story(dated), {a.id: a for a in dated.articles}, dated.pairs)
    dropped = {x.versions[0].text or x.versions[1].text: x for x in d.diverging if x.kind == "attribution"}
    afp = dropped["told AFP"]
    assert afp.reuse
    sides = {v.text: v.articles for v in afp.versions}
    assert sides == {"told AFP": (seed("001"),), None: (seed("000"),)}
    kept = next(v for v in afp.versions if v.text)
    assert "told AFP" in kept.sentences[0][1]


def test_json_stories_of_two_or_more_carry_a_digest(seeds_result):
    doc = json.loads(json.dumps(to_dict(seeds_result)))
    story = next(s for s in doc["stories"] if seed("001") in s["articles"])
    digest = story["digest"]
    assert digest["story"] == story["id"] and digest["reports"] == len(story["articles"]) >= 3
    assert {"timeline", "first", "first_reason", "takings", "carried", "diverging"} <= set(digest)
    attribution = next(x for x in digest["diverging"] if x["kind"] == "attribution")
    assert {"article", "sentence"} == set(attribution["versions"][0]["sentences"][0])
    assert all("digest" not in s for s in doc["stories"] if len(s["articles"]) == 1)


def test_story_command_from_a_scan_and_from_a_store(seeds_store):
    runner = CliRunner()
    out = runner.invoke(main, ["story", seed("000"), str(SEEDS)])  # an article id names its story
    assert out.exit_code == 0, out.output
    assert "Who took from whom" in out.output and "“We will always be with Russia” — Kim" in out.output
    out = runner.invoke(main, ["story", "s1", str(SEEDS), "--format", "json"])
    assert out.exit_code == 0, out.output
    digest = json.loads(out.stdout)
    assert {seed("002"), seed("004")} & {r["article"] for r in digest["timeline"]}
    story = seeds_store.story_of(seed("001"))
    out = runner.invoke(main, ["story", story.id, "--db", str(seeds_store.path), "--format", "json"])
    assert out.exit_code == 0, out.output
    from_store = json.loads(out.stdout)
    assert from_store["reports"] == len(story.articles)
    # the store's digest is the scan's: its facts and diverging versions come off the pairs' sentence links
    out = runner.invoke(main, ["story", seed("001"), str(SEEDS), "--format", "json"])
    from_scan = json.loads(out.stdout)
    assert from_scan["diverging"] and {s["kind"] for s in from_scan["carried"]} >= {"fact", "quotation"}
    assert {**from_store, "story": None} == {**from_scan, "story": None}
    out = runner.invoke(main, ["story", "no-such-story", "--db", str(seeds_store.path)])
    assert out.exit_code == 1 and "no story or article 'no-such-story'" in out.output
    out = runner.invoke(main, ["story", "s1"])
    assert out.exit_code == 2


def test_story_page_and_report_show_the_digest_escaped(tmp_path, settings, models):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from sourcetrace.html_report import render_report
    from sourcetrace.stages.ingest import read_articles
    from sourcetrace.store import Store
    from sourcetrace.web.app import create_app

    articles, _ = read_articles([SEEDS], settings.ingest)
    hostile = next(a for a in articles if a.id == seed("001"))
    articles.append(
        dataclasses.replace(  # the title mentions the text ("Putin"): pages that never do are set aside
            hostile, id="copy<b>", title="<script>alert(1)</script> Putin visits", outlet="<i>Outlet</i>"
        )
    )
    with Store(tmp_path / "d.db", settings, models) as store:
        store.add(articles)
        story = store.story_of(seed("001"))
        with TestClient(create_app(store)) as client:
            html = client.get(f"/stories/{story.id}").text
            api = client.get(f"/api/stories/{story.id}").json()
        report = render_report(store.collection())
    assert api["digest"]["story"] == story.id and api["digest"]["reports"] == len(story.articles)
    for page in (html, report):
        assert "What most reports carry" in page and "Timeline" in page
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<i>Outlet</i>" not in page and "&lt;i&gt;Outlet&lt;/i&gt;" in page
        assert "We will always be with Russia" in page
