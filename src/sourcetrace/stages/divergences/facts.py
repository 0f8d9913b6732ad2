"""The facts API: the numbers and names of one sentence, read the way the divergence rules read them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...records import Span
from .analysis import _analyse


@dataclass(frozen=True, slots=True)
class Fact:
    """A number or a name in one sentence, with a key that is equal wherever the same fact is written."""

    kind: str  # "number" or "name"
    text: str  # as written, with the unit word when the number has one ("15 people")
    key: tuple[Any, ...]  # number: (value, category, unit); name: its lower-case tokens
    specific: bool  # means something alone: a name, or a number with a unit, a date, money, a percentage...
    span: Span = (0, 0)  # in the sentence


_BARE_NUMBERS = frozenset(("plain", "ordinal", "approx", "ratio"))
_NEXT_WORD = re.compile(r"[\s-]+[^\W\d_]+")


def sentence_facts(sentence: str) -> list[Fact]:
    """The numbers and names of a sentence, as the divergence rules see them (so that counting the reports that
    carry a fact and telling where they differ use one reading of the text)."""
    analysis = _analyse(sentence)
    out = []
    for m in analysis.numbers:
        text = sentence[m.span[0] : m.span[1]]
        unit = m.extra if isinstance(m.extra, str) else None
        after = _NEXT_WORD.match(sentence, m.span[1]) if unit and unit not in text.lower() else None
        shown = text + after.group() if after else text  # the unit as written: "three days"
        specific = bool(unit) or m.kind not in _BARE_NUMBERS
        out.append(Fact("number", shown, (m.key, m.kind, unit), specific, m.span))
    for m in analysis.names:
        out.append(Fact("name", sentence[m.span[0] : m.span[1]], tuple(m.key), True, m.span))
    return out
