"""The days an article's text refers to, resolved against its publication date (stage 9, :mod:`.stories`).

A follow-up published weeks after an event ("police arrested a man in the Dec. 27 shooting") is about the event of an
article published the day after it ("a girl was shot Sunday"): their publication dates are far apart, but a date the
follow-up names is a day of the first report. An article's own days are its publication day and the days it tells
relative to it (weekdays: the last such day up to publication; "yesterday", "today", "tonight", "last night"); the
dates it names are month-day dates ("Dec. 27", "December 27, 2015"; without a year, the last such day up to the day
after publication). Two articles meet when a date one names is, within a day, one of the other's own days: two
articles that both recall an anniversary ("Jan. 6") do not meet on it. An article without a publication date has no
days.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from .dates import MONTHS
from .divergences.numbers import WEEKDAYS

VERSION = 2  # of these rules: stored days of another version are found again (store/stories.py)
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_MONTH_DAY = re.compile(
    r"\b(Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
    r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!:)(?:,?\s+((?:19|20)\d\d)\b)?"
)
_RELATIVE = re.compile(r"\b(yesterday|today|tonight|last night)\b", re.IGNORECASE)
SAME_DAY = 1  # days two days may differ by and still be one (time zones, "late Saturday" reported Sunday)


class Days(NamedTuple):
    """An article's own days and the dates it names, as day numbers (``date.toordinal``)."""

    own: frozenset[int]
    named: frozenset[int]

    def encode(self) -> str:
        """As stored: the own days, a semicolon, the named dates (space-separated)."""
        return " ".join(map(str, sorted(self.own))) + ";" + " ".join(map(str, sorted(self.named)))

    @classmethod
    def decode(cls, text: str) -> Days:
        own, _, named = text.partition(";")
        return cls(frozenset(map(int, own.split())), frozenset(map(int, named.split())))


NO_DAYS = Days(frozenset(), frozenset())


def told_days(text: str, published: str | None) -> Days:
    """The days ``text`` tells, resolved against ``published`` (ISO 8601); none when that is not a date."""
    try:
        day = date.fromisoformat(published[:10]) if published else None
    except ValueError:
        day = None
    if day is None:
        return NO_DAYS
    today = day.toordinal()
    own = {today}
    for match in _WEEKDAY.finditer(text):
        own.add(today - (day.weekday() - WEEKDAYS[match.group(1).lower()]) % 7)
    for match in _RELATIVE.finditer(text):
        own.add(today - (match.group(1).lower() in ("yesterday", "last night")))
    named = set()
    for match in _MONTH_DAY.finditer(text):
        month, number, year = MONTHS[match.group(1)[:3].lower()], int(match.group(2)), match.group(3)
        found = _date(int(year) if year else day.year, month, number)
        if found is not None and not year and found > day + timedelta(days=1):
            found = _date(day.year - 1, month, number)
        if found is not None:
            named.add(found.toordinal())
    return Days(frozenset(own), frozenset(named))


def _date(year: int, month: int, number: int) -> date | None:
    try:
        return date(year, month, number)
    except ValueError:
        return None


def days_meet(a: Days, b: Days) -> bool:
    """Whether a date one article names is, within :data:`SAME_DAY`, one of the other's own days."""
    return _reaches(a.named, b.own) or _reaches(b.named, a.own)


def _reaches(named: frozenset[int], own: frozenset[int]) -> bool:
    return any(x + k in own for x in named for k in range(-SAME_DAY, SAME_DAY + 1))


def meeting_pairs(days: list[Days]) -> set[tuple[int, int]]:
    """The pairs (i < j) of ``days`` that meet (:func:`days_meet`), found through an index of own days: the cost
    follows the dates named, not the pairs."""
    owners: dict[int, list[int]] = {}
    for k, d in enumerate(days):
        for x in d.own:
            owners.setdefault(x, []).append(k)
    out: set[tuple[int, int]] = set()
    for k, d in enumerate(days):
        for x in d.named:
            for near in range(x - SAME_DAY, x + SAME_DAY + 1):
                out.update((min(k, m), max(k, m)) for m in owners.get(near, ()) if m != k)
    return out
