"""A pair lined up: aligned sentences face each other row by row, with the words that differ marked inside them.

Each row holds one group of linked sentences (a sentence linked to several on the other side joins them in one
row); the unmatched sentences between rows are kept, collapsed. Word differences come from a diff of the two
rows' words, marked from the side of the text that took: on the source, words the taker dropped; on the taker,
words it added; on both, words it changed. Everything is plain (text, classes) pieces for autoescaping templates.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..describe import Name, describe_change, directed, lookup, pair_summary, taker_of
from ..records import Article, Divergence, Pair
from .render import COLOURS, Links, Piece, cut

_WORD = re.compile(r"\w+(?:['’.,-]\w+)*|[^\w\s]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
Layer = tuple[int, int, str, str | None]  # start, end (article offsets), css classes, tooltip


@dataclass
class LinedSentence:
    index: int
    anchor: str
    pieces: list[Piece]


@dataclass
class Row:
    """A group of aligned sentences (``a`` and ``b`` both set), or unmatched text between groups."""

    anchor: str
    matched: bool
    a: list[LinedSentence]
    b: list[LinedSentence]
    colour: str = ""
    similarity: float = 0.0
    wording: str = ""  # "same words", "nearly the same words", "reworded"
    changes: tuple[str, ...] = ()


@dataclass
class Side:
    id: str
    label: str  # "A" or "B"
    name: Name
    url: str
    role: str  # "source", "taker" or ""


@dataclass
class ChangeView:
    text: str
    row: str | None  # anchor of the row it is in


@dataclass
class PairView:
    prefix: str
    pair: Pair
    url: str
    summary: str
    a: Side
    b: Side
    rows: list[Row]
    changes: list[ChangeView]
    matched_rows: int


def words(text: str, start: int) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) of each word and punctuation mark, offsets shifted by ``start``."""
    return [(m.group().lower().translate(_QUOTES), start + m.start(), start + m.end()) for m in _WORD.finditer(text)]


def word_layers(
    a: Article, a_indexes: Sequence[int], b: Article, b_indexes: Sequence[int], taker_is_b: bool
) -> tuple[list[Layer], list[Layer], float]:
    """Marks for the words that differ between two groups of sentences, and how alike their words are (0-1)."""
    ta = [w for i in a_indexes for w in words(a.sentences[i].text, a.sentences[i].start)]
    tb = [w for j in b_indexes for w in words(b.sentences[j].text, b.sentences[j].start)]
    sentence_of_a = {w[1]: i for i in a_indexes for w in words(a.sentences[i].text, a.sentences[i].start)}
    sentence_of_b = {w[1]: j for j in b_indexes for w in words(b.sentences[j].text, b.sentences[j].start)}
    matcher = difflib.SequenceMatcher(None, [w[0] for w in ta], [w[0] for w in tb], autojunk=False)
    only_a, only_b = ("w-drop", "w-add") if taker_is_b else ("w-add", "w-drop")
    notes = {"w-drop": "dropped by the taking text", "w-add": "added by the taking text", "w-chg": "changed"}
    out_a: list[Layer] = []
    out_b: list[Layer] = []

    def spans(tokens: list[tuple[str, int, int]], sentence_of: dict[int, int], css: str, out: list[Layer]) -> None:
        run: list[tuple[str, int, int]] = []
        for token in tokens + [("", -1, -1)]:
            if run and (token[1] < 0 or sentence_of.get(token[1]) != sentence_of.get(run[0][1])):
                out.append((run[0][1], run[-1][2], css, notes[css]))
                run = []
            if token[1] >= 0:
                run.append(token)

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "delete":
            spans(ta[i1:i2], sentence_of_a, only_a, out_a)
        elif op == "insert":
            spans(tb[j1:j2], sentence_of_b, only_b, out_b)
        elif op == "replace":
            spans(ta[i1:i2], sentence_of_a, "w-chg", out_a)
            spans(tb[j1:j2], sentence_of_b, "w-chg", out_b)
    return out_a, out_b, matcher.ratio() if ta or tb else 1.0


def wording(ratio: float) -> str:
    # judged on the words themselves, so that a reworded sentence is never called verbatim
    if ratio >= 0.999:
        return "same words"
    if ratio >= 0.85:
        return "nearly the same words"
    return "reworded"


def groups_of(pair: Pair) -> list[tuple[list[int], list[int], list[float]]]:
    """Linked sentences in connected groups (A indexes, B indexes, link scores), in A's order."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    links = [link for passage in pair.passages for link in passage.links]
    for link in links:
        parent[root(("a", link.a))] = root(("b", link.b))
    found: dict[tuple[str, int], tuple[set[int], set[int], list[float]]] = {}
    for link in links:
        group = found.setdefault(root(("a", link.a)), (set(), set(), []))
        group[0].add(link.a)
        group[1].add(link.b)
        group[2].append(link.score)
    return sorted(((sorted(a), sorted(b), scores) for a, b, scores in found.values()), key=lambda g: (g[0][0], g[1][0]))


def divergence_layers(d: Divergence, note: str) -> tuple[Layer | None, Layer | None]:
    css = f"div div-{d.kind} ch-{d.change}"
    a = (d.a_span[0], d.a_span[1], css, note) if d.a_span else None
    b = (d.b_span[0], d.b_span[1], css, note) if d.b_span else None
    return a, b


def lined_sentences(
    article: Article, indexes: Sequence[int], side: str, prefix: str, layers: Sequence[Layer], css: str = ""
) -> list[LinedSentence]:
    out = []
    for i in indexes:
        s = article.sentences[i]
        inside = [(max(x, s.start), min(y, s.end), c, n) for x, y, c, n in layers if x < s.end and y > s.start]
        pieces = cut(article.text, s.start, s.end, inside)
        out.append(LinedSentence(i, f"{prefix}-{side}{i}", pieces))
    return out


def pair_view(pair: Pair, a: Article, b: Article, prefix: str, links: Links, names: Mapping[str, Name]) -> PairView:
    """The pair lined up, with its summary, the changes in words and where each one is."""
    taker_is_b = taker_of(pair) == pair.b
    layers_a: list[Layer] = []
    layers_b: list[Layer] = []
    said: list[tuple[str, Divergence]] = []
    for d in pair.divergences:
        note = describe_change(d, taker_is_b)
        said.append((note, d))
        da, db = divergence_layers(d, note)
        if da:
            layers_a.append(da)
        if db:
            layers_b.append(db)
    groups = groups_of(pair)
    ratios = []
    for ia, ib, _ in groups:
        wa, wb, ratio = word_layers(a, ia, b, ib, taker_is_b)
        layers_a += wa
        layers_b += wb
        ratios.append(ratio)
    row_of: dict[tuple[str, int], str] = {}
    rows: list[Row] = []
    matched_a = {i for g in groups for i in g[0]}
    matched_b = {j for g in groups for j in g[1]}
    first_b = [g[1][0] for g in groups]
    gap_a: dict[int, list[int]] = {}
    gap_b: dict[int, list[int]] = {}
    for s in a.sentences:
        if s.index not in matched_a:
            gap_a.setdefault(next((k for k, g in enumerate(groups) if g[0][0] > s.index), len(groups)), []).append(
                s.index
            )
    for s in b.sentences:
        if s.index not in matched_b:
            gap_b.setdefault(next((k for k, f in enumerate(first_b) if f > s.index), len(groups)), []).append(s.index)
    for k in range(len(groups) + 1):
        if gap_a.get(k) or gap_b.get(k):
            rows.append(
                Row(
                    anchor=f"{prefix}-gap{k}",
                    matched=False,
                    a=lined_sentences(a, gap_a.get(k, []), "a", prefix, layers_a),
                    b=lined_sentences(b, gap_b.get(k, []), "b", prefix, layers_b),
                )
            )
        if k == len(groups):
            break
        ia, ib, scores = groups[k]
        anchor = f"{prefix}-r{k}"
        for i in ia:
            row_of[("a", i)] = anchor
        for j in ib:
            row_of[("b", j)] = anchor
        ratio = ratios[k]
        changes = tuple(dict.fromkeys(note for note, d in said if d.a_sentence in ia or d.b_sentence in ib))
        rows.append(
            Row(
                anchor=anchor,
                matched=True,
                a=lined_sentences(a, ia, "a", prefix, layers_a),
                b=lined_sentences(b, ib, "b", prefix, layers_b),
                colour=f"c{k % COLOURS}",
                similarity=max(scores),
                wording=wording(ratio),
                changes=changes,
            )
        )
    listed: list[ChangeView] = []
    for note, d in said:
        where = row_of.get(("a", d.a_sentence)) if d.a_sentence is not None else None
        where = where or (row_of.get(("b", d.b_sentence)) if d.b_sentence is not None else None)
        if all(c.text != note for c in listed):
            listed.append(ChangeView(note, where))
    roles = ("source", "taker") if taker_is_b else ("taker", "source")
    if not directed(pair):
        roles = ("", "")
    return PairView(
        prefix=prefix,
        pair=pair,
        url=links.pair(pair.a, pair.b),
        summary=pair_summary(pair, names),
        a=Side(a.id, "A", lookup(names, a.id), links.article(a.id), roles[0]),
        b=Side(b.id, "B", lookup(names, b.id), links.article(b.id), roles[1]),
        rows=rows,
        changes=listed,
        matched_rows=len(groups),
    )
