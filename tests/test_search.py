import pytest
from hypothesis import given
from hypothesis import strategies as st

from sourcetrace.search import HIT_END, HIT_START, fts_query, search, snippet_pieces

from .conftest import make_article


@given(st.text())
def test_a_query_is_only_quoted_words(text):
    query = fts_query(text)
    assert query is None or all(part.startswith('"') and part.rstrip("*").endswith('"') for part in query.split(" "))


def test_snippets_split_into_marked_runs():
    snippet = f"…a midnight {HIT_START}basketball{HIT_END} game…"
    assert snippet_pieces(snippet) == [("…a midnight ", False), ("basketball", True), (" game…", False)]


@pytest.fixture
def store(seeds_store):
    return seeds_store


def test_search_finds_titles_and_text_and_follows_adds(store, settings):
    hits, total = search(store, "invitation putin")
    assert total >= 1 and hits[0].title == "Putin Accepts Kim's Invitation to Visit North Korea"
    hits, _ = search(store, "bulletproof tra")  # the last word is a prefix
    assert hits and HIT_START in hits[0].snippet
    assert search(store, "zeppelin") == ([], 0)
    assert search(store, '"(*:^') == ([], 0)  # nothing a reader types is read as FTS5 syntax
    assert search(store, "zeppelin OR putin") == ([], 0)  # OR is a word like another: every word must occur
    store.add([make_article("zep", ["A zeppelin landed in the harbour on Tuesday morning."])])
    hits, total = search(store, "zeppelin")
    assert total == 1 and hits[0].id == "zep"


def test_the_articles_page_searches(store):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from sourcetrace.web.app import create_app

    with TestClient(create_app(store)) as client:
        html = client.get("/articles", params={"q": "bulletproof <b>"}, headers={"accept": "text/html"}).text
        assert '<mark class="hit">bulletproof</mark>' in html and "<b>" not in html
        assert client.get("/api/search", params={"q": "bulletproof"}).json()["total"] >= 1
        assert client.get("/api/search").status_code == 422
