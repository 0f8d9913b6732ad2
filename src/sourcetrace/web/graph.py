"""Who took from whom in a story, drawn as an SVG whose positions are computed here (the page needs no script).

Arrows are drawn only for taking (copy, rewrite, excerpt with a decided source), from the source to the taker.
Articles that quote the same sources, or share material with no decided source, are joined by plain lines; a line of
shared quotations is labelled with who is quoted, when the segmenter found the speaker.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..describe import Name, directed, lookup, pair_headline, short_id, shown_strength, source_of, taker_of
from ..records import Article, Pair, Story
from .render import Links

GRAPH_NODES = 40  # a story graph shows at most this many articles (those with the most pairs)
LABEL = 22  # characters of a title shown beside its node
SPEAKERS = 2  # speakers named on a line of shared quotations


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
    kind: str  # "took", "quotes" or "undecided"
    title: str
    url: str
    label: str = ""  # on a line of shared quotations: who is quoted
    label_x: float = 0.0
    label_y: float = 0.0


@dataclass
class Graph:
    width: int
    height: int
    left: float  # the drawing's box in its own coordinates: cropped to what is drawn
    top: float
    nodes: list[Node]
    edges: list[Edge]
    hidden: int  # articles left out of the drawing
    flows: list[tuple[str, str]] = field(default_factory=list)  # (sentence, url): who took from whom, as text
    kinds: tuple[str, ...] = ()  # the kinds of line drawn, for the legend


def shares_material(pair: Pair) -> bool:
    """A pair with a relation and some strength: one of score 0 shares nothing worth a line."""
    return pair.relation is not None and pair.score > 0


def quoted_speakers(pair: Pair, articles: Mapping[str, Article]) -> list[str]:
    """Who is quoted in what two articles share, most often first.

    From the pair's linked sentences that hold a quotation when the pair has its passages; otherwise (a stored pair
    read without them) the speakers both articles quote. Names as the segmenter found them.
    """
    a, b = articles.get(pair.a), articles.get(pair.b)
    if a is None or b is None:
        return []
    found: Counter[str] = Counter()
    for link in (k for passage in pair.passages for k in passage.links):
        if link.a >= len(a.sentences) or link.b >= len(b.sentences):
            continue
        sa, sb = a.sentences[link.a], b.sentences[link.b]
        speaker = sa.speaker or sb.speaker
        if speaker and (sa.quote or sa.quote_spans or sb.quote or sb.quote_spans):
            found[speaker] += 1
    if not pair.passages:

        def quoted(article: Article) -> Counter[str]:
            return Counter(s.speaker for s in article.sentences if s.speaker and (s.quote or s.quote_spans))

        in_a, in_b = quoted(a), quoted(b)
        found = Counter({who: in_a[who] + in_b[who] for who in in_a.keys() & in_b.keys()})
    return [who for who, _ in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))]


def reuse_graph(
    story: Story,
    pairs: Sequence[Pair],
    names: Mapping[str, Name],
    links: Links,
    size: int = 480,
    articles: Mapping[str, Article] | None = None,
) -> Graph:
    """Articles on a circle, labelled by title; an arrow from the source to the article that took from it.

    Given the ``articles`` (with their sentences), a line of shared quotations names who is quoted.
    """
    members = set(story.articles)
    inside = [p for p in pairs if p.a in members and p.b in members and shares_material(p)]
    degree: dict[str, int] = {}
    for p in inside:
        degree[p.a] = degree.get(p.a, 0) + 1
        degree[p.b] = degree.get(p.b, 0) + 1
    shown = sorted(story.articles, key=lambda i: (-degree.get(i, 0), i))[:GRAPH_NODES]
    shown.sort()
    radius = size / 2 - 140
    centre = size / 2
    place: dict[str, tuple[float, float]] = {}
    nodes = []
    for k, ident in enumerate(shown):
        start = math.pi if len(shown) == 2 else -math.pi / 2  # two articles side by side, more around a circle
        angle = 2 * math.pi * k / max(len(shown), 1) + start
        x = centre + (radius * math.cos(angle) if len(shown) > 1 else 0)
        y = centre + (radius * math.sin(angle) if len(shown) > 1 else 0)
        place[ident] = (x, y)
        name = lookup(names, ident)
        label = " ".join(name.label.split())
        cos, sin = math.cos(angle), math.sin(angle)
        if abs(cos) < 0.3 or len(shown) == 1:
            anchor, dx, dy = "middle", 0.0, (20.0 if sin > 0 else -11.0)
        else:
            anchor, dx, dy = ("start", 10.0, 4.0) if cos > 0 else ("end", -10.0, 4.0)
        nodes.append(
            Node(
                id=ident,
                label=short_id(label, LABEL),
                title=name.full if name.title else ident,
                url=links.article(ident),
                x=round(x, 1),
                y=round(y, 1),
                label_x=round(x + dx, 1),
                label_y=round(y + dy, 1),
                anchor=anchor,
            )
        )
    edges, flows = [], []
    for p in sorted(inside, key=lambda p: (-p.score, p.a, p.b)):
        url = links.pair(p.a, p.b)
        kind = "took" if directed(p) else ("quotes" if p.relation == "shared-quotes" else "undecided")
        speakers = quoted_speakers(p, articles) if kind == "quotes" and articles is not None else []
        quoting = f", quoting {' and '.join(speakers[:SPEAKERS])}" if speakers else ""
        sentence = f"{pair_headline(p, names)} (strength {shown_strength(p.score)}{quoting})"
        flows.append((sentence, url))
        source, taker = source_of(p), taker_of(p)
        if source not in place or taker not in place:
            continue
        (x1, y1), (x2, y2) = place[source], place[taker]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        shrink = 9 / length  # stop short of the node circles so that the arrowhead shows
        edges.append(
            Edge(
                x1=round(x1 + (x2 - x1) * shrink, 1),
                y1=round(y1 + (y2 - y1) * shrink, 1),
                x2=round(x2 - (x2 - x1) * shrink, 1),
                y2=round(y2 - (y2 - y1) * shrink, 1),
                directed=kind == "took",
                relation=p.relation or "",
                kind=kind,
                title=sentence,
                url=url,
                label=short_id(", ".join(speakers[:SPEAKERS]), LABEL) if speakers else "",
                label_x=round((x1 + x2) / 2, 1),
                label_y=round((y1 + y2) / 2 - 4, 1),
            )
        )
    kinds = tuple(k for k in ("took", "undecided", "quotes") if any(e.kind == k for e in edges))
    left, top, right, bottom = _box(nodes)
    return Graph(
        round(right - left), round(bottom - top), left, top, nodes, edges, len(story.articles) - len(shown), flows,
        kinds,
    )  # fmt: skip


def _box(nodes: Sequence[Node]) -> tuple[float, float, float, float]:
    """The box around the nodes and their labels (a label's width estimated from its length), with a margin."""
    if not nodes:
        return 0.0, 0.0, 100.0, 40.0
    xs, ys = [], []
    for n in nodes:
        width = 6.2 * len(n.label)
        start = {"start": n.label_x, "end": n.label_x - width, "middle": n.label_x - width / 2}[n.anchor]
        xs += [n.x - 8, n.x + 8, start, start + width]
        ys += [n.y - 8, n.y + 8, n.label_y - 12, n.label_y + 4]
    margin = 10
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin
