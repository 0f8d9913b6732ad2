"""Stage 8: which article of a pair is the likely original, and why.

Each kind of evidence votes for one side with a weight; the side with a clear lead is named the source.
When the votes tie or nearly tie, the source is ``None``: we would rather say "undecided" than guess.

1. dates: the earlier publication date (weight 4: a text cannot copy one published after it, so only stronger
   evidence the other way, two or more attributions kept against it, leaves the pair undecided);
2. attribution: the side that keeps an attribution ("told AFP") the other dropped (weight 2 each, max 4);
3. specificity: the side that has numbers and names the other dropped (weight 1);
4. containment: the side that holds most of the other while the other holds less of it (weight 1).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Article, Divergence

DECISIVE_MARGIN = 2


def attribute_source(
    a: Article, b: Article, coverage_a: float, coverage_b: float, divergences: Sequence[Divergence]
) -> tuple[str | None, list[str]]:
    """Return the id of the likely source (or None) and the reasons that favour it."""
    votes: list[tuple[int, int, str]] = []  # (side: +1 = a, -1 = b, weight, reason)

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
    for side in (1, -1):
        facts = [
            (d.a_text if side == 1 else d.b_text)
            for d in divergences
            if d.kind in ("number", "name") and kept.get(d.change) == side
        ]
        other = [d for d in divergences if d.kind in ("number", "name") and kept.get(d.change) == -side]
        if len(facts) > len(other):
            shown = ", ".join(f"“{f}”" for f in facts[:3])
            votes.append((side, 1, f"more specific: has {shown} where the other has less"))
    # 4. containment
    if coverage_b - coverage_a >= 0.2 and coverage_b >= 0.6:
        votes.append((1, 1, f"contains {coverage_b:.0%} of the other, which holds {coverage_a:.0%} of it"))
    elif coverage_a - coverage_b >= 0.2 and coverage_a >= 0.6:
        votes.append((-1, 1, f"contains {coverage_a:.0%} of the other, which holds {coverage_b:.0%} of it"))

    balance = sum(side * weight for side, weight, _ in votes)
    if abs(balance) < DECISIVE_MARGIN:
        # undecided: show the evidence on each side, named
        return None, [f"{a.id if side == 1 else b.id} {reason}" for side, _, reason in votes]
    winner = 1 if balance > 0 else -1
    return (a.id if winner == 1 else b.id), [reason for side, _, reason in votes if side == winner]
