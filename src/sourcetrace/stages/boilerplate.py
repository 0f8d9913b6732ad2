"""Stage 2's rules for boilerplate (:mod:`.clean` applies them): what one line of it looks like (a date line, share
and read-more links, captions, notices, prompts, donation appeals), and which lines that many articles carry are
boilerplate rather than copied reporting.

A change to :func:`is_prompt` changes relations too (``classify.is_stock``): bump ``store.index.SCORING_VERSION``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from .dates import ANY_DATE
from .ingest import without_comments

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

TERMINAL = re.compile(r"[.!?…:;][\"”’')\]]*$")
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
_CALL_FOR_TIPS = (
    r"(?:^|[.!?]\s+)anyone\s+with\s+(?:any\s+)?information\b[^.!?]{0,100}?\b(?:call|contact|asked|urged|encouraged"
    r"|should|can|may)\b|\b(?:can|may|will|tipsters?)\s+(?:\w+\s+)?remain\s+anonymous\b"
    r"|\byour\s+identity\s+(?:can|may|will)\s+(?:(?!not\b)\w+\s+)?(?:remain|be\s+kept)\s+(?:anonymous|confidential)\b"
    r"|\b(?:call|contact|text|forwarded\s+to|submitted\s+to)\s+(?:\S+\s+){0,4}?crime\s*stoppers\b|\btip\s*line\s+at\b"
    r"|\bcrime\s*stoppers\b[^.!?]{0,60}\boffer(?:s|ing|ed)?\b[^.!?]{0,40}\breward"
)
_ADDRESSED = re.compile(
    rf"(?:^|[.!?:]\s+)(?:please\s+)?{_PROMPT}\s+(?:here|now|today|us|our|the|this|a|an|to|for|on|up|more|e-?mail|one"
    r"|your|zip|it|free|in|with|tuned)\b"
    rf"|,\s+{_PROMPT}[^.!?]*\bhere\s*[:.!]?$"
    r"|^(?:on\s+a\s+mobile\s+device|need\s+an\s+account|have\s+an\s+(?:online\s+)?subscription)\?"
    rf"|{_CALL_FOR_TIPS}",
    _I,
)
_TIPS = re.compile(_CALL_FOR_TIPS, _I)
# Also the stock test of classify (classify.is_stock): a change here changes relations, so bump
# store.index.SCORING_VERSION with it.
_ADDRESSED_WORDS = 40  # a prompt is a line of at most this many words


def is_prompt(text: str) -> bool:
    """Whether ``text`` (a line or a sentence of at most :data:`_ADDRESSED_WORDS` words) tells the reader what to do
    or asks for tips (:data:`_ADDRESSED`, outside quotations)."""
    return _prompt(_QUOTED.sub(" ", text))


@lru_cache(maxsize=1 << 16)
def is_call_for_tips(text: str) -> bool:
    """Whether ``text`` is a prompt (:func:`is_prompt`) or, however long, asks for tips (:data:`_CALL_FOR_TIPS`,
    outside quotations): a call for tips that goes on to the tip line's hours and rewards is still one, and an
    outlet's is in every brief it writes."""
    unquoted = _QUOTED.sub(" ", text)
    return _prompt(unquoted) or bool(_TIPS.search(unquoted))


def _prompt(unquoted: str) -> bool:
    return len(unquoted.split()) <= _ADDRESSED_WORDS and bool(_ADDRESSED.search(unquoted))


def reads_as_boilerplate(line: str) -> bool:
    """Whether a line many articles carry is boilerplate (:func:`.clean.repeated_paragraphs`): not a sentence
    (no closing punctuation, or four words at most), or one that speaks to the reader or asks for tips."""
    # "We will always be with Russia," Kim said. -- short, but a sentence of reporting: kept
    if len(line.split()) <= 4 or not TERMINAL.search(line):
        return True
    unquoted = _QUOTED.sub(" ", line)
    return bool(_READER.search(unquoted) or _prompt(unquoted))


def judge(line: str) -> str | None:
    """Why ``line`` is boilerplate, or None when it is article text."""
    reason = _only_pieces(line)
    if reason:
        return reason
    if not any(c.isalnum() for c in line):
        return "separator"
    if _only_markup(line):
        return "markup"
    words = len(line.split())
    lower = line.lower()
    for why, regex, most_words, folded in _LINE_RULES:
        if words <= most_words and regex.search(lower if folded else line):
            return why
    if _starts_appeal(line) or (words <= 25 and _APPEAL_STRONG.search(lower)):
        return "donation appeal"
    return None


_ESCAPED = re.compile(r"&(?:amp;)+")  # an ampersand escaped over and over: "&amp;amp;amp;lt;"
_TAG = re.compile(r"<[^<>]*>")  # linear: a tag cannot hold another's start


def _only_markup(line: str) -> bool:
    """A line of HTML escaped into the text ("&amp;amp;lt;!--iframe--&amp;amp;gt;"): tags and comments only, once its
    entities are read."""
    if "&" not in line:
        return False
    text = html.unescape(_ESCAPED.sub("&", line))
    return "<" in text and not _TAG.sub("", without_comments(text)).strip()


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


def extend_appeal(lines: Sequence[str], reasons: list[str | None]) -> None:
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
