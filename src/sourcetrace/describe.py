"""Findings in words: how an article is named, and what a pair and its changes say, for the CLI, pages and report.

One wording everywhere: a change is told from the side of the text that took the material ("dropped the
attribution 'told AFP'", "changed '3 million' to '4 million'"), never as A-to-B deltas or Python values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .records import Divergence, Pair
from .stages.classify import chance
from .stages.stories import MATERIAL

SHORT_ID = 20
KIND_WORDS = {
    "number": ("the figure", "figures"),
    "name": ("the name", "names"),
    "negation": ("the negation", "negations"),
    "antonym": ("the word", "opposite words"),
    "attribution": ("the attribution", "attributions"),
}


class Named(Protocol):
    id: str
    title: str | None
    date: str | None
    outlet: str | None


@dataclass(frozen=True)
class Name:
    """What a reader needs to recognise an article: its title (or a short id), outlet and date."""

    id: str
    title: str | None = None
    date: str | None = None
    outlet: str | None = None

    @property
    def label(self) -> str:
        return self.title or short_id(self.id)

    @property
    def byline(self) -> str:
        """Outlet and date, e.g. 'Reuters, 2023-09-15' ('' when neither is known)."""
        return ", ".join(x for x in (self.outlet, self.date) if x)

    @property
    def full(self) -> str:
        return f"{self.label} ({self.byline})" if self.byline else self.label


def short_id(ident: str, size: int = SHORT_ID) -> str:
    return ident if len(ident) <= size else ident[: size - 1] + "…"


def name_of(article: Named) -> Name:
    return Name(article.id, article.title, article.date, article.outlet)


def names_of(articles: Sequence[Named]) -> dict[str, Name]:
    return {a.id: name_of(a) for a in articles}


def lookup(names: Mapping[str, Name], ident: str) -> Name:
    return names.get(ident) or Name(ident)


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 pair', '2 pairs', '3 stories' ('many' for irregular plurals)."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {many or (word[:-1] + 'ies' if word.endswith('y') and word[-2:-1] not in 'aeiou' else word + 's')}"


def directed(pair: Pair) -> bool:
    """Whether the pair is drawn and told as one text taking from the other."""
    return pair.source is not None and pair.relation in MATERIAL  # one text took from the other


def taker_of(pair: Pair) -> str:
    """The article read as the one that took: the non-source, or B when the source is undecided."""
    return pair.a if pair.source == pair.b else pair.b


def source_of(pair: Pair) -> str:
    return pair.b if taker_of(pair) == pair.a else pair.a


def describe_change(d: Divergence, taker_is_b: bool = True) -> str:
    """One change in plain English, as the taking text made it, e.g. "dropped the attribution 'told AFP'"."""
    kind = KIND_WORDS.get(d.kind, (d.kind, d.kind + "s"))[0]
    source_text, taker_text = (d.a_text, d.b_text) if taker_is_b else (d.b_text, d.a_text)
    if source_text and taker_text:
        return f"changed '{source_text}' to '{taker_text}'"
    if source_text:
        return f"dropped {kind} '{source_text}'"
    if taker_text:
        return f"added {kind} '{taker_text}'"
    return f"changed {kind}"


# the order a pair's changes are told in: an attribution dropped is what a rewrite that launders a story does
CHANGE_ORDER = {"attribution": 0, "negation": 1, "antonym": 2, "number": 3, "name": 4}


def describe_changes(pair: Pair, limit: int = 3) -> list[str]:
    """The pair's changes in words, from the taker's side, attributions first; repeats (the same name twice) told
    once, and a fact one link drops and another adds (a name the taker moved to another sentence) not at all."""
    taker_is_b = taker_of(pair) == pair.b
    dropped = {(d.kind, d.a_text) for d in pair.divergences if d.b_text is None}
    moved = dropped & {(d.kind, d.b_text) for d in pair.divergences if d.a_text is None}
    out: list[str] = []
    for d in sorted(pair.divergences, key=lambda d: CHANGE_ORDER.get(d.kind, len(CHANGE_ORDER))):
        said = describe_change(d, taker_is_b)
        one_side = (d.kind, d.a_text if d.b_text is None else d.b_text if d.a_text is None else None)
        if said not in out and one_side not in moved:
            out.append(said)
    if len(out) > limit:
        return out[:limit] + [f"and {plural(len(out) - limit, 'more change')}"]
    return out


RELATION_WORDS = {
    "copy": "is a copy of",
    "rewrite": "is a rewrite of",
    "excerpt": "takes passages from",
    "shared-quotes": "quotes the same sources as",
}


def pair_headline(pair: Pair, names: Mapping[str, Name]) -> str:
    """'“B” is a rewrite of “A”', with the taker first; or '“A” and “B” share material (source undecided)'."""
    taker, source = lookup(names, taker_of(pair)).label, lookup(names, source_of(pair)).label
    if pair.relation is None:
        return f"“{names_label(names, pair.a)}” and “{names_label(names, pair.b)}” share no more than a topic"
    if pair.relation == "shared-quotes":
        return f"“{names_label(names, pair.a)}” and “{names_label(names, pair.b)}” quote the same sources"
    if pair.source is None:
        return (
            f"“{names_label(names, pair.a)}” and “{names_label(names, pair.b)}” share material "
            f"({pair.relation}); which came first is undecided"
        )
    return f"“{taker}” {RELATION_WORDS[pair.relation]} “{source}”"


def names_label(names: Mapping[str, Name], ident: str) -> str:
    return lookup(names, ident).label


def shown_strength(score: float) -> str:
    """A pair's strength as every output shows it: three decimals, as the reuse bar has (0.119), rounded down, so
    that a pair below the bar never reads as at it."""
    return f"{math.floor(round(score * 1000, 6)) / 1000:.3f}"


def chance_text(strength: float) -> str:
    """How often independent reports of one event reach this strength (:func:`classify.chance`), in words."""
    p = chance(strength)
    if p >= 0.095:
        share = f"{100 * p:.0f} % of pairs"
    elif p < 1e-6:
        share = "fewer than 1 in a million pairs"
    else:
        share = f"about 1 in {_round_count(1 / p):,} pairs"
    return f"{share} of independent reports of one event reach it"


def _round_count(n: float) -> int:
    """``n`` to two significant digits (1,937 -> 1,900)."""
    digits = max(0, len(str(int(n))) - 2)
    return int(round(n, -digits))


def pair_summary(pair: Pair, names: Mapping[str, Name]) -> str:
    """The pair in one paragraph: who took from whom, how much, and the main changes."""
    text = pair_headline(pair, names)
    if pair.relation is None:
        return text + "."
    strength = f"strength {shown_strength(pair.score)}"
    if pair.relation in MATERIAL:  # what independent reports reach is the bar for taking; they share quotations anyway
        strength += f"; {chance_text(pair.score)}"
    if directed(pair):
        share = pair.coverage_b if taker_of(pair) == pair.b else pair.coverage_a
        text += f": {100 * share:.0f} % of it comes from the source ({strength})"
    else:
        text += (
            f": {100 * pair.coverage_a:.0f} % of the first and {100 * pair.coverage_b:.0f} % of the second "
            f"are matched ({strength})"
        )
    changes = describe_changes(pair)
    if changes:
        text += "; " + ("it " if directed(pair) else "the second, against the first, ") + ", ".join(changes)
    return text + "."
