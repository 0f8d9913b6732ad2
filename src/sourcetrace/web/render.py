"""HTML views shared by the web pages and the self-contained report: one way to render a pair, a story graph.

Article text is untrusted. It reaches HTML only through Jinja2 autoescaping: highlights are built here as plain
(text, classes) pieces cut at character offsets, and the templates escape every piece. Nothing here produces markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..describe import Name, chance_text, directed, shown_strength
from ..records import Article, Pair

COLOURS = 8  # colours c0..c7 in style.css


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
    env.filters["strength"] = lambda x: shown_strength(float(x))
    env.filters["chance"] = lambda x: chance_text(float(x))
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


# --- text cut into pieces at the offsets of marks ------------------------------------------------------------


@dataclass
class Piece:
    """A run of text; ``mark`` holds css classes when the run is marked, ``note`` its tooltip."""

    text: str
    mark: str | None = None
    note: str | None = None


def cut(text: str, start: int, end: int, layers: Sequence[tuple[int, int, str, str | None]]) -> list[Piece]:
    """``text[start:end]`` in pieces at every mark boundary; overlapping marks combine their classes, and the
    tooltip of a divergence wins over that of a word difference."""
    points = sorted({start, end} | {p for x, y, _, _ in layers for p in (x, y) if start < p < end})
    out: list[Piece] = []
    for x, y in zip(points, points[1:], strict=False):
        covering = [layer for layer in layers if layer[0] <= x and layer[1] >= y]
        css = " ".join(dict.fromkeys(c for _, _, c, _ in covering)) or None
        notes = [n for _, _, c, n in covering if n and c.startswith("div")] + [n for *_, n in covering if n]
        piece = Piece(text[x:y], css, notes[0] if notes else None)
        if out and out[-1].mark == piece.mark and out[-1].note == piece.note:
            out[-1].text += piece.text
        else:
            out.append(piece)
    return out


@dataclass
class SentenceView:
    index: int
    anchor: str  # element id
    href: str | None  # where the sentence leads: the pair view it came from
    classes: str
    title: str | None
    pieces: list[Piece]


@dataclass
class Segment:
    """Text between sentences (``gap``) or one sentence."""

    gap: str | None = None
    sentence: SentenceView | None = None


# --- an article as a similarity report: what it took, from whom, sentence by sentence ------------------------


@dataclass
class SourceView:
    """One article this one shares material with, and how much of this one it accounts for."""

    pair: Pair
    other: str
    name: Name
    colour: str
    share: float
    sentences: int
    url: str
    took: bool  # the other is the decided source


@dataclass
class SimilarityReport:
    share: float  # of this article's sentence characters, matched in any source
    sources: list[SourceView]
    segments: list[Segment]
    given: list[tuple[Pair, Name, str]]  # (pair, taker, url): articles that took from this one


def similarity_report(
    article: Article, pairs: Sequence[Pair], names: Mapping[str, Name], links: Links, prefix: str = "t"
) -> SimilarityReport:
    """The article's text with each sentence matched elsewhere marked in its source's colour and linked to the
    pair view; sources ranked by the share of the article they account for (at equal shares, decided sources
    first, then the stronger pair)."""
    total = sum(s.end - s.start for s in article.sentences) or 1
    found: list[tuple[Pair, dict[int, float]]] = []
    given = []
    for p in pairs:
        if p.relation is None or p.score <= 0:
            continue
        if p.source == article.id:
            taker = other(p, article.id)
            given.append((p, names.get(taker) or Name(taker), links.pair(p.a, p.b)))
            continue
        side = "a" if p.a == article.id else "b"
        best: dict[int, float] = {}
        for passage in p.passages:
            for link in passage.links:
                index = getattr(link, side)
                best[index] = max(best.get(index, 0.0), link.score)
        found.append((p, best))

    def chars(indexes: Iterable[int]) -> int:
        return sum(article.sentences[i].end - article.sentences[i].start for i in indexes if i < len(article.sentences))

    found.sort(key=lambda f: (-chars(f[1]), f[0].source is None, -f[0].score, f[0].a, f[0].b))
    sources = []
    claims: dict[int, tuple[tuple[bool, bool, float, int], tuple[str, str, str]]] = {}
    for k, (p, best) in enumerate(found):
        ident = other(p, article.id)
        colour = f"c{k % COLOURS}"
        url = links.pair(p.a, p.b)
        name = names.get(ident) or Name(ident)
        side = "a" if p.a == article.id else "b"
        took = p.source == ident
        sources.append(SourceView(p, ident, name, colour, chars(best) / total, len(best), url, took))
        for i, score in best.items():
            # a sentence found in several articles goes to the article it was taken from (a copy, rewrite or excerpt
            # with a decided source), then to another decided source (of shared quotations), else to its closest
            # match; its link lands on the sentence in that pair's view
            rank = (not (took and directed(p)), not took, -score, k)
            if i not in claims or rank < claims[i][0]:
                href = url if url.startswith("#") else f"{url}#p-{side}{i}"
                claims[i] = (rank, (f"s src {colour}", href, f"from {name.label} ({p.relation})"))
    marked = {i: view for i, (_, view) in claims.items()}
    segments = []
    pos = 0
    text = article.text
    for s in article.sentences:
        if s.start > pos:
            segments.append(Segment(gap=text[pos : s.start]))
        mark: tuple[str, str | None, str | None] = marked.get(s.index) or ("s", None, None)
        piece = [Piece(text[s.start : s.end])]
        segments.append(
            Segment(sentence=SentenceView(s.index, f"{prefix}-{s.index}", mark[1], mark[0], mark[2], piece))
        )
        pos = max(pos, s.end)
    if pos < len(text):
        segments.append(Segment(gap=text[pos:]))
    given.sort(key=lambda g: -g[0].score)
    return SimilarityReport(chars(set(marked)) / total, sources, segments, given)


def other(pair: Pair, article_id: str) -> str:
    return pair.b if pair.a == article_id else pair.a
