"""Stage 2: take boilerplate out of raw article text and fill in the title and date the text reveals.

Rules (:mod:`.boilerplate`) work line by line (a line is a paragraph or a heading), so a rule can only ever remove
a whole line, never part of a sentence. Lines are kept in their blocks: blank-line breaks stay "\\n\\n", single
breaks "\\n".
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..records import Article, Removal
from .boilerplate import TERMINAL, extend_appeal, judge, reads_as_boilerplate
from .dates import parse_date
from .headline import REPRINT_HEADLINE_WORDS, mentions_headline
from .ingest import normalise_text

# ---------------------------------------------------------------------------------------------------------------
# Collection-level boilerplate


class RepeatedParagraphs(frozenset[str]):
    """Normalised paragraphs taken as boilerplate, with the number of articles each was found in."""

    counts: dict[str, int]

    def __new__(cls, counts: Mapping[str, int] | None = None) -> RepeatedParagraphs:
        self = super().__new__(cls, counts or {})
        self.counts = dict(counts or {})
        return self

    def __reduce__(self) -> tuple[type, tuple[dict[str, int]]]:
        # sent to worker processes: rebuild from the counts, not from the bare set
        return (type(self), (self.counts,))


def paragraph_key(line: str) -> str:
    """The form under which a paragraph is compared across articles (case, spacing and quote style ignored)."""
    line = unicodedata.normalize("NFC", line).translate(_QUOTE_STYLE)
    return _SPACE_RUN.sub(" ", line).strip().casefold()


def repeated_paragraphs(articles: Sequence[Article], min_articles: int = 3) -> frozenset[str]:
    """Paragraphs found in at least ``min_articles`` articles that read as boilerplate, not as reporting.

    A news paragraph copied into several articles is what the later stages look for, so recurring paragraphs
    count only when they speak to the reader (we/you/our outside quotations, an imperative such as "Click here" or
    "listen to ... here", a call for tips: "Anyone with information ...") or are not sentences at all (no closing
    punctuation, or four words at most: banners, headings, widget labels).
    """
    return merge_paragraph_counts([paragraph_counts(articles)], min_articles)


def paragraph_lines(article: Article) -> dict[str, str]:
    """The article's distinct paragraphs: :func:`paragraph_key` -> the first line with that key."""
    lines: dict[str, str] = {}
    for line in _normalise(article.text).split("\n"):
        if line:
            lines.setdefault(paragraph_key(line), line)
    return lines


def paragraph_counts(articles: Sequence[Article]) -> dict[str, tuple[int, bool]]:
    """Each paragraph key of ``articles``: in how many of them, and whether its first line reads as boilerplate.

    Counted per part of a collection (a worker's share), then merged in order by :func:`merge_paragraph_counts`.
    """
    found: dict[str, list[Any]] = {}
    for article in articles:
        for key, line in paragraph_lines(article).items():
            entry = found.get(key)
            if entry is None:
                found[key] = [1, line]
            else:
                entry[0] += 1
    return {key: (n, reads_as_boilerplate(line)) for key, (n, line) in found.items()}


def merge_paragraph_counts(parts: Iterable[Mapping[str, tuple[int, bool]]], min_articles: int = 3) -> frozenset[str]:
    """:func:`repeated_paragraphs` from the counts of the parts of a collection, in collection order."""
    counts: dict[str, int] = {}
    boilerplate: dict[str, bool] = {}
    for part in parts:
        for key, (n, flag) in part.items():
            counts[key] = counts.get(key, 0) + n
            boilerplate.setdefault(key, flag)  # the first line in the collection decides
    least = max(min_articles, 2)
    return RepeatedParagraphs({key: n for key, n in counts.items() if n >= least and boilerplate[key]})


# ---------------------------------------------------------------------------------------------------------------
# Cleaning

_SPACE_RUN = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# A full stop (or ! ?) after a word or a figure, maybe a closing quotation mark, then at once a capital or an
# opening mark: two paragraphs run together by scraping ("...corpses.The coroner..."). Two lower-case letters (or a
# figure) before the stop, so that "U.S.A" and "Mr.Smith" stay whole; a title or number opening the line ("Gov.Brown
# signed", "2.Bundesliga") stays with what follows it.
_RUN_TOGETHER = re.compile(r"(?:[a-zß-ÿ]{2}|\d)[.!?][”’\"]?(?=[“‘]?[A-Z])")
FRAGMENT = re.compile(r"[-–—\s]*(?:[A-Z][a-z]{0,3}|\d{1,3})\.")  # a title or number with its stop ("Gov.", "2.")


def _run_apart(line: str) -> list[str]:
    """The paragraphs a line holds (one unless scraping ran paragraphs together)."""
    cuts = [m.end() for m in _RUN_TOGETHER.finditer(line) if not FRAGMENT.fullmatch(line, 0, m.end())]
    return [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]


# a date line that tells when the page last changed, not when it was published: used only when no other is found
_LATER_DATE = re.compile(r"\W*(?:last\s+)?(?:updated|modified|edited|changed)\b", re.I)
_INVISIBLE = re.compile(r"[\u200b\u200c\u2060\ufeff\u00ad]")
_QUOTE_STYLE = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


def _normalise(text: str) -> str:
    text = _INVISIBLE.sub("", normalise_text(text))
    return "\n".join(part for line in text.split("\n") for part in _run_apart(_SPACE_RUN.sub(" ", line).strip()))


def clean(article: Article, repeated: frozenset[str] = frozenset(), headline: str | None = None) -> Article:
    """A copy of ``article`` with boilerplate removed (and listed in ``removed``) and title/date filled when missing.

    ``headline``: the one the file gives (not one cleaning took from the text), which a text made only of
    paragraphs other articles carry must mention to count as a reprint of them.

    1. normalise: NFC, line ends, runs of spaces, invisible characters; paragraphs run together apart
    2. judge every line: repeated across articles, boilerplate rules, a donation appeal running to the end
    3. rejoin the kept lines of each block, undoing hard wrapping; blocks stay apart by a blank line
    4. take the title: a short first line standing alone (when the metadata has none), dropping copies of it
    """
    # 1.
    blocks = [block.split("\n") for block in re.split(r"\n{2,}", _normalise(article.text).strip("\n"))]
    units = [(b, line) for b, block in enumerate(blocks) for line in block if line]
    lines = [line for _, line in units]

    # 2.
    counts: Mapping[str, int] = getattr(repeated, "counts", {})
    reasons: list[str | None] = []
    for line in lines:
        key = paragraph_key(line) if repeated else ""
        if key in repeated:
            n = counts.get(key)
            reasons.append(f"repeated across {n} articles" if n else "repeated across articles")
        else:
            reasons.append(judge(line))
    if (
        all(reasons)
        and any(why.startswith("repeated across") for why in reasons if why)
        and mentions_headline(_without(lines, headline), headline, least=REPRINT_HEADLINE_WORDS)
    ):
        # nothing of its own besides text other articles carry too, and about its headline: a reprint, not
        # boilerplate around an article (a login wall carried by many pages may share a word with a headline by
        # chance: "Privacy Policy" and "police")
        reasons = [
            judge(line) if why and why.startswith("repeated across") else why
            for line, why in zip(lines, reasons, strict=True)
        ]
    extend_appeal(lines, reasons)

    date = article.date
    if date is None:
        dated = [line for line, why in zip(lines, reasons, strict=True) if why and "date line" in why]
        found = ((_LATER_DATE.match(line) is not None, parse_date(line)) for line in dated)
        date = min((f for f in found if f[1]), default=(False, None), key=lambda f: f[0])[1]

    # 3.
    kept: dict[int, list[str]] = {}
    for (block, line), why in zip(units, reasons, strict=True):
        if why is None:
            kept.setdefault(block, []).append(line)
    paragraphs = [_unwrap(block_lines) for block_lines in kept.values()]

    # 4. (after rejoining, so that cleaning the result again finds the same first line)
    title = article.title
    if not title and len(paragraphs) > 1 and len(paragraphs[0]) == 1 and _looks_like_title(paragraphs[0][0]):
        title = paragraphs[0][0]
    if title:
        title_key = paragraph_key(title)
        while paragraphs and paragraph_key(paragraphs[0][0]) == title_key:
            paragraphs[0].pop(0)
            if not paragraphs[0]:
                paragraphs.pop(0)
            else:  # what is left is judged again for hard wrapping, as cleaning the result again would
                paragraphs[0] = _unwrap(paragraphs[0])

    return dataclasses.replace(
        article,
        text="\n\n".join("\n".join(block_lines) for block_lines in paragraphs),
        title=title,
        date=date,
        removed=[*article.removed, *_removals(lines, reasons)],
        sentences=[],
    )


def clean_all(articles: Sequence[Article], min_articles: int = 3) -> list[Article]:
    """Clean a collection (as read, each with the headline its file gives), treating paragraphs that recur across
    ``min_articles`` articles as boilerplate."""
    repeated = repeated_paragraphs(articles, min_articles)
    return [clean(article, repeated, article.title) for article in articles]


def _without(lines: Sequence[str], headline: str | None) -> str:
    """The lines but those that repeat the headline, joined: what the text says beside its headline."""
    key = paragraph_key(headline) if headline else None
    return " ".join(line for line in lines if paragraph_key(line) != key)


def _looks_like_title(line: str) -> bool:
    words = len(line.split())
    return (
        1 <= words <= 20
        and len(line) <= 200
        and not re.search(r"[.:;,][\"”’')\]]*$", line)
        and any(c.isalpha() for c in line)
        and not line[0].islower()
    )


def _unwrap(lines: list[str]) -> list[str]:
    """Re-join lines broken by a fixed line width; lines that are paragraphs of their own stay apart."""
    while True:
        if _hard_wrapped(lines):
            return [_join(lines)]
        out = [lines[0]]
        for line in lines[1:]:
            if line[0].islower() and not TERMINAL.search(out[-1]):
                out[-1] = _join([out[-1], line])
            else:
                out.append(line)
        if out == lines:
            return out
        lines = out


def _hard_wrapped(lines: list[str]) -> bool:
    """Three or more lines of about the same width, most of them breaking off mid-sentence."""
    body = lines[:-1]
    if len(body) < 2:
        return False
    width = max(len(line) for line in body)
    near_width = sum(len(line) >= 0.7 * width for line in body)
    open_ended = sum(not TERMINAL.search(line) for line in body)
    return near_width >= 0.8 * len(body) and open_ended >= 0.6 * len(body)


def _join(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        # a word hyphenated at the break ("Korea-\nRussia") is joined without a space
        text = text + line if text.endswith("-") and not text.endswith(" -") else f"{text} {line}"
    return text


def _removals(lines: Sequence[str], reasons: Sequence[str | None]) -> list[Removal]:
    """One Removal per run of neighbouring lines removed for the same reason."""
    out: list[Removal] = []
    run: list[str] = []
    current: str | None = None
    for line, why in zip(lines, reasons, strict=True):
        if why != current and run:
            out.append(Removal("\n".join(run), current or ""))
            run = []
        current = why
        if why is not None:
            run.append(line)
    if run:
        out.append(Removal("\n".join(run), current or ""))
    return out
