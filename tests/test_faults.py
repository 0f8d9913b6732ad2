"""Faults: damaged and foreign store files, a run killed while writing, and a service under hostile requests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from sourcetrace.cli import main
from sourcetrace.errors import DamagedStoreError, StoreError
from sourcetrace.integrity import full_check, salvage
from sourcetrace.stages.ingest import read_articles
from sourcetrace.store import Store

from .conftest import SEEDS

SEED = next(SEEDS.glob("000_*.txt"))


@pytest.fixture(scope="module")
def stored(tmp_path_factory, settings, models) -> Path:
    path = tmp_path_factory.mktemp("faults") / "good.db"
    articles, _ = read_articles([SEEDS], settings.ingest)
    with Store(path, settings, models) as store:
        store.add(articles)
    return path


def damaged(stored: Path, folder: Path, where: str) -> Path:
    path = folder / f"{where}.db"
    shutil.copy(stored, path)
    size = path.stat().st_size
    with path.open("r+b") as f:
        if where == "middle":
            f.seek(size // 3)
            f.write(os.urandom(min(65_536, size // 3)))
        else:
            f.seek(size - 8192)
            f.write(os.urandom(8192))
    return path


@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_damaged_store_is_refused_everywhere_with_one_message(stored, tmp_path, settings, models, where):
    path = damaged(stored, tmp_path, where)
    before = path.read_bytes()
    runner = CliRunner()
    for args in (
        ["check", str(SEED), "--db", str(path)],
        ["report", "--db", str(path), "-o", str(tmp_path / "r.html")],
        ["index", "add", str(SEED), "--db", str(path)],
        ["serve", "--db", str(path), "--port", "0"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert "is damaged" in result.output and "index rebuild" in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert path.read_bytes() == before  # nothing written into it
    assert not (tmp_path / "r.html").exists()
    check = runner.invoke(main, ["index", "check", "--db", str(path)])
    assert check.exit_code == 1 and "damaged" in check.output
    with pytest.raises(DamagedStoreError):
        Store(path, settings, models, create=False)


def test_index_check_passes_a_sound_store_and_rebuild_recovers_a_damaged_one(stored, tmp_path, settings, models):
    assert full_check(stored) == []
    ok = CliRunner().invoke(main, ["index", "check", "--db", str(stored)])
    assert ok.exit_code == 0 and "ok" in ok.output
    path = damaged(stored, tmp_path, "end")
    articles, _ = salvage(path)
    assert articles and all(a.text for a in articles)
    target = tmp_path / "rebuilt.db"
    result = CliRunner().invoke(main, ["index", "rebuild", "--db", str(path), "--to", str(target)])
    assert result.exit_code == 0, result.output
    with Store(target, settings, models, create=False) as store:
        assert store.count() == len(articles)


@pytest.mark.parametrize(
    "content", [b"", b"not a database at all, just text\n", b"SQLite format 3\x00" + b"\x00" * 100]
)
def test_empty_or_foreign_files_are_never_turned_into_a_store_by_reading(tmp_path, settings, content):
    path = tmp_path / "given.db"
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["check", str(SEED), "--db", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "store" in result.output
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["given.db"]
    if content:  # a foreign file is refused for writing too
        with pytest.raises(StoreError):
            Store(path, settings, create=True)
        assert path.read_bytes() == content


@pytest.mark.parametrize(
    "command, name, ending",
    [(["scan", "--format", "json"], "report.json", "}"), (["report"], "report.html", "</html>")],
)
def test_kill_while_writing_leaves_the_earlier_output_intact(tmp_path, command, name, ending):
    if command[0] == "report":
        pytest.importorskip("jinja2")
    out = tmp_path / name
    out.write_text("the earlier report\n", "utf-8")
    folder = tmp_path / "many"
    folder.mkdir()
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for n in range(60):
        (folder / f"a{n:03}.txt").write_text(texts[n % len(texts)] + f"\n\nVariant {n}.", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    run = [sys.executable, "-m", "sourcetrace.cli", command[0], str(folder), *command[1:], "-o", str(out)]
    for delay in (0.5, 2.0, 4.0):
        process = subprocess.Popen(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        text = out.read_text("utf-8")
        # the old report, or a whole new one
        assert text == "the earlier report\n" or text.rstrip().endswith(ending), text[-200:]
    finished = subprocess.run(run, env=env, capture_output=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert out.read_text("utf-8").rstrip().endswith(ending)


# --- the service --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(stored, settings, models):
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from sourcetrace.web.app import create_app

    store = Store(stored, settings, models, create=False)
    with TestClient(create_app(store, token="jeton-été")) as client:
        yield client
    store.close()


def test_out_of_range_parameters_get_422(service):
    first = service.get("/api/articles").json()["items"][0]["id"]
    assert service.get(f"/api/articles/{first}", params={"version": "99999999999999999999999"}).status_code == 422
    assert service.get("/api/stories", params={"min_articles": "1e23"}).status_code == 422
    assert service.get("/api/stories", params={"min_articles": "99999999999999999999"}).status_code == 422


def test_check_limits_text_size_and_sentences(service, settings):
    limits = settings.service
    big = service.post("/api/check", json={"text": "Word. " * (limits.check_max_chars // 5)})
    assert big.status_code == 413 and "check_max_chars" in big.json()["error"]
    tiny = service.post("/api/check", json={"text": "A b. " * (limits.check_max_sentences + 10)})
    assert tiny.status_code == 422 and "sentences" in tiny.json()["error"]


def test_check_with_a_surrogate_answers_and_shows_no_server_paths(service, stored):
    text = SEED.read_text("utf-8") + " A lone \ud800 here."
    body = ('{"text": ' + __import__("json").dumps(text) + "}").encode("ascii")
    response = service.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert any(e["level"] == "warning" and "surrogate" in e["reason"] for e in report["errors"])
    assert str(stored.parent) not in response.text and "/tmp" not in response.text
    article = service.get(f"/api/articles/{report['articles'][1]['id']}").json()
    assert "/" not in article["path"]


def test_host_header_is_checked(stored, settings, models):
    from fastapi.testclient import TestClient

    from sourcetrace.web.app import create_app
    from sourcetrace.web.middleware import allowed_hosts

    store = Store(stored, settings, models, create=False)
    app = create_app(store, hosts=allowed_hosts("127.0.0.1", ("news.example.org",)))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/health", headers={"host": "localhost:8000"}).status_code == 200
        assert client.get("/api/health", headers={"host": "news.example.org"}).status_code == 200
        evil = client.get("/api/articles", headers={"host": "evil.example.com"})
        assert evil.status_code == 400 and "public-name" in evil.json()["error"]
        assert evil.headers["x-content-type-options"] == "nosniff"
    assert allowed_hosts("0.0.0.0") is None
    store.close()


def test_utf8_token_is_accepted(service):
    body = {"articles": [{"id": "token-test", "text": "A short article added with a UTF-8 token."}]}
    wrong = service.post("/api/articles", json=body, headers={"authorization": "Bearer jeton-ete"})
    assert wrong.status_code == 401
    raw = "Bearer jeton-été".encode()  # sent as UTF-8 bytes
    right = service.post("/api/articles", json=body, headers={"authorization": raw})
    assert right.status_code == 200, right.text


def test_links_to_hostile_ids_stay_on_their_page(service):
    from sourcetrace.web.render import web_links

    links = web_links("")
    assert links.article("../pairs") == "/articles/%2E%2E%2Fpairs"
    assert links.article("..") == "/articles/%2E%2E"
    body = {"articles": [{"id": "../pairs", "text": "An article with a hostile id, added to be linked."}]}
    raw = "Bearer jeton-été".encode()
    assert service.post("/api/articles", json=body, headers={"authorization": raw}).status_code == 200
    page = service.get(links.article("../pairs"), headers={"accept": "text/html"})
    assert page.status_code == 200 and "An article with a hostile id" in page.text


def test_nfd_id_finds_the_nfc_article(service):
    raw = "Bearer jeton-été".encode()
    body = {"articles": [{"id": "Café", "text": "An article whose id has an accent."}]}
    assert service.post("/api/articles", json=body, headers={"authorization": raw}).status_code == 200
    nfd = unicodedata.normalize("NFD", "Café")
    assert service.get(f"/api/articles/{nfd}").status_code == 200


def test_requests_over_the_global_limit_get_503(stored, settings, models):
    import asyncio

    from sourcetrace.web.middleware import RequestLimit

    async def slow(scope, receive, send):
        await asyncio.sleep(0.2)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = RequestLimit(slow, limit=2)
    statuses: list[int] = []

    async def call(path: str) -> None:
        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await limited({"type": "http", "path": path, "headers": []}, receive, send)

    async def burst() -> None:
        await asyncio.gather(*(call("/api/articles") for _ in range(5)), call("/api/health"))

    asyncio.run(burst())
    assert sorted(statuses) == [200, 200, 200, 503, 503, 503]  # two counted, health not counted
