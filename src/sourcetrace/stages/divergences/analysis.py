"""One sentence analysed into its facts (cached), and two analyses compared into divergences."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ...records import Divergence
from .attributions import _attributions, _compare_attributions
from .common import _NORMALISE, _TOKEN, _Analysis
from .names import _compare_names, _names, _same_name
from .numbers import _compare_numbers, _numbers
from .polarity import _ANTONYMS, _NEGATION_CUES, _antonyms, _compare_antonyms, _compare_negations, _negations


@lru_cache(maxsize=8192)
def _analyse(original: str) -> _Analysis:
    """Everything the comparison needs from one sentence."""
    text = original.translate(_NORMALISE)
    words = tuple(_TOKEN.findall(text))
    positions, pos, find = [], 0, text.find
    for w in words:  # tokens cover every non-space character, so each is found right after the previous one
        pos = find(w, pos)
        positions.append(pos)
        pos += len(w)
    starts = tuple(positions)
    lower = tuple(map(str.lower, words))
    vocab = frozenset(lower)
    attributions = _attributions(text, starts, lower, vocab)
    numbers = _numbers(text, starts, words, lower)
    blocked = [m.span for m in attributions] + [m.span for m in numbers]
    names = [m for m in _names(text, starts, words, lower) if all(m.span[1] <= s or m.span[0] >= e for s, e in blocked)]
    return _Analysis(
        text=original,
        starts=starts,
        words=words,
        lower=lower,
        name_vocab=vocab | {w.replace(".", "") for w in vocab if "." in w},
        numbers=tuple(numbers),
        names=tuple(names),
        negations=tuple(_negations(text, starts, words, lower)) if not vocab.isdisjoint(_NEGATION_CUES) else (),
        antonyms=tuple(_antonyms(starts, lower)) if not vocab.isdisjoint(_ANTONYMS) else (),
        attributions=tuple(attributions),
    )


def same_attribution(attribution: str, text: str) -> bool:
    """Whether ``text`` credits something to the source of ``attribution`` (an attribution's own words, as a
    divergence gives them: "KCNA said" and "according to KCNA" credit one source)."""
    mine = _analyse(attribution).attributions
    return any(_same_name(m.key, o.key) for m in mine for o in _analyse(text).attributions)


def find_divergences(a: str, b: str) -> list[Divergence]:
    """The facts that differ between two aligned sentences, with spans relative to each sentence."""
    if a == b:
        return []
    na, nb = _analyse(a), _analyse(b)
    out = (
        _compare_numbers(a, b, na, nb)
        + _compare_names(a, b, na, nb)
        + _compare_negations(a, b, na, nb)
        + _compare_antonyms(a, b, na, nb)
        + _compare_attributions(a, b, na, nb)
    )
    return sorted(out, key=_order)


_KIND_ORDER = {"number": 0, "name": 1, "negation": 2, "antonym": 3, "attribution": 4}


def _order(d: Divergence) -> tuple[int, int, int]:
    return (d.a_span or d.b_span or (0, 0))[0], (d.b_span or (0, 0))[0], _KIND_ORDER[d.kind]


def is_contradiction(divs: Sequence[Divergence]) -> bool:
    """Whether the divergences mean the two sentences do not say the same thing."""
    return any(
        d.kind in ("negation", "antonym") or (d.kind in ("number", "name") and d.change == "changed") for d in divs
    )
