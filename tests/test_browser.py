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
from sourcetrace.ingest import read_articles  # noqa: E402
from sourcetrace.store import Store  # noqa: E402
from sourcetrace.web.app import create_app  # noqa: E402

from .conftest import SEEDS  # noqa: E402
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


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).stem


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


def test_overview_leads_to_the_rewrite_pair_with_aligned_sentences_and_the_dropped_attribution(page, server):
    page.goto(server + "/")
    assert page.locator("h2", has_text="Kim Jong Un’s Message to Putin After Russia Visit").is_visible()
    assert page.locator("figure.graph svg").first.is_visible()
    page.get_by_role("link", name=f"{seed('000')} took from {seed('001')} (rewrite)").click()
    page.wait_for_url("**/pair?**")
    assert page.locator("h1").inner_text() == f"{seed('000')} ~ {seed('001')}"
    aligned = page.locator(".side-a a.al")
    assert aligned.count() >= 15
    # each aligned sentence has a coloured background, the same as its partner's on the other side
    checked = 0
    for n in range(aligned.count()):
        anchor = aligned.nth(n)
        partner = anchor.get_attribute("href")
        colour = background(page, f"#{anchor.get_attribute('id')}")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        assert background(page, partner) == colour
        checked += 1
    assert checked == aligned.count()
    told = page.locator(".side-b mark.div-attribution", has_text="told AFP")
    assert told.count() == 1 and told.is_visible()
    assert "dropped by A" in told.get_attribute("title")
    assert page.locator(".side-a .badge", has_text="missing: told AFP").is_visible()
    assert page.locator(".divergences li", has_text="“told AFP” dropped by A").is_visible()
    # a passage link jumps to its sentence, which is then outlined
    page.locator("ol.passages a").first.click()
    assert page.evaluate("location.hash").startswith("#p-a")


def test_the_check_form_shows_the_matches_of_a_pasted_article(page, server):
    page.goto(server + "/check")
    text = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    page.fill("#text", text)
    page.click("form.check button[type=submit]")
    page.wait_for_selector("section.results")
    # 000 itself, 001 (which it rewrote), 003 (shared passages) and the hostile copy of 001
    assert page.locator("section.results h2").inner_text() == "4 matches"
    rewrite = page.locator("article.match", has=page.locator(f"h3 a:text-is('{seed('001')}')"))
    assert rewrite.locator(".rel", has_text="rewrite").first.is_visible()
    assert rewrite.locator(".side-b mark.div-attribution", has_text="told AFP").count() == 1
    assert page.locator("#text").input_value() == text  # the form keeps what was pasted


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
    assert "<script>window.__pwned = 1</script>" in page.locator(".side-b .text").inner_text()

    page.goto(server + "/check")
    page.fill("#text", HOSTILE + "\n\n" + HOSTILE.replace("agency", "ministry"))
    page.click("form.check button[type=submit]")
    page.wait_for_load_state()
    assert_inert(page)
    assert "<script>window.__pwned = 1</script>" in page.locator("#text").input_value()

    page.goto(collection[1].as_uri())  # the HTML report, opened from disk
    assert_inert(page)
    assert page.locator("text=<script>window.__pwned = 1</script>").first.is_visible()
