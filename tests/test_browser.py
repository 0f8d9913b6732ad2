"""End to end in a real browser: the system chromium driven by Playwright, against the service on loopback.

Skipped when chromium or Playwright is missing (`make test` installs both). Nothing is written outside tmp_path.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from sourcetrace.html_report import render_report  # noqa: E402
from sourcetrace.stages.ingest import read_articles  # noqa: E402
from sourcetrace.store import Store  # noqa: E402
from sourcetrace.web.app import create_app  # noqa: E402

from .conftest import SEEDS, seed_id  # noqa: E402
from .test_web import HOSTILE  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_ID = "hostile<script>"


seed = seed_id


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (apt-get install chromium chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_api.sync_playwright() as playwright:
        # a persistent context is how a fresh --user-data-dir is given to the browser
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def collection(tmp_path_factory, settings, models):
    """A store of the seeds plus a copy of 001 carrying script, image and javascript: link markup in its text."""
    folder = tmp_path_factory.mktemp("browser")
    articles, _ = read_articles([SEEDS], settings.ingest)
    base = next(SEEDS.glob("001_*.txt")).read_text("utf-8")
    hostile = folder / "hostile.jsonl"
    record = {
        "id": HOSTILE_ID,
        "text": base.replace("\n\n", "\n\n" + HOSTILE + "\n\n", 1),
        "title": "<img src=x onerror=window.__pwned=9>",
        "url": "javascript:window.__pwned=8",
    }
    hostile.write_text(json.dumps(record) + "\n", encoding="utf-8")
    extra, errors = read_articles([hostile], settings.ingest)
    assert not errors
    with Store(folder / "b.db", settings, models) as store:
        store.add(articles + extra)
        report = folder / "report.html"
        report.write_text(render_report(store.collection()), encoding="utf-8")
    return folder / "b.db", report


@pytest.fixture(scope="module")
def server(collection, settings, models):
    store = Store(collection[0], settings, models, create=False)
    app = create_app(store, token="browser-test")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)
    app.state.checker.close()  # lifespan is off: the check processes are stopped here
    sock.close()
    store.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    page.close()


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_overview_and_story_name_articles_by_title_and_draw_arrows_only_for_taking(page, server):
    page.goto(server + "/")
    assert page.locator("h2", has_text="Kim Jong Un’s Message to Putin After Russia Visit").is_visible()
    members = page.locator("ul.members").first.inner_text()
    assert "Putin Accepts Kim's Invitation to Visit North Korea" in members and seed("001") not in members
    assert page.locator("figure.graph svg").first.is_visible()
    assert page.locator(".glegend").first.is_visible()
    page.locator("h2 a", has_text="Kim Jong Un’s Message to Putin").click()
    page.wait_for_url("**/stories/**")
    # arrows for taking only (000 and the hostile copy took from 001); shared quotations are plain lines
    assert page.locator("line[marker-end]").count() == page.locator("line.k-took").count() >= 1
    assert page.locator("line.k-quotes").count() >= 1 and page.locator("line.k-quotes[marker-end]").count() == 0
    rows = page.locator("table.list tbody tr")
    scores = [float(rows.nth(n).locator("td.num").inner_text()) for n in range(rows.count())]
    assert scores == sorted(scores, reverse=True)
    # the digest: the quotation all the reports carry, with its speaker; the hostile title shown as text
    digest = page.locator("section.digest")
    assert digest.is_visible()
    assert digest.locator("ul.carried li", has_text="We will always be with Russia").first.inner_text().endswith("Kim")
    assert digest.locator("table.timeline td", has_text="<img src=x onerror=window.__pwned=9>").count() == 1
    assert page.evaluate("window.__pwned") is None and page.dialogs == []


def test_the_rewrite_pair_is_lined_up_with_the_dropped_attribution_struck(page, server):
    page.goto(server + "/")
    page.locator("ul.flows a", has_text="is a rewrite of").first.click()
    page.wait_for_url("**/pair?**")
    assert page.locator("h1").inner_text() == f"{seed('000')} and Putin Accepts Kim's Invitation to Visit North Korea"
    summary = page.locator("p.summary").inner_text()
    assert summary.startswith(f"“{seed('000')}” is a rewrite of “Putin Accepts Kim's Invitation")
    assert page.locator(".legend").is_visible()
    rows = page.locator(".lineup .row.match")
    assert rows.count() >= 15
    for n in range(rows.count()):  # aligned passages face each other: both sides start on the same line
        a = rows.nth(n).locator(".side-a").bounding_box()
        b = rows.nth(n).locator(".side-b").bounding_box()
        assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"] - 1
    told = page.locator(".side-b mark.w-drop.div-attribution", has_text="told AFP")
    assert told.count() == 1 and told.is_visible()
    assert "line-through" in told.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert told.get_attribute("title") == "dropped the attribution 'told AFP'"
    assert page.locator(".rowinfo .change", has_text="dropped the attribution 'told AFP'").is_visible()
    assert page.locator(".side-b mark.w-drop").count() > 3 and page.locator("mark.w-chg").count() > 3
    folded = page.locator("details.fold").first
    assert not folded.evaluate("el => el.open")
    folded.locator("summary").click()
    assert folded.evaluate("el => el.open")
    page.locator(".evidence a", has_text="told AFP").click()
    assert page.evaluate("location.hash").startswith("#p-r")


def test_the_article_page_gives_each_source_its_colour_and_links_its_sentences(page, server):
    from urllib.parse import quote

    # the first seed whose material comes from two other articles (which one depends on the relations found)
    for number in ("000", "001", "002", "003", "004"):
        page.goto(server + "/articles/" + quote(seed(number)))
        sources = page.locator("ol.sources li")
        if sources.count() >= 2:
            break
    assert sources.count() >= 2, "no seed takes material from two others"
    chips = [background(page, f"ol.sources li:nth-child({n + 1}) .chip") for n in range(sources.count())]
    assert len(set(chips)) == len(chips)  # one colour per source
    marked = page.locator(".text a.src")
    assert marked.count() >= 3
    colours = {marked.nth(n).evaluate("el => getComputedStyle(el).backgroundColor") for n in range(marked.count())}
    assert colours <= set(chips)
    marked.first.click()
    page.wait_for_url("**/pair?**")
    assert page.evaluate("location.hash").startswith("#p-")


def test_the_check_form_gives_a_summary_first_and_folds_the_matches(page, server):
    page.goto(server + "/check")
    text = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    page.fill("#text", text)
    page.click("form.check button[type=submit]")
    page.wait_for_selector("section.results")
    # 000 itself, 001 (which it rewrote), 003 (shared passages) and the hostile copy of 001
    assert page.locator("section.results h2").inner_text() == "4 matches"
    assert page.locator("section.results > p.summary").inner_text().startswith("100 % of the checked text is matched")
    matches = page.locator("details.match")
    assert matches.count() == 4 and not any(matches.nth(n).evaluate("el => el.open") for n in range(4))
    rewrite = page.locator("details.match", has=page.locator("summary", has_text="Putin Accepts Kim's Invitation"))
    rewrite.locator("> summary").click()
    assert rewrite.locator(".side-b mark.div-attribution", has_text="told AFP").is_visible()
    assert page.locator("#text").input_value() == text  # the form keeps what was pasted


def test_the_report_opens_on_its_index_with_the_pairs_folded(page, collection):
    page.goto(collection[1].as_uri())
    assert page.locator("nav.index table.list tbody tr").count() >= 4
    views = page.locator("details.pairsection")
    assert views.count() >= 4 and not views.first.evaluate("el => el.open")
    views.first.locator("> summary").click()
    assert views.first.locator(".lineup").is_visible()


def test_the_report_index_filters_as_the_reader_types(page, collection):
    """The script runs under the report's policy (the box shows), hides the index rows that do not match, and a hostile
    title it matches stays text."""
    page.goto(collection[1].as_uri())
    box = page.locator("#search-input")
    assert box.is_visible()
    rows = page.locator("nav.index [data-search]")
    total = rows.count()
    box.fill("message to putin")
    visible = [rows.nth(k).is_visible() for k in range(total)]
    assert 0 < sum(visible) < total
    assert page.locator("#search-count").text_content() == f"{sum(visible)} of {total} entries match"
    box.fill("onerror")  # the hostile title's text
    assert page.locator("nav.index tr[data-search]:visible").count() >= 1
    assert page.evaluate("window.__pwned") is None and not page.dialogs
    box.fill("")
    assert page.locator("nav.index [data-search]:visible").count() == total


def test_a_review_given_on_the_pair_page_persists(page, server):
    from urllib.parse import quote

    url = f"{server}/pair?a={quote(seed('002'))}&b={quote(seed('004'))}"
    page.goto(url)
    assert page.locator("section.review", has_text="Not reviewed yet.").is_visible()
    page.fill("#note", "Both quote the same KCNA statement.")
    page.fill("#token", "browser-test")
    page.get_by_role("button", name="Reject: it is not").click()
    page.wait_for_url("**review=saved**")
    page.goto(url)  # afresh: the review comes from the store
    line = page.locator(".verdict-line")
    assert "rejected" in line.inner_text() and "Both quote the same KCNA statement." in line.inner_text()
    page.goto(server + "/pairs")
    assert page.locator("tr", has=page.locator(".verdict.v-rejected")).count() == 1


def test_the_api_is_described_offline_and_linked_from_the_pages(page, server):
    page.goto(server + "/")
    page.locator("header nav a", has_text="API").click()
    page.wait_for_url("**/api/docs")
    assert page.locator("nav.toc code", has_text="POST /api/check").is_visible()
    assert page.locator("section.endpoint").count() >= 8


def assert_inert(page) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator(".text img, main img").count() == 0


def test_article_text_is_shown_as_text_and_nothing_in_it_runs(page, server, collection):
    from urllib.parse import quote

    page.goto(server + "/articles/" + quote(HOSTILE_ID))
    assert_inert(page)
    body = page.locator("main .text").last.inner_text()
    assert "<script>window.__pwned = 1</script>" in body
    assert '<img src=x onerror="window.__pwned = 2">' in body and 'href="javascript:window.__pwned = 3"' in body
    assert page.locator("h1").inner_text() == "<img src=x onerror=window.__pwned=9>"
    assert page.locator("dd", has_text="javascript:window.__pwned=8").is_visible()  # the address, as text

    page.goto(f"{server}/pair?a={quote(seed('001'))}&b={quote(HOSTILE_ID)}")
    assert_inert(page)
    assert "<script>window.__pwned = 1</script>" in page.locator(".lineup").text_content()

    page.goto(server + "/check")
    page.fill("#text", HOSTILE + "\n\n" + HOSTILE.replace("agency", "ministry"))
    page.click("form.check button[type=submit]")
    page.wait_for_load_state()
    assert_inert(page)
    assert "<script>window.__pwned = 1</script>" in page.locator("#text").input_value()

    page.goto(collection[1].as_uri())  # the HTML report, opened from disk
    assert_inert(page)
    page.locator("details").evaluate_all("els => els.forEach(el => { el.open = true; })")  # unfold every view
    assert page.locator("text=<script>window.__pwned = 1</script>").first.is_visible()
    assert_inert(page)
