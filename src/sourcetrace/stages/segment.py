"""Stage 3: split cleaned text into sentences, marking direct quotations and who is quoted."""

from __future__ import annotations

import ctypes
import dataclasses
import re
import threading
from collections.abc import Iterator, Sequence

import blingfire
import numpy as np

from ..records import Article, Sentence, Span
from .clean import FRAGMENT


def segment(article: Article) -> Article:
    """A copy of ``article`` with ``sentences`` filled.

    1. cut the text into lines (paragraphs and headings), which sentences never cross
    2. find quoted stretches per line, so that a quotation may run over several sentences
    3. split the lines into sentences (BlingFire's finite-state splitter) and strip them, keeping offsets
    4. mark each sentence's quotations and speaker
    """
    text = article.text
    sentences: list[Sentence] = []
    # 1.
    for start, end in _line_spans(text):
        # 2.
        quotes = _quote_spans(text, start, end)
        # 3.
        offsets = sentence_offsets(text[start:end])
        bounds = [(start + s, start + e) for s, e in offsets]
        for s, e in _opening_marks_forward(text, _rejoin_fragments(text, bounds)):
            s, e = _strip(text, s, e)
            # 4.
            if s < e:
                sentences.append(_sentence(text, len(sentences), s, e, quotes))
    return dataclasses.replace(article, sentences=sentences)


def sentence_offsets(line: str) -> list[Span]:
    """BlingFire's sentence bounds in ``line`` as character offsets.

    Same result as ``blingfire.text_to_sentences_and_offsets``, whose Python wrapper allocates fresh buffers and
    maps UTF-8 offsets to character offsets one byte at a time (most of the segmenter's cost); here the buffers
    are kept per thread and the mapping is vectorised.
    """
    data = line.encode("utf-8")
    size = len(data) * 2
    out, starts, ends = _buffers(size)
    count = _SPLITTER(
        ctypes.c_char_p(data),
        ctypes.c_int(len(data)),
        ctypes.byref(out),
        ctypes.c_void_p(starts.ctypes.data),
        ctypes.c_void_p(ends.ctypes.data),
        ctypes.c_int(size),
    )
    if count <= 0 or count > size:
        return []
    n = out.value.count(b"\n") + 1
    first, last = starts[:n].astype(np.int64), ends[:n].astype(np.int64)
    if len(data) != len(line):  # multi-byte characters: count the characters that start before each offset
        chars = np.cumsum((np.frombuffer(data, np.uint8) & 0xC0) != 0x80)
        first, last = chars[first] - 1, chars[last]
    else:
        last = last + 1
    return list(zip(first.tolist(), last.tolist(), strict=True))


_SPLITTER = blingfire.blingfire.TextToSentencesWithOffsets
_LOCAL = threading.local()


def _buffers(size: int) -> tuple[ctypes.Array[ctypes.c_char], np.ndarray, np.ndarray]:
    """Output buffers of at least ``size``, reused by the thread (the web service splits in several threads)."""
    held = getattr(_LOCAL, "buffers", None)
    if held is None or len(held[1]) < size:
        size = max(size, 1 << 16)
        held = _LOCAL.buffers = (ctypes.create_string_buffer(size), np.zeros(size, np.int32), np.zeros(size, np.int32))
    return held


# A title or a number cut off from the sentence it opens ("Mr." | "Pray set up ...", "2." | "Bundesliga ..."): the
# splitter ends a sentence at the abbreviation when the next word is unknown to it (clean.FRAGMENT).


def _rejoin_fragments(text: str, bounds: list[Span]) -> list[Span]:
    """Join a lone abbreviation or number to the sentence that follows it on the line."""
    out: list[Span] = []
    for span in bounds:
        if out and FRAGMENT.fullmatch(text, *out[-1]):
            out[-1] = (out[-1][0], span[1])
        else:
            out.append(span)
    return out


def _opening_marks_forward(text: str, bounds: list[Span]) -> list[Span]:
    """Give an opening quotation mark or bracket left at the end of a sentence to the sentence it opens.

    The splitter keeps punctuation after a full stop with the sentence before, which is right for closing
    marks but not for the opening mark of the next quotation ('... North Korea. "This also ...').
    """
    for i in range(len(bounds) - 1):
        start, end = _strip(text, *bounds[i])
        if end - start > 1 and text[end - 1] in "“«‘(['\"" and text[end - 2].isspace():
            bounds[i] = (start, end - 1)
            bounds[i + 1] = (end - 1, bounds[i + 1][1])
    return bounds


def _line_spans(text: str) -> Iterator[Span]:
    for match in re.finditer(r"[^\n]+", text):
        start, end = _strip(text, match.start(), match.end())
        if start < end:
            yield start, end


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentence(text: str, index: int, start: int, end: int, quotes: Sequence[Span]) -> Sentence:
    spans = tuple(
        (max(qs, start), min(qe, end))
        for qs, qe in quotes
        if qs < end and qe > start and _has_word(text, max(qs, start), min(qe, end))
    )
    sentence = text[start:end]
    quote = False
    if spans:
        letters = sum(map(str.isalpha, sentence))
        quoted = sum(sum(map(str.isalpha, text[qs:qe])) for qs, qe in spans)
        quote = letters > 0 and 2 * quoted >= letters
    return Sentence(
        index=index,
        start=start,
        end=end,
        source=text,
        quote=quote,
        quote_spans=spans,
        speaker=find_speaker(sentence, [(qs - start, qe - start) for qs, qe in spans]),
    )


def _has_word(text: str, start: int, end: int) -> bool:
    return any(c.isalnum() for c in text[start:end])


# ---------------------------------------------------------------------------------------------------------------
# Quotations

_DOUBLE = re.compile(r"[“”\"«»]")
_CLOSES = {"“": '”"', "«": "»", '"': '"”'}
# single quotes: an opening mark at a word start, a closing mark not followed by a letter ("Russia’s" is no close)
_SINGLE_OPEN = re.compile(r"[‘']")
_SINGLE = re.compile(r"(?:‘|'(?=[A-Za-z]))(?=\w)([^‘’'\"“”]{3,400}?[\w.,!?;:…])[’'](?!\w)")


def _quote_spans(text: str, start: int, end: int) -> list[Span]:
    """Offsets of the text inside quotation marks in ``text[start:end]`` (one line), marks excluded.

    An opening mark left open runs to the end of the line: in news, a quotation over several paragraphs
    leaves each paragraph but the last unclosed. The last one opens with no mark, so a line whose first mark closes
    (a closing curly mark, or a straight one before its attribution: ``... for future use," Netanyahu said.``) is
    quoted from its start.
    """
    spans: list[Span] = []
    opened: tuple[int, str] | None = None
    for match in _DOUBLE.finditer(text, start, end):
        mark, at = match.group(), match.start()
        if not spans and opened is None and _closes_a_line(text, at, start, end):
            spans.append((start, at))
            continue
        if opened is None:
            if mark in "“«" or (mark == '"' and _opens(text, at, start, end)):
                opened = (at + 1, _CLOSES[mark])
        elif mark in opened[1]:
            spans.append((opened[0], at))
            opened = None
    if opened is not None and opened[0] < end:
        spans.append((opened[0], end))
    for opening in _SINGLE_OPEN.finditer(text, start, end):
        at = opening.start()
        if at > start and not (text[at - 1].isspace() or text[at - 1] in "([—–-"):
            continue  # an apostrophe inside or after a word
        single = _SINGLE.match(text, at, end)
        if single and len(single.group(1).split()) >= 4:
            inner = single.span(1)
            if not any(s < inner[1] and inner[0] < e for s, e in spans):
                spans.append(inner)
    return sorted(spans)


def _closes_a_line(text: str, at: int, start: int, end: int) -> bool:
    """The mark at ``at``, the first of its line, closes a quotation that began in an earlier paragraph."""
    if not _has_word(text, start, at):
        return False
    return text[at] == "”" or (text[at] == '"' and _ATTRIBUTION_AFTER.match(text, at + 1, end) is not None)


def _opens(text: str, at: int, start: int, end: int) -> bool:
    """A straight double quote opens when it starts a word (after a space, a bracket or a dash), or stands alone
    between spaces while none is open: tokenised text (corpora, some feeds) writes ``" North Korea has agreed , "``."""
    before = text[at - 1] if at > start else " "
    return before.isspace() or before in "([{—–-/"


# ---------------------------------------------------------------------------------------------------------------
# Speakers

_NAME = r"(?:[A-Z][A-Za-z]*(?:-[A-Za-z]+)*|[A-Z][’'][A-Z][a-z]+)"
_RUN = rf"{_NAME}(?:\s+(?:of\s+(?:the\s+)?)?{_NAME})*"
# a capitalised run, optionally with a lowercase role in it: "State Department spokesman Matthew Miller"
_ROLE_NOUN = (
    r"spokes(?:man|woman|person)|leader|chief|head|minister|president|official|envoy|correspondent|analyst"
    r"|researcher|director|secretary|ambassador|advis[eo]r|aide"
)
_TITLED = rf"{_RUN}(?:\s+(?:{_ROLE_NOUN})\s+{_RUN})?"
_SPEECH_VERBS = (
    "said", "says", "told", "tells", "added", "adds", "explained", "stated", "states", "noted", "remarked", "wrote",
    "writes", "commented", "asked", "insisted", "warned", "declared", "stressed", "argued", "claimed", "replied",
    "responded", "announced", "acknowledged", "admitted", "emphasised", "emphasized", "observed", "suggested",
    "recalled", "tweeted", "reported", "mentioned", "concluded", "confirmed", "put it", "pointed out",
)  # fmt: skip
_VERB = "|".join(verb.replace(" ", r"\s+") for verb in _SPEECH_VERBS)
_VERB_FIRST = (
    r"said|says|added|adds|explained|stated|noted|remarked|wrote|writes|commented|asked|warned|declared|stressed"
    r"|argued|continued|replied|insisted"
)
_AUX = r"(?:(?:has|had|have|also|then|later|earlier|previously|recently|once|again|further|reportedly)\s+)*"
_EDGE = r"(?<![\w’'-])"
_SPEECH = re.compile(rf"\b(?:{_VERB})\b")
# after a closing mark: " Netanyahu said | " said Netanyahu | " he added
_ATTRIBUTION_AFTER = re.compile(rf"\s*(?:(?:{_TITLED}|he|she|they|we)\s+(?:{_VERB})\b|(?:{_VERB})\s+[A-Z])")
# Patterns are matched around each speech verb, in a window of text before or after it (cheaper than scanning
# the whole sentence once per pattern). Tried in this order; the first that yields a name wins.
# Cheong Seong-chang, a researcher at the Sejong Institute, | told AFP
_APPOSITION_MARKS = (", a ", ", an ", ", the ", ", who")
_APPOSITION_BEFORE = re.compile(rf"{_EDGE}({_TITLED}),\s+(?:a|an|the|who|whose)\s[^,;]{{2,120}},\s+{_AUX}$")
# State Department spokesman Matthew Miller | said
_NAME_BEFORE = re.compile(rf"{_EDGE}({_TITLED})\s+{_AUX}$")
# "...," | said Kim Jong-dae, a former MP
_NAME_AFTER = re.compile(rf"\s+(?:by\s+)?({_TITLED})")
_QUOTE_BEFORE = re.compile(r"[,”\"]\s*$")
_VERB_FIRST_WORDS = frozenset(_VERB_FIRST.split("|"))
# Kim expressed his loyalty to Russia, saying "..."
_SAYING_WORDS = ("saying", "stating", "adding", "noting", "telling", "writing", "declaring", "warning", "explaining")
_SUBJECT_SAYING = re.compile(rf"^({_TITLED})\s+[a-z][^“”\"]*?,\s+(?:{'|'.join(_SAYING_WORDS)})\b")
_ACCORDING_TO = re.compile(rf"\baccording\s+to\s+(?:the\s+)?({_RUN})")
_AFTER_LINK = re.compile(r"\b(?:from|of|by|with|to|in|at|for|and|or|between|than|on)\s+(?:the\s+)?$")
_ROLES = frozenset(
    """President Minister Secretary Spokesman Spokeswoman Spokesperson Leader Chancellor Premier Chairman Chairwoman
    Chair Director Chief Head Ambassador Envoy Senator Sen Governor Gov Mayor Representative Rep Commander Admiral
    Colonel Col Lieutenant Lt Major Maj Captain Capt Sergeant Sgt Professor Prof Dr Mr Mrs Ms Judge Justice King Queen
    Prince Princess Pope Emperor Officer Analyst Correspondent Editor Reporter Researcher Scholar CEO Deputy Vice
    Prime Foreign Defense Defence Attorney Surgeon Speaker Lawmaker MP Official Adviser Advisor Aide""".split()  # noqa: SIM905
)
_NOT_NAMES = frozenset(
    """The A An He She They It We I You This That These Those There Here Officials Analysts Experts Critics Sources
    Reports Police Authorities Some Many Others Observers Residents Witnesses People Both Everyone Nobody Someone
    Who Which What When While After Before As And But Or So Yet However Still Then Now Later Earlier Meanwhile Also
    In On At By For From With Without Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December His Her Their Its
    Our My Your Western Eastern Northern Southern""".split()  # noqa: SIM905
)


def find_speaker(sentence: str, quotes: Sequence[Span] = ()) -> str | None:
    """The person or body a sentence says is speaking, or None when no speech verb names one.

    ``quotes`` are offsets of quoted material within the sentence; names inside quotations are not speakers.
    """
    masked = sentence
    for start, end in quotes:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    verbs = [(m.start(), m.end(), m.group()) for m in _SPEECH.finditer(masked)]
    for at, _, _ in verbs:
        start = max(0, at - 240)
        if any(masked.find(mark, start, at) != -1 for mark in _APPOSITION_MARKS):
            name = _subject(_APPOSITION_BEFORE.search(masked, start, at), masked)
            if name:
                return name
    for at, _, _ in verbs:
        name = _subject(_NAME_BEFORE.search(masked, max(0, at - 120), at), masked)
        if name:
            return name
    for at, end, verb in verbs:
        if verb in _VERB_FIRST_WORDS and _QUOTE_BEFORE.search(masked, max(0, at - 8), at):
            match = _NAME_AFTER.match(masked, end)
            name = _name_of(match.group(1)) if match else None
            if name:
                return name
    if any(word in masked for word in _SAYING_WORDS):
        name = _subject(_SUBJECT_SAYING.match(masked), masked)
        if name:
            return name
    if "according" in masked:
        for match in _ACCORDING_TO.finditer(masked):
            name = _name_of(match.group(1))
            if name:
                return name
    return None


def _subject(match: re.Match[str] | None, sentence: str) -> str | None:
    """The name a subject pattern matched, unless it follows a preposition ("officials from the US said")."""
    if match is None or _AFTER_LINK.search(sentence, max(0, match.start(1) - 16), match.start(1)):
        return None
    return _name_of(match.group(1))


def _name_of(run: str) -> str | None:
    """The name in a capitalised run: roles before it ("US Secretary of State") and non-names dropped."""
    words = run.split()
    last_role = -1
    for i, word in enumerate(words):
        stem = word.rstrip(".").capitalize() if word.islower() else word.rstrip(".")
        if stem in _ROLES or (stem == "General" and i > 0 and words[i - 1] in _ROLES):
            last_role = i
    words = words[last_role + 1 :]
    if last_role >= 0 and words[:1] == ["of"]:  # "Secretary of State Antony Blinken"
        words = words[3:] if words[1:2] == ["the"] else words[2:]
    while words and words[0] in _NOT_NAMES:
        words = words[1:]
    if not words or len(words) > 5 or any(w in _NOT_NAMES or w in ("of", "the") for w in words):
        return None
    return " ".join(words)
