"""The days an article's text refers to, resolved against its publication date (stage 9, :mod:`.stories`).

A follow-up published weeks after an event ("police arrested a man in the Dec. 27 shooting") is about the event of an
article published the day after it ("a girl was shot Sunday"): their publication dates are far apart, but a day
one of them names is the other's day. Weekdays ("on Sunday": the last Sunday up to the publication day),
"yesterday", "today", "last night", and month-day dates ("Dec. 27", "December 27, 2015"; without a year, the last
such day up to the day after publication) are resolved; an article without a publication date names no day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_MONTH_DAY = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+((?:19|20)\d\d))?"
)
_RELATIVE = re.compile(r"\b(yesterday|today|tonight|last night)\b", re.IGNORECASE)
SAME_DAY = 1  # days two named days may differ by and still be one (time zones, "late Saturday" reported Sunday)


def told_days(text: str, published: str | None) -> frozenset[int]:
    """The day numbers (``date.toordinal``) ``text`` refers to, its publication day included; empty when
    ``published`` is not an ISO 8601 date."""
    try:
        day = date.fromisoformat(published[:10]) if published else None
    except ValueError:
        day = None
    if day is None:
        return frozenset()
    today = day.toordinal()
    found = {today}
    for match in _WEEKDAY.finditer(text):
        found.add(today - (day.weekday() - _WEEKDAYS.index(match.group(1).lower())) % 7)
    for match in _RELATIVE.finditer(text):
        found.add(today - (match.group(1).lower() in ("yesterday", "last night")))
    for match in _MONTH_DAY.finditer(text):
        month, number, year = _MONTHS.index(match.group(1)[:3].lower()) + 1, int(match.group(2)), match.group(3)
        named = _date(int(year) if year else day.year, month, number)
        if named is not None and not year and named > day + timedelta(days=1):
            named = _date(day.year - 1, month, number)
        if named is not None:
            found.add(named.toordinal())
    return frozenset(found)


def _date(year: int, month: int, number: int) -> date | None:
    try:
        return date(year, month, number)
    except ValueError:
        return None


def days_meet(a: frozenset[int], b: frozenset[int]) -> bool:
    """Whether a day one article names is, within :data:`SAME_DAY`, a day the other names."""
    return any(x + k in b for x in a for k in range(-SAME_DAY, SAME_DAY + 1)) if a and b else False
