"""One self-contained HTML file: stories with a reuse graph each, and every pair side by side.

The file loads nothing from anywhere (styles inline, no scripts, a Content-Security-Policy that forbids both) and
renders pairs with the same templates as the web service. Article text is untrusted and is only ever autoescaped.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from .records import ScanResult


def render_report(result: ScanResult, generated: str | None = None) -> str:
    """The report as one HTML document; ``generated`` (a date) is shown when given."""
    try:
        from markupsafe import Markup

        from .web.render import environment, pair_view, report_links, reuse_graph, stylesheet
    except ImportError as exc:  # jinja2 comes with the web extra
        raise ImportError(f"the HTML report needs the web extra: pip install 'sourcetrace[web]' ({exc})") from exc

    articles = {a.id: a for a in result.articles}
    pairs = [p for p in result.pairs if p.a in articles and p.b in articles]
    links = report_links([a.id for a in result.articles], pairs)
    titles = {a.id: a.title for a in result.articles}
    pairs_of: dict[str, list] = {a.id: [] for a in result.articles}
    for p in pairs:
        pairs_of[p.a].append(p)
        pairs_of[p.b].append(p)
    stories = []
    for story in result.stories:
        if len(story.articles) < 2:
            continue
        members = set(story.articles)
        inside = [p for p in pairs if p.a in members and p.b in members]
        stories.append((story, reuse_graph(story, inside, titles, links), inside))
    views = [pair_view(p, articles[p.a], articles[p.b], f"p{n}", links) for n, p in enumerate(pairs)]
    by_relation = sorted(Counter(p.relation for p in pairs if p.relation).items(), key=lambda kv: -kv[1])
    template = environment().get_template("report.html")
    return template.render(
        result=result,
        stories=stories,
        views=views,
        links=links,
        titles=titles,
        pairs_of=pairs_of,
        by_relation=by_relation,
        generated=generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        css=Markup(stylesheet()),  # our own bundled file, not article text
    )
