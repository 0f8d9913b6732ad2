"""Checks of an article against the store, run out of the serving process.

A check runs the sentence encoder and seconds of Python code. Run in the serving process it holds the interpreter
in turns with the event loop, and every other request (``/api/health`` too) waits. So the service hands checks to
a pool of worker processes (``service.check_processes``, 0: one per core), started on first use: each opens the
store for reading and loads the encoder once, runs below the serving process's priority (``service.check_niceness``:
a request that arrives gets the CPU at once, not after the time slices of every busy worker), and sends back the
finished report. A worker that dies (killed, out of memory) fails the checks it held with 503, and the next check
starts a new pool. Errors raised in a worker come back as the same exceptions, so they get the same HTTP answers as
in the serving process.

``in_process`` runs the same functions in the serving process's threads instead, on the service's store: for
tests and for embedding the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..errors import ConfigError, InputError
from ..records import Article, ScanResult
from ..report import dumps, to_dict
from ..settings import ServiceSettings, Settings
from ..store import Store
from .params import public_path, read_records

T = TypeVar("T")
A = TypeVar("A")


def within_limit(characters: int, limits: ServiceSettings) -> None:
    """413 for a text longer than ``service.check_max_chars``."""
    if characters > limits.check_max_chars:
        raise HTTPException(
            413,
            f"the text is {characters:,} characters, over the limit of {limits.check_max_chars:,} "
            "for a check (service.check_max_chars); check a shorter text",
        )


def check_articles(store: Store, articles: list[Article]) -> ScanResult:
    """Each article checked against ``store`` within the service's limits, with no server folders in the result."""
    limits = store.settings.service
    for article in articles:
        within_limit(len(article.text), limits)
    result = store.check(articles, max_sentences=limits.check_max_sentences)
    for article in result.articles:
        article.path = public_path(article.path)
    return result


def check_record(store: Store, record: dict[str, Any]) -> bytes:
    """The answer of ``POST /api/check`` to one record: the JSON report, read, checked and written within limits."""
    settings = store.settings
    articles, errors = read_records([record], settings)
    if not articles:
        raise InputError("request", "; ".join(e.reason for e in errors) or "no article text")
    result = check_articles(store, articles)
    if not result.articles:
        raise InputError("request", "; ".join(e.reason for e in result.errors) or "no article text")
    result.errors[:0] = errors
    report = dumps(to_dict(result, with_sentences=True)).encode("utf-8")
    limit = settings.service.check_max_response_bytes
    if len(report) > limit:
        raise InputError(
            "request",
            f"the report would be {len(report):,} bytes, over the limit of {limit:,} "
            "(service.check_max_response_bytes); check a shorter text",
        )
    return report


class Checker:
    """Runs :func:`check_record` and :func:`check_articles` in worker processes, or in this process."""

    def __init__(
        self, store: Store, slot: Callable[[], AbstractContextManager[None]], in_process: bool = False
    ) -> None:
        limits = store.settings.service
        if limits.check_processes < 0 or not 0 <= limits.check_niceness <= 19:
            raise ConfigError(
                f"service.check_processes must be 0 (one per core) or more, got {limits.check_processes}; "
                f"service.check_niceness from 0 to 19, got {limits.check_niceness}"
            )
        self.store = store
        self.processes = limits.check_processes or os.cpu_count() or 1
        self.in_process = in_process
        self._slot = slot  # in this process: one of the encoder slots that adds use too
        self._pool: ProcessPoolExecutor | None = None

    async def report(self, record: dict[str, Any]) -> bytes:
        return await self._run(check_record, record)

    async def result(self, articles: list[Article]) -> ScanResult:
        return await self._run(check_articles, articles)

    async def _run(self, job: Callable[[Store, A], T], arg: A) -> T:
        if self.in_process:
            return await run_in_threadpool(self._here, job, arg)
        pool = self._started()
        try:
            future = pool.submit(_in_worker, job, arg)
        except BrokenProcessPool:  # a worker died while the pool was idle: this check goes to a new pool
            self._drop(pool)
            pool = self._started()
            future = pool.submit(_in_worker, job, arg)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:  # a worker died during this check, or one queued with it
            self._drop(pool)
            stopped = "a checking process stopped (out of memory?); retry in a moment"
            raise HTTPException(503, stopped, headers={"Retry-After": "1"}) from None

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:  # the first check to see it broken; the next check starts a new pool
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def _here(self, job: Callable[[Store, A], T], arg: A) -> T:
        with self._slot():
            return job(self.store, arg)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawned: children of this process, so that they can tell when it is gone (forked from a fork server,
            # they would keep the server, and each other, alive)
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(str(self.store.path.resolve()), self.store.settings),
            )
            for _ in range(self.processes):  # every worker starts now (a pool starts one only when none is idle)
                self._pool.submit(_ready)
        return self._pool

    def close(self) -> None:
        """Stop the workers (at shutdown, once the requests are answered); checks still queued are cancelled."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# --- in a worker process -----------------------------------------------------------------------------------------

_store: Store | None = None
_failure: Exception | None = None  # why the store could not be opened: raised by every check


def _start_worker(path: str, settings: Settings) -> None:
    global _store, _failure
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    os.nice(settings.service.check_niceness)
    try:
        _store = Store(path, settings, create=False)
    except Exception as exc:  # reported by each check, as the serving process would report it
        _failure = exc
        return
    with contextlib.suppress(Exception):  # a missing encoder is reported by each check, and looked for again
        _store.models  # noqa: B018 -- load the encoder now, once


def _exit_with_parent(parent: int) -> None:
    """Stop within a second when the serving process is gone (killed, so that it did not stop the pool)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _ready() -> None:
    pass


def _in_worker(job: Callable[[Store, A], T], arg: A) -> T:
    if _failure is not None:
        raise _failure
    assert _store is not None
    try:
        return job(_store, arg)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # it cannot cross to the serving process (that would break the pool): its words can
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
        raise
