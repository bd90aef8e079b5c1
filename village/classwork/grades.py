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


def weighted_percent(work: Iterable[ScoredWork], weights: dict[int, Decimal]) -> Decimal | None:
    """The course grade for ``work`` given category ``weights`` (percentages); ``None`` if none."""
    earned: dict[int | None, Decimal] = {}
    possible: dict[int | None, Decimal] = {}
    for item in work:
        key = item.category_id if weights.get(item.category_id or 0, Decimal(0)) > 0 else None
        earned[key] = earned.get(key, Decimal(0)) + item.score
        possible[key] = possible.get(key, Decimal(0)) + item.points
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
    weeks: list[dt.date] = []
    for item in ordered:
        week = _week_start(
            item.returned_at.astimezone(tz).date() if tz else item.returned_at.date()
        )
        if not weeks or weeks[-1] != week:
            weeks.append(week)
    history: list[tuple[dt.date, Decimal]] = []
    upto = 0
    for week in weeks:
        end = week + dt.timedelta(days=7)
        while upto < len(ordered):
            returned = ordered[upto].returned_at
            day = returned.astimezone(tz).date() if tz else returned.date()
            if day >= end:
                break
            upto += 1
        value = weighted_percent(ordered[:upto], weights)
        if value is not None:
            history.append((week, value))
    now = history[-1][1] if history else None
    trend = Trend.NEW
    if len(history) >= 3:
        delta = history[-1][1] - history[-3][1]
        trend = Trend.UP if delta >= 2 else Trend.DOWN if delta <= -2 else Trend.STEADY
    return CourseGrade(percent=now, trend=trend, history=tuple(history))
