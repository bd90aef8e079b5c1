"""Course grades from returned feedback, weighted by grading category, and their trend.

A piece of work counts once its feedback is returned with a score, it has points, and it is not
excused. Each category's percentage is its points earned over points possible; the course grade
is the weighted mean over the categories that have counted work, weights renormalised (a class
with no weights, or work without a category, falls back to total points). Missing work is shown
as missing, not silently scored as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
#: A grade below this percentage is flagged to families and teachers.
LOW_GRADE = Decimal(70)


@dataclass(frozen=True, slots=True)
class ScoredWork:
    """One returned, scored, non-excused piece of work."""

    category_id: int | None
    score: Decimal
    points: Decimal
    returned_at: dt.datetime


class Trend(models.TextChoices):
    UP = "up", _("Going up")
    DOWN = "down", _("Going down")
    STEADY = "steady", _("Steady")
    NEW = "new", _("Too early to tell")


@dataclass(frozen=True, slots=True)
class CourseGrade:
    percent: Decimal | None
    trend: Trend
    #: (week start, grade as of the end of that week) for the weeks with counted work.
    history: tuple[tuple[dt.date, Decimal], ...]

    @property
    def is_low(self) -> bool:
        return self.percent is not None and self.percent < LOW_GRADE


def percent(score: Decimal, points: Decimal) -> Decimal | None:
    if points <= 0:
        return None
    return (score / points * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class _Sums:
    """Points earned and possible so far, per weighted category (``None``: everything else)."""

    def __init__(self, weights: dict[int, Decimal]) -> None:
        self.weights = weights
        self.earned: dict[int | None, Decimal] = {}
        self.possible: dict[int | None, Decimal] = {}

    def add(self, item: ScoredWork) -> None:
        weights = self.weights
        key = item.category_id if weights.get(item.category_id or 0, Decimal(0)) > 0 else None
        self.earned[key] = self.earned.get(key, Decimal(0)) + item.score
        self.possible[key] = self.possible.get(key, Decimal(0)) + item.points

    def percent(self) -> Decimal | None:
        earned, possible, weights = self.earned, self.possible, self.weights
        if not possible:
            return None
        weighted = [key for key in possible if key is not None and possible[key] > 0]
        if weighted and None not in possible:
            total_weight = sum((weights[key] for key in weighted), Decimal(0))
            value = (
                sum((earned[key] / possible[key] * weights[key] for key in weighted), Decimal(0))
                / total_weight
            )
            return (value * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        all_possible = sum(possible.values(), Decimal(0))
        return percent(sum(earned.values(), Decimal(0)), all_possible)


def weighted_percent(work: Iterable[ScoredWork], weights: dict[int, Decimal]) -> Decimal | None:
    """The course grade for ``work`` given category ``weights`` (percentages); ``None`` if none."""
    sums = _Sums(weights)
    for item in work:
        sums.add(item)
    return sums.percent()


_WEEK = dt.timedelta(days=7)


def _local_day(moment: dt.datetime, tz: dt.tzinfo | None) -> dt.date:
    return moment.astimezone(tz).date() if tz else moment.date()


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def course_grade(
    work: Sequence[ScoredWork],
    weights: dict[int, Decimal],
    *,
    tz: dt.tzinfo | None = None,
) -> CourseGrade:
    """The grade now, the grade at the end of each week that had counted work, and the trend.

    The trend compares the grade now with the grade two weeks of work earlier (at least 3 weeks
    of history); a move of 2 points or more is up or down.
    """
    ordered = sorted(work, key=lambda item: item.returned_at)
    history: list[tuple[dt.date, Decimal]] = []
    # One pass: the sums grow item by item; the grade is read at the end of each week.
    sums = _Sums(weights)
    days = [_local_day(item.returned_at, tz) for item in ordered]
    for index, item in enumerate(ordered):
        sums.add(item)
        week = _week_start(days[index])
        if index + 1 < len(ordered) and days[index + 1] < week + _WEEK:
            continue
        value = sums.percent()
        if value is not None:
            history.append((week, value))
    now = history[-1][1] if history else None
    trend = Trend.NEW
    if len(history) >= 3:
        delta = history[-1][1] - history[-3][1]
        trend = Trend.UP if delta >= 2 else Trend.DOWN if delta <= -2 else Trend.STEADY
    return CourseGrade(percent=now, trend=trend, history=tuple(history))
