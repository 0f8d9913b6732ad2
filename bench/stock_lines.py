"""What cleaning's line rules take from a collection, and the repeated sentences that name nothing, from which
``classify.STOCK_WORDS`` was read (docs/quality.md).

    python bench/stock_lines.py ../shared/data/news-stories-dev/gva.jsonl [more files or folders]

Prints, per reason of the line rules (``boilerplate.judge``), the lines and pages it removes; then the sentences of
reporting that three or more articles carry as a line of their own (not boilerplate by repetition) and that name
nothing (no specific fact), with the number of articles and their words of letters, longest first.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from sourcetrace.settings import Settings
from sourcetrace.stages.align import lettered_words
from sourcetrace.stages.boilerplate import judge
from sourcetrace.stages.clean import paragraph_counts, paragraph_lines
from sourcetrace.stages.divergences.facts import sentence_facts
from sourcetrace.stages.ingest import read_articles

LEAST = 3  # articles, as clean.repeated_paragraphs


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    articles, _ = read_articles([Path(p) for p in argv], Settings.load().ingest)
    lines, pages = Counter[str](), Counter[str]()
    first: dict[str, str] = {}
    for article in articles:
        found = paragraph_lines(article)
        reasons = [why for why in map(judge, found.values()) if why]
        lines.update(reasons)
        pages.update(set(reasons))
        for key, line in found.items():
            first.setdefault(key, line)
    print(f"{len(articles)} articles; lines and pages removed by each line rule:")
    for why, n in lines.most_common():
        print(f"  {why}: {n} lines on {pages[why]} pages")
    stock = sorted(
        (lettered_words(first[key]), n, first[key])
        for key, (n, boilerplate) in paragraph_counts(articles).items()
        if n >= LEAST and not boilerplate and not any(f.specific for f in sentence_facts(first[key]))
    )
    print(f"{len(stock)} sentences of reporting in {LEAST} or more articles that name nothing (words, articles):")
    for words, n, line in reversed(stock):
        print(f"  {words:3d} {n:4d}  {line[:100]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
