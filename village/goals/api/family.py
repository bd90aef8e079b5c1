"""The family's part through the API: encouragement on a goal of a child's plan (or one of
its efforts), and the children's requests for help at home, listed and answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.core.api import LISTED, WRITE, Id, InputSchema, PageIn, Ref, Text, invalid
from village.goals import policies
from village.goals.api.common import (
    MAX_PAGE_SIZE,
    GoalPersonOut,
    audit,
    person,
)
from village.goals.api.efforts import GoalEncouragementOut, encouragement_out
from village.goals.models import NOTE_MAX, HelpRequest
from village.goals.services.family import encouragement_add, help_answer

router = Router()


class GoalEncouragementIn(InputSchema):
    text: Text = Field(max_length=NOTE_MAX, description="A few words for the child.")
    effort_id: Ref | None = Field(None, description="One effort on the goal (null: the goal).")


class GoalHelpAnswerIn(InputSchema):
    answer: Text = Field(max_length=NOTE_MAX)


class GoalHelpRequestOut(Schema):
    id: int
    plan_goal_id: int
    goal_title: str
    student: GoalPersonOut
    text: str = Field(description="What the student needs help at home with.")
    created_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None
    answered_by: GoalPersonOut | None


class GoalHelpRequestsPage(Schema):
    items: list[GoalHelpRequestOut]
    count: int = Field(description="How many requests there are in all.")


class HelpRequestsQuery(Schema):
    open: bool = Field(False, description="Only the requests nobody has answered yet.")


def help_out(ask: HelpRequest) -> GoalHelpRequestOut:
    student = person(ask.plan_goal.plan.student)
    assert student is not None
    return GoalHelpRequestOut(
        id=ask.pk,
        plan_goal_id=ask.plan_goal_id,
        goal_title=ask.plan_goal.goal.title,
        student=student,
        text=ask.text,
        created_at=ask.created_at,
        answer=ask.answer,
        answered_at=ask.answered_at,
        answered_by=person(ask.answered_by),
    )


@router.post(
    "/plan-goals/{plan_goal_id}/encouragements",
    response={201: GoalEncouragementOut, **WRITE},
    operation_id="goal_encouragement_add",
    summary="Encourage a child (a guardian)",
    description=(
        "A guardian whose link allows goals adds a few words of encouragement to a goal of "
        "the child's plan, or to one of its efforts (``effort_id``), in the guardian's "
        "language; the child and the teacher read it. Empty or too long, or an effort of "
        "another goal, answer 422 naming the field (``text``, ``effort_id``). 404 for a goal "
        "of a plan the caller does not see as a guardian."
    ),
)
def encouragement_create(
    request: HttpRequest, plan_goal_id: Id, payload: GoalEncouragementIn
) -> Status[Any]:
    user = api_caller(request)
    plan_goal = policies.plan_goal_for_family(user, plan_goal_id)
    effort = policies.effort_on(plan_goal, payload.effort_id)
    if payload.effort_id is not None and effort is None:
        refused = ValidationError({"effort": _("This effort is not on this goal.")})
        return invalid(refused, {"effort": "effort_id"})
    try:
        found = encouragement_add(
            plan_goal=plan_goal,
            guardian=user,
            text=payload.text,
            language=user.preferred_language,
            effort=effort,
        )
    except ValidationError as error:
        return invalid(error, {"effort": "effort_id"})
    return Status(201, encouragement_out(found))


@router.get(
    "/help-requests",
    response={200: GoalHelpRequestsPage, **LISTED},
    operation_id="goal_help_requests_list",
    summary="Requests for help at home",
    description=(
        "The requests for help at home on the plans the caller sees: a guardian's children's "
        "(where the link allows goals), a student's own, the plans of a teacher's classes. "
        "Newest first; ``open=true`` only those nobody has answered; ``limit`` (at most 200) "
        "after the first ``offset``. Each student shown is written to the audit log."
    ),
)
def help_list(
    request: HttpRequest, query: Query[HelpRequestsQuery], page: Query[PageIn]
) -> GoalHelpRequestsPage:
    user = api_caller(request)
    found = policies.visible_help_requests(user)
    if query.open:
        found = found.filter(answered_at__isnull=True)
    limit = min(page.limit, MAX_PAGE_SIZE)
    rows = list(
        found.select_related(
            "plan_goal__goal",
            "plan_goal__plan__student",
            "plan_goal__plan__goal_set__school_class",
            "answered_by",
        ).order_by("-created_at", "-pk")[page.offset : page.offset + limit]
    )
    audit(
        request,
        user,
        [
            (ask.plan_goal.plan.student_id, ask.plan_goal.plan.goal_set.school_class.school_id)
            for ask in rows
        ],
    )
    return GoalHelpRequestsPage(items=[help_out(ask) for ask in rows], count=found.count())


@router.post(
    "/help-requests/{request_id}/answer",
    response={200: GoalHelpRequestOut, **WRITE},
    operation_id="goal_help_request_answer",
    summary="Answer a child's request for help (a guardian)",
    description=(
        "A guardian whose link allows goals answers the child's \"I need help at home "
        'with…" (a later answer replaces the first). An empty or too long answer answers '
        "422 naming ``answer``. 404 for a request the caller does not see as a guardian."
    ),
)
def help_answer_endpoint(
    request: HttpRequest, request_id: Id, payload: GoalHelpAnswerIn
) -> Status[Any]:
    user = api_caller(request)
    ask = policies.help_request_for_family(user, request_id)
    try:
        help_answer(request=ask, guardian=user, answer=payload.answer)
    except ValidationError as error:
        return invalid(error)
    return Status(200, help_out(ask))
