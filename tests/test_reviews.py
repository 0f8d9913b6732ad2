import json

import pytest
from click.testing import CliRunner

from sourcetrace.cli import main
from sourcetrace.errors import InputError
from sourcetrace.reviews import all_reviews, save_review
from sourcetrace.stages.ingest import read_articles

from .conftest import SEEDS, seed_id

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from sourcetrace.web.app import create_app  # noqa: E402

TOKEN = "review-token"


seed = seed_id


@pytest.fixture
def store(seeds_store):
    return seeds_store


def test_a_review_is_kept_by_article_id_and_outlives_a_new_version(store, tmp_path, settings):
    assert all_reviews(store) == {}  # a store without the table has no reviews
    save_review(store, seed("001"), seed("000"), "confirmed", "  checked by the desk  ")
    (review,) = all_reviews(store).values()
    assert (review.a, review.b, review.verdict, review.note) == (
        seed("000"),
        seed("001"),
        "confirmed",
        "checked by the desk",
    )
    changed = next(SEEDS.glob("000_*.txt")).read_text("utf-8") + "\n\nOne more closing sentence for the new version."
    (tmp_path / f"{seed('000')}.txt").write_text(changed, encoding="utf-8")
    new, _ = read_articles([tmp_path / f"{seed('000')}.txt"], settings.ingest)
    assert store.add(new).updated == [seed("000")]
    assert store.pair(seed("000"), seed("001")) is not None
    assert [r.verdict for r in all_reviews(store).values()] == ["confirmed"]
    save_review(store, seed("000"), seed("001"), "rejected")  # replaces
    assert [r.verdict for r in all_reviews(store).values()] == ["rejected"]


def test_a_review_needs_a_stored_pair_a_known_verdict_and_a_short_note(store):
    with pytest.raises(InputError, match="no pair"):
        save_review(store, seed("000"), seed("004"), "confirmed")
    with pytest.raises(InputError, match="verdict"):
        save_review(store, seed("000"), seed("001"), "maybe")
    with pytest.raises(InputError, match="limit"):
        save_review(store, seed("000"), seed("001"), "confirmed", "x" * 3000)


def test_reviews_over_the_api_and_the_page_need_the_token(store):
    with TestClient(create_app(store, token=TOKEN)) as client:
        body = {"a": seed("000"), "b": seed("001"), "verdict": "confirmed", "note": "<b>ok</b>"}
        assert client.post("/api/reviews", json=body).status_code == 401
        refused = client.post("/pair/review", data={**body, "token": "wrong"}, follow_redirects=False)
        assert refused.status_code == 303 and "review=refused" in refused.headers["location"]
        assert all_reviews(store) == {}
        saved = client.post("/pair/review", data={**body, "token": TOKEN})
        assert saved.status_code == 200 and "Your review is saved." in saved.text
        assert "&lt;b&gt;ok&lt;/b&gt;" in saved.text and "<b>ok</b>" not in saved.text
        assert client.get("/api/pair", params={"a": seed("001"), "b": seed("000")}).json()["review"]["verdict"] == (
            "confirmed"
        )
        other = {"a": seed("002"), "b": seed("004"), "verdict": "rejected"}
        assert client.post("/api/reviews", json=other, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/api/reviews").json()["total"] == 2
        assert client.get("/pairs", headers={"accept": "text/html"}).text.count('class="verdict v-') == 2
    with TestClient(create_app(store)) as read_only:
        page = read_only.get("/pair", params={"a": seed("000"), "b": seed("001")}, headers={"accept": "text/html"})
        assert "The service is read-only" in page.text and 'action="/pair/review"' not in page.text


def test_index_reviews_exports_json_lines(store):
    save_review(store, seed("000"), seed("001"), "confirmed", "fine")
    result = CliRunner().invoke(main, ["index", "reviews", "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    (row,) = map(json.loads, result.stdout.splitlines())
    assert row["verdict"] == "confirmed" and row["note"] == "fine"


def test_eval_reviews_scores_the_stores_pairs_against_the_reviews(store, tmp_path, settings):
    """Confirmed and still reported: a true positive; rejected and still reported: a false positive; confirmed but no
    longer reported (a new version shares nothing): a miss. Both disagreements are listed with the readers' notes."""
    save_review(store, seed("000"), seed("001"), "confirmed", "the rewrite, checked")
    save_review(store, seed("002"), seed("004"), "rejected", "they only quote the same agency")
    save_review(store, seed("001"), seed("003"), "confirmed", "a rewrite")
    unrelated = "Local Gardeners Meet\n\nThe allotment society held its annual show on Saturday. Marrows won again."
    (tmp_path / f"{seed('003')}.txt").write_text(unrelated, encoding="utf-8")
    new, _ = read_articles([tmp_path / f"{seed('003')}.txt"], settings.ingest)
    assert store.add(new).updated == [seed("003")] and store.pair(seed("001"), seed("003")) is None

    result = CliRunner().invoke(main, ["eval", "reviews", "--db", str(store.path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    figures = report["figures"]
    assert (figures["true_positives"], figures["false_positives"], figures["missed"]) == (1, 1, 1)
    assert figures["precision"] == 0.5 and figures["recall"] == 0.5
    counts, disagreements = report["tables"]
    assert [(r["verdict"], r["store"], r["note"]) for r in disagreements["rows"]] == [
        ("confirmed", "missed", "a rewrite"),
        ("rejected", "false positive", "they only quote the same agency"),
    ]
    text = CliRunner().invoke(main, ["eval", "reviews", str(store.path)])  # the store as PATH, a table
    assert text.exit_code == 0 and "Disagreements" in text.stdout and "precision 0.500" in text.stdout


def test_eval_reviews_needs_the_store_once(store):
    runner = CliRunner()
    assert runner.invoke(main, ["eval", "reviews"]).exit_code == 2
    assert runner.invoke(main, ["eval", "reviews", str(store.path), "--db", str(store.path)]).exit_code == 2
    assert runner.invoke(main, ["eval", "seeds", "--db", str(store.path)]).exit_code == 2
    empty = runner.invoke(main, ["eval", "reviews", "--db", str(store.path), "--format", "json"])
    assert empty.exit_code == 0 and json.loads(empty.stdout)["figures"]["reviews"] == 0
