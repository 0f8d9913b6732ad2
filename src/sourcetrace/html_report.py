"""One self-contained HTML file: an index, stories with a reuse graph and a digest each, and every pair lined up.

The file loads nothing from anywhere (styles inline, no scripts, a Content-Security-Policy that forbids both) and
renders pairs with the same templates as the web service. Article text is untrusted and is only ever autoescaped.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from .describe import names_of
from .digest import build_digest
from .records import ScanResult


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
        stories.append((story, reuse_graph(story, inside, names, links), inside, build_digest(story, articles, inside)))
    views = [pair_view(p, articles[p.a], articles[p.b], f"p{n}", links, names) for n, p in enumerate(pairs)]
    by_relation = sorted(Counter(p.relation for p in pairs if p.relation).items(), key=lambda kv: -kv[1])
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
    )
