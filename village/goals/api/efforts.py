"""Efforts through the API: the efforts on a goal of a plan the caller sees (each with the
student's levels, the teacher's feedback and the family's encouragement); a student records
one; a teacher answers one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from village.accounts.api import api_caller
from village.core.api import READ, WRITE, Id, InputSchema, Ref, Text, invalid
from village.goals import policies
from village.goals.api.common import (
    GoalAssessmentOut,
    GoalPersonOut,
    assessment,
    audit,
    person,
)
from village.goals.models import LINK_MAX, NOTE_MAX, TEXT_MAX, Encouragement, PlanGoal
from village.goals.progress import GoalState
from village.goals.selectors.plans import EffortView, FeedbackView, GoalView, plan_view
from village.goals.services.efforts import effort_record, feedback_give

router = Router()

#: Service fields named otherwise in the API.
FIELDS = {"rubric": "levels"}


class GoalEncouragementOut(Schema):
    id: int
    author: GoalPersonOut
    text: str
    language: str = Field(description="The language it is written in (the guardian's).")
    effort_id: int | None = Field(description="The effort it is about (null: the whole goal).")
    created_at: dt.datetime
    hidden: bool = Field(description="A teacher hid it (staff only see hidden ones).")


class GoalFeedbackOut(Schema):
    id: int
    author: GoalPersonOut | None
    comment: str
    assessment: GoalAssessmentOut | None = Field(description="The teacher's own levels, if any.")
    confirms_met: bool
    created_at: dt.datetime


class GoalEffortOut(Schema):
    id: int
    plan_goal_id: int
    created_at: dt.datetime
    done: str
    went_well: str
    next_step: str
    link: str
    file_name: str = Field(description="The evidence file's name, if any (files are not served).")
    self_assessment: GoalAssessmentOut | None = Field(description="The student's own levels.")
    feedback_asked_at: dt.datetime | None
    waiting: bool = Field(description="The student waits for the teacher's feedback.")
    feedback: list[GoalFeedbackOut]
    encouragements: list[GoalEncouragementOut]


class GoalEffortsOut(Schema):
    plan_goal_id: int
    goal_id: int
    title: str
    state: GoalState
    items: list[GoalEffortOut] = Field(description="Oldest first.")
    encouragements: list[GoalEncouragementOut] = Field(
        description="Encouragement on the goal as a whole."
    )


class GoalLevelIn(Schema):
    criterion_id: Ref
    level_id: Ref


class GoalEffortIn(InputSchema):
    done: Text = Field(max_length=TEXT_MAX, description="What the student did.")
    went_well: Text = Field("", max_length=NOTE_MAX)
    next_step: Text = Field("", max_length=NOTE_MAX)
    link: str = Field("", max_length=LINK_MAX, description="A web address (https://…).")
    levels: list[GoalLevelIn] = Field(
        max_length=50, description="A level on every criterion of the set's rubric."
    )
    ask_feedback: bool = False
    think_met: bool = Field(False, description="The student thinks the goal is met.")


class GoalFeedbackIn(InputSchema):
    comment: Text = Field(max_length=TEXT_MAX)
    levels: list[GoalLevelIn] = Field(
        default_factory=list, max_length=50, description="The teacher's own levels (optional)."
    )
    confirms_met: bool = Field(False, description="Confirm the goal met.")


def encouragement_out(found: Encouragement) -> GoalEncouragementOut:
    author = person(found.author)
    assert author is not None
    return GoalEncouragementOut(
        id=found.pk,
        author=author,
        text=found.text,
        language=found.language,
        effort_id=found.effort_id,
        created_at=found.created_at,
        hidden=found.hidden_at is not None,
    )


def _feedback(found: FeedbackView) -> GoalFeedbackOut:
    feedback = found.feedback
    return GoalFeedbackOut(
        id=feedback.pk,
        author=person(feedback.author),
        comment=feedback.comment,
        assessment=assessment(found.assessed),
        confirms_met=feedback.confirms_met,
        created_at=feedback.created_at,
    )


def _effort(found: EffortView) -> GoalEffortOut:
    effort = found.effort
    return GoalEffortOut(
        id=effort.pk,
        plan_goal_id=effort.plan_goal_id,
        created_at=effort.created_at,
        done=effort.done,
        went_well=effort.went_well,
        next_step=effort.next_step,
        link=effort.link,
        file_name=effort.file_name,
        self_assessment=assessment(found.assessed),
        feedback_asked_at=effort.feedback_asked_at,
        waiting=effort.is_waiting,
        feedback=[_feedback(one) for one in found.feedback],
        encouragements=[encouragement_out(one) for one in found.encouragements],
    )


def _goal_view(user: Any, plan_goal: PlanGoal) -> GoalView:
    plan = plan_goal.plan
    view = plan_view(plan.goal_set, plan, staff=policies.may_see_as_staff(user, plan))
    return next(g for g in view.goals() if g.plan_goal and g.plan_goal.pk == plan_goal.pk)


@router.get(
    "/plan-goals/{plan_goal_id}/efforts",
    response={200: GoalEffortsOut, **READ},
    operation_id="goal_efforts_list",
    summary="The efforts on a goal of a plan",
    description=(
        "For a goal of a plan the caller sees (their own, a child's, or a class's they teach "
        "or administer): each effort, oldest first, with the student's levels, the teacher's "
        "feedback and levels, and the family's encouragement; and encouragement on the goal "
        "as a whole. Hidden encouragement shows to staff only. 404 for any other goal."
    ),
)
def efforts_list(request: HttpRequest, plan_goal_id: Id) -> GoalEffortsOut:
    user = api_caller(request)
    plan_goal = policies.plan_goal_for_viewer(user, plan_goal_id)
    view = _goal_view(user, plan_goal)
    plan = plan_goal.plan
    audit(request, user, [(plan.student_id, plan.goal_set.school_class.school_id)])
    return GoalEffortsOut(
        plan_goal_id=plan_goal.pk,
        goal_id=plan_goal.goal_id,
        title=plan_goal.goal.title,
        state=view.state,
        items=[_effort(one) for one in view.efforts],
        encouragements=[encouragement_out(one) for one in view.encouragements],
    )


def _levels(levels: list[GoalLevelIn]) -> dict[int, int | None]:
    return {level.criterion_id: level.level_id for level in levels}


def _one_effort(user: Any, plan_goal: PlanGoal, effort_id: int) -> GoalEffortOut:
    view = _goal_view(user, plan_goal)
    return _effort(next(one for one in view.efforts if one.effort.pk == effort_id))


@router.post(
    "/plan-goals/{plan_goal_id}/efforts",
    response={201: GoalEffortOut, **WRITE},
    operation_id="goal_effort_record",
    summary="Record an effort (a student)",
    description=(
        "A student reports an effort on a goal of their own plan: what they did, a level on "
        "every criterion of the set's rubric (``levels``), a reflection, a link, and whether "
        "they ask for feedback or think the goal is met. A plan not sent yet, a set whose work "
        "has ended, a goal already met, or bad input answer 422 naming the field (``done``, "
        "``levels``, ``link``…). 404 for a goal of another plan."
    ),
)
def effort_create(request: HttpRequest, plan_goal_id: Id, payload: GoalEffortIn) -> Status[Any]:
    user = api_caller(request)
    plan_goal = policies.own_plan_goal(user, plan_goal_id)
    try:
        effort = effort_record(
            plan_goal=plan_goal,
            levels=_levels(payload.levels),
            done=payload.done,
            went_well=payload.went_well,
            next_step=payload.next_step,
            link=payload.link,
            ask_feedback=payload.ask_feedback,
            think_met=payload.think_met,
        )
    except ValidationError as error:
        return invalid(error, FIELDS)
    return Status(201, _one_effort(user, plan_goal, effort.pk))


@router.post(
    "/efforts/{effort_id}/feedback",
    response={201: GoalFeedbackOut, **WRITE},
    operation_id="goal_feedback_give",
    summary="Answer an effort (a teacher)",
    description=(
        "A teacher of the class answers a student's effort: a comment, optionally their own "
        "level on the rubric's criteria (``levels``), and whether the goal is met (only a "
        "teacher confirms it). An admin who sees the effort gets 403; anyone else 404. Bad "
        "input answers 422 naming the field (``comment``, ``levels``)."
    ),
)
def feedback_create(request: HttpRequest, effort_id: Id, payload: GoalFeedbackIn) -> Status[Any]:
    user = api_caller(request)
    effort = policies.effort_for_reviewer(user, effort_id)
    try:
        feedback = feedback_give(
            effort=effort,
            teacher=user,
            comment=payload.comment,
            levels=_levels(payload.levels),
            confirms_met=payload.confirms_met,
        )
    except ValidationError as error:
        return invalid(error, FIELDS)
    view = _goal_view(user, effort.plan_goal)
    answered = next(
        fb for one in view.efforts for fb in one.feedback if fb.feedback.pk == feedback.pk
    )
    return Status(201, _feedback(answered))
