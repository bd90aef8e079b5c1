"""Plans through the API, with where the student stands on each goal: the caller's own (a
student), a child's (a guardian), a class's (staff)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from village.accounts.api import api_caller
from village.classwork.policies import class_for_staff
from village.core.api import READ, Id, PageIn
from village.goals import policies
from village.goals.api.common import MAX_PAGE_SIZE, GoalPersonOut, audit, person
from village.goals.models import GoalKind, Plan, PlanState
from village.goals.progress import GoalState
from village.goals.selectors.family import STATE_ORDER, GoalProgress, goal_progress

router = Router()


class GoalPlanGoalOut(Schema):
    id: int = Field(description="The goal's place in the plan (efforts, encouragement).")
    goal_id: int
    title: str
    kind: GoalKind
    group_id: int
    state: GoalState = Field(
        description="met, asked (waits for feedback), in_progress, chosen, or stalled."
    )
    efforts: int = Field(description="Efforts reported on it.")
    last_effort_at: dt.datetime | None
    met_at: dt.datetime | None = Field(description="When a teacher confirmed it met.")


class GoalStateCountOut(Schema):
    state: GoalState
    count: int


class GoalPlanOut(Schema):
    id: int
    set_id: int
    set_title: str
    class_id: int
    student: GoalPersonOut
    state: PlanState = Field(description="draft, submitted, changes (asked) or approved.")
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    teacher_note: str
    counts: list[GoalStateCountOut] = Field(description="The chosen goals by state.")
    goals: list[GoalPlanGoalOut] = Field(description="In the student's order, group by group.")


class GoalPlansPage(Schema):
    items: list[GoalPlanOut]
    count: int = Field(description="How many plans there are in all.")


class ClassPlansQuery(Schema):
    set_id: int | None = Field(None, ge=1, description="Only the plans for this set.")


def _goal(found: GoalProgress) -> GoalPlanGoalOut:
    plan_goal = found.plan_goal
    return GoalPlanGoalOut(
        id=plan_goal.pk,
        goal_id=plan_goal.goal_id,
        title=plan_goal.goal.title,
        kind=GoalKind(plan_goal.goal.kind),
        group_id=plan_goal.goal.group_id,
        state=found.state,
        efforts=found.efforts,
        last_effort_at=found.last_effort_at,
        met_at=plan_goal.met_at,
    )


def _plan(plan: Plan, goals: list[GoalProgress]) -> GoalPlanOut:
    counts = {state: sum(1 for g in goals if g.state == state) for state in STATE_ORDER}
    student = person(plan.student)
    assert student is not None
    return GoalPlanOut(
        id=plan.pk,
        set_id=plan.goal_set_id,
        set_title=plan.goal_set.title,
        class_id=plan.goal_set.school_class_id,
        student=student,
        state=PlanState(plan.state),
        submitted_at=plan.submitted_at,
        decided_at=plan.decided_at,
        teacher_note=plan.teacher_note,
        counts=[GoalStateCountOut(state=s, count=n) for s, n in counts.items() if n],
        goals=[_goal(found) for found in goals],
    )


def plans_page(request: HttpRequest, found: QuerySet[Plan], page: PageIn) -> GoalPlansPage:
    """One page of ``found``, each plan with its goals' states, the students audited (four
    queries, whatever the number of plans, goals and efforts)."""
    user = api_caller(request)
    limit = min(page.limit, MAX_PAGE_SIZE)
    rows = list(
        found.select_related("goal_set__school_class", "student").order_by(
            "-goal_set__opens_on", "goal_set_id", "student__last_name", "student_id"
        )[page.offset : page.offset + limit]
    )
    progress = goal_progress(rows, today=timezone.localdate())
    audit(request, user, [(p.student_id, p.goal_set.school_class.school_id) for p in rows])
    return GoalPlansPage(
        items=[_plan(plan, progress[plan.pk]) for plan in rows], count=found.count()
    )


@router.get(
    "/plans/mine",
    response={200: GoalPlansPage, **READ},
    operation_id="goal_plans_mine",
    summary="The caller's own plans (a student)",
    description=(
        "A student's plans for the published sets of their current classes, each goal with "
        "its state. 404 for a caller who is not a student."
    ),
)
def plans_mine(request: HttpRequest, page: Query[PageIn]) -> GoalPlansPage:
    user = api_caller(request)
    return plans_page(request, policies.own_plans(policies.student_of(user)), page)


@router.get(
    "/children/{child_id}/plans",
    response={200: GoalPlansPage, **READ},
    operation_id="goal_plans_child",
    summary="A child's plans (a guardian)",
    description=(
        "The plans of a child whose link allows the caller to see goals, for the published "
        "sets of the child's current classes, each goal with its state. 404 for any other "
        "child (or a link without goals)."
    ),
)
def plans_child(request: HttpRequest, child_id: Id, page: Query[PageIn]) -> GoalPlansPage:
    user = api_caller(request)
    child = policies.child_for_family(user, child_id)
    return plans_page(request, policies.family_plans(user).filter(student=child), page)


@router.get(
    "/classes/{class_id}/plans",
    response={200: GoalPlansPage, **READ},
    operation_id="goal_plans_class",
    summary="A class's plans (staff)",
    description=(
        "The plans of a class the caller teaches (or administers), for all its sets or for "
        "``set_id``, each goal with its state. 404 for any other class."
    ),
)
def plans_class(
    request: HttpRequest, class_id: Id, query: Query[ClassPlansQuery], page: Query[PageIn]
) -> GoalPlansPage:
    user = api_caller(request)
    school_class = class_for_staff(user, class_id)
    found = policies.staff_plans(user).filter(goal_set__school_class=school_class)
    if query.set_id is not None:
        found = found.filter(goal_set_id=query.set_id)
    return plans_page(request, found, page)
