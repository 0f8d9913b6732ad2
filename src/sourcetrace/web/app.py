"""The web service over one store: a REST API (OpenAPI document at /api/openapi.json) and server-rendered pages.

Reading is open; adding articles needs the token the service was started with, and without one the service is
read-only. Checking an article stores nothing, so it needs no token; checks run in worker processes (``checks``).
The API is here; the pages are added from ``pages`` and the reviews from ``review_routes``. Every page is rendered
from templates with autoescaping, and a Content-Security-Policy allows only the bundled script and stylesheet.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from ..digest import store_digest
from ..errors import InputError, ModelError, OtherStoreError, SourcetraceError, StoreError
from ..integrity import damaged_message
from ..records import Pair
from ..report import article_dict, pair_dict
from ..reviews import review_for, reviews_of
from ..search import search
from ..store import ArticleInfo, Store
from .checks import Checker, within_limit
from .middleware import (
    _SECURITY_HEADERS,
    BodyLimit,
    HostCheck,
    RequestLimit,
    SecurityHeaders,
)
from .pages import add_pages
from .params import (
    CHECKED_ID,
    MAX_ID_CHARS,
    Id,
    Limit,
    MinArticles,
    Offset,
    OptionalId,
    Relation,
    Version,
    nfc,
    public_path,
    read_records,
)
from .render import environment, web_links
from .review_routes import add_review_routes

# --- request bodies -------------------------------------------------------------------------------------------


class ArticleIn(BaseModel):
    """One article, as a JSON-lines record: ``text`` or ``html`` is required."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: str | None = None
    html: str | None = None
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    outlet: str | None = Field(default=None, max_length=1000)
    published: str | None = Field(default=None, max_length=100, description="ISO date")


class CheckIn(ArticleIn):
    id: str = Field(default=CHECKED_ID, min_length=1, max_length=MAX_ID_CHARS)


class AddIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1, max_length=10_000)


class ErrorOut(BaseModel):
    status: int
    error: str
    detail: Any = None


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _info_dict(info: ArticleInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "version": info.version,
        "current": info.current,
        "title": info.title,
        "date": info.date,
        "outlet": info.outlet,
        "url": info.url,
        "path": public_path(info.path),
        "added": info.added,
        "sentence_count": info.sentence_count,
    }


def _summary(p: Pair) -> dict[str, Any]:
    return {"a": p.a, "b": p.b, "relation": p.relation, "score": p.score, "source": p.source}


def _page(items: list[Any], total: int, offset: int, limit: int) -> dict[str, Any]:
    return {"items": items, "total": total, "offset": offset, "limit": limit}


# --- the application ------------------------------------------------------------------------------------------


class StoryUpdater:
    """Works the stories out again in the background after adds, one run at a time; adds that arrive during a run
    are covered by the next one. Reading pages meanwhile shows the previous stories, marked as lagging."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        with self._lock:
            self._pending = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sourcetrace-stories", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    return
                self._pending = False
            # a failed update leaves the previous stories in place; the next add tries again
            with contextlib.suppress(Exception):
                self.store.update_stories()

    def wait(self, timeout: float = 60.0) -> None:
        """For tests and shutdown: until the pending updates are done."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)


def create_app(
    store: Store,
    token: str | None = None,
    max_request_bytes: int | None = None,
    workers: int | None = None,
    hosts: frozenset[str] | None = None,
    checks_in_process: bool = False,
) -> FastAPI:
    """The service over ``store``. ``token`` enables the write endpoints; ``workers`` bounds concurrent adds (and
    checks run in this process), which run the encoder, so that a burst of requests queues instead of thrashing
    the CPU; ``hosts`` are the Host header names it answers to (None: any, see :func:`allowed_hosts`).

    Checks run in ``service.check_processes`` worker processes (see :mod:`.checks`), stopped when the app shuts
    down; ``checks_in_process`` runs them in this process's threads instead (for tests and embedding)."""
    settings = store.settings
    limits = settings.service
    limit = max_request_bytes or settings.ingest.max_file_bytes + 65_536
    # a checked text may be sent with every character escaped (\\uXXXX): six bytes each, and the form around it
    check_limit = min(limit, limits.check_max_chars * 6 + 65_536)
    heavy = threading.BoundedSemaphore(workers or os.cpu_count() or 1)
    env = environment()

    @contextmanager
    def encoder_slot() -> Iterator[None]:
        with heavy:
            yield

    checker = Checker(store, encoder_slot, in_process=checks_in_process)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        # a stories update still writing when the caller closes the store would write through a closed connection
        app.state.stories.wait()
        checker.close()

    app = FastAPI(
        lifespan=lifespan,
        title="sourcetrace",
        summary="Which stored news articles were copied or rewritten from which, sentence by sentence.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN: not here
        redoc_url=None,
    )
    app.state.store = store
    app.state.checker = checker
    app.state.stories = stories = StoryUpdater(store)
    if store.stories_stale():  # e.g. an add was interrupted before it got to the stories
        stories.request()
    app.mount("/static", StaticFiles(packages=[("sourcetrace.web", "static")]), name="static")

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        html = env.get_template(name).render(root=root, links=web_links(root), **context)
        return HTMLResponse(html, status_code=status)

    def error_response(
        request: Request, status: int, message: str, detail: Any = None, extra: Mapping[str, str] | None = None
    ) -> Response:
        if _wants_html(request):
            response = page(request, "error.html", status=status, code=status, message=message)
            response.headers.update(extra or {})
            return response
        # the handler of unexpected errors runs outside the middleware: the headers go on here too
        headers = {k.decode(): v.decode() for k, v in _SECURITY_HEADERS} | dict(extra or {})
        return JSONResponse({"status": status, "error": message, "detail": detail}, status_code=status, headers=headers)

    # errors: JSON for the API and for clients that do not ask for HTML

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        return error_response(request, exc.status_code, message, extra=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = json.loads(json.dumps(exc.errors(), default=str))
        for item in detail:
            item.pop("input", None)  # do not echo (possibly large) request bodies back
            item.pop("ctx", None)
        return error_response(request, 422, "the request is malformed: see detail", detail)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return error_response(request, 422, str(exc))

    @app.exception_handler(ModelError)
    async def model_error(request: Request, exc: ModelError) -> Response:
        return error_response(request, 503, f"the sentence encoder is not available: {exc}")

    def without_folders(message: str) -> str:
        for shown in {str(store.path.resolve()), str(store.path)}:
            message = message.replace(shown, store.path.name)
        return message

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return error_response(request, 503, without_folders(str(exc)))

    @app.exception_handler(OtherStoreError)
    async def other_store(request: Request, exc: OtherStoreError) -> Response:
        # a store built otherwise: retrying will not help, rebuilding will
        return error_response(request, 409, without_folders(str(exc)))

    @app.exception_handler(sqlite3.DatabaseError)
    async def database_error(request: Request, exc: sqlite3.DatabaseError) -> Response:
        if type(exc) is sqlite3.DatabaseError:  # the file itself: damaged since the service started
            return error_response(request, 503, without_folders(damaged_message(store.path, [str(exc)])))
        return error_response(request, 503, f"the store cannot answer now ({type(exc).__name__}); retry shortly")

    @app.exception_handler(SourcetraceError)
    async def other_error(request: Request, exc: SourcetraceError) -> Response:
        return error_response(request, 422, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        return error_response(request, 500, f"internal error ({type(exc).__name__}); the service goes on")

    def not_found(what: str) -> HTTPException:
        return HTTPException(404, what)

    def require_token(request: Request) -> None:
        if token is None:
            raise HTTPException(403, "the service is read-only: start it with --token (or SOURCETRACE_TOKEN) to add")
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        # headers arrive decoded as Latin-1: back to their bytes, so that a UTF-8 token compares as sent
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode("latin-1"), token.encode()):
            raise HTTPException(401, "a valid token is needed: send the header 'Authorization: Bearer TOKEN'")

    # --- API ---------------------------------------------------------------------------------------------------

    @app.get("/api/health", tags=["service"])
    async def health() -> dict[str, Any]:  # on the event loop, not a worker thread: it answers when they are busy
        """Articles stored and the store's schema version."""
        return {"status": "ok", "articles": store.count(), "schema": store.schema_version, "read_only": token is None}

    @app.get("/api/articles", tags=["articles"], responses={422: {"model": ErrorOut}})
    def list_articles(offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
        """Current articles by id, one page at a time."""
        return _page([_info_dict(i) for i in store.articles(offset, limit)], store.count(), offset, limit)

    @app.get("/api/search", tags=["articles"], responses={422: {"model": ErrorOut}})
    def search_articles(q: Annotated[str, Query(min_length=1, max_length=500)], offset: Offset = 0, limit: Limit = 50):
        """Current articles whose title, outlet or text hold every word of ``q`` (the last as a prefix), best first,
        each with a snippet where the matched words are between U+E000 and U+E001."""
        hits, total = search(store, q, offset, limit)
        items = [{"id": h.id, "title": h.title, "date": h.date, "outlet": h.outlet, "snippet": h.snippet} for h in hits]
        return _page(items, total, offset, limit)

    @app.get("/api/articles/{article_id:path}", tags=["articles"], responses={404: {"model": ErrorOut}})
    def get_article(article_id: str, version: Version = None) -> dict[str, Any]:
        """One article with its cleaned text, sentences, versions, story and pairs."""
        article_id = nfc(article_id)
        article = store.article(article_id, version)
        if article is None:
            raise not_found(f"no article with id {article_id!r}" + (f" and version {version}" if version else ""))
        versions = store.versions(article_id)
        out = article_dict(article, with_sentences=True)
        out["path"] = public_path(article.path)
        chosen = version or max(v.version for v in versions if v.current)
        out["version"] = chosen
        out["versions"] = [{"version": v.version, "added": v.added, "current": v.current} for v in versions]
        current = any(v.current and v.version == chosen for v in versions)
        story = store.story_of(article_id) if current else None
        out["story"] = story.id if story else None
        out["pairs"] = (
            [_summary(p) for p in store.pairs(article=article_id, limit=None, details=False)] if current else []
        )
        return out

    @app.post(
        "/api/articles",
        tags=["articles"],
        dependencies=[Depends(require_token)],
        responses={
            401: {"model": ErrorOut},
            403: {"model": ErrorOut},
            413: {"model": ErrorOut},
            422: {"model": ErrorOut},
        },
    )
    def add_articles(body: AddIn) -> dict[str, Any]:
        """Add articles (or new versions of them) and compare them with the collection; needs the token."""
        articles, errors = read_records([a.model_dump() for a in body.articles], settings)
        if not articles:
            raise InputError("request", "no article could be read: " + "; ".join(e.reason for e in errors))
        with encoder_slot():
            result = store.add(articles, stories=False)
        if result.added or result.updated:
            stories.request()
        return {
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "pairs": [_summary(p) for p in result.pairs],
            "errors": [
                {"path": public_path(e.path), "reason": e.reason, "level": e.level} for e in errors + result.errors
            ],
            "total": result.total,
        }

    @app.post("/api/check", tags=["check"], responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
    async def check_article(body: CheckIn) -> Response:
        """Reuse of one article against the collection, without storing it: the JSON report (schema 1) with the
        checked article first and each pair as ``compare CHECKED STORED`` would give it. Limits (413 or 422 past
        them): ``service.check_max_chars`` characters, ``service.check_max_sentences`` sentences, a report of at
        most ``service.check_max_response_bytes``."""
        sent = len(body.text or "") + len(body.html or "")
        if sent > limits.check_max_chars * 4:  # far over: refused before a worker reads it
            within_limit(sent, limits)
        return Response(await checker.report(body.model_dump()), media_type="application/json")

    @app.get("/api/pairs", tags=["pairs"], responses={422: {"model": ErrorOut}})
    def list_pairs(
        offset: Offset = 0,
        limit: Limit = 50,
        article: OptionalId = None,
        relation: Relation = None,
    ) -> dict[str, Any]:
        """Pairs between current articles (optionally of one article, or of one relation), one page at a time."""
        article = None if article is None else nfc(article)
        items = store.pairs(offset, limit, article, relation, details=False)
        return _page([_summary(p) for p in items], store.count_pairs(article, relation), offset, limit)

    @app.get("/api/pair", tags=["pairs"], responses={404: {"model": ErrorOut}})
    def get_pair(a: Id, b: Id) -> dict[str, Any]:
        """One pair with its passages, divergences, likely source (in its stored orientation) and review."""
        pair = store.pair(nfc(a), nfc(b))
        if pair is None:
            raise not_found(f"no pair of {a!r} and {b!r} shares material (or an id is unknown)")
        review = review_for(reviews_of(store, [(pair.a, pair.b)]), pair.a, pair.b)
        return {**pair_dict(pair), "review": review.as_dict() if review else None}

    add_review_routes(
        app,
        store,
        token,
        require_token,
        nfc,
        {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    )

    @app.get("/api/stories", tags=["stories"], responses={422: {"model": ErrorOut}})
    def list_stories(offset: Offset = 0, limit: Limit = 50, min_articles: MinArticles = 1) -> dict[str, Any]:
        """Stories, largest first; a story keeps its id as articles are added (the story that holds most of its
        articles carries it on)."""
        items = [
            {"id": s.id, "label": s.label, "articles": list(s.articles)}
            for s in store.stories(offset, limit, min_articles)
        ]
        return _page(items, store.count_stories(min_articles), offset, limit)

    @app.get("/api/stories/{story_id}", tags=["stories"], responses={404: {"model": ErrorOut}})
    def get_story(story_id: str) -> dict[str, Any]:
        """One story with the pairs among its articles and its digest (timeline, what most reports carry, where
        versions diverge: the `digest` of docs/schema.md)."""
        story = store.story(story_id)
        if story is None:
            raise not_found(f"no story {story_id!r}")
        pairs = store.pairs_among(story.articles, details=True)
        return {
            "id": story.id,
            "label": story.label,
            "articles": list(story.articles),
            "pairs": [_summary(p) for p in pairs],
            "digest": store_digest(store, story, pairs).as_dict(),
        }

    add_pages(app, store, token, page, checker.result, check_limit)

    # the last added runs first: the Host is checked and the request counted before its body is read
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, limit=limit, smaller={"/api/check": check_limit, "/check": check_limit})  # type: ignore[arg-type]
    app.add_middleware(RequestLimit, limit=limits.max_requests)  # type: ignore[arg-type]
    app.add_middleware(HostCheck, allowed=hosts)  # type: ignore[arg-type]
    return app
