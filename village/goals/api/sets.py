"""Goal sets through the API: the sets the caller sees, and one set with its groups, goals,
prerequisites and the rubric students report their progress on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from village.accounts.api import api_caller
from village.classwork.models import RubricCriterion
from village.core.api import LISTED, READ, Id, PageIn
from village.goals import policies
from village.goals.api.common import MAX_PAGE_SIZE
from village.goals.models import Goal, GoalGroup, GoalKind, GoalSet, Prerequisite

router = Router()


class GoalClassOut(Schema):
    id: int
    title: str


class GoalSetOut(Schema):
    id: int
    title: str
    summary: str = Field(description="What the goals are about.")
    school_class: GoalClassOut
    topic_id: int | None = Field(description="The class's topic (unit) the set is for.")
    opens_on: dt.date = Field(description="Students choose their goals from this day.")
    closes_on: dt.date = Field(description="Work on the goals ends on this day.")
    published: bool = Field(description="Do students and families see it? (staff see drafts)")
    auto_approve: bool = Field(description="Plans that keep the rules are approved at once.")
    stalled_after_days: int = Field(description="A goal without an effort this long is stalled.")


class GoalSetsPage(Schema):
    items: list[GoalSetOut]
    count: int = Field(description="How many sets the caller sees in all.")


class GoalSetsQuery(Schema):
    class_id: int | None = Field(None, ge=1, description="Only the sets of this class.")


class GoalOut(Schema):
    id: int
    title: str
    description: str
    kind: GoalKind = Field(description="core (every student) or optional (chosen).")
    success_criteria: str
    suggested_activities: str
    parent_id: int | None = Field(description="The goal of the group this is a part of.")
    needs: list[int] = Field(description="Goals of the set a student meets first.")


class GoalGroupOut(Schema):
    id: int
    title: str
    description: str
    min_optional: int = Field(description="Optional goals of the group a student chooses.")
    goals: list[GoalOut]


class GoalRubricLevelOut(Schema):
    id: int
    title: str
    description: str
    points: Decimal


class GoalRubricCriterionOut(Schema):
    id: int
    title: str
    description: str
    levels: list[GoalRubricLevelOut]


class GoalSetDetailOut(GoalSetOut):
    groups: list[GoalGroupOut]
    rubric: list[GoalRubricCriterionOut] = Field(
        description="The criteria and levels students report each effort on."
    )


def set_fields(goal_set: GoalSet) -> dict[str, Any]:
    return {
        "id": goal_set.pk,
        "title": goal_set.title,
        "summary": goal_set.summary,
        "school_class": GoalClassOut(
            id=goal_set.school_class_id, title=goal_set.school_class.title
        ),
        "topic_id": goal_set.topic_id,
        "opens_on": goal_set.opens_on,
        "closes_on": goal_set.closes_on,
        "published": goal_set.published,
        "auto_approve": goal_set.auto_approve,
        "stalled_after_days": goal_set.stalled_after_days,
    }


@router.get(
    "/sets",
    response={200: GoalSetsPage, **LISTED},
    operation_id="goal_sets_list",
    summary="The goal sets the caller sees",
    description=(
        "Staff: the sets of the classes they teach (admins: of their schools), drafts "
        "included. Students: the published sets of their current classes. Guardians: those of "
        "their children's classes, where the link allows goals. Newest first; ``limit`` (at "
        "most 200) after the first ``offset``."
    ),
)
def sets_list(
    request: HttpRequest, query: Query[GoalSetsQuery], page: Query[PageIn]
) -> GoalSetsPage:
    user = api_caller(request)
    found = policies.visible_goal_sets(user)
    if query.class_id is not None:
        found = found.filter(school_class_id=query.class_id)
    limit = min(page.limit, MAX_PAGE_SIZE)
    rows = found.select_related("school_class").order_by("-opens_on", "pk")
    return GoalSetsPage(
        items=[GoalSetOut(**set_fields(s)) for s in rows[page.offset : page.offset + limit]],
        count=found.count(),
    )


def _groups(goal_set: GoalSet) -> list[GoalGroupOut]:
    needs: dict[int, list[int]] = defaultdict(list)
    for goal_id, needs_id in Prerequisite.objects.filter(goal__goal_set=goal_set).values_list(
        "goal_id", "needs_id"
    ):
        needs[goal_id].append(needs_id)
    goals: dict[int, list[GoalOut]] = defaultdict(list)
    for goal in Goal.objects.filter(goal_set=goal_set).order_by("position", "pk"):
        goals[goal.group_id].append(
            GoalOut(
                id=goal.pk,
                title=goal.title,
                description=goal.description,
                kind=GoalKind(goal.kind),
                success_criteria=goal.success_criteria,
                suggested_activities=goal.suggested_activities,
                parent_id=goal.parent_id,
                needs=needs.get(goal.pk, []),
            )
        )
    return [
        GoalGroupOut(
            id=group.pk,
            title=group.title,
            description=group.description,
            min_optional=group.min_optional,
            goals=goals.get(group.pk, []),
        )
        for group in GoalGroup.objects.filter(goal_set=goal_set)
    ]


def _rubric(goal_set: GoalSet) -> list[GoalRubricCriterionOut]:
    criteria = RubricCriterion.objects.filter(rubric_id=goal_set.rubric_id).prefetch_related(
        "levels"
    )
    return [
        GoalRubricCriterionOut(
            id=criterion.pk,
            title=criterion.title,
            description=criterion.description,
            levels=[
                GoalRubricLevelOut(
                    id=level.pk,
                    title=level.title,
                    description=level.description,
                    points=level.points,
                )
                for level in criterion.levels.all()
            ],
        )
        for criterion in criteria
    ]


@router.get(
    "/sets/{set_id}",
    response={200: GoalSetDetailOut, **READ},
    operation_id="goal_set_get",
    summary="One goal set, with its groups, goals and rubric",
    description=(
        "A set the caller sees (as in the list), with its groups in order, each group's goals "
        "(core or optional, the goal each is a part of, the goals each needs first) and the "
        "rubric's criteria and levels, which a student's effort reports on. 404 for any other."
    ),
)
def set_get(request: HttpRequest, set_id: Id) -> GoalSetDetailOut:
    user = api_caller(request)
    goal_set = policies.goal_set_for_viewer(user, set_id)
    return GoalSetDetailOut(
        **set_fields(goal_set), groups=_groups(goal_set), rubric=_rubric(goal_set)
    )
