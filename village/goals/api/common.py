"""What the goals endpoints share: who sees which plan, the shapes of people and levels, the
audit of students shown, and service refusals as 422 answers naming the API's fields."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema, Status

from village.accounts.models import User
from village.community.policies import AnyUser
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import one_or_404
from village.goals import policies
from village.goals.models import Plan, PlanGoal
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


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """Plans ``user`` sees: as staff (their classes'), as a guardian (children whose link
    allows goals), and their own as a student (on sets they see)."""
    own = Q(student_id=user.pk, goal_set__in=policies.student_goal_sets(user).values("pk"))
    return Plan.objects.filter(
        Q(pk__in=policies.staff_plans(user).values("pk"))
        | Q(pk__in=policies.family_plans(user).values("pk"))
        | own
    )


def plan_goal_for_viewer(user: AnyUser, plan_goal_id: int) -> PlanGoal:
    """A goal of a plan ``user`` sees, or 404."""
    return one_or_404(
        PlanGoal.objects.filter(
            pk=plan_goal_id, plan__in=visible_plans(user).values("pk")
        ).select_related(
            "goal", "plan__student", "plan__goal_set__school_class", "plan__goal_set__rubric"
        ),
        "No such goal.",
    )


def audit(request: HttpRequest, user: User, shown: Iterable[tuple[int, int | None]]) -> None:
    """One audit entry per student shown (``(student id, school id)``), in one INSERT."""
    viewed = {pk: Viewed(student_id=pk, organisation_id=school) for pk, school in shown}
    if viewed:
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=viewed.values(),
            request=request,
            channel="api",
        )


def invalid(error: ValidationError, fields: dict[str, str] | None = None) -> Status[Any]:
    """A service's ``ValidationError`` as a 422 answer naming the API's fields (``fields`` maps
    a service's field to the API's where they differ)."""
    fields = fields or {}
    messages = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    detail = [
        {"loc": ["body", "payload", fields.get(name, name)], "msg": message, "type": "value_error"}
        for name, found in messages.items()
        for message in found
    ]
    return Status(422, {"detail": detail})
