"""Numbers in a sentence: numerals, number words, dates, weekdays, money and percentages, with comparable values."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ...records import Divergence, Span
from ..dates import MONTHS
from .common import (
    _STOP,
    _Analysis,
    _context,
    _leftovers,
    _match_by,
    _Mention,
    _token_range,
    _wordlist,
    _wordset,
)

WEEKDAYS = {d: i for i, d in enumerate(_wordlist("monday tuesday wednesday thursday friday saturday sunday"))}
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
_WEEKDAY_WORDS = frozenset(w.capitalize() for w in WEEKDAYS)
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
            add(db.start() if db else start, dm.end() if dm else end, "date", (MONTHS[lower[k]], day))
        elif w in _WEEKDAY_WORDS:
            add(starts[k], starts[k] + len(w), "weekday", WEEKDAYS[lower[k]])

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
