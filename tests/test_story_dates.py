"""The days an article's text names, resolved against its publication date, and what they do to the date veto."""

from datetime import date

from sourcetrace.settings import StorySettings
from sourcetrace.stages.stories import cluster_stories
from sourcetrace.stages.story_dates import days_meet, told_days

from .conftest import make_article


def day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def test_weekdays_and_relative_days_are_the_last_such_day_up_to_publication():
    # 2024-01-10 is a Wednesday
    found = told_days("A girl was shot Sunday. Police spoke yesterday and will speak again today.", "2024-01-10")
    assert found == {day("2024-01-07"), day("2024-01-09"), day("2024-01-10")}
    assert told_days("On Wednesday the council met.", "2024-01-10") == {day("2024-01-10")}


def test_month_days_take_the_publication_year_or_the_one_before():
    assert day("2015-12-27") in told_days("Police arrested a man in the Dec. 27 shooting.", "2016-01-20")
    assert day("2016-03-04") in told_days("The trial opens March 4th.", "2016-03-03")  # a day ahead: this year
    assert day("2014-06-01") in told_days("It began on June 1, 2014 in Ohio.", "2016-01-20")
    assert told_days("Born on Feb. 30.", "2016-03-01") == {day("2016-03-01")}  # no such day


def test_no_publication_date_names_no_day():
    assert told_days("A girl was shot Sunday, Dec. 27.", None) == frozenset()
    assert told_days("A girl was shot Sunday.", "not a date") == frozenset()


def test_days_meet_within_a_day():
    assert days_meet(frozenset({10}), frozenset({11}))
    assert not days_meet(frozenset({10}), frozenset({12}))
    assert not days_meet(frozenset(), frozenset({10}))


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
