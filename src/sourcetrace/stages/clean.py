"""Stage 2: take boilerplate out of raw article text and fill in the title and date the text reveals.

Rules work line by line (a line is a paragraph or a heading), so a rule can only ever remove a whole line,
never part of a sentence. Lines are kept in their blocks: blank-line breaks stay "\\n\\n", single breaks "\\n".
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..records import Article, Removal
from .dates import ANY_DATE, parse_date
from .headline import REPRINT_HEADLINE_WORDS, mentions_headline

# ---------------------------------------------------------------------------------------------------------------
# Boilerplate rules

_I = re.I

# Short pieces that boilerplate lines are made of (" date 2023-09-15 Connect with us", "Share | Tweet | Email").
# A line consisting only of such pieces, with separators between them, is removed.
_NETWORK = (
    r"(?:facebook|twitter|x|whatsapp|telegram|linkedin|reddit|instagram|youtube|tiktok|vk|viber|pinterest"
    r"|threads|bluesky|mastodon|flipboard|messenger|e-?mail)"
)
_TIME = (
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?:gmt|utc|bst|cet|cest|eet|eest|msk|edt|est|cdt|cst|mdt|mst|pdt|pst|kst|jst|ist|aest|aedt|hkt|sgt)"
    r"(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_DATE_WORDS = r"(?:date|dated|published|updated|posted|modified|released|last\s+updated|first\s+published)(?:\s+on)?"
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_DATE_PIECE = (
    rf"(?:{_DATE_WORDS}\s*:?\s*)?(?:{_WEEKDAY},?\s*)?{ANY_DATE}"
    rf"(?:T[\d:.]+(?:Z|[+-]\d{{2}}:?\d{{2}})?)?(?:,?\s*(?:at\s+)?{_TIME})?"
)
_PIECES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(rf"(?:{pattern})(?!\w)", _I))
    for reason, pattern in (
        ("date line", _DATE_PIECE),
        ("date line", rf"(?:at\s+)?{_TIME}"),
        ("date line", rf"{_DATE_WORDS}\s*:?"),
        ("reading time", r"\d+\s+min(?:ute)?s?(?:\s+read)?"),
        (
            "share prompt",
            rf"(?:connect|follow)\s+(?:with\s+)?us(?:\s+on\s+(?:social(?:\s+media)?|{_NETWORK}(?:\s*(?:,|and|&)\s*{_NETWORK})*))?"
            rf"|share\s+(?:this|the)\s+(?:article|story|post|page|video)(?:\s+on\s+{_NETWORK})?"
            rf"|share(?:\s+on\s+{_NETWORK})?|(?:like|join|find)\s+us\s+on\s+{_NETWORK}|{_NETWORK}|copy\s+link|print"
            r"|tweet|comments?(?:\s*\(\d+\))?",
        ),
        (
            "read-more link",
            r"read\s+(?:more|also|next)|continue\s+reading|see\s+also|more\s+on\s+this\s+(?:story|topic)"
            r"|related(?:\s+(?:articles?|stories|news|content|coverage|topics|reading))?"
            r"|recommended(?:\s+(?:for\s+you|stories|articles))?|most\s+(?:read|popular|viewed)"
            r"|you\s+may\s+also\s+like|more\s+stories|top\s+stories|latest\s+news",
        ),
        (
            "advertisement",
            r"advertisement|advert|ad|sponsored(?:\s+content)?|promoted(?:\s+content)?|partner\s+content"
            r"|scroll\s+(?:down\s+)?to\s+continue(?:\s+reading)?(?:\s+with\s+content)?",
        ),
        (
            "navigation",
            r"home(?:page)?|menu|search|skip\s+to\s+(?:main\s+)?content|sign\s+in|log\s*in|back\s+to\s+top|close",
        ),
        ("subscription prompt", r"subscribe(?:\s+now|\s+today)?|already\s+a\s+subscriber\??"),
    )
)
_PIECE_GAP = re.compile(r"[\s|•·,;:/\\–—\-()\[\]]*")

# Donation appeals. A strong marker is enough on its own; weak markers only extend an appeal already started.
# Searched in lower-cased text (several times faster than a case-insensitive pattern in Python's engine).
_APPEAL_STRONG = re.compile(
    r"we\s+have\s+a\s+(?:small\s+)?favou?r\s+to\s+ask|support\s+us\s+(?:monthly|today|now|with|by)"
    r"|(?:make|making)\s+a\s+(?:one[-\s]time\s+|monthly\s+|recurring\s+|small\s+|tax-deductible\s+)?(?:donation|contribution|gift)"
    r"|donate\s+(?:now|today|here|monthly|to\s+us)|become\s+a\s+(?:member|supporter|patron|donor|paying\s+subscriber)"
    r"|not\s+ready\s+to\s+(?:support|donate|contribute|give)|remind\s+me\s+later|pa[iy]ment\s+methods?"
    r"|(?:support|fund)\s+(?:our|independent)\s+(?:journalism|reporting|newsroom|work|media)"
    r"|(?:choose|select)\s+(?:an?\s+|your\s+)?(?:amount|contribution)"
    r"|(?:one[-\s]time|monthly|annual|yearly|recurring)\s+(?:donation|contribution|gift)"
    r"|please\s+support\s+(?:us|our)|your\s+(?:donation|contribution)s?\s+(?:helps?|will|makes?|keeps?)"
    r"|if\s+you\s+(?:can|value|like|appreciate|enjoyed?)\b[^.]{0,80}\b(?:support|donat|contribut)"
)
_APPEAL_BANNER = re.compile(
    r"^(?:(?i:support)\s+(?:(?i:the\s+)?[A-Z][\w’'.&-]*(?:\s+[A-Z][\w’'.&-]*){0,4}\s*!"
    r"|(?i:us|our\s+\w+|independent\s+\w+)\s*[!.]?)|(?i:donate|give\s+now)\s*[!.]?)$",
)
_APPEAL_WEAK = re.compile(
    r"\b(?:your\s+(?:support|help|contribution|donation|generosity|gift)|need\s+your\s+(?:help|support)"
    r"|our\s+(?:journalism|journalists|mission|newsroom|reporting|readers|work|independence|commitment)"
    r"|independent,?\s+(?:journalism|media|news|reporting)|readers\s+like\s+you|donat\w*|contribut\w*"
    r"|subscri\w+|thank\s+you|support\s+us)\b",
    _I,
)

_AGENCY = (
    r"(?:TASS|AFP|Reuters|AP|EPA(?:-EFE)?|Getty(?:\s+Images)?|Sputnik|RIA\s+Novosti|Yonhap|Xinhua|KCNA|Kremlin(?:\.ru)?"
    r"|Bloomberg|Shutterstock|Alamy|ANP|DPA|Anadolu|Pool|Handout|Wikimedia\s+Commons)"
)
_CAP = r"[A-Z][\w’'.&-]*"
# (reason, pattern searched in the line, most words the line may have, whether the line is lower-cased first)
_LINE_RULES: tuple[tuple[str, re.Pattern[str], int, bool], ...] = tuple(
    # a case-insensitive pattern with no capitals of its own is searched in lower-cased text: the same matches
    (reason, re.compile(pattern, flags & ~_I), words, True)
    if flags & _I and pattern == pattern.lower()
    else (reason, re.compile(pattern, flags), words, False)
    for reason, pattern, flags, words in (
        ("photo caption", rf"(?:^|\s)[/|]\s*{_AGENCY}(?:\s*/\s*{_CAP})*\.?\)?$", 0, 40),
        # "... Mikhail Metzel / TASS": a photographer's full name, then the agency
        ("photo caption", rf"\b{_CAP}(?:\s+{_CAP}){{1,3}}\s?/\s?{_CAP}(?:\s?/\s?{_CAP})*(?:\s+{_CAP}){{0,2}}$", 0, 40),
        ("photo caption", rf"\b(?:{_AGENCY}|{_CAP})\s+via\s+{_AGENCY}\.?\)?$", 0, 40),
        (
            "photo caption",
            r"\((?:AP|AFP|Reuters|EPA|Getty\s+Images|[A-Z]{2,5})?\s*Photos?\s*(?:/|:|by\b)[^)]*\)$",
            _I,
            40,
        ),
        (
            "photo caption",
            r"^(?:photo(?:graph)?s?|image|picture|pic|credit|photo\s+credit|image\s+(?:source|caption|credit)|caption"
            r"|file\s+photo|illustration)\s*(?:by\b|[:|,—–-])|^view\s+(?:full\s+)?caption\b|^buy\s+photo\b",
            _I,
            40,
        ),
        (
            "photo caption",
            r"(?:getty\s+images|shutterstock|alamy(?:\s+stock\s+photo)?|wikimedia\s+commons)\)?\.?$",
            _I,
            30,
        ),
        (
            "copyright notice",
            r"^\(?(?:source:[^)]{0,80}?|tm\s+and\s+)?(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}|\.|$))",
            _I,
            30,
        ),
        # the long forms of wire copy: "... All Rights Reserved. This material may not be published, broadcast ..."
        (
            "copyright notice",
            r"\ball\s+rights\s+reserved\.?\)?$|\bmay\s+not\s+be\s+(?:re)?published,?\s+broadcast",
            _I,
            60,
        ),
        (
            "update notice",
            r"^this\s+(?:is\s+an?\s+)?(?:developing|breaking)\s+(?:news\s+)?story\b"
            r"|^this\s+story\s+(?:is\s+developing|will\s+be\s+updated|may\s+be\s+updated)"
            r"|(?:^|[.!?]\s+)check\s+back\s+(?:later\s+|soon\s+)?for\s+(?:more\s+|the\s+latest\s+)?"
            r"(?:updates|details|information)\b"
            r"|^stay\s+with\s+\S+(?:\s+\S+){0,4}?\s+for\s+(?:more(?!\s+than)|the\s+latest|updates)\b",
            _I,
            25,
        ),
        (  # a reporter's address or number, not reporting ("..., police said")
            "contact line",
            r"^(?!.*\b(?:said|says)\b)(?:contact|call|e-?mail|reach|write\s+to)\s+[^.]{0,80}?"
            r"(?:[\w.+-]+@[\w-]+\.\w|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4})",
            _I,
            30,
        ),
        ("navigation", r"^[^.!?]{1,40}?(?:\s*[>»›]\s*[^.!?>»›]{1,40}){1,}$", 0, 15),
        ("navigation", r"^home\s*[|/»›>]", _I, 15),
        ("navigation", r"^[\w’'&-]+(?:\s[\w’'&-]+){0,3}(?:\s+[|•]\s+[\w’'&-]+(?:\s[\w’'&-]+){0,3}){2,}$", 0, 15),
        (
            "cookie notice",
            r"^(?=.*\bcookies?\b)(?=.*(?:\bwe\s+use\b|\bsite\s+uses\b|\baccept|\bconsent|cookie\s+(?:policy|settings|preferences|notice)"
            r"|\bby\s+(?:continuing|using)\b|privacy\s+policy))",
            _I,
            80,
        ),
        (
            "newsletter sign-up",
            r"^(?=.*\bnewsletters?\b)(?=.*\b(?:sign\s*up|subscribe|get|receive|delivered|inbox|e-?mail|register|join)\b)",
            _I,
            40,
        ),
        ("newsletter sign-up", r"\benter\s+your\s+e-?mail\b|^sign\s+up\s+(?:now|today|for|to)\b", _I, 25),
        (  # "Close Get email notifications on <a reporter> daily!", "Email notifications are only sent once a day, ..."
            "newsletter sign-up",
            r"^(?:close\s+)?(?:get|receive)\s+e-?mail\s+(?:notifications|alerts)\b|^e-?mail\s+notifications\s+are\b",
            _I,
            25,
        ),
        (
            "player notice",
            r"\byour\s+browser\s+(?:does\s*n[o’']?t|can[’']?t|cannot)\s+(?:support|play)\b|\benable\s+javascript\s+to\b"
            r"|\b(?:you\s+need|get|download|install|requires?)\s+(?:the\s+latest\s+version\s+of\s+)?(?:the\s+)?"
            r"(?:adobe\s+)?flash\b|\bneeds\s+a\s+flash\s+update\b|\bhas\s+flash\s+disabled\b",
            _I,
            40,
        ),
        (  # the notice of an embedded post
            "player notice",
            r"^add\s+a\s+location\s+to\s+your\s+tweets\b|^when\s+you\s+tweet\s+with\s+a\s+location\b",
            _I,
            60,
        ),
        # a video's running time and title, as a player's playlist lists them ("0:43 Homeless man found dead Pause"),
        # not a time of day ("10:03 PM - officers arrived"), a live blog's entry (a sentence: "14:30 Police closed the
        # road.") nor a wrapped line ("2:17 pace.")
        ("video playlist", r"^\d{1,2}:\d{2}\s+(?![AaPp]\.?\s?[Mm]\b)[\"'“‘]?[A-Z0-9].*(?<![.!])$", 0, 20),
        (
            "subscription prompt",
            r"^(?:subscribe\b|already\s+a\s+subscriber|become\s+a\s+subscriber|subscribers?\s+only"
            r"|this\s+(?:article|content)\s+is\s+(?:for|available\s+to|only\s+for)\s+(?:paid\s+)?subscribers"
            r"|log\s+in\s+to\s+(?:continue|read)|to\s+continue\s+reading)",
            _I,
            20,
        ),
        (
            "share prompt",
            r"^(?:follow|connect\s+with|join|like|find)\s+(?:us|our\s+\w+(?:\s+\w+)?)\s+(?:on|at|via)\b|^share\s+(?:this|the)\s+\w+"
            r"|^read\s+or\s+share\s+this\s+(?:story|article)\b",
            _I,
            20,
        ),
        (
            "read-more link",
            r"^(?:read\s+(?:more|also|next)|see\s+also|related|more|watch|listen|also\s+read)\s*[:»›>|–—]\s*\S",
            _I,
            25,
        ),
        (
            "byline",
            rf"^(?i:by)\s+{_CAP}(?:\s+{_CAP}){{0,3}}(?:\s*(?:,|\band\b|&)\s*{_CAP}(?:\s+{_CAP}){{0,3}})*$",
            0,
            15,
        ),
        (  # a credit line: "Tribune reporter Jane Doe contributed to this report.", "The Associated Press ..."
            "byline",
            r"\b(?:reporters?|writers?|correspondents?|researchers?|staff|editors?|associated\s+press|reuters)\b"
            r"[^.]{0,80}\bcontributed\s+to\s+this\s+(?:report|story|article)\.?$",
            _I,
            20,
        ),
        ("republication notice", r"\b(?:originally|first)\s+(?:published|appeared)\s+(?:by|in|on|at)\b", _I, 30),
        ("donation appeal", _APPEAL_BANNER.pattern, 0, 8),
    )
)

_TERMINAL = re.compile(r"[.!?…:;][\"”’')\]]*$")
_READER = re.compile(r"\b(?:[Ww]e|us|[Oo]urs?|[Yy]ou(?:rs?)?|me|[Mm]y)\b")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
# The reader told what to do or asked for a tip: a sentence opening with an imperative and what a page's prompt
# goes on with ("Click here ...", "Get email alerts ...", "Don't miss a thing."; not "Share prices fell", "Tap water",
# "Follow-up tests"), a clause ending the line with one ("For more news, listen to ... here:"), a question to a
# visitor, or a call for tips ("Anyone with information is asked to call ...", "Tipsters remain anonymous").
_PROMPT = (
    r"(?:click|tap|listen|watch|read|get|follow|share|join|visit|download|subscribe|sign\s+up|tune\s+in|check\s+out"
    r"|create|register|re-?enter|log\s*in|stay|don[’']?t\s+miss)\b(?!-)"
)
_ADDRESSED = re.compile(
    rf"(?:^|[.!?:]\s+)(?:please\s+)?{_PROMPT}\s+(?:here|now|today|us|our|the|this|a|an|to|for|on|up|more|e-?mail|one"
    r"|your|zip|it|free|in|with|tuned)\b"
    rf"|,\s+{_PROMPT}[^.!?]*\bhere\s*[:.!]?$"
    r"|^(?:on\s+a\s+mobile\s+device|need\s+an\s+account|have\s+an\s+(?:online\s+)?subscription)\?"
    r"|(?:^|[.!?]\s+)anyone\s+with\s+(?:any\s+)?information\b[^.!?]{0,100}?\b(?:call|contact|asked|urged|encouraged"
    r"|should|can|may)\b|\b(?:can|may|will|tipsters?)\s+(?:\w+\s+)?remain\s+anonymous\b"
    r"|\b(?:call|contact|text|forwarded\s+to|submitted\s+to)\s+(?:\S+\s+){0,4}?crime\s*stoppers\b|\btip\s*line\s+at\b"
    r"|\bcrime\s*stoppers\b[^.!?]{0,60}\boffer(?:s|ing|ed)?\b[^.!?]{0,40}\breward",
    _I,
)
# Also the stock test of classify (classify.is_stock): a change here changes relations, so bump
# store.index.SCORING_VERSION with it.
_ADDRESSED_WORDS = 40  # a prompt is a line of at most this many words


def is_prompt(text: str) -> bool:
    """Whether ``text`` (a line or a sentence of at most :data:`_ADDRESSED_WORDS` words) tells the reader what to do
    or asks for tips (:data:`_ADDRESSED`, outside quotations)."""
    return _prompt(_QUOTED.sub(" ", text))


def _prompt(unquoted: str) -> bool:
    return len(unquoted.split()) <= _ADDRESSED_WORDS and bool(_ADDRESSED.search(unquoted))


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
    return {key: (n, _reads_as_boilerplate(line)) for key, (n, line) in found.items()}


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


def _reads_as_boilerplate(line: str) -> bool:
    # "We will always be with Russia," Kim said. -- short, but a sentence of reporting: kept
    words = len(line.split())
    if words <= 4 or not _TERMINAL.search(line):
        return True
    unquoted = _QUOTED.sub(" ", line)
    return bool(_READER.search(unquoted) or _prompt(unquoted))


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


_INVISIBLE = re.compile(r"[\u200b\u200c\u2060\ufeff\u00ad]")
_QUOTE_STYLE = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_LINE_ENDS = re.compile(r"\r\n?|[\u2028\x85]")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _LINE_ENDS.sub("\n", text).replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
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
            reasons.append(_judge(line))
    if (
        all(reasons)
        and any(why.startswith("repeated across") for why in reasons if why)
        and mentions_headline(_without(lines, headline), headline, least=REPRINT_HEADLINE_WORDS)
    ):
        # nothing of its own besides text other articles carry too, and about its headline: a reprint, not
        # boilerplate around an article (a login wall carried by many pages may share a word with a headline by
        # chance: "Privacy Policy" and "police")
        reasons = [
            _judge(line) if why and why.startswith("repeated across") else why
            for line, why in zip(lines, reasons, strict=True)
        ]
    _extend_appeal(lines, reasons)

    date = article.date
    if date is None:
        dated = (parse_date(line) for line, why in zip(lines, reasons, strict=True) if why and "date line" in why)
        date = next((found for found in dated if found), None)

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


def _judge(line: str) -> str | None:
    """Why ``line`` is boilerplate, or None when it is article text."""
    reason = _only_pieces(line)
    if reason:
        return reason
    if not any(c.isalnum() for c in line):
        return "separator"
    words = len(line.split())
    lower = line.lower()
    for why, regex, most_words, folded in _LINE_RULES:
        if words <= most_words and regex.search(lower if folded else line):
            return why
    if _starts_appeal(line) or (words <= 25 and _APPEAL_STRONG.search(lower)):
        return "donation appeal"
    return None


def _only_pieces(line: str) -> str | None:
    """The reasons of the boilerplate pieces ``line`` consists of, or None when it has anything else."""
    found: list[str] = []
    pos = 0
    while True:
        pos = _PIECE_GAP.match(line, pos).end()  # type: ignore[union-attr]  # a starred pattern always matches
        if pos >= len(line):
            break
        for reason, regex in _PIECES:
            match = regex.match(line, pos)
            if match and match.end() > pos:
                found.append(reason)
                pos = match.end()
                break
        else:
            return None
    return " and ".join(dict.fromkeys(found)) or None


def _starts_appeal(line: str) -> bool:
    """A strong donation-appeal marker in the opening sentence of the paragraph."""
    opening = re.split(r"(?<=[.!?])\s", line.lstrip("….- "), maxsplit=1)[0]
    return bool(_APPEAL_STRONG.search(opening[:300].lower()))


def _extend_appeal(lines: Sequence[str], reasons: list[str | None]) -> None:
    """Mark the paragraphs that follow a strong appeal as part of it, when the appeal runs to the end of the text.

    The run may only pass through lines that are boilerplate anyway or that speak of donations, subscriptions
    or "your support", so the body of the article cannot be swallowed.
    """
    for start, line in enumerate(lines):
        if reasons[start] == "donation appeal" and _starts_appeal(line):
            end = start + 1
            while end < len(lines) and (reasons[end] is not None or _APPEAL_WEAK.search(lines[end])):
                end += 1
            if end == len(lines):
                for i in range(start + 1, end):
                    reasons[i] = reasons[i] or "donation appeal"
                return


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
            if line[0].islower() and not _TERMINAL.search(out[-1]):
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
    open_ended = sum(not _TERMINAL.search(line) for line in body)
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
