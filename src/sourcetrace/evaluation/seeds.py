"""The expectations of the bundled seeds (examples/seeds), checked as a list."""

from __future__ import annotations

import time
from pathlib import Path

from ..describe import shown_strength
from ..pipeline import Models, scan
from ..settings import Settings
from .common import REUSE, Log
from .results import Evaluation, Table


def evaluate_seeds(path: str | Path, settings: Settings, models: Models, log: Log | None = None) -> Evaluation:
    """The expectations of the bundled seeds (examples/seeds), as a checklist."""
    started = time.perf_counter()
    result = scan([path], settings, models)

    def short(ident: str) -> str:
        return ident.split("_")[0]

    pairs = {frozenset((short(p.a), short(p.b))): p for p in result.pairs}
    rows: list[tuple[object, ...]] = []
    rewrite = pairs.get(frozenset(("000", "001")))
    rows.append(
        ("000 and 001: rewrite", bool(rewrite and rewrite.relation == "rewrite"), str(rewrite and rewrite.relation))
    )
    source = short(rewrite.source) if rewrite and rewrite.source else None
    rows.append(("001 named the source", source == "001", str(source)))
    cov = (rewrite.coverage_a if short(rewrite.a) == "000" else rewrite.coverage_b) if rewrite else 0.0
    rows.append(("000 covered by 001 at least 0.8", cov >= 0.8, f"{cov:.2f}"))
    divs = rewrite.divergences if rewrite else []
    texts = " ".join(f"{d.a_text} {d.b_text}" for d in divs)
    rows.append(
        (
            "dropped attribution or changed figure reported",
            bool({d.kind for d in divs} & {"attribution", "number"}) and ("AFP" in texts or "twice" in texts),
            ", ".join(sorted({f"{d.kind} {d.change}" for d in divs})) or "none",
        )
    )
    # 003 rewords a few of 001's sentences in 001's order beside its quotations: partial reuse, which may be named
    # a rewrite of the shorter 003 as long as it is clearly weaker than the sentence-by-sentence rewrite 000
    p = pairs.get(frozenset(("001", "003")))
    found = f"{p.relation} {shown_strength(p.score)}" if p else "no pair"
    weaker = p is not None and rewrite is not None and p.score < rewrite.score / 2
    partial = p is not None and (p.relation in ("excerpt", "shared-quotes") or (p.relation == "rewrite" and weaker))
    rows.append(("001 and 003: partial reuse, weaker than 000-001", partial, found))
    for x, y in (("000", "003"), ("002", "004")):
        p = pairs.get(frozenset((x, y)))
        found = str(p.relation) if p else "no pair"
        rows.append((f"{x} and {y}: excerpt or shared-quotes", found in ("excerpt", "shared-quotes"), found))
    crossing = [
        f"{x}-{y} {p.relation}"
        for x in ("000", "001", "003")
        for y in ("002", "004")
        if (p := pairs.get(frozenset((x, y)))) and p.relation in REUSE
    ]
    rows.append(("no copy, rewrite or excerpt across the two events", not crossing, ", ".join(crossing) or "none"))
    stories = {frozenset(short(a) for a in s.articles) for s in result.stories}
    rows.append(
        (
            "stories: {000 001 003} and {002 004}",
            stories == {frozenset({"000", "001", "003"}), frozenset({"002", "004"})},
            " | ".join(" ".join(sorted(s)) for s in sorted(stories, key=sorted)),
        )
    )
    removed = " ".join(r.text for a in result.articles for r in a.removed)
    missing = [
        w for w in ("we have a small favor to ask", "Support The Moscow Times!", "Connect with us") if w not in removed
    ]
    rows.append(("boilerplate removed (donation appeal, share prompts)", not missing, "; ".join(missing) or "all"))
    dates = {short(a.id): a.date for a in result.articles}
    rows.append(("003 dated 2023-09-15", dates.get("003") == "2023-09-15", str(dates.get("003"))))
    passed = sum(1 for r in rows if r[1])
    return Evaluation(
        "seeds",
        f"the five bundled reports; {passed} of {len(rows)} expectations met",
        {"checks_passed": passed / len(rows)},
        [Table("Seeds: expectations", ("expectation", "met", "found"), rows)],
        time.perf_counter() - started,
    )
