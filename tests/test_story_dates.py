"""The days an article's text names, resolved against its publication date, and what they do to the date veto."""

from datetime import date

from sourcetrace.settings import StorySettings
from sourcetrace.stages.stories import cluster_stories
from sourcetrace.stages.story_dates import NO_DAYS, Days, days_meet, meeting_pairs, told_days

from .conftest import make_article


def day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def test_weekdays_and_relative_days_are_own_days_up_to_publication():
    # 2024-01-10 is a Wednesday
    found = told_days("A girl was shot Sunday. Police spoke yesterday and will speak again today.", "2024-01-10")
    assert found.own == {day("2024-01-07"), day("2024-01-09"), day("2024-01-10")} and not found.named
    assert told_days("On Wednesday the council met.", "2024-01-10").own == {day("2024-01-10")}


def test_month_days_take_the_publication_year_or_the_one_before():
    assert told_days("Police arrested a man in the Dec. 27 shooting.", "2016-01-20").named == {day("2015-12-27")}
    assert told_days("The trial opens March 4th.", "2016-03-03").named == {day("2016-03-04")}  # a day ahead
    assert told_days("It began on June 1, 2014 in Ohio.", "2016-01-20").named == {day("2014-06-01")}
    assert told_days("Born on Feb. 30.", "2016-03-01").named == frozenset()  # no such day


def test_words_that_begin_like_months_are_no_dates():
    text = "The Mayor 12 times visited Junction 9 with Augusta 13 and Octavia 5; the meeting ran to May 12:30."
    assert told_days(text, "2016-03-01").named == frozenset()


def test_no_publication_date_tells_no_day():
    assert told_days("A girl was shot Sunday, Dec. 27.", None) == NO_DAYS
    assert told_days("A girl was shot Sunday.", "not a date") == NO_DAYS


def test_a_date_one_names_must_be_a_day_of_the_other():
    report = told_days("A girl was shot Sunday.", "2015-12-28")  # own: Dec. 28 and Sunday, Dec. 27
    follow_up = told_days("A man was arrested in the Dec. 27 shooting.", "2016-01-25")
    assert days_meet(report, follow_up) and days_meet(follow_up, report)
    # two articles months apart that both recall the same anniversary do not meet on it
    first = told_days("Protesters marked Jan. 6 outside the Capitol.", "2023-02-10")
    second = told_days("The Jan. 6 committee met again.", "2023-04-12")
    assert not days_meet(first, second)
    assert Days.decode(follow_up.encode()) == follow_up
    assert meeting_pairs([report, first, follow_up, second]) == {(0, 2)}


def test_a_follow_up_weeks_later_that_names_the_day_joins_the_story():
    report = [
        "Maribel Quintanar, 9, was shot in the Dorrance Street home on Sunday, Bexley police said.",
        "Bexley police said Quintanar was struck by a bullet fired through the Dorrance Street window.",
    ]
    follow_up = [
        "Bexley police arrested a man in the Dec. 27 shooting of Maribel Quintanar, 9, on Dorrance Street.",
        "Quintanar was struck by a bullet fired through the window, Bexley police said.",
    ]
    vague = [follow_up[0].replace("the Dec. 27 shooting", "the shooting"), follow_up[1]]
    first = make_article("first", report, date="2015-12-28")  # a Monday: "Sunday" is Dec. 27
    named = make_article("named", follow_up, date="2016-01-25")
    unnamed = make_article("unnamed", vague, date="2016-01-25")
    assert {s.articles for s in cluster_stories([first, named], [], StorySettings())} == {("first", "named")}
    assert {s.articles for s in cluster_stories([first, unnamed], [], StorySettings())} == {("first",), ("unnamed",)}
