"""A digest of one story: its reports in publication order, what most of them carry, and where they differ.

Built from what the pipeline already found (sentences with their quotations and speakers, the reuse pairs with
their sentence links, divergences and sources), plus one cheap pass that finds sentences saying the same thing in
reports written independently. Every step indexes words or quotations, so the cost grows with the story's
sentences, not with their pairs. The digest is read by an editor: a line goes in only when it holds on its own
evidence (a fact counted in a report is in that report; a divergence is a changed fact in two sentences that say
the same thing).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from .diverging import Divergent, Version, diverging
from .records import Article, Pair, Story
from .sentence_match import ADDRESS, WORD, SentenceKey, UnionFind, headline, is_address, same_sentences
from .stages.divergences import Fact, sentence_facts
from .stages.stories import MATERIAL

__all__ = [
    "Digest",
    "Divergent",
    "Report",
    "Shared",
    "StoryStore",
    "Taking",
    "Version",
    "build_digest",
    "majority",
    "store_digest",
]

SharedKind = Literal["fact", "quotation", "number", "name"]
LIMITS = {"fact": 6, "quotation": 8, "number": 8, "name": 10}  # lines of each kind: a digest is read, not searched
MIN_QUOTE_WORDS = 4  # shorter quoted stretches are mostly scare quotes and titles
MAX_POSTINGS = 200  # quotations compared through one word triple, at most
MIN_FACT_WORDS = 6  # a sentence carried as a fact is prose, not a headline or a credit line


@dataclass(frozen=True, slots=True)
class Report:
    """One article of the story, as the timeline shows it."""

    article: str
    date: str | None
    outlet: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Taking:
    """One reuse pair of the story: ``taker`` took from ``source`` (``decided`` False: the pair shares material but
    which side is the source is undecided, and the two are given in id order)."""

    source: str
    taker: str
    relation: str | None
    score: float
    date: str | None  # the taker's publication date
    decided: bool


@dataclass(frozen=True, slots=True)
class Shared:
    """Something several reports carry: a sentence's content, a quotation, a number or a name."""

    kind: SharedKind
    text: str
    articles: tuple[str, ...]
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """What a reader of a story asks first: who reported it first and who took from whom, what most reports agree
    on, and where their versions differ."""

    story: str
    label: str
    timeline: tuple[Report, ...]  # publication order; reports without a date last
    first: str | None  # the first report, when the dates (or the reuse found) say which
    first_reason: str | None
    takings: tuple[Taking, ...]
    carried: tuple[Shared, ...]  # what most reports carry
    diverging: tuple[Divergent, ...]

    @property
    def size(self) -> int:
        return len(self.timeline)

    def as_dict(self) -> dict[str, Any]:
        """The digest as JSON-ready data (docs/schema.md)."""
        out = asdict(self)
        out["reports"] = self.size
        for item in out["diverging"]:
            for version in item["versions"]:
                version["sentences"] = [{"article": a, "sentence": s} for a, s in version["sentences"]]
        return out


def majority(size: int) -> int:
    """How many reports "most reports" means: half of them (rounded up), and never fewer than two."""
    return max(2, (size + 1) // 2)


def build_digest(story: Story, articles: Mapping[str, Article], pairs: Iterable[Pair]) -> Digest:
    """The digest of ``story`` from its articles (with sentences) and the reuse pairs found among them."""
    members = [articles[a] for a in story.articles if a in articles]
    inside = {a.id for a in members}
    own = [p for p in pairs if p.a in inside and p.b in inside]
    timeline = tuple(Report(a.id, a.date, a.outlet, a.title) for a in sorted(members, key=_date_order))
    takings = _takings(own, {a.id: a for a in members})
    first, reason = _first(timeline, takings)
    matches = same_sentences(members, own)
    order = {r.article: n for n, r in enumerate(timeline)}
    carried = _carried(members, matches, order)
    differ = diverging(members, own, matches, order)
    return Digest(story.id, story.label, timeline, first, reason, takings, carried, differ)


def _date_order(a: Article) -> tuple[int, str, str]:
    return (0, a.date, a.id) if a.date else (1, "", a.id)


# --- who took from whom, and who was first ------------------------------------------------------------------------


def _takings(pairs: Sequence[Pair], articles: Mapping[str, Article]) -> tuple[Taking, ...]:
    out = []
    for p in pairs:
        if p.relation not in MATERIAL:  # shared quotations are no taking
            continue
        source = p.source if p.source in (p.a, p.b) else None
        taker = (p.b if source == p.a else p.a) if source else max(p.a, p.b)
        source = source or min(p.a, p.b)
        out.append(Taking(source, taker, p.relation, p.score, articles[taker].date, source == p.source))
    return tuple(sorted(out, key=lambda t: (t.date is None, t.date or "", -t.score, t.source, t.taker)))


def _first(timeline: Sequence[Report], takings: Sequence[Taking]) -> tuple[str | None, str | None]:
    """The first report: the one with the earliest date; among reports of the same earliest day, or when no report
    has a date, the one the others took from. None when the evidence does not single one out, or contradicts the
    dates (the earliest dated report took from one without a date)."""
    dated = [r for r in timeline if r.date]
    undated = len(timeline) - len(dated)
    note = f"; {undated} report{'s have' if undated != 1 else ' has'} no date" if undated and dated else ""
    if dated:
        day = dated[0].date[:10]  # type: ignore[index]
        earliest = [r.article for r in dated if r.date[:10] == day]  # type: ignore[index]
        first = earliest[0] if len(earliest) == 1 else _root(earliest, takings)
        undated_ids = {r.article for r in timeline if not r.date}
        if first is None or any(t.decided and t.taker == first and t.source in undated_ids for t in takings):
            return None, None  # a report without a date that the earliest dated one took from may be first
        if len(earliest) == 1:
            return first, f"earliest publication date ({day}){note}"
        return first, f"published {day} with {len(earliest) - 1} other(s), which took from it{note}"
    root = _root([r.article for r in timeline], takings)
    return (root, "no report has a date; the others in the reuse found took from it") if root else (None, None)


def _root(candidates: Sequence[str], takings: Sequence[Taking]) -> str | None:
    """The one candidate that others took from and that took from none of them."""
    among = set(candidates)
    decided = [t for t in takings if t.decided and t.source in among and t.taker in among]
    takers = {t.taker for t in decided}
    roots = {t.source for t in decided} - takers
    return next(iter(roots)) if len(roots) == 1 and len(takers | roots) == len(among) else None


# --- what most reports carry --------------------------------------------------------------------------------------


def _carried(
    members: Sequence[Article], matches: Mapping[SentenceKey, set[SentenceKey]], order: Mapping[str, int]
) -> tuple[Shared, ...]:
    need = majority(len(members))
    if len(members) < 2:
        return ()
    out = _quotations(members, need, order) + _facts(members, need, order) + _sentences(members, matches, need, order)
    return tuple(out)


def _ranked(items: Iterable[Shared], kind: SharedKind, first_seen: Callable[[Shared], int]) -> list[Shared]:
    return sorted(items, key=lambda s: (-len(s.articles), first_seen(s), s.text))[: LIMITS[kind]]


def _quotations(members: Sequence[Article], need: int, order: Mapping[str, int]) -> list[Shared]:
    """Quotations in several reports: quoted stretches that share most of their word triples (a quotation cut
    short by one report is still the same quotation), grouped, with the speaker most reports give.

    Identical wordings are one entry before the triples are compared, so that a quotation syndicated to a hundred
    reports costs one comparison, not a hundred."""
    quotes: list[tuple[str, str, str | None]] = []  # article, text, speaker
    wordings: dict[tuple[str, ...], list[int]] = defaultdict(list)  # words -> the quotes so worded
    for article in members:
        for s in article.sentences:
            for start, end in s.quote_spans:
                text = s.source[start:end].strip(" ,.;:")
                tokens = tuple(w.lower() for w in WORD.findall(text))
                if len(tokens) >= MIN_QUOTE_WORDS:
                    wordings[tokens].append(len(quotes))
                    quotes.append((article.id, text, s.speaker))
    distinct = list(wordings)
    groups = UnionFind(len(distinct))
    for n, m in _similar_wordings(distinct, cap=min(3 * len(members), MAX_POSTINGS)):
        groups.join(n, m)
    out = []
    for group in groups.sets():
        held = [q for n in group for q in wordings[distinct[n]]]
        carriers = {quotes[q][0] for q in held}
        if len(carriers) >= need:
            texts = Counter(quotes[q][1] for q in held)
            text = max(texts, key=lambda t: (texts[t], len(t)))
            speakers = Counter(quotes[q][2] for q in held if quotes[q][2])
            speaker = speakers.most_common(1)[0][0] if speakers else None
            out.append(Shared("quotation", text, tuple(sorted(carriers, key=order.__getitem__)), speaker))
    return _ranked(out, "quotation", lambda s: order[s.articles[0]])


def _similar_wordings(wordings: Sequence[tuple[str, ...]], cap: int) -> Iterable[tuple[int, int]]:
    """Pairs of wordings that share 60 % of the word triples of the shorter; a triple found in more than ``cap``
    wordings is too common to tell quotations apart and is not followed."""
    shingles = [{t[i : i + 3] for i in range(len(t) - 2)} for t in wordings]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for n, grams in enumerate(shingles):
        for g in grams:
            index[g].append(n)
    for n, grams in enumerate(shingles):
        shared: Counter[int] = Counter()
        for g in grams:
            if len(index[g]) <= cap:
                shared.update(m for m in index[g] if m > n)
        for m, k in shared.items():
            if k >= 0.6 * min(len(grams), len(shingles[m])):
                yield n, m


def _facts(members: Sequence[Article], need: int, order: Mapping[str, int]) -> list[Shared]:
    """Numbers and names most reports carry; a lone name ("Kim") counts as the longer name of the story that holds
    it in most reports ("Kim Jong Un", which most reports write out), and is left alone when two are as common
    ("Kim Jong Un", "Kim Yo Jong").
    Numbers inside quotations are left to the quotation (a quotation is counted whole; "two new ones" is no count
    of anything)."""
    carriers: dict[tuple[str, tuple[Any, ...]], set[str]] = defaultdict(set)
    shown: dict[tuple[str, tuple[Any, ...]], Counter[str]] = defaultdict(Counter)
    for article in sorted(members, key=_date_order):
        for s in article.sentences:
            if is_address(s):
                continue
            quoted = [(qs - s.start, qe - s.start) for qs, qe in s.quote_spans]
            in_headline = headline(s.text)
            for fact in sentence_facts(s.text):
                inside = any(qs <= fact.span[0] < qe for qs, qe in quoted)
                if fact.kind == "name" and in_headline:
                    continue  # "Lohan Checks", "Queens Hit": a headline's capitals are no names
                if fact.specific and not (fact.kind == "number" and (inside or _bare_month(fact))):
                    carriers[(fact.kind, fact.key)].add(article.id)
                    shown[(fact.kind, fact.key)][fact.text] += 1
    full: dict[str, list[tuple[str, tuple[Any, ...]]]] = defaultdict(list)
    for kind, key in carriers:
        if kind == "name" and len(key) > 1:
            for token in set(key):
                full[token].append((kind, key))
    for kind, key in list(carriers):
        if kind == "name" and len(key) == 1 and full.get(key[0]):
            ranked = sorted(full[key[0]], key=lambda k: -len(carriers[k]))
            if len(carriers[ranked[0]]) >= need and (
                len(ranked) == 1 or len(carriers[ranked[0]]) > len(carriers[ranked[1]])
            ):  # the story's name for it: one most reports write out ("Pyongyang for Moscow" is none)
                carriers[ranked[0]] |= carriers.pop((kind, key))
    out = []
    for (kind, key), ids in carriers.items():
        if len(ids) >= need:
            text = shown[(kind, key)].most_common(1)[0][0]
            out.append(Shared(kind, text, tuple(sorted(ids, key=order.__getitem__))))  # type: ignore[arg-type]
    seen = {id(s): n for n, s in enumerate(out)}  # first met in the earliest report first
    numbers = _ranked((s for s in out if s.kind == "number"), "number", lambda s: seen[id(s)])
    names = _ranked((s for s in out if s.kind == "name"), "name", lambda s: seen[id(s)])
    return numbers + names


def _bare_month(fact: Fact) -> bool:
    """A month alone and abbreviated ("Mar" of "Mar-a-Lago", "May") is more often a word than a date."""
    return fact.key[1] == "date" and fact.key[0][1] is None and len(fact.text) <= 4


def _sentences(
    members: Sequence[Article], matches: Mapping[SentenceKey, set[SentenceKey]], need: int, order: Mapping[str, int]
) -> list[Shared]:
    """Sentences whose content most reports carry: each one counted with the reports holding a sentence that says
    the same (a direct match, never a chain), the best covered first, one line per group. Quotations with their
    speaker are left to the quotation lines."""
    texts = {(a.id, s.index): s.text for a in members for s in a.sentences}
    quoted = {(a.id, s.index) for a in members for s in a.sentences if s.quote or (s.quote_spans and s.speaker)}
    candidates = []
    for key, others in matches.items():
        ids = {key[0]} | {o[0] for o in others}
        text = texts.get(key, "")
        if len(ids) >= need and key not in quoted and len(text.split()) >= MIN_FACT_WORDS and not ADDRESS.search(text):
            candidates.append((len(ids), -order.get(key[0], 0), key, ids))
    out, used = [], set()
    for _, _, key, ids in sorted(candidates, key=lambda c: (-c[0], -c[1], c[2])):
        if key in used:
            continue
        used |= {key} | matches[key]
        out.append(Shared("fact", texts[key], tuple(sorted(ids, key=order.__getitem__))))
        if len(out) == LIMITS["fact"]:
            break
    return out


# --- from a store -------------------------------------------------------------------------------------------------


class StoryStore(Protocol):
    def article(self, article_id: str) -> Article | None: ...

    def pairs_among(self, ids: Sequence[str], details: bool = False) -> list[Pair]: ...


def store_digest(store: StoryStore, story: Story, pairs: list[Pair] | None = None) -> Digest:
    """The digest of a stored story, read through the store's public methods (``pairs``: the pairs among its
    articles with their sentence links, when the caller has read them already)."""
    articles = {a.id: a for a in (store.article(i) for i in story.articles) if a is not None}
    return build_digest(story, articles, store.pairs_among(story.articles, details=True) if pairs is None else pairs)
