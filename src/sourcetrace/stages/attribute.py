"""Stage 8: which article of a pair is the likely original, and why.

Each kind of evidence votes for one side with a weight; the side with a clear lead is named the source.
When the votes tie or nearly tie, the source is ``None``: we would rather say "undecided" than guess.

1. dates: the earlier publication date (weight 4: a text cannot copy one published after it; evidence of 3 or more
   the other way, such as an attribution kept against it and one specific more, leaves the pair undecided);
2. attribution: the side that keeps an attribution ("told AFP") the other dropped (weight 2 each, max 4);
3. specificity: the side that has numbers and names the other dropped (weight 1; 2 when it has two or more
   distinct ones more than the other: a rewrite or condensation loses specifics);
4. containment: the side that holds the other while the other holds less of it, by 0.2 of the covered text or more
   (weight 2: what is condensed or excerpted is covered by its source more than it covers it). Both 3. and 4. point
   to the fuller text; where a later article expands a short original, only the dates tell them apart.

A divergence is found between two aligned sentences; what one of them lacks counts as dropped only when the other
article says it nowhere (a text that merges two sentences of its source moves "told reporters" from one to the
other: neither side dropped it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Article, Divergence

DECISIVE_MARGIN = 2


def attribute_source(
    a: Article, b: Article, coverage_a: float, coverage_b: float, divergences: Sequence[Divergence]
) -> tuple[str | None, list[str]]:
    """Return the id of the likely source (or None) and the reasons that favour it."""
    votes: list[tuple[int, int, str]] = []  # (side: +1 = a, -1 = b, weight, reason)
    texts = {1: _plain(a.text), -1: _plain(b.text)}
    divergences = [d for d in divergences if not _said_by_both(d, texts)]

    # 1. dates
    if a.date and b.date and a.date != b.date:
        earlier, later = (a, b) if a.date < b.date else (b, a)
        votes.append((1 if earlier is a else -1, 4, f"published earlier ({earlier.date} before {later.date})"))
    # 2. attribution kept vs dropped
    kept = {"dropped": 1, "added": -1}
    for side in (1, -1):
        phrases = sorted(
            {
                (d.a_text if side == 1 else d.b_text) or ""
                for d in divergences
                if d.kind == "attribution" and kept.get(d.change) == side
            }
            - {""}
        )
        if phrases:
            shown = ", ".join(f"“{p}”" for p in phrases[:3])
            votes.append((side, min(4, 2 * len(phrases)), f"keeps the attribution the other dropped: {shown}"))
    # 3. specificity: facts present on one side only
    facts = {  # distinct, in the order of the text
        side: list(
            dict.fromkeys(
                text
                for d in divergences
                if d.kind in ("number", "name")
                and kept.get(d.change) == side
                and (text := d.a_text if side == 1 else d.b_text)
            )
        )
        for side in (1, -1)
    }
    for side in (1, -1):
        more = len(facts[side]) - len(facts[-side])
        if more > 0:
            shown = ", ".join(f"“{f}”" for f in facts[side][:3])
            votes.append((side, 2 if more >= 2 else 1, f"more specific: has {shown} where the other has less"))
    # 4. containment
    if coverage_b - coverage_a >= 0.2:
        votes.append((1, 2, f"contains {coverage_b:.0%} of the other, which holds {coverage_a:.0%} of it"))
    elif coverage_a - coverage_b >= 0.2:
        votes.append((-1, 2, f"contains {coverage_a:.0%} of the other, which holds {coverage_b:.0%} of it"))

    balance = sum(side * weight for side, weight, _ in votes)
    if abs(balance) < DECISIVE_MARGIN:
        # undecided: show the evidence on each side, named
        return None, [f"{a.id if side == 1 else b.id} {reason}" for side, _, reason in votes]
    winner = 1 if balance > 0 else -1
    return (a.id if winner == 1 else b.id), [reason for side, _, reason in votes if side == winner]


def _said_by_both(d: Divergence, texts: dict[int, str]) -> bool:
    """Whether what one sentence of the pair lacks is said elsewhere in its article (``texts``: casefolded, +1 = a).

    An attribution is said when its article names the same source anywhere ("told the BBC" against "according to
    the BBC"); one that names none ("according to reports") is no evidence either way.
    """
    if d.change not in ("dropped", "added"):
        return False
    kept, lacking = (d.a_text, texts[-1]) if d.change == "dropped" else (d.b_text, texts[1])
    if not kept:
        return False
    words = [_plain(kept)]
    if d.kind == "attribution":  # the source's words, without a possessive ("CNN's" is said where "CNN" is)
        words = [w.removesuffix("'s") for w in _WORD.findall(_plain(kept)) if w not in _ATTRIBUTING]
    # whole words; a number not inside a longer one ("5" is not said by "5,000" or "12" by "12:30")
    return all(re.search(rf"(?<![\w.,:]){re.escape(w)}(?!\w|[.,:]\d)", lacking) for w in words)


def _plain(text: str) -> str:
    """Casefolded, with typographic apostrophes made plain."""
    return text.casefold().replace("’", "'")


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ATTRIBUTING = frozenset(
    """according to told tell tells said says say saying speaking speak spoke talking talked reported reports report
    reporting stated states added wrote writes the a an in interview with statement from of per via on by as
    latest new recent""".split()  # noqa: SIM905
)
