"""Checks in the service's worker processes: the same reports and errors as a check in the serving process, a
worker that dies costs at most the checks it held (503, then a new pool), and the workers stop with the service."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from sourcetrace.settings import Settings  # noqa: E402
from sourcetrace.store import Store  # noqa: E402
from sourcetrace.web.app import create_app  # noqa: E402

from .conftest import SEEDS  # noqa: E402

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def service(path, settings, models, in_process: bool):
    store = Store(path, settings, models, create=False)
    return store, TestClient(create_app(store, checks_in_process=in_process))


@pytest.fixture(scope="module")
def in_process(store_path, settings, models):
    store, client = service(store_path, settings, models, in_process=True)
    with client:
        yield client
    store.close()


@pytest.fixture(scope="module")
def pooled(store_path, settings, models):
    store, client = service(store_path, settings, models, in_process=False)
    with client:
        yield client
    store.close()


def record(path, **more) -> dict:
    return {"id": "checked-" + path.stem[:3], "text": path.read_text("utf-8"), "title": path.stem, **more}


def test_a_check_in_the_pool_answers_as_a_check_in_the_serving_process(pooled, in_process, monkeypatch):
    expected = [in_process.post("/api/check", json=record(p)) for p in SEED_FILES]
    page = in_process.post("/check", data={"text": SEED_FILES[0].read_text("utf-8")})
    with monkeypatch.context() as patch:  # a check in this process would fail: the pool's answer comes from elsewhere
        patch.setattr(Store, "check", lambda *a, **k: pytest.fail("checked in the serving process"))
        for path, want in zip(SEED_FILES, expected, strict=True):
            got = pooled.post("/api/check", json=record(path))
            assert got.status_code == want.status_code == 200, got.text
            assert got.content == want.content, path.name
            assert got.json()["pairs"] or path.name.startswith("002"), path.name  # the seeds are matched
        assert pooled.post("/check", data={"text": SEED_FILES[0].read_text("utf-8")}).text == page.text


def test_errors_in_a_worker_are_the_same_http_errors(pooled, in_process, settings):
    limits = settings.service
    for body in (
        {"text": "   "},
        {"text": "A b. " * (limits.check_max_sentences + 10)},  # 422 from the worker, past the sentence limit
        {"html": "<p>" + "Word. " * (limits.check_max_chars // 6 + 100) + "</p>"},  # 413 on the text read from html
        {"text": "Fine text here.", "published": "not a date"},
    ):
        got, want = pooled.post("/api/check", json=body), in_process.post("/api/check", json=body)
        assert (got.status_code, got.json()) == (want.status_code, want.json()), body.keys()
    assert pooled.get("/api/health").json()["status"] == "ok"


def test_the_report_size_limit_holds_in_the_worker(store_path, models):
    settings = Settings.load(service__check_max_response_bytes=2_000)  # the workers get the service's settings
    store, client = service(store_path, settings, models, in_process=False)
    with client:
        response = client.post("/api/check", json=record(SEED_FILES[0]))
    store.close()
    assert response.status_code == 422 and "check_max_response_bytes" in response.json()["error"]


def test_a_dead_worker_costs_its_check_and_the_workers_stop_with_the_service(store_path, settings, models):
    before = set(multiprocessing.active_children())
    store, client = service(store_path, settings, models, in_process=False)
    sentences = [s.strip() + "." for p in SEED_FILES for s in p.read_text("utf-8").split(". ") if len(s.split()) > 3]
    long = " ".join(sentences * 40)[: settings.service.check_max_chars - 1_000]  # seconds of work, at the limits
    answers: list = []
    with client:
        assert client.post("/api/check", json=record(SEED_FILES[1])).status_code == 200
        workers = [p for p in multiprocessing.active_children() if p not in before]
        assert workers and all(p.pid != os.getpid() for p in workers)
        mine = os.getpriority(os.PRIO_PROCESS, 0)  # the workers run below the service's priority
        wanted = min(19, mine + settings.service.check_niceness)
        deadline = time.monotonic() + 30  # a worker sets it as it starts
        while any(os.getpriority(os.PRIO_PROCESS, p.pid) != wanted for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(os.getpriority(os.PRIO_PROCESS, p.pid) == wanted for p in workers)
        held = threading.Thread(target=lambda: answers.append(client.post("/api/check", json={"text": long})))
        held.start()
        time.sleep(0.5)
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
        held.join(120)
        assert answers[0].status_code == 503 and answers[0].headers["retry-after"] == "1"
        assert "retry" in answers[0].json()["error"]
        again = client.post("/api/check", json=record(SEED_FILES[1]))  # a new pool
        assert again.status_code == 200 and again.json()["pairs"]
        workers = [p for p in multiprocessing.active_children() if p not in before]
        assert workers
    store.close()
    assert not any(p.is_alive() for p in workers)  # stopped when the service shut down
