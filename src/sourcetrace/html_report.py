"""One self-contained HTML file: an index, stories with a reuse graph and a digest each, and every pair lined up.

The file loads nothing from anywhere (styles inline, one inline script allowed by its hash in a
Content-Security-Policy that forbids everything else) and renders pairs with the same templates as the web service.
Article text is untrusted and is only ever autoescaped. The script filters the index as the reader types; without it
the report reads the same, with the browser's find to search.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources

from .describe import names_of
from .digest import build_digest
from .records import Article, ScanResult


def search_script() -> tuple[str, str]:
    """The index filter (our own bundled file) and its CSP source, ``'sha256-…'`` of exactly the text inlined."""
    script = resources.files("sourcetrace.web").joinpath("static/report_search.js").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return script, f"'sha256-{digest}'"


def search_text(ids: Iterable[str], articles: dict[str, Article], *extra: str | None) -> str:
    """What the index filter matches a row on: the ids, titles and outlets of its articles, lower-cased."""
    parts = [x for x in extra if x]
    for ident in ids:
        a = articles.get(ident)
        parts += [ident, *(x for x in ((a.title, a.outlet) if a else ()) if x)]
    return " ".join(" ".join(parts).lower().split())


def render_report(result: ScanResult, generated: str | None = None) -> str:
    """The report as one HTML document; ``generated`` (a date) is shown when given.

    An index of stories and pairs comes first; each pair's lined-up view is folded until opened, so that the
    report of a few hundred articles opens quickly.
    """
    try:
        from markupsafe import Markup

        from .web.graph import reuse_graph
        from .web.lineup import pair_view
        from .web.render import environment, report_links, stylesheet
    except ImportError as exc:  # jinja2 comes with the web extra
        raise ImportError(f"the HTML report needs the web extra: pip install 'sourcetrace[web]' ({exc})") from exc

    articles = {a.id: a for a in result.articles}
    pairs = sorted((p for p in result.pairs if p.a in articles and p.b in articles), key=lambda p: (-p.score, p.a, p.b))
    links = report_links([a.id for a in result.articles], pairs)
    names = names_of(result.articles)
    pairs_of: dict[str, list] = {a.id: [] for a in result.articles}
    for p in pairs:
        pairs_of[p.a].append(p)
        pairs_of[p.b].append(p)
    stories = []
    for story in sorted(result.stories, key=lambda s: -len(s.articles)):
        if len(story.articles) < 2:
            continue
        members = set(story.articles)
        inside = [p for p in pairs if p.a in members and p.b in members]
        graph = reuse_graph(story, inside, names, links, articles=articles)
        stories.append((story, graph, inside, build_digest(story, articles, inside)))
    views = [pair_view(p, articles[p.a], articles[p.b], f"p{n}", links, names) for n, p in enumerate(pairs)]
    by_relation = sorted(Counter(p.relation for p in pairs if p.relation).items(), key=lambda kv: -kv[1])
    pair_search = [search_text((p.a, p.b), articles) for p in pairs]
    story_search = [search_text(s.articles, articles, s.label, s.id) for s, *_ in stories]
    script, script_source = search_script()
    template = environment().get_template("report.html")
    return template.render(
        result=result,
        stories=stories,
        views=views,
        pairs=pairs,
        links=links,
        names=names,
        pairs_of=pairs_of,
        by_relation=by_relation,
        generated=generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        css=Markup(stylesheet()),  # our own bundled file, not article text
        pair_search=pair_search,
        story_search=story_search,
        script=Markup(script),  # our own bundled file, not article text
        script_source=Markup(script_source),  # a hash we computed
    )
