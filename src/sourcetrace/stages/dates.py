"""Calendar dates written in text ("2023-09-15", "Sept. 15, 2023", "15 September 2023", "15/09/2023"), read as ISO
dates: the date line cleaning finds (stage 2) and the date a file's metadata gives (stage 1)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

_MON = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
MONTHS = {  # month names and their abbreviations, lower case -> the month's number
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
            ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
            ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
# (pattern, order of the groups); numeric day-first and month-first forms are told apart by value only.
_DATE_FORMATS: tuple[tuple[str, str], ...] = (
    (r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", "ymd"),
    (r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b", "ymd"),
    (rf"\b{_MON}\s+{_DAY},?\s+(\d{{4}})\b", "mdy"),
    (rf"\b{_DAY}\s+(?:of\s+)?{_MON},?\s+(\d{{4}})\b", "dmy"),
    (r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", "dmy"),
    (r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", "slash"),
)
_DATE_REGEXES = tuple((re.compile(p, re.I), order) for p, order in _DATE_FORMATS)
ANY_DATE = "(?:" + "|".join(p for p, _ in _DATE_FORMATS) + ")"


def parse_date(text: str) -> str | None:
    """The first calendar date written in ``text`` as ISO ``YYYY-MM-DD``; None when there is none or it is ambiguous."""
    found: list[tuple[int, str]] = []
    for regex, order in _DATE_REGEXES:
        for match in regex.finditer(text):
            iso = _to_iso(match.groups(), order)
            if iso:
                found.append((match.start(), iso))
                break
    return min(found)[1] if found else None


def publication_day(value: str) -> str | None:
    """The day of a publication date or time given as metadata, as ISO ``YYYY-MM-DD``; None when it is none.

    An ISO 8601 time with an offset ("2023-09-14T23:30:00-05:00") is an instant, and its day is taken in UTC: two
    outlets' times then compare on one clock (New York's evening is Seoul's next morning). Any other form: the
    first date written in it (:func:`parse_date`).
    """
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return parse_date(value)
    if not 1900 <= moment.year <= 2100:  # before converting: the calendar's first and last days would overflow
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.date().isoformat()


def _to_iso(groups: Sequence[str], order: str) -> str | None:
    a, b, c = groups
    if order == "ymd":
        year, month, day = int(a), int(b), int(c)
    elif order == "mdy":
        year, month, day = int(c), MONTHS[a.lower()], int(b)
    elif order == "dmy":
        year, day = int(c), int(a)
        month = int(b) if b.isdigit() else MONTHS[b.lower()]
    else:  # a/b/yyyy: day-first or month-first; refuse to guess when both readings are valid and differ
        first, second, year = int(a), int(b), int(c)
        if first > 12:
            day, month = first, second
        elif second > 12 or first == second:
            month, day = first, second
        else:
            return None
    if not 1900 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
