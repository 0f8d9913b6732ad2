"""A digest of one story: its reports in publication order, what most of them carry, and where they differ.

Built from what the pipeline already found (sentences with their quotations and speakers, the reuse pairs with
their sentence links, divergences and sources), plus one cheap pass that finds sentences saying the same thing in
reports written independently. Every step indexes words or quotations, so the cost grows with the story's
sentences, not with their pairs. The digest is read by an editor: a line goes in only when it holds on its own
evidence (a fact counted in a report is in that report; a divergence is a changed fact in two sentences that say
the same thing).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from .divergences import Fact, find_divergences, sentence_facts
from .records import Article, Divergence, Pair, Sentence, Story

SharedKind = Literal["fact", "quotation", "number", "name"]
LIMITS = {"fact": 6, "quotation": 8, "number": 8, "name": 10}  # lines of each kind: a digest is read, not searched
MAX_DIVERGENCES = 12
MIN_QUOTE_WORDS = 4  # shorter quoted stretches are mostly scare quotes and titles
MIN_SHARED_WORDS = 4  # two sentences of independent reports say the same thing: this many content words in common
MIN_DICE = 0.6  # ... and this share of their content words
MAX_PARTNERS = 8  # sentences compared with one sentence, most similar first
CLOSE_LINK = 0.75  # facts changed in a reuse pair count only between sentences linked this closely
MIN_FACT_WORDS = 6  # a sentence carried as a fact is prose, not a headline or a credit line
_ADDRESS = re.compile(
    r"https?:|www\.|\w\.\s?(?:com|org|net|co\.uk)\b|\w/\w"
)  # web addresses: their numbers are no facts


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
class Version:
    """One way a diverging fact is told (``text`` None: these reports leave it out), with their sentences."""

    text: str | None
    articles: tuple[str, ...]
    sentences: tuple[tuple[str, str], ...]  # (article, sentence)


@dataclass(frozen=True, slots=True)
class Divergent:
    """The same fact told differently across reports. ``reuse``: found in a reuse pair (one report took from the
    other and changed it); otherwise between reports that tell the same thing independently."""

    kind: str  # number, name, negation, antonym, attribution
    versions: tuple[Version, ...]
    reuse: bool


@dataclass(frozen=True, slots=True)
class Digest:
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
    matches = _same_sentences(members, own)
    carried = _carried(members, matches)
    diverging = _diverging(members, own, matches)
    return Digest(story.id, story.label, timeline, first, reason, takings, carried, diverging)


def _date_order(a: Article) -> tuple[int, str, str]:
    return (0, a.date, a.id) if a.date else (1, "", a.id)


# --- who took from whom, and who was first ------------------------------------------------------------------------


def _takings(pairs: Sequence[Pair], articles: Mapping[str, Article]) -> tuple[Taking, ...]:
    out = []
    for p in pairs:
        if p.relation is None:
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


# --- sentences that say the same thing ----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_STOP = frozenset(
    """a about after again against all also an and any are as at be been before being between both but by can could
    did do does during each for from had has have he her here him his how if in into is it its just more most no nor
    not now of off on once one only or other our out over own said says same she should so some such than that the
    their them then there these they this those through to too told under until up very was we were what when where
    which while who whom why will with would you your according added reported""".split()  # noqa: SIM905
)

SentenceKey = tuple[str, int]  # (article, sentence index)


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    for ending in ("'s", "ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _content(sentence: Sentence) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORD.findall(sentence.text) if w.lower() not in _STOP and len(w) > 2)


def _same_sentences(members: Sequence[Article], pairs: Sequence[Pair]) -> dict[SentenceKey, set[SentenceKey]]:
    """For each sentence, the sentences of other reports that say the same thing: the sentence links of the reuse
    pairs, and, between any two reports, sentences sharing most of their content words.

    Words are indexed; a word found in more sentences than three per report says nothing about sameness and is
    not followed, so each sentence meets a bounded number of others.
    """
    matches: dict[SentenceKey, set[SentenceKey]] = defaultdict(set)
    for p in pairs:
        for passage in p.passages:
            for link in passage.links:
                matches[(p.a, link.a)].add((p.b, link.b))
                matches[(p.b, link.b)].add((p.a, link.a))
    words: dict[SentenceKey, frozenset[str]] = {}
    index: dict[str, list[SentenceKey]] = defaultdict(list)
    for article in members:
        for s in article.sentences:
            content = _content(s)
            if len(content) >= MIN_SHARED_WORDS:
                words[(article.id, s.index)] = content
                for w in content:
                    index[w].append((article.id, s.index))
    cap = 3 * len(members)
    for key, content in words.items():
        shared: Counter[SentenceKey] = Counter()
        for w in content:
            postings = index[w]
            if len(postings) <= cap:
                shared.update(o for o in postings if o[0] != key[0])
        partners = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_PARTNERS]
        for other, n in partners:
            if n >= MIN_SHARED_WORDS and 2 * n >= MIN_DICE * (len(content) + len(words[other])):
                matches[key].add(other)
                matches[other].add(key)
    return matches


# --- what most reports carry --------------------------------------------------------------------------------------


def _carried(members: Sequence[Article], matches: Mapping[SentenceKey, set[SentenceKey]]) -> tuple[Shared, ...]:
    need = majority(len(members))
    if len(members) < 2:
        return ()
    order = {a.id: n for n, a in enumerate(sorted(members, key=_date_order))}
    out = _quotations(members, need, order) + _facts(members, need, order) + _sentences(members, matches, need, order)
    return tuple(out)


def _ranked(items: Iterable[Shared], kind: SharedKind, first_seen: Callable[[Shared], int]) -> list[Shared]:
    return sorted(items, key=lambda s: (-len(s.articles), first_seen(s), s.text))[: LIMITS[kind]]


def _quotations(members: Sequence[Article], need: int, order: Mapping[str, int]) -> list[Shared]:
    """Quotations in several reports: quoted stretches that share most of their word triples (a quotation cut
    short by one report is still the same quotation), grouped, with the speaker most reports give."""
    quotes: list[tuple[str, str, str | None, tuple[str, ...]]] = []  # article, text, speaker, words
    for article in members:
        for s in article.sentences:
            for start, end in s.quote_spans:
                text = s.source[start:end].strip(" ,.;:")
                tokens = tuple(w.lower() for w in _WORD.findall(text))
                if len(tokens) >= MIN_QUOTE_WORDS:
                    quotes.append((article.id, text, s.speaker, tokens))
    shingles = [{t[i : i + 3] for i in range(len(t) - 2)} for *_, t in quotes]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for n, grams in enumerate(shingles):
        for g in grams:
            index[g].append(n)
    groups = _UnionFind(len(quotes))
    for n, grams in enumerate(shingles):
        shared: Counter[int] = Counter()
        for g in grams:
            if len(index[g]) <= 3 * len(members):
                shared.update(m for m in index[g] if m > n)
        for m, k in shared.items():
            if k >= 0.6 * min(len(grams), len(shingles[m])):
                groups.join(n, m)
    out = []
    for group in groups.sets():
        carriers = {quotes[n][0] for n in group}
        if len(carriers) >= need:
            texts = Counter(quotes[n][1] for n in group)
            text = max(texts, key=lambda t: (texts[t], len(t)))
            speakers = Counter(quotes[n][2] for n in group if quotes[n][2])
            speaker = speakers.most_common(1)[0][0] if speakers else None
            out.append(Shared("quotation", text, tuple(sorted(carriers, key=order.__getitem__)), speaker))
    return _ranked(out, "quotation", lambda s: order[s.articles[0]])


def _facts(members: Sequence[Article], need: int, order: Mapping[str, int]) -> list[Shared]:
    """Numbers and names most reports carry; a lone name ("Kim") counts as the longer name of the story that holds
    it in most reports ("Kim Jong Un"), and is left alone when two are as common ("Kim Jong Un", "Kim Yo Jong").
    Numbers inside quotations are left to the quotation (a quotation is counted whole; "two new ones" is no count
    of anything)."""
    carriers: dict[tuple[str, tuple[Any, ...]], set[str]] = defaultdict(set)
    shown: dict[tuple[str, tuple[Any, ...]], Counter[str]] = defaultdict(Counter)
    for article in sorted(members, key=_date_order):
        for s in article.sentences:
            if _is_address(s):
                continue
            quoted = [(qs - s.start, qe - s.start) for qs, qe in s.quote_spans]
            for fact in sentence_facts(s.text):
                inside = any(qs <= fact.span[0] < qe for qs, qe in quoted)
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
            if len(ranked) == 1 or len(carriers[ranked[0]]) > len(carriers[ranked[1]]):
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
        if len(ids) >= need and key not in quoted and len(text.split()) >= MIN_FACT_WORDS and not _ADDRESS.search(text):
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


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, n: int) -> int:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def sets(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for n in range(len(self.parent)):
            out[self.find(n)].append(n)
        return list(out.values())


# --- where versions diverge ---------------------------------------------------------------------------------------

Mention = tuple[str, int, str | None]  # (article, sentence, the fact as this sentence tells it; None: left out)
Edge = tuple[str, Mention, Mention, bool]  # kind, the two mentions, found in a reuse pair


def _diverging(
    members: Sequence[Article], pairs: Sequence[Pair], matches: Mapping[SentenceKey, set[SentenceKey]]
) -> tuple[Divergent, ...]:
    """Facts told differently: the changed numbers and names, negations and dropped attributions of the
    reuse pairs, and the changed numbers (and names that share a word) between matching sentences of reports with
    no reuse pair.

    Mentions of one fact are joined across pairs (15 in A vs 16 in B, 16 in B vs 17 in C: one line with three
    versions); a line needs two versions told by different reports.
    """
    articles = {a.id: a for a in members}
    known: dict[str, frozenset[str]] = {}

    def words_of(ident: str) -> frozenset[str]:  # each article's words, read once
        if ident not in known:
            known[ident] = frozenset(_stem(w) for w in _WORD.findall(articles[ident].text))
        return known[ident]

    edges: list[Edge] = []
    for p in pairs:
        close = {(k.a, k.b) for x in p.passages for k in x.links if k.score >= CLOSE_LINK}
        for d in p.divergences:
            if d.a_sentence is None or d.b_sentence is None:
                continue
            if _is_address(articles[p.a].sentences[d.a_sentence]) or _is_address(articles[p.b].sentences[d.b_sentence]):
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
    reused = {frozenset((p.a, p.b)) for p in pairs}
    for (x, i), others in matches.items():
        for y, j in others:
            if x < y and frozenset((x, y)) not in reused:
                sx, sy = articles[x].sentences[i].text, articles[y].sentences[j].text
                if _ADDRESS.search(sx) or _ADDRESS.search(sy):
                    continue
                for d in find_divergences(sx, sy):
                    if d.change == "changed" and d.kind in ("number", "name") and _differ(d, sx, sy):
                        edges.append((d.kind, (x, i, d.a_text), (y, j, d.b_text), False))
    return _join(edges, articles)


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
    named = {_stem(w) for w in _WORD.findall(phrase) if len(w) > 1 and w.lower() not in _SAYING}
    in_sentence = {_stem(w) for w in _WORD.findall(without)}
    return bool(named) and not named & in_sentence and not named <= words_of(p.b if kept_by_a else p.a)


def _has_word(sentence: str, word: str) -> bool:
    return re.search(rf"(?i)(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", sentence) is not None


def _is_address(sentence: Sentence) -> bool:
    return bool(_ADDRESS.search(sentence.text))


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
    words = [_WORD.findall((t or "").replace(".", "")) for t in (d.a_text, d.b_text)]
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
    for word in reversed(_WORD.findall(sentence[:start])[-3:]):
        lower = word.lower()
        if lower not in _STOP and lower not in _HEDGES and not lower.isdigit():
            return _stem(lower)
    return None


def _value(text: str | None) -> tuple[Any, ...] | None:
    facts = [f for f in sentence_facts(text or "") if f.kind == "number"]
    return facts[0].key if len(facts) == 1 else None


def _join(
    edges: Sequence[tuple[str, Mention, Mention, bool]], articles: Mapping[str, Article]
) -> tuple[Divergent, ...]:
    ids: dict[tuple[str, Mention], int] = {}
    written: dict[str | None, str | None] = {None: None}  # a folded wording -> as first written
    for kind, m1, m2, _ in edges:
        for m in (m1, m2):
            ids.setdefault((kind, _fold(kind, m)), len(ids))
            written.setdefault(_fold(kind, m)[2], " ".join(m[2].split()) if m[2] else None)
    groups = _UnionFind(len(ids))
    for kind, m1, m2, _ in edges:
        groups.join(ids[(kind, _fold(kind, m1))], ids[(kind, _fold(kind, m2))])
    reuse = {groups.find(ids[(kind, _fold(kind, m1))]) for kind, m1, _, by_reuse in edges if by_reuse}
    nodes = list(ids)
    order = {a.id: n for n, a in enumerate(sorted(articles.values(), key=_date_order))}
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


# --- from a store -------------------------------------------------------------------------------------------------


class StoryStore(Protocol):
    def article(self, article_id: str) -> Article | None: ...

    def pairs_among(self, ids: Sequence[str]) -> list[Pair]: ...


def store_digest(store: StoryStore, story: Story) -> Digest:
    """The digest of a stored story, read through the store's public methods."""
    articles = {a.id: a for a in (store.article(i) for i in story.articles) if a is not None}
    return build_digest(story, articles, store.pairs_among(story.articles))
