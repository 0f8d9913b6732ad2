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
5. wording: the side that writes the words language models favour less often, outside quotations, by one in 200
   words or more (weight 1; 2 when the other uses two or more of them: a model's rewrite says "additionally",
   "individuals" and "stated" where news says "also", "people" and "said", while one such word used again and
   again, as a police statement's "stated", is a house style; :data:`MACHINE_WORDS`).

A divergence is found between two aligned sentences; what one of them lacks counts as dropped only when the other
article says it nowhere (a text that merges two sentences of its source moves "told reporters" from one to the
other: neither side dropped it). A change here changes the sources a store holds: bump
``store.index.SCORING_VERSION`` with it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..records import Article, Divergence
from .align import unquoted_text

DECISIVE_MARGIN = 2
MACHINE_WORDS = frozenset(
    # Words that studies of text written by language models find in excess (Kobak et al. 2024, "Delving into
    # ChatGPT usage in academic writing through excess vocabulary"; Liang et al. 2024, "Monitoring AI-modified
    # content at scale"), and the verbs of saying a model puts in place of the "said" of news style. Written down
    # before it was measured on any rewrite, and not changed after (docs/quality.md).
    """additionally furthermore moreover notably notable crucial pivotal significant significantly comprehensive
    intricate realm delve delves delving showcasing showcased underscores underscored underscoring highlights
    highlighted highlighting emphasized emphasizes emphasizing stated stating remarked expressed expressing
    individuals various ensuring amidst garnered""".split()  # noqa: SIM905
)
MACHINE_RATE = 5.0  # per 1,000 words: one in 200 words more than the other text is a vote


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

    # 5. wording
    rates = {1: machine_wording(a), -1: machine_wording(b)}
    for side in (1, -1):
        (rate, words), (other, _) = rates[-side], rates[side]
        if rate - other >= MACHINE_RATE:
            shown = ", ".join(f"“{w}”" for w in words[:3])
            share = f"{rate:.0f} in 1,000 words; this {other:.0f}"
            reason = f"the other uses words language models favour: {shown} ({share})"
            votes.append((side, 2 if len(words) >= 2 else 1, reason))

    balance = sum(side * weight for side, weight, _ in votes)
    if abs(balance) < DECISIVE_MARGIN:
        # undecided: show the evidence on each side, named
        return None, [f"{a.id if side == 1 else b.id} {reason}" for side, _, reason in votes]
    winner = 1 if balance > 0 else -1
    return (a.id if winner == 1 else b.id), [reason for side, _, reason in votes if side == winner]


def machine_wording(article: Article) -> tuple[float, list[str]]:
    """How often ``article`` writes a word of :data:`MACHINE_WORDS` outside quotations (per 1,000 words of letters),
    and those words, most frequent first."""
    words = [w.casefold() for s in article.sentences for w in _LETTERS.findall(unquoted_text(s))]
    found = Counter(w for w in words if w in MACHINE_WORDS)
    return 1000 * found.total() / max(len(words), 1), [w for w, _ in found.most_common()]


_LETTERS = re.compile(r"[^\W\d_]+")


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
