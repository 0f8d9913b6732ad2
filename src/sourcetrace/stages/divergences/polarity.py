"""Polarity: negations one side drops or adds, and opposite words (rose/fell, won/lost) about the same thing."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from ...records import Change, Divergence, Span
from .common import (
    _CLAUSE_END,
    _NORMALISE,
    _STOP,
    _Analysis,
    _context,
    _div,
    _match_by,
    _Mention,
    _pair_up,
    _stem,
    _wordlist,
    _wordset,
)
from .numbers import _NUMBER_WORDS

_NEGATION_WORDS = _wordset("not never no none nobody nothing nowhere neither nor cannot unless t")
_DENIALS = _wordset("deny denies denied denying denial")
_FAILURES = _wordset("refuse refuses refused refusing refusal fail fails failed failing failure unable inability")
_NEGATION_CUES = _NEGATION_WORDS | _DENIALS | _FAILURES
# Words that refuse or deny: a negation on one side is no flip when the other side may word it with one of these.
_SOFT_NEGATION = re.compile(
    r"\b(?:den(?:y|ies|ied|ying|ial)|refus\w*|fail\w*|reject\w*|dismiss\w*|rebuff\w*|declin\w*|unable|inability"
    r"|lack\w*|without|veto\w*|rul(?:e|ed|es|ing)\s+out)\b",
    re.IGNORECASE,
)
# Idioms that contain a negation word but do not negate the claim.
_NOT_NEGATION_AFTER = re.compile(
    r"\s+(?:only|just|least|merely|to\s+mention|matter|doubt|sooner|less\s+than|more\s+than|later\s+than|other\s+than"
    r"|until|but)\b"
    r"|\.\s*[0-9]|-",
    re.IGNORECASE,
)
_NOT_NEGATION_BEFORE = re.compile(r"\b(?:whether\s+or|if)\s+$", re.IGNORECASE)

# Directional opposites: group -> (one side, the other side). Inflections are listed, not derived.
_ANTONYM_GROUPS: dict[str, tuple[str, str]] = {
    "direction": (
        "rise rises rising rose risen increase increases increased increasing climb climbs climbed climbing gain gains "
        "gained gaining grow grows grew grown growing jump jumps jumped jumping surge surges surged surging soar soars "
        "soared soaring rally rallies rallied rallying raise raises raised raising hike hikes hiked boost boosts "
        "boosted boosting expand expands expanded expanding higher highest up",
        "fall falls fell fallen falling decrease decreases decreased decreasing decline declines declined declining "
        "drop drops dropped dropping lose loses lost losing shrink shrinks shrank shrunk shrinking plunge plunges "
        "plunged plunging plummet plummets plummeted plummeting tumble tumbles tumbled tumbling slump slumps slumped "
        "slumping sink sinks sank sunk sinking cut cuts cutting reduce reduces reduced reducing lower lowers lowered "
        "lowering lowest slash slashes slashed slashing down",
    ),
    "amount": ("more greater larger bigger most largest biggest", "fewer less smaller lesser least smallest"),
    "outcome": ("win wins won winning victory victorious", "lose loses lost losing loss defeat defeated"),
    "acceptance": (
        "accept accepts accepted accepting approve approves approved approving approval endorse endorses endorsed",
        "reject rejects rejected rejecting rejection veto vetoes vetoed vetoing refuse refuses refused refusing",
    ),
    "stance": (
        "support supports supported supporting favor favors favored favour favours favoured",
        "oppose opposes opposed opposing opposition",
    ),
    "permission": (
        "allow allows allowed allowing permit permits permitted legalize legalized legalise legalised",
        "ban bans banned banning prohibit prohibits prohibited forbid forbids forbade forbidden outlaw outlawed",
    ),
    "strength": (
        "strengthen strengthens strengthened strengthening strong stronger strongest bolster bolsters bolstered "
        "reinforce reinforced improve improves improved improving",
        "weaken weakens weakened weakening weak weaker weakest undermine undermines undermined worsen worsens "
        "worsened worsening deteriorate deteriorated deteriorating",
    ),
    "verdict": ("convict convicts convicted guilty", "acquit acquits acquitted innocent"),
}


def _antonym_index() -> dict[str, tuple[tuple[str, int], ...]]:
    """Each word with the (group, side) pairs it belongs to ("lost" is both a fall and a defeat)."""
    index: dict[str, tuple[tuple[str, int], ...]] = {}
    for group, sides in _ANTONYM_GROUPS.items():
        for side, words in enumerate(sides):
            for w in _wordlist(words):
                index[w] = (*index.get(w, ()), (group, side))
    return index


_ANTONYMS = _antonym_index()


def _negations(text: str, starts: Sequence[int], words: Sequence[str], lower: Sequence[str]) -> list[_Mention]:
    """Negation cues, each with the stems of the words it negates."""
    out = []
    neither = False
    for k in [k for k, w in enumerate(lower) if w in _NEGATION_CUES]:
        cue = lower[k]
        nxt = lower[k + 1] if k + 1 < len(lower) else ""
        span = (starts[k], starts[k] + len(words[k]))
        if cue == "t":  # "n't": the tokens are "didn", "'", "t"
            if not (k >= 2 and words[k - 1] == "'" and lower[k - 2].endswith("n") and starts[k - 1] == span[0] - 1):
                continue
            span = (span[0] - 2, span[1])
        elif cue in _FAILURES and nxt != "to":
            continue  # "failed attempts" negates nothing
        elif cue == "nor" and neither:
            continue  # "neither ... nor" is one negation
        neither = neither or cue == "neither"
        if (
            _NOT_NEGATION_AFTER.match(text, span[1])
            or _NOT_NEGATION_BEFORE.search(text, max(0, span[0] - 12), span[0])
            or (span[0] > 0 and text[span[0] - 1] == "-")  # "do-not-call", "no-fly"
            or (cue == "no" and nxt == ",")  # the interjection "No, ..."
        ):
            continue
        # The anchor is what is negated: the next content words of the clause.
        anchors: list[str] = []
        j = k + 1
        while j < len(lower) and len(anchors) < 3:
            w = lower[j]
            if w in _CLAUSE_END or (w == "," and anchors):
                break
            if w.isalpha() and w not in _STOP and w not in _AUXILIARIES and len(w) > 1:
                anchors.append(_stem(w))
            j += 1
        out.append(_Mention(span, "neg", "", (k, k), tuple(anchors)))
    return out


_AUXILIARIES = _wordset("t s has have had be been is are was were do does did yet fully entirely")


def _negated_tokens(starts: Sequence[int], lower: Sequence[str], cues: Sequence[_Mention]) -> frozenset[int]:
    """Token indices that fall in the scope of a negation cue (up to the clause end)."""
    out: set[int] = set()
    for cue in cues:
        k = bisect_left(starts, cue.span[1])
        for j in range(k, min(len(lower), k + 8)):
            if lower[j] in _CLAUSE_END:
                break
            out.add(j)
    return frozenset(out)


def _antonyms(starts: Sequence[int], lower: Sequence[str]) -> list[_Mention]:
    """Words of the opposites lexicon, one mention per group they belong to."""
    out = []
    for k, w in enumerate(lower):
        senses = _ANTONYMS.get(w)
        if not senses:
            continue
        prev, nxt = (lower[k - 1] if k > 0 else ""), (lower[k + 1] if k + 1 < len(lower) else "")
        if w in ("up", "down") and (
            not (nxt[:1].isdigit() or nxt in ("by", "from", "$") or nxt in _NUMBER_WORDS)
            or prev in ("gave", "give", "gives", "giving", "given")
        ):
            continue  # only "shares were up 5%", not "set up", "step down" or "gave up 5%"
        if (w.startswith("declin") or w.startswith("refus")) and nxt == "to":
            continue  # "declined to comment" is a refusal, handled as negation
        if (w == "won" and prev[:1].isdigit()) or (w in ("least", "most") and prev == "at"):
            continue  # the Korean currency; "at least" bounds a number, it does not compare
        span = (starts[k], starts[k] + len(w))
        for group, side in senses:
            out.append(_Mention(span, group, str(side), (k, k), w))
    return out


def _compare_negations(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Negations one side has more of, where the other side states the negated words plainly."""
    out = []
    sides: tuple[tuple[_Analysis, _Analysis, Change], ...] = ((na, nb, "dropped"), (nb, na, "added"))
    for this, other, change in sides:
        surplus = len(this.negations) - len(other.negations)
        if surplus <= 0:
            continue
        scope = _negated_tokens(other.starts, other.lower, other.negations)
        free = {_stem(w) for k, w in enumerate(other.lower) if k not in scope and w.isalpha()}
        if _SOFT_NEGATION.search(other.text.translate(_NORMALISE)):
            continue  # the other side may say it with a word ("declined to", "without", "rejected")
        # Only a negation whose negated words the other side keeps, un-negated, is a flip of the same claim.
        flips = [m for m in this.negations if any(anchor in free for anchor in m.extra)]
        for m in flips[:surplus]:
            sa, sb = (m.span, None) if change == "dropped" else (None, m.span)
            out.append(_div("negation", change, a, b, sa, sb))
    return out


def _compare_antonyms(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Opposite words of one group left over on each side, about the same thing."""
    same_word = lambda x, y: x.key == y.key and x.kind == y.kind and x.extra == y.extra  # noqa: E731
    same_side = lambda x, y: x.key == y.key and x.kind == y.kind  # noqa: E731
    only_a, only_b = _match_by(na.antonyms, nb.antonyms, same_word)
    only_a, only_b = _match_by(only_a, only_b, same_side)
    if not (only_a and only_b):
        return []

    def opposite(x: _Mention, y: _Mention) -> float | None:
        """Opposite words of one group, about the same thing (they share words around them)."""
        if x.key != y.key or x.kind == y.kind:
            return None
        shared = len(_context(na.lower, *x.tokens, 4) & _context(nb.lower, *y.tokens, 4))
        return float(shared) if shared else None

    seen: set[tuple[Span, Span]] = set()
    out = []
    for i, j in _pair_up(only_a, only_b, opposite):
        spans = (only_a[i].span, only_b[j].span)
        if spans not in seen:  # a word in two groups ("lost") is one divergence
            seen.add(spans)
            out.append(_div("antonym", "changed", a, b, *spans))
    return out
