"""Course grades: weighted by category, renormalised over categories with work, with a trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from village.classwork.grades import (
    CourseGrade,
    ScoredWork,
    Trend,
    course_grade,
    percent,
    weighted_percent,
)

MONDAY = dt.datetime(2026, 9, 7, 15, 0, tzinfo=dt.UTC)


def work(category: int | None, score: str, points: str, week: int = 0) -> ScoredWork:
    return ScoredWork(category, Decimal(score), Decimal(points), MONDAY + dt.timedelta(weeks=week))


def test_percent_rounds_half_up_to_one_decimal_and_refuses_zero_points() -> None:
    assert percent(Decimal(2), Decimal(3)) == Decimal("66.7")
    assert percent(Decimal(1), Decimal(8)) == Decimal("12.5")
    assert percent(Decimal(5), Decimal(0)) is None


def test_no_counted_work_has_no_grade() -> None:
    assert weighted_percent([], {}) is None
    grade = course_grade([], {1: Decimal(50)})
    assert grade == CourseGrade(percent=None, trend=Trend.NEW, history=())
    assert not grade.is_low


def test_without_weights_it_is_total_points() -> None:
    items = [work(None, "9", "10"), work(None, "10", "40")]
    assert weighted_percent(items, {}) == Decimal("38.0")


def test_categories_are_weighted_by_their_share() -> None:
    homework, tests = 1, 2
    items = [
        work(homework, "10", "10"),  # homework 100%
        work(tests, "30", "50"),  # tests 60%
        work(tests, "20", "50"),
    ]
    # tests are 50% of 100 points: 50%; weights 25/75 → 0.25*100 + 0.75*50 = 62.5
    weights = {homework: Decimal(25), tests: Decimal(75)}
    assert weighted_percent(items, weights) == Decimal("62.5")


def test_weights_are_renormalised_over_categories_that_have_work() -> None:
    homework, tests = 1, 2
    weights = {homework: Decimal(20), tests: Decimal(80)}
    assert weighted_percent([work(homework, "8", "10")], weights) == Decimal("80.0")


def test_uncategorised_or_unweighted_work_falls_back_to_total_points() -> None:
    weights = {1: Decimal(50), 2: Decimal(0)}
    items = [work(1, "10", "10"), work(2, "0", "10"), work(None, "5", "10")]
    assert weighted_percent(items, weights) == Decimal("50.0")


def test_history_has_one_point_per_week_with_work_and_the_trend_compares_two_weeks() -> None:
    items = [
        work(None, "9", "10", week=0),
        work(None, "9", "10", week=0),
        work(None, "5", "10", week=1),
        work(None, "3", "10", week=2),
    ]
    grade = course_grade(items, {})
    assert [value for _, value in grade.history] == [
        Decimal("90.0"),
        Decimal("76.7"),
        Decimal("65.0"),
    ]
    assert grade.history[0][0] == dt.date(2026, 9, 7)  # the Monday of the first week
    assert grade.percent == Decimal("65.0")
    assert grade.trend == Trend.DOWN
    assert grade.is_low


def test_trend_up_steady_and_too_early() -> None:
    rising = [work(None, "5", "10", 0), work(None, "8", "10", 1), work(None, "10", "10", 2)]
    assert course_grade(rising, {}).trend == Trend.UP
    steady = [work(None, "8", "10", week) for week in range(3)]
    assert course_grade(steady, {}).trend == Trend.STEADY
    assert course_grade(steady[:2], {}).trend == Trend.NEW


def test_weeks_follow_the_schools_time_zone() -> None:
    chicago = dt.timezone(dt.timedelta(hours=-6))
    # Monday 03:00 UTC is still Sunday evening in Chicago: the week before.
    late_sunday = ScoredWork(
        None, Decimal(1), Decimal(1), dt.datetime(2026, 9, 14, 3, tzinfo=dt.UTC)
    )
    grade = course_grade([late_sunday], {}, tz=chicago)
    assert grade.history[0][0] == dt.date(2026, 9, 7)
    assert course_grade([late_sunday], {}).history[0][0] == dt.date(2026, 9, 14)
