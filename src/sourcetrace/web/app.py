"""The web service over one store: a REST API (OpenAPI document at /api/openapi.json) and server-rendered pages.

Reading is open; adding articles needs the token the service was started with, and without one the service is
read-only. Checking an article stores nothing, so it needs no token. Every page is rendered from templates with
autoescaping, and a Content-Security-Policy allows only the bundled script and stylesheet.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import math
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..describe import Name, names_of
from ..errors import InputError, ModelError, SourcetraceError, StoreError
from ..ingest import read_bytes
from ..integrity import damaged_message
from ..records import Article, FileError, Pair, ScanResult
from ..report import article_dict, pair_dict, to_dict
from ..reviews import review_for, reviews_of
from ..search import search, snippet_pieces
from ..store import ArticleInfo, Store
from .apidocs import api_doc
from .graph import reuse_graph
from .lineup import pair_view
from .middleware import (
    _SECURITY_HEADERS,
    BodyLimit,
    HostCheck,
    RequestLimit,
    SecurityHeaders,
    _TooLarge,
)
from .render import Links, environment, safe_url, similarity_report, web_links
from .review_routes import add_review_routes

PAGE_STORIES = 20
PAGE_ROWS = 50
CHECKED_ID = "(checked)"
UPLOAD_TYPES = (".txt", ".html", ".htm", ".jsonl")
RELATION = "^(copy|rewrite|excerpt|shared-quotes)$"

# query parameters (module level: with postponed annotations, FastAPI resolves these names in the module)
Offset = Annotated[int, Query(ge=0, le=10**9)]
Limit = Annotated[int, Query(ge=1, le=500)]
PageNo = Annotated[int, Query(alias="page", ge=1, le=10**6)]
Id = Annotated[str, Query(min_length=1, max_length=1000)]
OptionalId = Annotated[str | None, Query(max_length=1000)]
Relation = Annotated[str | None, Query(pattern=RELATION)]
Version = Annotated[int | None, Query(ge=1, le=10**9)]
MinArticles = Annotated[int, Query(ge=1, le=10**6)]
ReviewNote = Annotated[str | None, Query(pattern="^(saved|refused)$")]
ArticleOrder = Annotated[str, Query(pattern="^(id|date|title|outlet)$")]
SearchText = Annotated[str | None, Query(max_length=500)]
PairOrder = Annotated[str, Query(pattern="^(strength|date|id)$")]
PAIR_SORTS = (("strength", "strongest first"), ("date", "newest first"), ("id", "by id"))


# --- request bodies -------------------------------------------------------------------------------------------


class ArticleIn(BaseModel):
    """One article, as a JSON-lines record: ``text`` or ``html`` is required."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=1000)
    text: str | None = None
    html: str | None = None
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    outlet: str | None = Field(default=None, max_length=1000)
    published: str | None = Field(default=None, max_length=100, description="ISO date")


class CheckIn(ArticleIn):
    id: str = Field(default=CHECKED_ID, min_length=1, max_length=1000)


class AddIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1, max_length=10_000)


class ErrorOut(BaseModel):
    status: int
    error: str
    detail: Any = None


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def public_path(path: str) -> str:
    """The file name of an article's path, without the folders: responses never show the server's folders."""
    return PurePath(path.replace("\\", "/")).name or path


def nfc(ident: str) -> str:
    """Ids are stored NFC; a client may send either spelling."""
    return unicodedata.normalize("NFC", ident)


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


def read_records(records: list[dict[str, Any]], settings: Any) -> tuple[list[Article], list[FileError]]:
    """Articles from JSON records, read exactly as the lines of a .jsonl file would be (same checks, same errors).

    Escaped to ASCII, so that a lone surrogate sent in a string reaches ingest, which replaces it and says so.
    """
    data = b"".join(
        json.dumps({k: v for k, v in record.items() if v is not None}).encode("ascii") + b"\n" for record in records
    )
    return read_bytes(data, "request", "", settings.ingest, kind="jsonl")


def read_upload(name: str, data: bytes, settings: Any) -> tuple[list[Article], list[FileError]]:
    """Articles from an uploaded file, read as the same file on disk would be."""
    name = public_path(name or "upload")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise InputError(name, f"unsupported file type; upload one of {', '.join(UPLOAD_TYPES)}")
    return read_bytes(data, name, Path(name).stem or "upload", settings.ingest)


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
) -> FastAPI:
    """The service over ``store``. ``token`` enables the write endpoints; ``workers`` bounds concurrent checks
    and adds (each runs the encoder), so that a burst of requests queues instead of thrashing the CPU; ``hosts``
    are the Host header names it answers to (None: any, see :func:`allowed_hosts`)."""
    settings = store.settings
    limits = settings.service
    limit = max_request_bytes or settings.ingest.max_file_bytes + 65_536
    # a checked text may be sent with every character escaped (\\uXXXX): six bytes each, and the form around it
    check_limit = min(limit, limits.check_max_chars * 6 + 65_536)
    heavy = threading.BoundedSemaphore(workers or os.cpu_count() or 1)
    env = environment()

    app = FastAPI(
        title="sourcetrace",
        summary="Which stored news articles were copied or rewritten from which, sentence by sentence.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN: not here
        redoc_url=None,
    )
    app.state.store = store
    app.state.stories = stories = StoryUpdater(store)
    if store.stories_stale():  # e.g. an add was interrupted before it got to the stories
        stories.request()
    app.mount("/static", StaticFiles(packages=[("sourcetrace.web", "static")]), name="static")

    @contextmanager
    def encoder_slot() -> Iterator[None]:
        with heavy:
            yield

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        html = env.get_template(name).render(root=root, links=web_links(root), **context)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, message: str, detail: Any = None) -> Response:
        if _wants_html(request):
            return page(request, "error.html", status=status, code=status, message=message)
        # the handler of unexpected errors runs outside the middleware: the headers go on here too
        headers = {k.decode(): v.decode() for k, v in _SECURITY_HEADERS}
        return JSONResponse({"status": status, "error": message, "detail": detail}, status_code=status, headers=headers)

    # errors: JSON for the API and for clients that do not ask for HTML

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        return error_response(request, exc.status_code, message)

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

    def within_check_limits(articles: list[Article]) -> None:
        for article in articles:
            if len(article.text) > limits.check_max_chars:
                raise HTTPException(
                    413,
                    f"the text is {len(article.text):,} characters, over the limit of {limits.check_max_chars:,} "
                    "for a check (service.check_max_chars); check a shorter text",
                )

    def check_reuse(articles: list[Article]) -> ScanResult:
        within_check_limits(articles)
        with encoder_slot():
            result = store.check(articles, max_sentences=limits.check_max_sentences)
        for article in result.articles:
            article.path = public_path(article.path)
        return result

    @app.post("/api/check", tags=["check"], responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
    def check_article(body: CheckIn) -> Response:
        """Reuse of one article against the collection, without storing it: the JSON report (schema 1) with the
        checked article first and each pair as ``compare CHECKED STORED`` would give it. Limits (413 or 422 past
        them): ``service.check_max_chars`` characters, ``service.check_max_sentences`` sentences, a report of at
        most ``service.check_max_response_bytes``."""
        if len(body.text or "") + len(body.html or "") > limits.check_max_chars * 4:  # before reading it at all
            within_check_limits([Article(CHECKED_ID, "request", (body.text or "") + (body.html or ""))])
        articles, errors = read_records([body.model_dump()], settings)
        if not articles:
            raise InputError("request", "; ".join(e.reason for e in errors) or "no article text")
        result = check_reuse(articles)
        if not result.articles:
            raise InputError("request", "; ".join(e.reason for e in result.errors) or "no article text")
        result.errors[:0] = errors
        report = json.dumps(to_dict(result, with_sentences=True), ensure_ascii=False).encode("utf-8")
        if len(report) > limits.check_max_response_bytes:
            raise InputError(
                "request",
                f"the report would be {len(report):,} bytes, over the limit of {limits.check_max_response_bytes:,} "
                "(service.check_max_response_bytes); check a shorter text",
            )
        return Response(report, media_type="application/json")

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
        """Stories, largest first; their ids are positions and change when the stories are worked out again."""
        items = [
            {"id": s.id, "label": s.label, "articles": list(s.articles)}
            for s in store.stories(offset, limit, min_articles)
        ]
        return _page(items, store.count_stories(min_articles), offset, limit)

    @app.get("/api/stories/{story_id}", tags=["stories"], responses={404: {"model": ErrorOut}})
    def get_story(story_id: str) -> dict[str, Any]:
        """One story with the pairs among its articles."""
        story = store.story(story_id)
        if story is None:
            raise not_found(f"no story {story_id!r}")
        pairs = store.pairs_among(story.articles)
        return {
            "id": story.id,
            "label": story.label,
            "articles": list(story.articles),
            "pairs": [_summary(p) for p in pairs],
        }

    # --- pages -------------------------------------------------------------------------------------------------

    def pages(total: int, size: int) -> int:
        return max(1, math.ceil(total / size))

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return page(request, "apidocs.html", doc=api_doc(app.openapi()))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, page_no: PageNo = 1) -> HTMLResponse:
        stories = store.stories((page_no - 1) * PAGE_STORIES, PAGE_STORIES, min_articles=2)
        ids = [a for s in stories for a in s.articles]
        names = store.names(ids)
        links = web_links(request.scope.get("root_path", ""))
        drawn = [(s, reuse_graph(s, store.pairs_among(s.articles), names, links)) for s in stories]
        total = store.count_stories(min_articles=2)
        counts = store.relation_counts()
        return page(
            request,
            "overview.html",
            stories=drawn,
            names=names,
            articles=store.count(),
            pairs=sum(counts.values()),
            by_relation=sorted(counts.items(), key=lambda kv: -kv[1]),
            stories_total=total,
            stale=store.stories_stale(),
            page=page_no,
            pages=pages(total, PAGE_STORIES),
            query="",
        )

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(
        request: Request, page_no: PageNo = 1, q: SearchText = None, sort: ArticleOrder = "id"
    ) -> HTMLResponse:
        if q and q.strip():
            hits, total = search(store, q, (page_no - 1) * PAGE_ROWS, PAGE_ROWS)
            found = [(h, snippet_pieces(h.snippet)) for h in hits]
            return page(
                request, "articles.html", items=[], hits=found, q=q, total=total, page=page_no, sort="id",
                pages=pages(total, PAGE_ROWS), query=f"&q={quote(q, safe='')}",
            )  # fmt: skip
        total = store.count()
        items = store.articles((page_no - 1) * PAGE_ROWS, PAGE_ROWS, order=sort)
        return page(
            request, "articles.html", items=items, hits=None, q="", total=total, page=page_no,
            pages=pages(total, PAGE_ROWS), query=f"&sort={sort}", sort=sort,
        )  # fmt: skip

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> HTMLResponse:
        article_id = nfc(article_id)
        article = store.article(article_id)
        if article is None:
            raise not_found(f"no article with id {article_id!r}")
        versions = store.versions(article_id)
        info = next(v for v in versions if v.current)
        pairs = store.pairs(article=article_id, limit=None)
        names = store.names([p.a for p in pairs] + [p.b for p in pairs])
        links = web_links(request.scope.get("root_path", ""))
        article.path = public_path(article.path)
        return page(
            request,
            "article.html",
            article=article,
            info=info,
            versions=versions,
            url=safe_url(article.url),
            story=store.story_of(article_id),
            report=similarity_report(article, pairs, names, links),
        )

    @app.get("/pairs", response_class=HTMLResponse, include_in_schema=False)
    def pairs_page(
        request: Request,
        page_no: PageNo = 1,
        relation: Relation = None,
        sort: PairOrder = "strength",
    ) -> HTMLResponse:
        total = store.count_pairs(None, relation)
        items = store.pairs((page_no - 1) * PAGE_ROWS, PAGE_ROWS, None, relation, details=False, order=sort)
        return page(
            request,
            "pairs.html",
            items=items,
            names=store.names([p.a for p in items] + [p.b for p in items]),
            reviews=reviews_of(store, [(p.a, p.b) for p in items]),
            total=total,
            relation=relation,
            relations=["copy", "rewrite", "excerpt", "shared-quotes"],
            sort=sort,
            sorts=PAIR_SORTS,
            page=page_no,
            pages=pages(total, PAGE_ROWS),
            query=(f"&relation={relation}" if relation else "") + f"&sort={sort}",
        )

    @app.get("/pair", response_class=HTMLResponse, include_in_schema=False)
    def pair_page(request: Request, a: Id, b: Id, review: ReviewNote = None) -> HTMLResponse:
        pair = store.pair(nfc(a), nfc(b))
        if pair is None:
            raise not_found(f"no pair of {a!r} and {b!r} shares material (or an id is unknown)")
        article_a, article_b = store.article(pair.a), store.article(pair.b)
        assert article_a is not None and article_b is not None
        links = web_links(request.scope.get("root_path", ""))
        names = names_of([article_a, article_b])
        return page(
            request,
            "pair.html",
            view=pair_view(pair, article_a, article_b, "p", links, names),
            review=review_for(reviews_of(store, [(pair.a, pair.b)]), pair.a, pair.b),
            review_note=review,
            writable=token is not None,
        )

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str) -> HTMLResponse:
        story = store.story(story_id)
        if story is None:
            raise not_found(f"no story {story_id!r}")
        pairs = store.pairs_among(story.articles)
        names = store.names(story.articles)
        links = web_links(request.scope.get("root_path", ""))
        pairs.sort(key=lambda p: (-p.score, p.a, p.b))
        return page(
            request, "story.html", story=story, g=reuse_graph(story, pairs, names, links), pairs=pairs, names=names
        )

    def check_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        defaults: dict[str, Any] = {
            "form_title": "",
            "form_text": "",
            "error": None,
            "checked": None,
            "views": [],
            "report": None,
            "total": 0,
        }
        return page(request, "check.html", status=status, **{**defaults, **context})

    @app.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_form(request: Request) -> HTMLResponse:
        return check_page(request)

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def check_submit(request: Request) -> Response:
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=check_limit)
        except Exception as exc:  # malformed multipart bodies raise several exception types
            if isinstance(exc, _TooLarge):
                raise
            return check_page(request, error=f"the form could not be read ({type(exc).__name__})")
        try:
            title = str(form.get("title") or "")[:500]
            text = str(form.get("text") or "")
            upload = form.get("file")
            if upload is not None and not isinstance(upload, str) and upload.filename:
                data = await upload.read()
                articles, errors = await run_in_threadpool(read_upload, upload.filename, data, settings)
            elif text.strip():
                articles, errors = await run_in_threadpool(
                    read_records, [{"id": CHECKED_ID, "text": text, "title": title or None}], settings
                )
            else:
                return check_page(request, error="paste the article text or choose a file", form_title=title)
            if not articles:
                raise InputError("article", "; ".join(e.reason for e in errors) or "no article text")
            result: ScanResult = await run_in_threadpool(check_reuse, articles[:1])
        except InputError as exc:
            return check_page(request, error=exc.reason, form_title=title, form_text=text[: limits.check_max_chars])
        except HTTPException as exc:
            message = exc.detail if isinstance(exc.detail, str) else "error"
            return check_page(request, exc.status_code, error=message, form_title=title)
        finally:
            await form.close()  # uploads are spooled to temporary files
        if not result.articles:
            reason = "; ".join(e.reason for e in result.errors) or "no article text"
            return check_page(request, error=reason, form_title=title, form_text=text)
        links = web_links(request.scope.get("root_path", ""))
        checked = result.articles[0]
        stored = {a.id: a for a in result.articles[1:]}
        names = names_of(result.articles)
        names[checked.id] = Name(checked.id, checked.title or "the checked article")
        pairs = sorted(result.pairs, key=lambda p: -p.score)
        views = [pair_view(p, checked, stored[p.b], f"m{n}", links, names) for n, p in enumerate(pairs)]
        # the checked article's pairs are not stored: its sources lead to their views further down this page
        order = {(p.a, p.b): n for n, p in enumerate(pairs)}
        here = Links(links.article, lambda a, b: f"#match-{order.get((a, b), 0)}", links.story)
        report = similarity_report(checked, pairs, names, here)
        return check_page(
            request,
            form_title=title,
            form_text=text,
            checked=checked,
            views=views,
            report=report,
            total=store.count(),
        )

    # the last added runs first: the Host is checked and the request counted before its body is read
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, limit=limit, smaller={"/api/check": check_limit, "/check": check_limit})  # type: ignore[arg-type]
    app.add_middleware(RequestLimit, limit=limits.max_requests)  # type: ignore[arg-type]
    app.add_middleware(HostCheck, allowed=hosts)  # type: ignore[arg-type]
    return app
