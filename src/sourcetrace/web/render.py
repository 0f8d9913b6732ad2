"""HTML views shared by the web pages and the self-contained report: one way to render a pair, a story graph.

Article text is untrusted. It reaches HTML only through Jinja2 autoescaping: highlights are built here as plain
(text, classes) pieces cut at character offsets, and the templates escape every piece. Nothing here produces markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..records import Article, Divergence, Pair, Sentence, Story

COLOURS = 8  # passage colours c0..c7 in style.css
GRAPH_NODES = 40  # a story graph shows at most this many articles (those with the most pairs)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment: autoescaping on for every template, undefined names are errors."""
    env = Environment(
        loader=PackageLoader("sourcetrace.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f} %"
    env.filters["num"] = lambda x: f"{float(x):.2f}"
    return env


def stylesheet() -> str:
    """The bundled CSS (our own file, inlined into the report)."""
    return resources.files("sourcetrace.web").joinpath("static/style.css").read_text("utf-8")


def safe_url(url: str | None) -> str | None:
    """An article's address as a link target only when it is http(s); anything else is shown as text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


# --- links: the web pages and the report address things differently -----------------------------------------


@dataclass(frozen=True)
class Links:
    """Where an article, a pair or a story is: a page of the service, or an anchor in the report."""

    article: Callable[[str], str]
    pair: Callable[[str, str], str]
    story: Callable[[str], str]


def path_segment(ident: str) -> str:
    """An id as one path segment: '/' and '.' encoded too, so that no id (say '../pairs') resolves to another
    page; the service decodes them back."""
    return quote(ident, safe="").replace(".", "%2E")


def web_links(root: str = "") -> Links:
    return Links(
        article=lambda ident: f"{root}/articles/{path_segment(ident)}",
        pair=lambda a, b: f"{root}/pair?a={quote(a, safe='')}&b={quote(b, safe='')}",
        story=lambda sid: f"{root}/stories/{path_segment(sid)}",
    )


def report_links(article_ids: Sequence[str], pairs: Sequence[Pair]) -> Links:
    """Anchors by position, so that no id (which may hold any character) ends up in an element id."""
    articles = {ident: n for n, ident in enumerate(article_ids)}
    pair_no = {(p.a, p.b): n for n, p in enumerate(pairs)}
    return Links(
        article=lambda ident: f"#article-{articles.get(ident, 0)}",
        pair=lambda a, b: f"#pair-{pair_no.get((a, b), pair_no.get((b, a), 0))}",
        story=lambda sid: f"#story-{quote(sid, safe='')}",
    )


# --- one side of a pair: the text cut into pieces at sentence and divergence offsets ------------------------


@dataclass
class Piece:
    """A run of text; ``mark`` names a divergence kind when the run is one, ``badge`` when it is a note of ours."""

    text: str
    mark: str | None = None  # css classes
    note: str | None = None  # tooltip
    badge: bool = False


@dataclass
class SentenceView:
    index: int
    anchor: str  # element id
    href: str | None  # the first partner's anchor
    classes: str
    title: str | None
    pieces: list[Piece]


@dataclass
class Segment:
    """Text between sentences (``gap``) or one sentence."""

    gap: str | None = None
    sentence: SentenceView | None = None


@dataclass
class SideView:
    id: str
    title: str | None
    url: str
    label: str  # "A" or "B"
    segments: list[Segment]


@dataclass
class LinkView:
    a: int
    b: int
    a_anchor: str
    b_anchor: str
    score: float
    verbatim: bool


@dataclass
class PassageView:
    number: int
    colour: str
    a_sentences: str
    b_sentences: str
    a_anchor: str
    b_anchor: str
    links: list[LinkView]


@dataclass
class DivergenceView:
    kind: str
    change: str
    a_text: str | None
    b_text: str | None
    a_anchor: str | None
    b_anchor: str | None
    summary: str


@dataclass
class PairView:
    prefix: str
    pair: Pair
    url: str
    source_label: str
    a: SideView
    b: SideView
    passages: list[PassageView]
    divergences: list[DivergenceView]


def divergence_summary(d: Divergence, source: str | None = None) -> str:
    """One line in words, e.g. 'attribution “told AFP” dropped by A'; ``source`` is "A", "B" or None."""
    if d.change == "changed":
        return f"{d.kind} changed: “{d.a_text}” in A, “{d.b_text}” in B"
    has, lacks, shown = ("A", "B", d.a_text) if d.change == "dropped" else ("B", "A", d.b_text)
    if source == has:
        return f"{d.kind} “{shown}” dropped by {lacks}"
    return f"{d.kind} “{shown}” in {has}, not in {lacks}"


def _span_range(sentences: Sequence[Sentence], first: int, last: int) -> str:
    return f"{first + 1}" if first == last else f"{first + 1}–{last + 1}"


def side_segments(
    article: Article,
    anchors: Callable[[int], str],
    classes: dict[int, str],
    partners: dict[int, str],
    titles: dict[int, str],
    marks: Sequence[tuple[int, int, int, str, str]],
    badges: dict[int, list[tuple[str, str]]],
) -> list[Segment]:
    """The article's text as gaps and sentences; each sentence cut at the marked spans inside it.

    ``marks``: (sentence index, start, end, css classes, tooltip) in article offsets; ``badges``: notes of ours
    (text, tooltip) shown after a sentence, such as what its partner has and it lacks.
    """
    by_sentence: dict[int, list[tuple[int, int, str, str]]] = {}
    for index, start, end, css, note in marks:
        by_sentence.setdefault(index, []).append((start, end, css, note))
    text = article.text
    out: list[Segment] = []
    pos = 0
    for s in article.sentences:
        if s.start > pos:
            out.append(Segment(gap=text[pos : s.start]))
        pieces: list[Piece] = []
        cursor = s.start
        for start, end, css, note in sorted(by_sentence.get(s.index, []), key=lambda m: (m[0], -m[1])):
            start, end = max(start, cursor, s.start), min(end, s.end)
            if start >= end:  # outside the sentence, or overlapping an earlier mark
                continue
            if start > cursor:
                pieces.append(Piece(text[cursor:start]))
            pieces.append(Piece(text[start:end], mark=css, note=note))
            cursor = end
        if cursor < s.end:
            pieces.append(Piece(text[cursor : s.end]))
        for badge, note in badges.get(s.index, []):
            pieces.append(Piece(badge, mark="badge", note=note, badge=True))
        out.append(
            Segment(
                sentence=SentenceView(
                    index=s.index,
                    anchor=anchors(s.index),
                    href=partners.get(s.index),
                    classes=classes.get(s.index, "s"),
                    title=titles.get(s.index),
                    pieces=pieces,
                )
            )
        )
        pos = max(pos, s.end)
    if pos < len(text):
        out.append(Segment(gap=text[pos:]))
    return out


def link_colours(pair: Pair) -> dict[tuple[str, int], str]:
    """A colour class per aligned sentence: sentences linked to each other (one-to-many included) share one,
    and neighbouring groups differ, so that each A sentence finds its B partner by colour."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    links = [link for passage in pair.passages for link in passage.links]
    for link in links:
        parent[root(("a", link.a))] = root(("b", link.b))
    groups: dict[tuple[str, int], int] = {}
    for link in sorted(links, key=lambda k: (k.a, k.b)):
        groups.setdefault(root(("a", link.a)), len(groups))
    return {node: f"c{groups[root(node)] % COLOURS}" for node in list(parent)}


def pair_view(pair: Pair, a: Article, b: Article, prefix: str, links: Links) -> PairView:
    """Both texts with aligned sentences in matching colours (one colour per passage), linked to their partners,
    and divergences marked where they are (or noted on the side that lacks them)."""

    def anchor(side: str) -> Callable[[int], str]:
        return lambda i: f"{prefix}-{side}{i}"

    colour = link_colours(pair)
    classes_a: dict[int, str] = {}
    classes_b: dict[int, str] = {}
    partner_a: dict[int, str] = {}
    partner_b: dict[int, str] = {}
    title_a: dict[int, str] = {}
    title_b: dict[int, str] = {}
    passages = []
    for number, passage in enumerate(pair.passages):
        for link in passage.links:
            kind = " vb" if link.verbatim else ""
            classes_a.setdefault(link.a, f"s al {colour[('a', link.a)]}{kind}")
            classes_b.setdefault(link.b, f"s al {colour[('b', link.b)]}{kind}")
            partner_a.setdefault(link.a, f"#{prefix}-b{link.b}")
            partner_b.setdefault(link.b, f"#{prefix}-a{link.a}")
            how = "same wording" if link.verbatim else "same meaning"
            title_a.setdefault(link.a, f"passage {number + 1}: B sentence {link.b + 1} ({how}, {link.score:.2f})")
            title_b.setdefault(link.b, f"passage {number + 1}: A sentence {link.a + 1} ({how}, {link.score:.2f})")
        first = passage.links[0]
        passages.append(
            PassageView(
                number=number + 1,
                colour=colour[("a", first.a)],
                a_sentences=_span_range(a.sentences, min(k.a for k in passage.links), max(k.a for k in passage.links)),
                b_sentences=_span_range(b.sentences, min(k.b for k in passage.links), max(k.b for k in passage.links)),
                a_anchor=f"{prefix}-a{min(k.a for k in passage.links)}",
                b_anchor=f"{prefix}-b{first.b}",
                links=[
                    LinkView(k.a + 1, k.b + 1, f"{prefix}-a{k.a}", f"{prefix}-b{k.b}", k.score, k.verbatim)
                    for k in passage.links
                ],
            )
        )
    marks_a: list[tuple[int, int, int, str, str]] = []
    marks_b: list[tuple[int, int, int, str, str]] = []
    badges_a: dict[int, list[tuple[str, str]]] = {}
    badges_b: dict[int, list[tuple[str, str]]] = {}
    source = "undecided" if pair.source is None else ("A" if pair.source == pair.a else "B")
    views = []
    for d in pair.divergences:
        summary = divergence_summary(d, source)
        css = f"div div-{d.kind} ch-{d.change}"
        if d.a_span and d.a_sentence is not None:
            marks_a.append((d.a_sentence, d.a_span[0], d.a_span[1], css, summary))
        if d.b_span and d.b_sentence is not None:
            marks_b.append((d.b_sentence, d.b_span[0], d.b_span[1], css, summary))
        if d.change == "dropped" and d.b_sentence is not None and d.a_text:
            badges_b.setdefault(d.b_sentence, []).append((f"missing: {d.a_text}", summary))
        if d.change == "added" and d.a_sentence is not None and d.b_text:
            badges_a.setdefault(d.a_sentence, []).append((f"missing: {d.b_text}", summary))
        views.append(
            DivergenceView(
                kind=d.kind,
                change=d.change,
                a_text=d.a_text,
                b_text=d.b_text,
                a_anchor=None if d.a_sentence is None else f"{prefix}-a{d.a_sentence}",
                b_anchor=None if d.b_sentence is None else f"{prefix}-b{d.b_sentence}",
                summary=summary,
            )
        )
    return PairView(
        prefix=prefix,
        pair=pair,
        url=links.pair(pair.a, pair.b),
        source_label=source,
        a=SideView(
            a.id,
            a.title,
            links.article(a.id),
            "A",
            side_segments(a, anchor("a"), classes_a, partner_a, title_a, marks_a, badges_a),
        ),
        b=SideView(
            b.id,
            b.title,
            links.article(b.id),
            "B",
            side_segments(b, anchor("b"), classes_b, partner_b, title_b, marks_b, badges_b),
        ),
        passages=passages,
        divergences=views,
    )


def article_segments(article: Article, pairs: Sequence[Pair], prefix: str = "t") -> list[Segment]:
    """One article's text with every sentence that some pair aligned marked as reused."""
    reused: dict[int, str] = {}
    for pair in pairs:
        for passage in pair.passages:
            for link in passage.links:
                index = link.a if pair.a == article.id else link.b
                other = pair.b if pair.a == article.id else pair.a
                reused.setdefault(index, f"shared with {other}")
    return side_segments(
        article,
        lambda i: f"{prefix}-{i}",
        {i: "s reused" for i in reused},
        {},
        reused,
        [],
        {},
    )


# --- who took from whom ---------------------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    label: str
    title: str
    url: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    directed: bool
    relation: str
    title: str
    url: str


@dataclass
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    hidden: int  # articles left out of the drawing
    flows: list[tuple[str, str]] = field(default_factory=list)  # (sentence, url): who took from whom, as text


def reuse_graph(
    story: Story, pairs: Sequence[Pair], titles: dict[str, str | None], links: Links, size: int = 400
) -> Graph:
    """Articles on a circle; an arrow from the likely source to the article that took from it, a dashed line where
    the source is undecided. Positions are computed here so that the page needs no script."""
    members = set(story.articles)
    inside = [p for p in pairs if p.a in members and p.b in members and p.relation]
    degree: dict[str, int] = {}
    for p in inside:
        degree[p.a] = degree.get(p.a, 0) + 1
        degree[p.b] = degree.get(p.b, 0) + 1
    shown = sorted(story.articles, key=lambda i: (-degree.get(i, 0), i))[:GRAPH_NODES]
    shown.sort()
    radius = size / 2 - 75
    centre = size / 2
    place: dict[str, tuple[float, float]] = {}
    nodes = []
    for k, ident in enumerate(shown):
        angle = 2 * math.pi * k / max(len(shown), 1) - math.pi / 2
        x = centre + (radius * math.cos(angle) if len(shown) > 1 else 0)
        y = centre + (radius * math.sin(angle) if len(shown) > 1 else 0)
        place[ident] = (x, y)
        below = math.sin(angle) > 0.2
        nodes.append(
            Node(
                id=ident,
                label=ident if len(ident) <= 18 else ident[:17] + "…",
                title=f"{ident}: {titles.get(ident) or ''}".rstrip(": "),
                url=links.article(ident),
                x=round(x, 1),
                y=round(y, 1),
                label_x=round(x, 1),
                label_y=round(y + (20 if below else -11), 1),
                anchor="middle",
            )
        )
    edges, flows = [], []
    for p in sorted(inside, key=lambda p: (p.a, p.b)):
        source, taker = (p.a, p.b) if p.source != p.b else (p.b, p.a)
        url = links.pair(p.a, p.b)
        if p.source is None:
            flows.append((f"{p.a} and {p.b} share material ({p.relation}); source undecided", url))
        else:
            flows.append((f"{taker} took from {source} ({p.relation})", url))
        if source not in place or taker not in place:
            continue
        (x1, y1), (x2, y2) = place[source], place[taker]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        shrink = 9 / length  # stop short of the node circles so that the arrowhead shows
        title = (
            f"{taker} took from {source}: {p.relation}, score {p.score:.2f}"
            if p.source is not None
            else f"{p.a} and {p.b} share material ({p.relation}, score {p.score:.2f}); source undecided"
        )
        edges.append(
            Edge(
                x1=round(x1 + (x2 - x1) * shrink, 1),
                y1=round(y1 + (y2 - y1) * shrink, 1),
                x2=round(x2 - (x2 - x1) * shrink, 1),
                y2=round(y2 - (y2 - y1) * shrink, 1),
                directed=p.source is not None,
                relation=p.relation or "",
                title=title,
                url=url,
            )
        )
    return Graph(size, size, nodes, edges, len(story.articles) - len(shown), flows)


def relations_of(article_id: str, pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    """An article's pairs grouped as: what it took, who took from it, and material shared with no decided source."""
    out: dict[str, list[Pair]] = {"took": [], "taken": [], "shared": []}
    for p in pairs:
        if p.source is None:
            out["shared"].append(p)
        elif p.source == article_id:
            out["taken"].append(p)
        else:
            out["took"].append(p)
    return out


def other(pair: Pair, article_id: str) -> str:
    return pair.b if pair.a == article_id else pair.a
