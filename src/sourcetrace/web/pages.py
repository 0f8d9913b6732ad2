"""The pages: server-rendered views of the store for a reader, and the form to check an article.

Each route reads the store, builds plain views (render, lineup, graph) and renders a template with autoescaping.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..describe import Name, names_of, plural
from ..digest import build_digest
from ..errors import InputError
from ..records import Article, FileError, ScanResult
from ..reviews import review_for, reviews_of
from ..search import search, snippet_pieces
from ..store import Store
from .apidocs import api_doc
from .graph import reuse_graph
from .lineup import pair_view
from .middleware import _TooLarge
from .params import (
    CHECKED_ID,
    PAGE_ROWS,
    PAGE_STORIES,
    PAIR_SORTS,
    ArticleOrder,
    Id,
    PageNo,
    PairOrder,
    Relation,
    ReviewNote,
    SearchText,
    nfc,
    public_path,
    read_records,
    read_upload,
)
from .render import Links, safe_url, similarity_report, web_links


def described(errors: list[FileError], name: str) -> str:
    """Problems met reading a checked article, each after the uploaded file's name (and line) when there is one."""
    return "; ".join(f"{public_path(e.path)}: {e.reason}" if name else e.reason for e in errors)


def add_pages(
    app: FastAPI,
    store: Store,
    token: str | None,
    page: Callable[..., HTMLResponse],
    check_reuse: Callable[[list[Article]], Awaitable[ScanResult]],
    check_limit: int,
) -> None:
    """Add the page routes to ``app``: ``page`` renders a template, ``check_reuse`` runs a check within limits
    (out of this process: see :mod:`.checks`)."""
    settings = store.settings
    limits = settings.service

    def not_found(what: str) -> HTTPException:
        return HTTPException(404, what)

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
        pairs = store.pairs_among(story.articles, details=True)  # the digest reads their sentence links
        names = store.names(story.articles)
        links = web_links(request.scope.get("root_path", ""))
        # the articles once, for the digest and for the speakers on the graph's lines of shared quotations
        articles = {a.id: a for a in (store.article(i) for i in story.articles) if a is not None}
        d = build_digest(story, articles, pairs)
        pairs.sort(key=lambda p: (-p.score, p.a, p.b))
        g = reuse_graph(story, pairs, names, links, articles=articles)
        return page(request, "story.html", story=story, g=g, pairs=pairs, names=names, d=d)

    def check_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        defaults: dict[str, Any] = {
            "form_title": "",
            "form_text": "",
            "error": None,
            "checked": None,
            "views": [],
            "report": None,
            "total": 0,
            "notes": [],
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
        name = ""  # the uploaded file's name, which messages give; none for pasted text
        try:
            title = str(form.get("title") or "")[:500]
            text = str(form.get("text") or "")
            upload = form.get("file")
            if upload is not None and not isinstance(upload, str) and upload.filename:
                name = public_path(upload.filename)
                data = await upload.read()
                articles, errors = await run_in_threadpool(read_upload, upload.filename, data, settings)
            elif text.strip():
                articles, errors = await run_in_threadpool(
                    read_records, [{"id": CHECKED_ID, "text": text, "title": title or None}], settings
                )
            else:
                return check_page(request, error="paste the article text or choose a file", form_title=title)
            if not articles:
                error = described(errors, name) or "no article text"
                return check_page(request, error=error, form_title=title, form_text=text[: limits.check_max_chars])
            result = await check_reuse(articles[:1])
        except InputError as exc:
            error = described([FileError(exc.path, exc.reason)], name)
            return check_page(request, error=error, form_title=title, form_text=text[: limits.check_max_chars])
        except HTTPException as exc:
            message = exc.detail if isinstance(exc.detail, str) else "error"
            return check_page(request, exc.status_code, error=message, form_title=title)
        finally:
            await form.close()  # uploads are spooled to temporary files
        if not result.articles:
            reason = described(result.errors, name) or "no article text"
            return check_page(request, error=reason, form_title=title, form_text=text)
        notes = [described([e], name) for e in errors + result.errors]
        if len(articles) > 1:
            others = len(articles) - 1
            left = f"{plural(others, 'other article')} in it {'was' if others == 1 else 'were'} left out"
            notes.insert(0, f"Only the first article in {name} ({articles[0].id}) was checked; {left}.")
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
            notes=notes,
        )
