"""What the goals endpoints share: the shapes of people and levels, the audit of students
shown, and service refusals as 422 answers naming the API's fields."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Schema

from village.accounts.models import User
from village.core.audit import students_shown
from village.goals.selectors.plans import Assessed

#: The most items one page of a list holds.
MAX_PAGE_SIZE = 200


class GoalPersonOut(Schema):
    id: int
    name: str


class GoalLevelOut(Schema):
    criterion: str
    level: str
    points: Decimal


class GoalAssessmentOut(Schema):
    levels: list[GoalLevelOut] = Field(description="The level chosen on each criterion.")
    total: Decimal
    best: Decimal = Field(description="The most the set's rubric is worth.")


def person(user: User | None) -> GoalPersonOut | None:
    return GoalPersonOut(id=user.pk, name=user.display_name) if user is not None else None


def assessment(found: Assessed | None) -> GoalAssessmentOut | None:
    if found is None:
        return None
    return GoalAssessmentOut(
        levels=[
            GoalLevelOut(criterion=level.criterion, level=level.level, points=level.points)
            for level in found.levels
        ],
        total=found.total,
        best=found.best,
    )


def audit(request: HttpRequest, user: User, shown: Iterable[tuple[int, int | None]]) -> None:
    """One audit entry per student shown (``(student id, school id)``), in one INSERT."""
    students_shown(request, user, shown, channel="api")
