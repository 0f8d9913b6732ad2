"""Where the versions of a story diverge: the same fact told differently across its reports.

Two sources: the divergences of the story's reuse pairs (a taker that changed a number or a name, dropped a denial
or its source's attribution), and the sentences of reports written independently that say the same thing
(:mod:`sentence_match`), compared with the same divergence rules. A line is read by an editor, so each kind of
difference needs evidence that both sides tell the same fact (see :func:`_differ` and the filters in
:func:`_from_pairs`); mentions of one fact are joined across pairs into one line with its versions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .records import Article, Divergence, Pair
from .sentence_match import ADDRESS, STOP, WORD, SentenceKey, UnionFind, headline, is_address, stem
from .stages.divergences import Fact, find_divergences, sentence_facts

MAX_DIVERGENCES = 12
CLOSE_LINK = 0.75  # facts changed in a reuse pair count only between sentences linked this closely


@dataclass(frozen=True, slots=True)
class Version:
    """One way a diverging fact is told (``text`` None: these reports leave it out), with their sentences."""

    text: str | None
    articles: tuple[str, ...]
    sentences: tuple[tuple[str, str], ...]  # (article, sentence)


@dataclass(frozen=True, slots=True)
class Divergent:
    """The same fact told differently across reports. ``reuse``: found in a reuse pair (one report took from the
    other and changed it); otherwise between reports that tell the same thing independently."""

    kind: str  # number, name, negation, attribution
    versions: tuple[Version, ...]
    reuse: bool


Mention = tuple[str, int, str | None]  # (article, sentence, the fact as this sentence tells it; None: left out)
Edge = tuple[str, Mention, Mention, bool]  # kind, the two mentions, found in a reuse pair


def diverging(
    members: Sequence[Article],
    pairs: Sequence[Pair],
    matches: Mapping[SentenceKey, set[SentenceKey]],
    order: Mapping[str, int],
) -> tuple[Divergent, ...]:
    """Facts told differently: the changed numbers and names, denials and dropped attributions of the reuse pairs,
    and the changed numbers and names between matching sentences of reports with no reuse pair; ``order`` ranks
    the reports (earliest first).

    Mentions of one fact are joined across pairs (15 in A vs 16 in B, 16 in B vs 17 in C: one line with three
    versions); a line needs two versions told by different reports.
    """
    articles = {a.id: a for a in members}
    edges = _from_pairs(articles, pairs) + _independent(articles, pairs, matches)
    return _join(edges, articles, order)


def _from_pairs(articles: Mapping[str, Article], pairs: Sequence[Pair]) -> list[Edge]:
    known: dict[str, frozenset[str]] = {}

    def words_of(ident: str) -> frozenset[str]:  # each article's words, read once
        if ident not in known:
            known[ident] = frozenset(stem(w) for w in WORD.findall(articles[ident].text))
        return known[ident]

    edges: list[Edge] = []
    for p in pairs:
        close = {(k.a, k.b) for x in p.passages for k in x.links if k.score >= CLOSE_LINK}
        count_a, count_b = len(articles[p.a].sentences), len(articles[p.b].sentences)
        for d in p.divergences:
            if d.a_sentence is None or d.b_sentence is None or d.a_sentence >= count_a or d.b_sentence >= count_b:
                continue  # no sentence on one side, or a pair of another version of the article
            if is_address(articles[p.a].sentences[d.a_sentence]) or is_address(articles[p.b].sentences[d.b_sentence]):
                continue
            if d.kind == "antonym":
                continue  # "defeated" and "victory" say one thing: opposites stay on the pair's page
            if d.kind in ("negation", "attribution") and (d.a_sentence, d.b_sentence) not in close:
                continue  # "no tsunami warning" against a headline on the 2004 tsunami: loosely linked, no denial
            if d.kind in ("number", "name") and not (d.change == "changed" and (d.a_sentence, d.b_sentence) in close):
                continue  # a fact one side lacks is an omission, not a difference; loose links pair unlike facts
            sa, sb = articles[p.a].sentences[d.a_sentence].text, articles[p.b].sentences[d.b_sentence].text
            if d.kind in ("number", "name") and not _differ(d, sa, sb):
                continue
            word = d.a_text or d.b_text or ""
            if d.kind == "negation" and (not _NEGATION.fullmatch(word) or _has_word(sa if d.b_text else sb, word)):
                continue  # "none more so", "failed to": idioms more often than denials; "—not" missed on one side
            if d.kind == "attribution" and not _dropped_by_taker(p, d, sa if d.a_text is None else sb, words_of):
                continue
            a_text = d.a_text if d.change != "added" else None
            b_text = d.b_text if d.change != "dropped" else None
            edges.append((d.kind, (p.a, d.a_sentence, a_text), (p.b, d.b_sentence, b_text), True))
    return edges


def _independent(
    articles: Mapping[str, Article], pairs: Sequence[Pair], matches: Mapping[SentenceKey, set[SentenceKey]]
) -> list[Edge]:
    """Changed numbers and names between sentences that say the same thing in reports with no reuse pair."""
    reused = {frozenset((p.a, p.b)) for p in pairs}
    edges: list[Edge] = []
    for (x, i), others in matches.items():
        for y, j in others:
            if x < y and frozenset((x, y)) not in reused:
                sx, sy = articles[x].sentences[i].text, articles[y].sentences[j].text
                if ADDRESS.search(sx) or ADDRESS.search(sy):
                    continue
                for d in find_divergences(sx, sy):
                    if d.change == "changed" and d.kind in ("number", "name") and _differ(d, sx, sy):
                        edges.append((d.kind, (x, i, d.a_text), (y, j, d.b_text), False))
    return edges


_SAYING = frozenset(
    ["said", "says", "told", "wrote", "reported", "according", "to", "on", "in", "the", "a", "an", "by"]
)


def _dropped_by_taker(p: Pair, d: Divergence, without: str, words_of: Callable[[str], frozenset[str]]) -> bool:
    """An attribution the taker left out of its source's sentence: only then is "dropped" sure (an attribution
    the source lacks may come with a clause the taker added), and only when the taker does not name the source
    another way, in that sentence ("wrote on Twitter" against "in a Twitter message", "according to court records"
    against "state records show") or in another (a rewrite that splits "..., KCNA said" into two sentences, the
    second "according to KCNA")."""
    kept_by_a = d.change == "dropped"
    if p.source != (p.a if kept_by_a else p.b):
        return False
    phrase = (d.a_text if kept_by_a else d.b_text) or ""
    named = {stem(w) for w in WORD.findall(phrase) if len(w) > 1 and w.lower() not in _SAYING}
    in_sentence = {stem(w) for w in WORD.findall(without)}
    return bool(named) and not named & in_sentence and not named <= words_of(p.b if kept_by_a else p.a)


def _has_word(sentence: str, word: str) -> bool:
    return re.search(rf"(?i)(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", sentence) is not None


def _differ(d: Divergence, sa: str, sb: str) -> bool:
    """Whether a changed number or name is told differently, not merely written differently or a different fact.

    Numbers count the same thing: the same unit word after them ("three people", "50 people") or the same kind of
    number (money, percentages, times, dates), and the same word before them when both have one ("killing three
    people" and "injuring 50 people" are two counts); ordinals are left out ("first", "second" most often rank different
    things). Names must be one word apart in the same place, the word not a shortening of the other, and hold no
    acronym: "Wendy" against "Debbie Wasserman Schultz" is a difference; "Ark"/"Arkansas", "MVP Award"/"Valuable
    Player Award", "Aoraki Mount Cook"/"Mt Cook" and two levels of one place ("Israel", "Tel Aviv") are not.
    """
    if d.kind == "number":
        fa, fb = _number_in(sa, d.a_text), _number_in(sb, d.b_text)
        if fa is None or fb is None:
            return False
        ka, kb = fa.key, fb.key
        if ka[0] == kb[0] or ka[1] != kb[1] or ka[1] == "ordinal":
            return False
        before = {_word_before(sa, fa.span[0]), _word_before(sb, fb.span[0])}
        if len(before) == 2 and None not in before:
            return False  # "killing three people", "injuring 50 people": two counts
        return ka[2] == kb[2] if ka[2] or kb[2] else ka[1] not in _BARE
    if headline(sa) or headline(sb):
        return False  # "Colts Clinch Playoff Berth", "... Playoff Spot": words of a headline, not names
    words = [WORD.findall((t or "").replace(".", "")) for t in (d.a_text, d.b_text)]
    if any(w.isupper() and len(w) > 1 for side in words for w in side):
        return False
    a, b = ([w.lower() for w in side] for side in words)
    if len(a) != len(b) or len(a) < 2:
        return False
    changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(changed) == 1 and not (
        changed[0][0].startswith(changed[0][1]) or changed[0][1].startswith(changed[0][0])
    )


_BARE = frozenset(("plain", "approx", "ratio"))  # a number of these kinds says what it counts by its unit only
_NEGATION = re.compile(r"(?i)not|never|n[’']t|cannot|no longer|did not|does not|do not")


def _number_in(sentence: str, text: str | None) -> Fact | None:
    """The number ``text`` as it stands in ``sentence``, with its kind and unit."""
    for fact in sentence_facts(sentence):
        if fact.kind == "number" and sentence[fact.span[0] : fact.span[1]] == text:
            return fact
    return None


_HEDGES = frozenset("least about some nearly almost more than over under around approximately roughly".split())  # noqa: SIM905


def _word_before(sentence: str, start: int) -> str | None:
    """The content word just before a number (hedges and stop words skipped), within three words."""
    for word in reversed(WORD.findall(sentence[:start])[-3:]):
        lower = word.lower()
        if lower not in STOP and lower not in _HEDGES and not lower.isdigit():
            return stem(lower)
    return None


def _value(text: str | None) -> tuple[Any, ...] | None:
    facts = [f for f in sentence_facts(text or "") if f.kind == "number"]
    return facts[0].key if len(facts) == 1 else None


def _join(edges: Sequence[Edge], articles: Mapping[str, Article], order: Mapping[str, int]) -> tuple[Divergent, ...]:
    """One line per fact: mentions joined by the edges, grouped into versions by wording, widest told first."""
    ids: dict[tuple[str, Mention], int] = {}
    written: dict[str | None, str | None] = {None: None}  # a folded wording -> as first written
    for kind, m1, m2, _ in edges:
        for m in (m1, m2):
            ids.setdefault((kind, _fold(kind, m)), len(ids))
            written.setdefault(_fold(kind, m)[2], " ".join(m[2].split()) if m[2] else None)
    groups = UnionFind(len(ids))
    for kind, m1, m2, _ in edges:
        groups.join(ids[(kind, _fold(kind, m1))], ids[(kind, _fold(kind, m2))])
    reuse = {groups.find(ids[(kind, _fold(kind, m1))]) for kind, m1, _, by_reuse in edges if by_reuse}
    nodes = list(ids)
    out = []
    for group in groups.sets():
        by_text: dict[str | None, dict[str, str]] = defaultdict(dict)
        for n in group:
            article, sentence, text = nodes[n][1]
            by_text[text].setdefault(article, articles[article].sentences[sentence].text)
        if len(by_text) < 2 or len(set().union(*by_text.values())) < 2:
            continue
        versions = tuple(
            Version(written[text], tuple(sorted(held, key=order.__getitem__)), tuple(sorted(held.items())))
            for text, held in sorted(by_text.items(), key=lambda kv: (-len(kv[1]), kv[0] is None, kv[0] or ""))
        )
        out.append(Divergent(nodes[group[0]][0], versions, groups.find(group[0]) in reuse))
    out.sort(key=lambda d: (-sum(len(v.articles) for v in d.versions), d.kind, d.versions[0].text or ""))
    return tuple(out[:MAX_DIVERGENCES])


def _fold(kind: str, m: Mention) -> Mention:
    """Mentions are one node per sentence and fact: a number by its value ("sixth" is "6th"), other facts by their
    letters ("U.S." is "US")."""
    if m[2] is None:
        return m
    value = _value(m[2]) if kind == "number" else None
    return (m[0], m[1], repr(value) if value else re.sub(r"[\W_]+", "", m[2].lower()))
