"""The web service: REST API, pages, errors, token, escaping of untrusted text, and a CLI writing at the same time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from sourcetrace.store import Store  # noqa: E402
from sourcetrace.store.schema import SCHEMA_VERSION  # noqa: E402
from sourcetrace.web.app import create_app  # noqa: E402
from sourcetrace.web.middleware import CSP  # noqa: E402

from .conftest import SEEDS, seed_id  # noqa: E402
from .test_store import synthetic, write_jsonl  # noqa: E402

TOKEN = "test-token-1234"
HOSTILE = (
    "The agency said <script>window.__pwned = 1</script> that talks went well. "
    'An image <img src=x onerror="window.__pwned = 2"> was shown. '
    'Details are at <a href="javascript:window.__pwned = 3">this link</a> or javascript:alert(4) today.'
)


seed = seed_id


@pytest.fixture(scope="module")
def client(store_path, settings, models):
    store = Store(store_path, settings, models, create=False)
    with TestClient(create_app(store, token=TOKEN, max_request_bytes=200_000)) as c:
        yield c
    store.close()


@pytest.fixture(scope="module")
def read_only(store_path, settings, models):
    store = Store(store_path, settings, models, create=False)
    with TestClient(create_app(store)) as c:
        yield c
    store.close()


def test_openapi_document_lists_the_api(client):
    doc = client.get("/api/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/check",
        "/api/pairs",
        "/api/pair",
        "/api/stories",
    ):
        assert path in paths, path
    assert "post" in paths["/api/articles"] and "post" in paths["/api/check"]
    assert client.get("/docs").status_code == 404  # the interactive page would load scripts from a CDN


def test_articles_are_listed_with_pagination_and_fetched_by_id(client):
    page = client.get("/api/articles", params={"offset": 1, "limit": 2}).json()
    assert page["total"] == 5 and page["offset"] == 1 and len(page["items"]) == 2
    assert page["items"][0]["id"] == seed("001")
    article = client.get(f"/api/articles/{seed('001')}").json()
    assert article["version"] == 1 and article["text"] and article["sentences"]
    assert {p["b"] for p in article["pairs"]} | {p["a"] for p in article["pairs"]} >= {seed("000"), seed("003")}
    assert article["story"] is not None


def test_pairs_and_stories(client):
    pairs = client.get("/api/pairs", params={"limit": 50}).json()
    assert pairs["total"] == 4
    for relation in ("rewrite", "excerpt", "shared-quotes"):  # the filter keeps the pairs of that relation
        listed = sum(1 for p in pairs["items"] if p["relation"] == relation)
        assert client.get("/api/pairs", params={"relation": relation}).json()["total"] == listed
    assert sum(1 for p in pairs["items"] if p["relation"] == "rewrite") >= 1  # 000-001 (001-003 may be an excerpt)
    pair = client.get("/api/pair", params={"a": seed("001"), "b": seed("000")}).json()
    assert pair["relation"] == "rewrite" and pair["source"] == seed("001")
    assert any(d["kind"] == "attribution" and d["b_text"] == "told AFP" for d in pair["divergences"])
    stories = client.get("/api/stories", params={"min_articles": 2}).json()
    assert stories["total"] == len(stories["items"]) >= 1
    story = client.get(f"/api/stories/{stories['items'][0]['id']}").json()  # the largest: Kim's visit at least
    ids = set(story["articles"])
    assert {seed("000"), seed("001"), seed("003")} <= ids
    assert len(story["pairs"]) == sum(1 for p in pairs["items"] if {p["a"], p["b"]} <= ids) >= 3


def test_errors_are_json_with_the_right_status_and_the_service_goes_on(client):
    for path in ("/api/articles/no-such-article", "/api/stories/s999", "/api/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["error"], path
    response = client.get("/api/pair", params={"a": "x", "b": "y"})
    assert response.status_code == 404 and response.json()["status"] == 404
    for params in ({"limit": 0}, {"offset": -1}, {"limit": "many"}):
        response = client.get("/api/articles", params=params)
        assert response.status_code == 422 and response.json()["detail"], params
    response = client.post("/api/check", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]
    response = client.post("/api/check", json={"title": "no text"})
    assert response.status_code == 422
    response = client.post("/api/check", json={"text": "   "})
    assert response.status_code == 422 and "text" in response.json()["error"]
    big = {"text": "word " * 100_000}
    response = client.post("/api/check", json=big)
    assert response.status_code == 413 and "limit" in response.json()["error"]

    def chunks():  # no Content-Length: the limit applies while the body streams in
        for _ in range(50):
            yield b"x" * 10_000

    response = client.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["status"] == 413
    assert client.get("/api/health").json()["status"] == "ok"


def test_check_returns_the_report_and_stores_nothing(client):
    text = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    before = client.get("/api/health").json()["articles"]
    report = client.post("/api/check", json={"id": "fresh", "text": text}).json()
    assert report["schema"] == 1 and report["articles"][0]["id"] == "fresh"
    relations = {p["b"]: p["relation"] for p in report["pairs"]}
    assert relations[seed("001")] == "rewrite" and all(p["a"] == "fresh" for p in report["pairs"])
    assert report["articles"][0]["sentences"]  # offsets can be checked against the text
    assert client.get("/api/health").json()["articles"] == before


def test_adding_needs_the_token_and_read_only_service_refuses(client, read_only):
    body = {"articles": [{"id": "t-1", "text": "A short article about nothing in particular, said nobody."}]}
    assert read_only.post("/api/articles", json=body).status_code == 403
    assert client.post("/api/articles", json=body).status_code == 401
    wrong = client.post("/api/articles", json=body, headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]
    assert read_only.get("/api/health").json()["read_only"] is True


def test_adding_through_the_api(tmp_path, settings, models):
    store = Store(tmp_path / "api.db", settings, models)
    app = create_app(store, token=TOKEN)
    headers = {"authorization": f"Bearer {TOKEN}"}
    records = [{"id": p.stem, "text": p.read_text("utf-8")} for p in sorted(SEEDS.glob("00[013]_*.txt"))]
    with TestClient(app) as c:
        added = c.post("/api/articles", json={"articles": records}, headers=headers).json()
        assert sorted(added["added"]) == sorted(r["id"] for r in records) and added["total"] == 3
        assert {(p["a"][:3], p["b"][:3]) for p in added["pairs"]} >= {("000", "001")}
        again = c.post("/api/articles", json={"articles": records[:1]}, headers=headers).json()
        assert again["unchanged"] == [records[0]["id"]] and not again["added"]
        bad = c.post("/api/articles", json={"articles": [{"id": "x"}]}, headers=headers)
        assert bad.status_code == 422
        app.state.stories.wait()
        assert c.get("/api/stories", params={"min_articles": 2}).json()["total"] == 1
    store.close()


def test_adding_to_a_store_scored_otherwise_is_a_conflict_that_names_the_way_out(tmp_path, settings, models):
    from dataclasses import replace

    records = [{"id": p.stem, "text": p.read_text("utf-8")} for p in sorted(SEEDS.glob("00[01]_*.txt"))]
    headers = {"authorization": f"Bearer {TOKEN}"}
    other = replace(settings, classify=replace(settings.classify, reuse_strength=0.5))
    answers = []
    for scoring, record in ((settings, records[0]), (other, records[1])):
        store = Store(tmp_path / "scored.db", scoring, models)
        with TestClient(create_app(store, token=TOKEN)) as c:
            answers.append(c.post("/api/articles", json={"articles": [record]}, headers=headers))
        store.close()  # the app's shutdown waited for the stories update the add started
    assert answers[0].status_code == 200
    assert answers[1].status_code == 409, answers[1].text  # retrying will not help, rebuilding will: not 503
    assert "reuse_strength" in answers[1].json()["error"] and "index rebuild" in answers[1].json()["error"]


def test_pages_render_and_carry_a_content_security_policy(client):
    for path in ("/", "/articles", "/pairs", "/check", f"/articles/{seed('000')}", "/stories/s1", "/api/docs"):
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert "<script>" not in response.text and "http://" not in response.text.replace("http://www.w3", "")
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    missing = client.get("/articles/nothing", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "nothing" in missing.text
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_pair_page_lines_up_the_matched_sentences_and_marks_the_changed_words(client):
    html = client.get("/pair", params={"a": seed("000"), "b": seed("001")}, headers={"accept": "text/html"}).text
    assert "Putin Accepts Kim&#39;s Invitation to Visit North Korea</h1>" in html  # titles, not ids
    assert '<p class="summary">“000_0e5947c32f19394e” is a rewrite of “Putin Accepts Kim&#39;s Invitation' in html
    assert "it dropped the attribution &#39;told AFP&#39;" in html  # the attribution the rewrite dropped comes first
    assert re.search(
        r"strength 0\.\d{3} \((fewer than|about) 1 in ([\d,]+|a million) pairs of independent reports", html
    )
    rows = re.findall(r'<div class="row match (c\d)" id="p-r\d+">\s*<div class="cell side-a">(.*?)</div>\s*'
                      r'<div class="cell side-b">(.*?)</div>', html, flags=re.S)  # fmt: skip
    assert len(rows) >= 15 and all('class="s al' in a and 'class="s al' in b for _, a, b in rows)
    # 001 is the source: "told AFP", which 000 left out, is struck on B's side and named as the change
    told = re.search(r'<mark class="([^"]+)" title="dropped the attribution &#39;told AFP&#39;">told AFP</mark>', html)
    assert told and {"w-drop", "div", "div-attribution"} <= set(told.group(1).split())
    assert '<span class="change">dropped the attribution &#39;told AFP&#39;</span>' in html
    assert "w-add" in html and "w-chg" in html and 'class="legend"' in html
    assert "None" not in html and "-&gt;" not in html
    assert "sentences not in A</summary>" in html  # unmatched text folded


def test_article_page_is_a_similarity_report(client):
    html = client.get(f"/articles/{seed('000')}", headers={"accept": "text/html"}).text
    assert 'Matched elsewhere: <span class="share">100 %</span> of this article' in html
    sources = re.findall(r'<li><span class="chip (c\d)"></span> <a class="share" href="[^"]+">(\d+ %)</a> '
                         r'<a href="[^"]+">([^<]+)</a>', html)  # fmt: skip
    assert [s[2] for s in sources] == [
        "Putin Accepts Kim&#39;s Invitation to Visit North Korea",
        "Kim Jong Un’s Message to Putin After Russia Visit",
    ]
    assert len({s[0] for s in sources}) == 2  # one colour per source
    assert re.search(r'<a class="s src c0" id="t-0" href="/pair\?a=[^"]+#p-a0"', html)


def test_graphs_draw_arrows_only_for_taking(client):
    html = client.get("/stories/s1", headers={"accept": "text/html"}).text
    pairs = client.get("/api/pairs", params={"limit": 50}).json()["items"]
    taking = [p for p in pairs if p["relation"] in ("copy", "rewrite", "excerpt") and p["source"]]
    assert any(p["relation"] == "rewrite" for p in taking)  # 000 took from 001
    assert html.count("marker-end=") == len(taking)  # the rest share quotes or have no decided source
    assert 'class="edge rel-shared-quotes k-quotes"' in html and "quote the same sources" in html
    # the line of shared quotations names who is quoted (stored pairs are read without passages: the speakers both
    # articles quote)
    assert re.search(r'<text class="elabel"[^>]*>[^<]*Putin[^<]*</text>', html) and ", quoting " in html
    assert 'class="glegend"' in html
    assert "Putin Accepts Kim&#39;s I" in html  # nodes labelled by title


def test_pairs_list_sorts_and_filters(client):
    html = client.get("/pairs", params={"sort": "strength"}, headers={"accept": "text/html"}).text
    scores = [float(x) for x in re.findall(r'<td class="num"><a href="[^"]+">([\d.]+)</a>', html)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 4
    only = client.get("/pairs", params={"relation": "shared-quotes"}, headers={"accept": "text/html"}).text
    assert only.count('<td class="num">') == 2
    assert client.get("/pairs", params={"sort": "nonsense"}).status_code == 422


def test_api_docs_are_served_offline_and_linked_from_every_page(client):
    docs = client.get("/api/docs", headers={"accept": "text/html"})
    assert docs.status_code == 200 and docs.headers["content-security-policy"] == CSP
    assert "<code>GET /api/pairs</code>" in docs.text and "<code>POST /api/check</code>" in docs.text
    assert "http://" not in docs.text and "<script>" not in docs.text
    for path in ("/", "/articles", "/pairs", "/check"):
        assert 'href="/api/docs"' in client.get(path, headers={"accept": "text/html"}).text


def test_check_form_with_text_and_with_a_file(client):
    text = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    page = client.post("/check", data={"text": text, "title": "Pasted"}).text
    # the store holds 000 itself (a copy), the article it rewrote (001) and one that shares passages (003)
    assert "3 matches" in page and "Putin Accepts Kim&#39;s Invitation" in page and "rewrite" in page and "copy" in page
    assert page.index('<p class="summary">100 % of the checked text is matched') < page.index('<details class="match"')
    upload = client.post("/check", files={"file": ("mine.txt", text.encode(), "text/plain")}).text
    assert "3 matches" in upload
    refused = client.post("/check", files={"file": ("mine.pdf", b"%PDF-1.4", "application/pdf")})
    assert refused.status_code == 200 and "unsupported file type" in refused.text
    empty = client.post("/check", data={"text": "  "}).text
    assert "paste the article text" in empty


def test_check_form_names_the_upload_and_tells_what_it_did_not_check(client):
    text = next(SEEDS.glob("000_*.txt")).read_text("utf-8")
    empty = client.post("/check", files={"file": ("mine.txt", b"", "text/plain")}).text
    assert '<p class="error" role="alert">mine.txt: is empty' in empty
    records = "".join(json.dumps({"id": i, "text": text}) + "\n" for i in ("first", "second", "third"))
    several = client.post("/check", files={"file": ("many.jsonl", records.encode(), "text/plain")}).text
    assert "3 matches" in several
    assert "Only the first article in many.jsonl (first) was checked; 2 other articles in it were left out" in several
    legacy = text.replace("'", "\u2019").replace("said", "said <b>caf\u00e9</b>").encode("cp1252")
    warned = client.post("/check", files={"file": ("old<b>.txt", legacy, "text/plain")}).text
    assert "3 matches" in warned
    assert re.search(r'<p class="note" role="status">old&lt;b&gt;.txt: not UTF-8: read as cp1252', warned)
    assert "<b>" not in warned


def test_untrusted_text_is_escaped_everywhere(tmp_path, settings, models):
    base = next(SEEDS.glob("001_*.txt")).read_text("utf-8")
    hostile = base.replace("\n\n", "\n\n" + HOSTILE + "\n\n", 1)
    store = Store(tmp_path / "xss.db", settings, models)
    records = [
        {"id": "orig", "text": base},
        {"id": "evil<script>", "text": hostile, "title": "<img src=x onerror=alert(1)>", "url": "javascript:alert(5)"},
    ]
    with TestClient(create_app(store, token=TOKEN)) as c:
        c.post("/api/articles", json={"articles": records}, headers={"authorization": f"Bearer {TOKEN}"})
        c.app.state.stories.wait()  # the overview shows the stories once they are worked out, in the background
        pages = [
            c.get("/articles/evil<script>").text,
            c.get("/pair", params={"a": "evil<script>", "b": "orig"}).text,
            c.get("/").text,
            c.get("/articles").text,
            c.post("/check", data={"text": hostile}).text,
        ]
    store.close()
    for html in pages:
        assert "<script>window" not in html and "<img src=x" not in html and 'href="javascript:' not in html
        assert "evil&lt;script&gt;" in html or "&lt;script&gt;window" in html or "&lt;img src=x" in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in pages[0]
    assert "javascript:alert(5)" in pages[0] and 'href="javascript:alert(5)"' not in pages[0]


def test_the_service_and_a_command_line_add_write_at_the_same_time(tmp_path, settings, models):
    path = tmp_path / "both.db"
    store = Store(path, settings, models)
    articles = synthetic(24, seed=23, copies=4)
    cli_half = write_jsonl(tmp_path / "cli.jsonl", articles[1::2])
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cli = subprocess.Popen(
        [sys.executable, "-m", "sourcetrace.cli", "index", "add", str(cli_half), "--db", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    statuses = []
    with TestClient(create_app(store, token=TOKEN)) as c:

        def post(chunk):
            body = {"articles": [{"id": a.id, "text": a.text} for a in chunk]}
            statuses.append(
                c.post("/api/articles", json=body, headers={"authorization": f"Bearer {TOKEN}"}).status_code
            )

        threads = [threading.Thread(target=post, args=(articles[k : k + 6 : 2],)) for k in (0, 6, 12, 18)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out, err = cli.communicate(timeout=600)
        assert cli.returncode == 0, err
        assert statuses == [200, 200, 200, 200]
        listed = c.get("/api/articles", params={"limit": 100}).json()
        pairs = {(p["a"], p["b"]) for p in c.get("/api/pairs", params={"limit": 100}).json()["items"]}
    store.close()
    assert listed["total"] == 24 and sorted(i["id"] for i in listed["items"]) == sorted(a.id for a in articles)
    for k in range(4):  # each planted pair has one article from each writer
        assert (f"syn{2 * k:03d}", f"syn{2 * k + 1:03d}") in pairs
    assert json.loads(json.dumps(statuses)) == statuses


def test_serve_command_answers_on_loopback_and_stops(store_path):
    """`sourcetrace serve` as a user starts it: bound to 127.0.0.1, read-only without a token."""
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "SOURCETRACE_TOKEN": ""}
    command = [sys.executable, "-m", "sourcetrace.cli", "serve", "--db", str(store_path), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, health = time.monotonic() + 120, None
        while health is None and time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
            except httpx.HTTPError:
                time.sleep(0.2)
        assert health == {"status": "ok", "articles": 5, "schema": SCHEMA_VERSION, "read_only": True}
        page = httpx.get(f"http://127.0.0.1:{port}/", headers={"accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "Kim Jong Un" in page.text
    finally:
        server.terminate()
        server.communicate(timeout=30)  # closes the pipe


def test_articles_list_by_title_and_sorted(client):
    html = client.get("/articles", params={"sort": "date"}, headers={"accept": "text/html"}).text
    titles = re.findall(r'<td><a href="/articles/[^"]+">([^<]+)</a>', html)
    assert titles[0] == "Kim Jong Un’s Message to Putin After Russia Visit"  # the only dated seed, first
    assert "date ▾" in html
    by_title = client.get("/articles", params={"sort": "title"}, headers={"accept": "text/html"}).text
    named = [t for t in re.findall(r'<td><a href="/articles/[^"]+">([^<]+)</a>', by_title) if not t[:3].isdigit()]
    assert named == sorted(named, key=str.lower)
    assert client.get("/articles", params={"sort": "nonsense"}).status_code == 422
