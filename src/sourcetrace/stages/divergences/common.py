"""What every divergence rule shares: the tokeniser, the stop list, one sentence's analysis and pairing of mentions.

Offsets stay offsets into the original sentence: normalising replaces characters one for one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ...records import Change, Divergence, DivergenceKind, Span


def _wordlist(text: str) -> list[str]:
    return text.split()


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# One-to-one replacements only, so offsets into the normalised text are offsets into the original.
_NORMALISE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[0-9]+(?:[.,:/][0-9]+)*|[^\W\d_]+(?:'(?!(?:s|t|re|ve|ll|d|m)\b)[^\W\d_]+)*|\S")
_CLAUSE_END = frozenset('.;:!?"()')

_STOP = _wordset(
    """a about above across after again against all almost along already also although always am among an and another
    any anyone anything are around as at back be became because become been before being below beside besides between
    both but by can could did do does doing done down during each either else enough even ever every few for from
    further furthermore had has have having he her here hers herself him himself his how however i if in indeed into is
    it its itself just last least less many may me meanwhile might mine more moreover most mostly much must my myself
    neither never nevertheless no nobody none nor not nothing now of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps please quite rather really same several she should since so
    some someone something still such than that the their theirs them themselves then there thereby therefore these
    they this those though through throughout thus to together too toward towards under unless until up upon us very
    via was we well were what whatever when whenever where whereas whether which while who whoever whom whose why will
    with within without would yet you your yours yourself"""
)


@dataclass(frozen=True, slots=True)
class _Mention:
    """One fact found in a sentence: what it is (``key``), where it is, and the words around it."""

    span: Span
    key: Any  # number value, name tokens, antonym group, attribution source
    kind: str = ""  # number category, name tag, antonym side
    tokens: tuple[int, int] = (0, 0)  # first and last token index, for the words around it
    extra: Any = None  # number unit word, negation anchors, antonym word


@dataclass(frozen=True, slots=True)
class _Analysis:
    text: str
    starts: tuple[int, ...]
    words: tuple[str, ...]  # token texts, as written
    lower: tuple[str, ...]
    name_vocab: frozenset[str]  # every word, as a name token
    numbers: tuple[_Mention, ...]
    names: tuple[_Mention, ...]
    negations: tuple[_Mention, ...]
    antonyms: tuple[_Mention, ...]
    attributions: tuple[_Mention, ...]


def _stem(word: str) -> str:
    """A crude stem that equates the inflections met in paraphrases (grasped/grasp, travel/traveled)."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:6]


def _context(lower: Sequence[str], first: int, last: int, window: int) -> frozenset[str]:
    """Stems of the content words within ``window`` tokens either side of tokens ``first..last``."""
    out = set()
    for k in (*range(max(0, first - window), first), *range(last + 1, min(len(lower), last + 1 + window))):
        w = lower[k]
        if (w[0].isalnum()) and w not in _STOP:
            out.add(_stem(w))
    return frozenset(out)


def _neighbours(lower: Sequence[str], k: int, step: int, count: int = 2) -> frozenset[str]:
    """The nearest ``count`` words before (step -1) or after (step 1) token ``k``, within the clause."""
    out: list[str] = []
    k += step
    while 0 <= k < len(lower) and len(out) < count and lower[k] not in _CLAUSE_END:
        if lower[k][0].isalnum():
            out.append(lower[k])
        k += step
    return frozenset(out)


def _token_range(starts: Sequence[int], span: Span) -> tuple[int, int]:
    """Indices of the first and last token inside ``span``."""
    first = bisect_left(starts, span[0])
    last = max(first, bisect_left(starts, span[1]) - 1)
    return first, last


T = TypeVar("T")


def _pair_up(left: Sequence[T], right: Sequence[T], score: Callable[[T, T], float | None]) -> list[tuple[int, int]]:
    """Pair items that are each other's unique best match; ambiguous ties stay unpaired (and the rule symmetric)."""
    scores = {(i, j): s for i, x in enumerate(left) for j, y in enumerate(right) if (s := score(x, y)) is not None}
    pairs: list[tuple[int, int]] = []
    used_l: set[int] = set()
    used_r: set[int] = set()
    progress = bool(scores)
    while progress:
        progress = False
        for (i, j), s in sorted(scores.items()):
            if i in used_l or j in used_r:
                continue
            rivals_i = [v for (a, b), v in scores.items() if a == i and b != j and b not in used_r]
            rivals_j = [v for (a, b), v in scores.items() if b == j and a != i and a not in used_l]
            if all(v < s for v in rivals_i) and all(v < s for v in rivals_j):
                pairs.append((i, j))
                used_l.add(i)
                used_r.add(j)
                progress = True
    return pairs


def _div(kind: DivergenceKind, change: Change, a: str, b: str, sa: Span | None, sb: Span | None) -> Divergence:
    return Divergence(
        kind=kind,
        change=change,
        a_sentence=None,
        b_sentence=None,
        a_span=sa,
        b_span=sb,
        a_text=a[sa[0] : sa[1]] if sa else None,
        b_text=b[sb[0] : sb[1]] if sb else None,
    )


def _leftovers(
    kind: DivergenceKind,
    a: str,
    b: str,
    only_a: Sequence[_Mention],
    only_b: Sequence[_Mention],
    score: Callable[[_Mention, _Mention], float | None],
) -> list[Divergence]:
    """Unmatched mentions: paired ones become "changed", the rest "dropped" (a only) or "added" (b only)."""
    pairs = _pair_up(only_a, only_b, score) if only_a and only_b else []
    out = [_div(kind, "changed", a, b, only_a[i].span, only_b[j].span) for i, j in pairs]
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    out += [_div(kind, "dropped", a, b, m.span, None) for i, m in enumerate(only_a) if i not in paired_a]
    out += [_div(kind, "added", a, b, None, m.span) for j, m in enumerate(only_b) if j not in paired_b]
    return out


def _match_by(
    xs: Sequence[_Mention], ys: Sequence[_Mention], same: Callable[[_Mention, _Mention], bool]
) -> tuple[list[_Mention], list[_Mention]]:
    """Match mentions in order; return those left over on each side."""
    used = [False] * len(ys)
    left = []
    for x in xs:
        for j, y in enumerate(ys):
            if not used[j] and same(x, y):
                used[j] = True
                break
        else:
            left.append(x)
    return left, [y for j, y in enumerate(ys) if not used[j]]
