"""Stage 7: the facts that differ between two aligned sentences (numbers, names, negation, antonyms, attribution).

Everything is rule based and works on one sentence pair at a time. Each sentence is analysed once (cached, since an
aligned sentence often meets several partners) into mentions with character spans; the two analyses are then matched.
The rules lean towards precision: a "changed" fact needs evidence that both sides fill the same slot, otherwise the
difference is reported as dropped/added, which downstream stages do not treat as a contradiction.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz.fuzz import ratio

from .records import Change, Divergence, DivergenceKind, Span

__all__ = ["Fact", "find_divergences", "is_contradiction", "sentence_facts"]


def _wordlist(text: str) -> list[str]:
    return text.split()


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# One-to-one replacements only, so offsets into the normalised text are offsets into the original.
_NORMALISE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[0-9]+(?:[.,:/][0-9]+)*|[^\W\d_]+(?:'(?!(?:s|t|re|ve|ll|d|m)\b)[^\W\d_]+)*|\S")
_CLAUSE_END = frozenset('.;:!?"()')

_STOP = _wordset(
    """a about above across after again against all almost along already also although always am among an and another
    any anyone anything are around as at back be became because become been before being below beside besides between
    both but by can could did do does doing done down during each either else enough even ever every few for from
    further furthermore had has have having he her here hers herself him himself his how however i if in indeed into is
    it its itself just last least less many may me meanwhile might mine more moreover most mostly much must my myself
    neither never nevertheless no nobody none nor not nothing now of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps please quite rather really same several she should since so
    some someone something still such than that the their theirs them themselves then there thereby therefore these
    they this those though through throughout thus to together too toward towards under unless until up upon us very
    via was we well were what whatever when whenever where whereas whether which while who whoever whom whose why will
    with within without would yet you your yours yourself"""
)
# Words that open sentences in news copy and are not names, beyond the stop list.
_COMMON_OPENERS = _wordset(
    """according accompanied additionally after ahead amid analysts asked authorities back before building citing
    companies concerns critics currently despite doctors due during earlier elsewhere even eventually experts finally
    following given government historic including initially instead investigators investors lawmakers later like many
    meanwhile militants officials overall police previously prices profits prosecutors protesters rebels recently
    regarding reports researchers residents sales scientists separately shares since soldiers speaking sources stocks
    talks tensions then today tomorrow tonight traders troops unlike voters western witnesses workers yesterday"""
)
# Capitalised words that name nothing in particular when they stand alone.
_GENERIC_CAPS = _wordset("state government police city county court web internet")
_TITLES = _wordset(
    """adm admiral ambassador attorney ayatollah capt captain ceo cfo chair chairman chairwoman chancellor chief col
    colonel commander crown dame defence defense deputy director dr emperor envoy finance foreign gen general gov
    governor head interior king lady leader lieutenant lord lt marshal mayor mep minister miss mp mr mrs ms pope
    premier president prime prince princess prof professor queen rep representative rev reverend secretary sen senator
    sergeant sgt sheikh sir speaker spokesman spokesperson spokeswoman supreme vice det insp supt cmdr maj pte cpl
    inspector detective constable superintendent"""
)
_CONNECTORS = _wordset("of for de del da der van von al bin la le &")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
            ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
            ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}  # fmt: skip
_WEEKDAYS = {d: i for i, d in enumerate(_wordlist("monday tuesday wednesday thursday friday saturday sunday"))}
_SMALL = {
    w: i
    for i, w in enumerate(
        _wordlist(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
            "seventeen eighteen nineteen"
        )
    )
}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(_wordlist("twenty thirty forty fifty sixty seventy eighty ninety"))}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "dozen": 12}
_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        _wordlist("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth")
    )
} | {"twentieth": 20, "hundredth": 100}
_VAGUE = {"tens": 10, "dozens": 12, "hundreds": 100, "thousands": 10**3, "millions": 10**6, "billions": 10**9}
_CARDINAL_WORDS = frozenset(_SMALL) | frozenset(_TENS) | frozenset(_SCALES)
_NUMBER_WORDS = frozenset(_SMALL) | frozenset(_TENS) | frozenset(_SCALES) | frozenset(_ORDINALS) | frozenset(_VAGUE)
_CURRENCY_WORDS = {"dollar": "$", "dollars": "$", "euro": "€", "euros": "€", "yuan": "¥", "yen": "¥",
                   "rubles": "₽", "roubles": "₽", "rupees": "₹"}  # fmt: skip
_ABBREV_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9}

# ---------------------------------------------------------------------------------------------------------------------
# Regular expressions, compiled once.

_MONTH_WORDS = frozenset(
    _wordlist(
        "January February March April May June July August September October November December "
        "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
    )
)
_WEEKDAY_WORDS = frozenset(w.capitalize() for w in _WEEKDAYS)
_DAY_AFTER = re.compile(r"\.?\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?![0-9A-Za-z])")
_DAY_BEFORE = re.compile(r"(?<![0-9.,])(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?$")
_MAY_CUES = _wordset("in on of by since until early late last next this mid")
_ANY_DIGIT = re.compile("[0-9]")
_CURRENCY_BEFORE = re.compile(r"(?:(?<![A-Za-z])(?:US|A|C|HK|NZ|S))?[$€£¥₹₽]\s?$")
_DIGITS = re.compile(
    r"(?<![A-Za-z0-9.,])(?<![A-Za-z]-)"
    r"(?P<num>[0-9]{1,2}:[0-9]{2}|[0-9]+/[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    r"(?P<att>bn|mn|st|nd|rd|th|m|b|k|s)?(?![A-Za-z0-9])"
)
_NUMWORD_ALT = "|".join(sorted([*_SMALL, *_TENS, *_SCALES], key=len, reverse=True))
_WORDS = re.compile(
    rf"(?:{_NUMWORD_ALT})(?:(?:-|\s+|(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+)(?:{_NUMWORD_ALT}))*\b",
    re.IGNORECASE,
)
_VAGUE_OF = re.compile(r"\s+of\s+(?P<v>thousands|millions|billions)\b", re.IGNORECASE)
_SCALE_AFTER = re.compile(r"\s?-?(?P<s>million|billion|trillion|thousand|hundred)\b", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r"\s?(?:(?P<pp>percentage[ -]points?)|%|percent\b|per[ -]?cent\b)", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"\s+(?P<c>" + "|".join(_CURRENCY_WORDS) + r")\b", re.IGNORECASE)
_TIMES_AFTER = re.compile(r"\s+times\b", re.IGNORECASE)
_NOT_COUNTING = _wordset("no the this that any every each which a")  # words before "one" the pronoun
# "one" as a pronoun: "the current one.", "one who", "one another", "one-on-one".
_ONE_FOLLOWERS = re.compile(
    r"\s*(?:-on-one\b|another\b|'s\b|[^\w\s-]|$|(?!of\b|more\b|less\b|hundred|thousand|million|billion)(?:"
    + "|".join(sorted(_STOP, key=len, reverse=True))
    + r")\b)",
    re.IGNORECASE,
)

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

_MEDIA_NAMES = (
    r"AFP|AP|Reuters|Bloomberg|CNN|BBC|NHK|KCNA|KCTV|Yonhap|TASS|Tass|RIA(?:\s+Novosti)?|Ria\s+Novosti|Interfax"
    r"|Xinhua|Kyodo|Al\s+Jazeera|Sputnik|RT|DPA|dpa|ANSA|EFE|UPI|NPR|Axios|Politico|CBS|NBC|ABC|Fox\s+News"
    r"|Sky\s+News|Rodong\s+Sinmun|(?:the\s+)?Associated\s+Press|Agence\s+France-Presse|France-Presse"
)
_MEDIA_PROPER = (
    rf"(?:(?:{_MEDIA_NAMES})\b"
    r"|(?:[A-Z][\w.&'-]*\s+){0,4}(?:News|Agency|Press|Times|Post|Journal|Herald|Tribune|Gazette|Telegraph|Guardian"
    r"|TV|Television|Radio|Broadcasting|Network|Daily|Wire|Newspaper)\b)"
)
_MEDIA_COMMON = r"(?:news\s+agenc(?:y|ies)|media|television|TV|radio|newspapers?|broadcasters?|outlets?|agency|press)\b"
_MEDIA_MODS = (
    r"(?:(?:state-run|state-controlled|state-owned|state|official|semi-official|local|national|foreign|news"
    r"|[A-Z][a-z]+(?:an|ese|ish|i))\s+){0,3}"
)
_DETERMINER = r"(?:(?:[Tt]he|[Ii]ts|[Tt]heir)\s+)?(?:(?:[A-Z][\w.-]*\s+)?[\w.-]+'s\s+)?"
_SOURCE = rf"{_DETERMINER}{_MEDIA_MODS}(?:{_MEDIA_PROPER}|{_MEDIA_COMMON})(?:,?\s+{_MEDIA_PROPER})?"
_SAY = r"(?:said|says|reported|reports|quoted|cited|announced|stated|added|wrote)\b"
_MEDIA_WORDS = _wordset(
    """afp ap reuters bloomberg cnn bbc nhk kcna kctv yonhap tass ria interfax xinhua kyodo jazeera sputnik rt dpa ansa
    efe upi npr axios politico cbs nbc abc fox sky sinmun associated france-presse presse news agency agencies press
    times post journal herald tribune gazette telegraph guardian tv television radio broadcasting network daily wire
    newspaper newspapers media broadcaster broadcasters outlet outlets"""
)
_SAY_WORDS = _wordset("said says reported reports quoted cited announced stated added wrote")
# Each pattern with the words one of which must occur for it to match (a cheap test before the regex runs).
_ATTRIBUTIONS: list[tuple[frozenset[str], frozenset[str], re.Pattern[str]]] = [
    (frozenset({"told"}), frozenset(), re.compile(
        r"\btold\s+(?P<src>(?:the\s+)?(?:" + _MEDIA_PROPER + r"|reporters|journalists|the\s+press"
        r"|(?:a|an)\s+(?:news|press)\s+(?:conference|briefing)|(?:state\s+)?(?:media|television|TV|radio)\b))"
    )),
    (frozenset({"according"}), frozenset(), re.compile(
        r"\b[Aa]ccording\s+to\s+(?P<src>[^,.;:!?\"()\n]{1,80}?)"
        r"(?=\s*[,.;:!?\"()]|\s*$|\s+(?:that|which|who|while|and|but|as|when|after|before)\b)"
    )),
    (_SAY_WORDS, _MEDIA_WORDS, re.compile(
        rf"\b(?:said|says|reported|reports|added|wrote)\s+(?P<src>(?:the\s+)?{_MEDIA_MODS}{_MEDIA_PROPER})"
    )),
    (frozenset({"statement"}), frozenset(), re.compile(
        r"\b(?:said\s+)?in\s+an?\s+(?:written\s+|joint\s+|separate\s+|brief\s+)?(?P<src>statement)\b"
    )),
    (frozenset({"("}), _MEDIA_WORDS, re.compile(r"\((?P<src>AP|AFP|Reuters|dpa|DPA|Xinhua|UPI|Yonhap)\)")),
    (frozenset({"interview", "speaking", "quoted", "cited", "reported"}), _MEDIA_WORDS, re.compile(
        rf"\b(?:in\s+an\s+interview\s+with|speaking\s+to|quoted\s+by|cited\s+by|reported\s+by)\s+(?P<src>{_SOURCE})"
    )),
    (frozenset({"seen", "shown", "broadcast", "aired", "televised"}), _MEDIA_WORDS, re.compile(
        rf"\b(?:as\s+)?(?:seen|shown|broadcast|aired|televised)\s+on\s+"
        rf"(?P<src>{_DETERMINER}{_MEDIA_MODS}(?:{_MEDIA_PROPER}|{_MEDIA_COMMON}))"
    )),
    (frozenset({"said", "wrote", "posted"}), frozenset({"on"}), re.compile(
        r"\b(?:said|wrote|posted)\s+on\s+(?P<src>X|Twitter|Telegram|Facebook|Instagram|social\s+media|Weibo)\b"
    )),
]  # fmt: skip
_SOURCE_SAID = re.compile(rf"(?P<src>{_SOURCE})\s+{_SAY}")
_SOURCE_FILLER = _wordset("the its their a an state state-run official semi-official")

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


# ---------------------------------------------------------------------------------------------------------------------
# Per-sentence analysis.


@dataclass(frozen=True, slots=True)
class _Mention:
    """One fact found in a sentence: what it is (``key``), where it is, and the words around it."""

    span: Span
    key: Any  # number value, name tokens, antonym group, attribution source
    kind: str = ""  # number category, name tag, antonym side
    tokens: tuple[int, int] = (0, 0)  # first and last token index, for the words around it
    extra: Any = None  # number unit word, negation anchors, antonym word


@dataclass(frozen=True, slots=True)
class _Analysis:
    text: str
    starts: tuple[int, ...]
    words: tuple[str, ...]  # token texts, as written
    lower: tuple[str, ...]
    name_vocab: frozenset[str]  # every word, as a name token
    numbers: tuple[_Mention, ...]
    names: tuple[_Mention, ...]
    negations: tuple[_Mention, ...]
    antonyms: tuple[_Mention, ...]
    attributions: tuple[_Mention, ...]


def _stem(word: str) -> str:
    """A crude stem that equates the inflections met in paraphrases (grasped/grasp, travel/traveled)."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:6]


def _context(lower: Sequence[str], first: int, last: int, window: int) -> frozenset[str]:
    """Stems of the content words within ``window`` tokens either side of tokens ``first..last``."""
    out = set()
    for k in (*range(max(0, first - window), first), *range(last + 1, min(len(lower), last + 1 + window))):
        w = lower[k]
        if (w[0].isalnum()) and w not in _STOP:
            out.add(_stem(w))
    return frozenset(out)


def _neighbours(lower: Sequence[str], k: int, step: int, count: int = 2) -> frozenset[str]:
    """The nearest ``count`` words before (step -1) or after (step 1) token ``k``, within the clause."""
    out: list[str] = []
    k += step
    while 0 <= k < len(lower) and len(out) < count and lower[k] not in _CLAUSE_END:
        if lower[k][0].isalnum():
            out.append(lower[k])
        k += step
    return frozenset(out)


def _token_range(starts: Sequence[int], span: Span) -> tuple[int, int]:
    """Indices of the first and last token inside ``span``."""
    first = bisect_left(starts, span[0])
    last = max(first, bisect_left(starts, span[1]) - 1)
    return first, last


def _word_value(words: list[str]) -> int:
    total, current = 0, 0
    for w in words:
        if w in _SMALL:
            current += _SMALL[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w in ("hundred", "dozen"):
            current = (current or 1) * _SCALES[w]
        else:
            total += (current or 1) * _SCALES[w]
            current = 0
    return total + current


def _unit_after(lower: Sequence[str], starts: Sequence[int], end: int) -> str | None:
    """The word a count refers to ("24 years" -> "year", "hundreds of kids" -> "kid")."""
    k = bisect_left(starts, end)
    if k < len(lower) and lower[k] == "-":
        k += 1
    if k < len(lower) and lower[k] == "of":
        k += 1
    if k < len(lower) and lower[k].isalpha() and lower[k] not in _STOP:
        w = lower[k]
        return w[:-1] if len(w) > 3 and w.endswith("s") else w
    return None


def _numbers(text: str, starts: Sequence[int], words: Sequence[str], lower: Sequence[str]) -> list[_Mention]:
    """Numerals, number words, dates and weekdays, each with a comparable value and a category."""
    found: list[tuple[Span, str, Any]] = []
    taken: list[Span] = []

    def add(s: int, e: int, kind: str, value: Any) -> None:
        if e > s and all(e <= ts or s >= te for ts, te in taken):
            taken.append((s, e))
            found.append(((s, e), kind, value))

    def suffixes(end: int, value: Decimal, kind: str) -> tuple[int, str, Decimal]:
        """Extend a number over a scale word, a percent sign or a currency word that follows it."""
        if kind in ("plain", "year") and (sm := _SCALE_AFTER.match(text, end)):
            value, end, kind = value * _SCALES[sm.group("s").lower()], sm.end(), "plain"
        if pm := _PERCENT_AFTER.match(text, end):
            return pm.end(), ("pp" if pm.group("pp") else "percent"), value
        if kind == "plain" and (cm := _CURRENCY_AFTER.match(text, end)):
            return cm.end(), "money" + _CURRENCY_WORDS[cm.group("c").lower()], value
        if kind in ("plain", "year") and (tm := _TIMES_AFTER.match(text, end)):
            return tm.end(), "mult", value
        return end, kind, value

    for k, w in enumerate(words):
        if w in _MONTH_WORDS:
            start, end = starts[k], starts[k] + len(w)
            dm = _DAY_AFTER.match(text, end)
            db = None if dm else _DAY_BEFORE.search(text, max(0, start - 12), start)
            if w == "May" and not (dm or db or (k > 0 and lower[k - 1] in _MAY_CUES)):
                continue  # the verb
            day = int(dm.group("d")) if dm else int(db.group("d")) if db else None
            add(db.start() if db else start, dm.end() if dm else end, "date", (_MONTHS[lower[k]], day))
        elif w in _WEEKDAY_WORDS:
            add(starts[k], starts[k] + len(w), "weekday", _WEEKDAYS[lower[k]])

    for m in _DIGITS.finditer(text) if _ANY_DIGIT.search(text) else ():
        num, att = m.group("num"), (m.group("att") or "")
        start = m.start()
        cur = None
        if (cm := _CURRENCY_BEFORE.search(text, max(0, start - 4), start)) is not None:
            cur, start = cm.group().rstrip().removeprefix("US"), cm.start()
        if ":" in num or "/" in num:
            add(start, m.end(), "time" if ":" in num else "ratio", num)
            continue
        value = Decimal(num.replace(",", ""))
        kind = "plain"
        if att in ("st", "nd", "rd", "th"):
            kind = "ordinal"
        elif att == "s":
            kind = "decade" if len(num) == 4 else "plain"
        elif att:
            value *= _ABBREV_SCALES[att]
        elif len(num) == 4 and 1000 <= value <= 2100 and not cur:
            kind = "year"
        end = m.end()
        if kind in ("plain", "year"):
            end, kind, value = suffixes(end, value, kind)
        if cur:
            kind = "money" + cur
        add(start, end, kind, value)

    for k, w in enumerate(lower):
        if w not in _NUMBER_WORDS and w not in ("twice", "thrice"):
            continue
        start, end = starts[k], starts[k] + len(words[k])
        prev = lower[k - 1] if k > 0 else ""
        if w in _VAGUE:
            amount = _VAGUE[w]
            if vm := _VAGUE_OF.match(text, end):  # "tens of thousands"
                amount, end = amount * _VAGUE[vm.group("v").lower()], vm.end()
            add(start, end, "approx", Decimal(amount))
        elif w in ("twice", "thrice"):
            add(start, end, "mult", Decimal(2 if w == "twice" else 3))
        elif w in _ORDINALS:
            if not (w == "first" and prev == "at"):  # "at first" is about time, not rank
                add(start, end, "ordinal", Decimal(_ORDINALS[w]))
        elif (wm := _WORDS.match(text, start)) is not None:
            seq = [x for x in re.split(r"[\s-]+", wm.group().lower()) if x != "and"]
            if seq == ["one"] and (prev in _NOT_COUNTING or _ONE_FOLLOWERS.match(text, wm.end())):
                continue
            if seq[0] in _SCALES and prev in ("a", "an"):
                start = starts[k - 1]  # "a dozen", "a million"
            end, kind, value = suffixes(wm.end(), Decimal(_word_value(seq)), "plain")
            add(start, end, kind, value)

    out = []
    for span, kind, value in sorted(found, key=lambda f: f[0]):
        first, last = _token_range(starts, span)
        unit = _unit_after(lower, starts, span[1]) if kind in ("plain", "approx") else None
        out.append(_Mention(span, value, kind, (first, last), unit))
    return out


def _name_token(word: str) -> str:
    return word.lower().replace(".", "")


# Spelled-out forms of the few abbreviations every outlet varies on.
_ALIASES = {
    "us": ("united", "states"), "usa": ("united", "states"), "america": ("united", "states"),
    "american": ("united", "states"), "uk": ("united", "kingdom"), "britain": ("united", "kingdom"),
    "british": ("united", "kingdom"), "un": ("united", "nations"), "eu": ("european", "union"),
}  # fmt: skip


def _expand(tokens: tuple[str, ...]) -> tuple[str, ...]:
    if not any(t in _ALIASES for t in tokens):
        return tokens
    return tuple(x for t in tokens for x in _ALIASES.get(t, (t,)))


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.replace(".", "").isupper()


def _looks_common(w: str) -> bool:
    """Whether a lone capitalised sentence opener is more likely an ordinary word than a name (by its ending)."""
    return len(w) > 5 and w.endswith(_COMMON_ENDINGS)


_COMMON_ENDINGS = (
    "ly", "ing", "ed", "ness", "ment", "ments", "tion", "tions", "sion", "ers", "ies", "al", "ive", "ous", "ful", "ary",
    "ence", "ance", "ity", "ism", "ists", "ics", "ings",
)  # fmt: skip


_OPENING_PUNCT = frozenset("\"'(.!?:;")


_INNER_MARKS = frozenset(("'", "s", "."))  # kept inside a name ("People's", "George W. Bush") but not name tokens
# Lowercase words that follow a hyphen without being part of a name ("US-led", "state-run").
_LOWER_HYPHEN_STOP = _wordset("based led run style born made owned era like wide long old year day backed")


def _names(text: str, starts: Sequence[int], words: Sequence[str], lower: Sequence[str]) -> list[_Mention]:
    """Capitalised word runs, split at titles and dates; a plain sentence opener is not a name."""
    n = len(words)

    def joined(k: int) -> bool:  # token k follows token k-1 with only spaces between
        return k > 0 and not text[starts[k - 1] + len(words[k - 1]) : starts[k]].strip(" ")

    def tight(k: int) -> bool:  # no space at all before token k
        return k > 0 and starts[k - 1] + len(words[k - 1]) == starts[k]

    def excluded(k: int) -> bool:
        w = lower[k]
        if w in _CONNECTORS:
            return False
        return w in _MONTHS or w in _WEEKDAYS or w in _NUMBER_WORDS or (w in _STOP and not _is_acronym(words[k]))

    out: list[_Mention] = []
    k = 0
    for k0 in [i for i, w in enumerate(words) if w[0].isupper()]:
        if k0 < k or (tight(k0) and words[k0 - 1] == "."):
            continue  # inside the previous run, or a ticker suffix (".N", ".SPX")
        k = k0
        run = [k]
        j = k + 1
        while j < n:
            if words[j][0].isupper() and joined(j):
                run.append(j)
                j += 1
            elif (
                words[j] == "-"
                and tight(j)
                and j + 1 < n
                and tight(j + 1)
                and words[j + 1].isalpha()
                and (words[j + 1][0].isupper() or (len(words[j + 1]) <= 5 and words[j + 1] not in _LOWER_HYPHEN_STOP))
            ):
                run.append(j + 1)
                j += 2
            elif lower[j] in _CONNECTORS and joined(j) and j + 1 < n and words[j + 1][0].isupper() and joined(j + 1):
                run.append(j)
                j += 1
            elif words[j] == "." and len(words[j - 1]) == 1 and tight(j) and j + 1 < n and words[j + 1][0].isupper():
                run.append(j)  # an initial: "George W. Bush"
                j += 1
            elif words[j] == "'" and lower[j - 1] == "people" and j + 2 < n and lower[j + 1] == "s":
                run.extend((j, j + 1))  # "Democratic People's Republic of Korea" is one name
                j += 2
            else:
                break
        k = j
        # An opener is only a name when it does not look like an ordinary word.
        first = run[0]
        opener = (first == 0 or words[first - 1] in _OPENING_PUNCT) and not _is_acronym(words[first])
        if opener:
            w = lower[first]
            if w in _STOP or w in _COMMON_OPENERS or (len(run) == 1 and _looks_common(w)):
                run = run[1:]
                opener = False
        # Split at titles, stop words and dates; connectors and "'s" stay inside a part but are not name tokens.
        part: list[int] = []
        for idx in [*run, -1]:
            is_title = idx >= 0 and (
                lower[idx] in _TITLES
                or (lower[idx] == "state" and idx >= 2 and lower[idx - 2] == "secretary" and lower[idx - 1] == "of")
            )
            if idx >= 0 and not is_title and not excluded(idx) and (part or lower[idx] not in _CONNECTORS):
                part.append(idx)
                continue
            while part and (lower[part[-1]] in _CONNECTORS or lower[part[-1]] in _INNER_MARKS):
                part.pop()
            if len(part) == 1 and (lower[part[0]] in _GENERIC_CAPS or len(words[part[0]]) == 1):
                part = []
            if part:
                toks = tuple(
                    _name_token(words[p]) for p in part if lower[p] not in _CONNECTORS and lower[p] not in _INNER_MARKS
                )
                # A lone word opening the sentence may be an ordinary word: never the evidence for a "changed".
                tag = "acronym" if len(part) == 1 and _is_acronym(words[part[0]]) else ""
                if opener and part == run[:1] and len(run) == 1:
                    tag = "opener"
                span = (starts[part[0]], starts[part[-1]] + len(words[part[-1]]))
                out.append(_Mention(span, _expand(toks), tag, (part[0], part[-1])))
            part = []
    return out


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


def _source_key(src: str) -> tuple[str, ...]:
    """The words that identify a source ("the Korean Central News Agency" -> korean central news agency)."""
    toks = [_name_token(t) for t in re.findall(r"[^\W_]+", src)]
    return tuple(t for t in toks if t not in _SOURCE_FILLER and t not in _STOP) or tuple(toks)


def _attributions(text: str, starts: Sequence[int], lower: Sequence[str], vocab: frozenset[str]) -> list[_Mention]:
    """Phrases that attribute the sentence to a source ("told AFP", "KCNA said", "according to ...")."""
    found = []
    for needs, also_needs, pattern in _ATTRIBUTIONS:
        if vocab.isdisjoint(needs) or (also_needs and vocab.isdisjoint(also_needs)):
            continue
        for m in pattern.finditer(text):
            found.append((m.start(), -m.end(), m.end(), _source_key(m.group("src"))))
    # "<media> said": the source ends within a few words before the verb, so only that stretch is searched.
    for k in [k for k, w in enumerate(lower) if w in _SAY_WORDS]:
        if not any(w in _MEDIA_WORDS for w in lower[max(0, k - 6) : k]):
            continue
        said = _SOURCE_SAID.search(text, starts[max(0, k - 10)], starts[k] + len(lower[k]))
        if said is not None:
            found.append((said.start(), -said.end(), said.end(), _source_key(said.group("src"))))
    out: list[_Mention] = []
    last_end = -1
    for s, _, e, key in sorted(found):
        if s >= last_end:  # keep the first, longest of overlapping matches
            first, last = _token_range(starts, (s, e))
            out.append(_Mention((s, e), key, "", (first, last)))
            last_end = e
    return out


@lru_cache(maxsize=8192)
def _analyse(original: str) -> _Analysis:
    """Everything the comparison needs from one sentence."""
    text = original.translate(_NORMALISE)
    words = tuple(_TOKEN.findall(text))
    positions, pos, find = [], 0, text.find
    for w in words:  # tokens cover every non-space character, so each is found right after the previous one
        pos = find(w, pos)
        positions.append(pos)
        pos += len(w)
    starts = tuple(positions)
    lower = tuple(map(str.lower, words))
    vocab = frozenset(lower)
    attributions = _attributions(text, starts, lower, vocab)
    numbers = _numbers(text, starts, words, lower)
    blocked = [m.span for m in attributions] + [m.span for m in numbers]
    names = [m for m in _names(text, starts, words, lower) if all(m.span[1] <= s or m.span[0] >= e for s, e in blocked)]
    return _Analysis(
        text=original,
        starts=starts,
        words=words,
        lower=lower,
        name_vocab=vocab | {w.replace(".", "") for w in vocab if "." in w},
        numbers=tuple(numbers),
        names=tuple(names),
        negations=tuple(_negations(text, starts, words, lower)) if not vocab.isdisjoint(_NEGATION_CUES) else (),
        antonyms=tuple(_antonyms(starts, lower)) if not vocab.isdisjoint(_ANTONYMS) else (),
        attributions=tuple(attributions),
    )


# ---------------------------------------------------------------------------------------------------------------------
# Matching two analyses.

T = TypeVar("T")


def _pair_up(left: Sequence[T], right: Sequence[T], score: Callable[[T, T], float | None]) -> list[tuple[int, int]]:
    """Pair items that are each other's unique best match; ambiguous ties stay unpaired (and the rule symmetric)."""
    scores = {(i, j): s for i, x in enumerate(left) for j, y in enumerate(right) if (s := score(x, y)) is not None}
    pairs: list[tuple[int, int]] = []
    used_l: set[int] = set()
    used_r: set[int] = set()
    progress = bool(scores)
    while progress:
        progress = False
        for (i, j), s in sorted(scores.items()):
            if i in used_l or j in used_r:
                continue
            rivals_i = [v for (a, b), v in scores.items() if a == i and b != j and b not in used_r]
            rivals_j = [v for (a, b), v in scores.items() if b == j and a != i and a not in used_l]
            if all(v < s for v in rivals_i) and all(v < s for v in rivals_j):
                pairs.append((i, j))
                used_l.add(i)
                used_r.add(j)
                progress = True
    return pairs


def _div(kind: DivergenceKind, change: Change, a: str, b: str, sa: Span | None, sb: Span | None) -> Divergence:
    return Divergence(
        kind=kind,
        change=change,
        a_sentence=None,
        b_sentence=None,
        a_span=sa,
        b_span=sb,
        a_text=a[sa[0] : sa[1]] if sa else None,
        b_text=b[sb[0] : sb[1]] if sb else None,
    )


def _leftovers(
    kind: DivergenceKind,
    a: str,
    b: str,
    only_a: Sequence[_Mention],
    only_b: Sequence[_Mention],
    score: Callable[[_Mention, _Mention], float | None],
) -> list[Divergence]:
    """Unmatched mentions: paired ones become "changed", the rest "dropped" (a only) or "added" (b only)."""
    pairs = _pair_up(only_a, only_b, score) if only_a and only_b else []
    out = [_div(kind, "changed", a, b, only_a[i].span, only_b[j].span) for i, j in pairs]
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    out += [_div(kind, "dropped", a, b, m.span, None) for i, m in enumerate(only_a) if i not in paired_a]
    out += [_div(kind, "added", a, b, None, m.span) for j, m in enumerate(only_b) if j not in paired_b]
    return out


def _match_by(
    xs: Sequence[_Mention], ys: Sequence[_Mention], same: Callable[[_Mention, _Mention], bool]
) -> tuple[list[_Mention], list[_Mention]]:
    """Match mentions in order; return those left over on each side."""
    used = [False] * len(ys)
    left = []
    for x in xs:
        for j, y in enumerate(ys):
            if not used[j] and same(x, y):
                used[j] = True
                break
        else:
            left.append(x)
    return left, [y for j, y in enumerate(ys) if not used[j]]


_VALUE_KINDS = frozenset({"plain", "year", "mult", "approx"})
_TYPED_KINDS = frozenset({"year", "decade", "date", "weekday", "time", "percent", "pp", "ordinal", "mult", "approx"})


def _same_number(x: _Mention, y: _Mention) -> bool:
    """Equal values written differently ("two" and "twice", "March" and "March 5")."""
    if x.kind == "date" and y.kind == "date":
        (mx, dx), (my, dy) = x.key, y.key
        return bool(mx == my and (dx is None or dy is None or dx == dy))
    return x.key == y.key and (x.kind == y.kind or (x.kind in _VALUE_KINDS and y.kind in _VALUE_KINDS))


def _compare_numbers(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Numbers matched by value; the rest changed when they fill the same slot, else dropped or added."""
    exact = lambda x, y: x.kind == y.kind and x.key == y.key  # noqa: E731
    only_a, only_b = _match_by(na.numbers, nb.numbers, exact)
    if only_a and only_b:
        only_a, only_b = _match_by(only_a, only_b, _same_number)

    def slot(x: _Mention, y: _Mention) -> float | None:
        """How sure we are that two different numbers fill the same slot (None: they do not)."""
        if x.kind != y.kind:
            return None
        shared = len(_context(na.lower, *x.tokens, 2) & _context(nb.lower, *y.tokens, 2))
        shared += 2 if x.extra is not None and x.extra == y.extra else 0  # same unit: "24 years" and "25 years"
        if x.kind in _TYPED_KINDS or x.kind.startswith("money"):
            return float(shared)
        return float(shared) if shared else None

    return _leftovers("number", a, b, only_a, only_b, slot)


@lru_cache(maxsize=65536)
def _token_equal(x: str, y: str) -> bool:
    """Name tokens that are spelling or demonym variants (Korea/Korean, China/Chinese, Sergei/Sergey)."""
    if x == y:
        return True
    if x[:1] != y[:1]:
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3:
        return True
    if len(short) >= 5 and short[-1] in "aeiouy" and long.startswith(short[:-1]) and len(long) - len(short) <= 4:
        return True
    return len(short) >= 5 and ratio(x, y) >= 80


def _covers(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
    return all(t in big or any(_token_equal(t, u) for u in big) for t in small)


@lru_cache(maxsize=65536)
def _same_name(tx: tuple[str, ...], ty: tuple[str, ...]) -> bool:
    """One name is a part or a variant of the other ("Kim" / "Kim Jong Un"), or its initials ("UN")."""
    if tx == ty or _covers(tx, ty) or _covers(ty, tx):
        return True
    for acro, full in ((tx, ty), (ty, tx)):
        if len(acro) == 1 and len(full) > 1 and acro[0] == "".join(t[0] for t in full if t):
            return True
    return False


def _name_kept(m: _Mention, this: _Analysis, other: _Analysis) -> bool:
    """A name the other sentence also has, as a name or merely as words (it may open that sentence)."""
    if m.kind != "acronym" and all(t in other.name_vocab for t in m.key):
        return True
    if any(_same_name(m.key, y.key) for y in other.names):
        return True
    if m.kind == "acronym":  # written in capitals, not as the pronoun "us"
        raw = this.text[m.span[0] : m.span[1]].replace(".", "")
        return any(w.replace(".", "") == raw for w in other.words if w[0].isupper())
    return all(any(_token_equal(t, v) for v in other.name_vocab) for t in m.key)


def _compare_names(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Names the other side lacks in any form; a swap in the same slot is one change."""
    only_a = [x for x in na.names if not _name_kept(x, na, nb)]
    only_b = [y for y in nb.names if not _name_kept(y, nb, na)]

    def slot(x: _Mention, y: _Mention) -> float | None:
        """Two different names fill the same slot when the words on both sides of them agree (met _ in)."""
        if x.kind == "opener" or y.kind == "opener":
            return None  # a lone capitalised opener may be an ordinary word
        left_x, left_y = _neighbours(na.lower, x.tokens[0], -1), _neighbours(nb.lower, y.tokens[0], -1)
        right_x, right_y = _neighbours(na.lower, x.tokens[1], 1), _neighbours(nb.lower, y.tokens[1], 1)
        left, right = left_x & left_y, right_x & right_y
        if not (left or not (left_x or left_y)) or not (right or not (right_x or right_y)):
            return None
        content = [w for w in left | right if w not in _STOP and len(w) > 1]
        return float(len(left) + len(right)) if content else None

    return _leftovers("name", a, b, only_a, only_b, slot)


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


def _compare_attributions(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Attributions to a source the other side does not name; a lone pair of different sources is a change."""
    same = lambda x, y: _same_name(x.key, y.key)  # noqa: E731
    only_a, only_b = _match_by(na.attributions, nb.attributions, same)
    return _leftovers("attribution", a, b, only_a, only_b, lambda x, y: 0.0)


def find_divergences(a: str, b: str) -> list[Divergence]:
    """The facts that differ between two aligned sentences, with spans relative to each sentence."""
    if a == b:
        return []
    na, nb = _analyse(a), _analyse(b)
    out = (
        _compare_numbers(a, b, na, nb)
        + _compare_names(a, b, na, nb)
        + _compare_negations(a, b, na, nb)
        + _compare_antonyms(a, b, na, nb)
        + _compare_attributions(a, b, na, nb)
    )
    return sorted(out, key=_order)


_KIND_ORDER = {"number": 0, "name": 1, "negation": 2, "antonym": 3, "attribution": 4}


def _order(d: Divergence) -> tuple[int, int, int]:
    return (d.a_span or d.b_span or (0, 0))[0], (d.b_span or (0, 0))[0], _KIND_ORDER[d.kind]


def is_contradiction(divs: Sequence[Divergence]) -> bool:
    """Whether the divergences mean the two sentences do not say the same thing."""
    return any(
        d.kind in ("negation", "antonym") or (d.kind in ("number", "name") and d.change == "changed") for d in divs
    )


@dataclass(frozen=True, slots=True)
class Fact:
    """A number or a name in one sentence, with a key that is equal wherever the same fact is written."""

    kind: str  # "number" or "name"
    text: str  # as written, with the unit word when the number has one ("15 people")
    key: tuple[Any, ...]  # number: (value, category, unit); name: its lower-case tokens
    specific: bool  # means something alone: a name, or a number with a unit, a date, money, a percentage...
    span: Span = (0, 0)  # in the sentence


_BARE_NUMBERS = frozenset(("plain", "ordinal", "approx", "ratio"))
_NEXT_WORD = re.compile(r"[\s-]+[^\W\d_]+")


def sentence_facts(sentence: str) -> list[Fact]:
    """The numbers and names of a sentence, as the divergence rules see them (so that counting the reports that
    carry a fact and telling where they differ use one reading of the text)."""
    analysis = _analyse(sentence)
    out = []
    for m in analysis.numbers:
        text = sentence[m.span[0] : m.span[1]]
        unit = m.extra if isinstance(m.extra, str) else None
        after = _NEXT_WORD.match(sentence, m.span[1]) if unit and unit not in text.lower() else None
        shown = text + after.group() if after else text  # the unit as written: "three days"
        specific = bool(unit) or m.kind not in _BARE_NUMBERS
        out.append(Fact("number", shown, (m.key, m.kind, unit), specific, m.span))
    for m in analysis.names:
        out.append(Fact("name", sentence[m.span[0] : m.span[1]], tuple(m.key), True, m.span))
    return out
