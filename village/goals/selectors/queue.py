"""The teacher's feedback queue: what students wait for, across every class the user sees as
staff, the oldest request first.

- an **effort** on which the student asked for feedback (or said they think the goal is met)
  and no teacher has answered yet;
- a **plan** the student sent, waiting for approval.

Each item carries what answering it needs: the student's levels on the set's rubric, the
rubric's criteria and levels for the teacher's own level, the family's encouragement on the
effort, and a plan's chosen goals with their activities. A fixed number of queries whatever
the number of items (at most ``LIMIT`` of them, the oldest).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from village.classwork.models import RubricCriterion, RubricLevel
from village.community.policies import AnyUser
from village.goals.models import Effort, Encouragement, Plan, PlanGoal, PlanState
from village.goals.policies import editable_class_ids, staff_plans
from village.goals.selectors.plans import Assessed, assessed, assessment_scores

#: The most items the queue shows at once (the oldest).
LIMIT = 20


@dataclass
class EffortItem:
    """An effort waiting for feedback."""

    effort: Effort
    assessed: Assessed | None
    criteria: list[RubricCriterion]
    may_answer: bool
    encouragements: list[Encouragement] = field(default_factory=list)

    @property
    def asked_at(self) -> dt.datetime:
        assert self.effort.feedback_asked_at is not None
        return self.effort.feedback_asked_at

    @property
    def plan(self) -> Plan:
        return self.effort.plan_goal.plan


@dataclass
class PlanItem:
    """A plan waiting for approval, with its goals in the student's order."""

    plan: Plan
    chosen: list[PlanGoal]
    may_answer: bool

    @property
    def asked_at(self) -> dt.datetime:
        assert self.plan.submitted_at is not None
        return self.plan.submitted_at


@dataclass
class Queue:
    items: list[EffortItem | PlanItem]
    efforts: int
    plans: int

    @property
    def total(self) -> int:
        return self.efforts + self.plans

    @property
    def more(self) -> int:
        """Items waiting beyond those shown."""
        return self.total - len(self.items)

    def student_schools(self) -> list[tuple[int, int | None]]:
        """(student, school) of each item, for the audit."""
        return [
            (item.plan.student_id, item.plan.goal_set.school_class.school_id) for item in self.items
        ]


def waiting_efforts(user: AnyUser) -> QuerySet[Effort]:
    return Effort.objects.filter(
        plan_goal__plan__in=staff_plans(user).values("pk"),
        feedback_asked_at__isnull=False,
        answered_at__isnull=True,
    )


def waiting_plans(user: AnyUser) -> QuerySet[Plan]:
    return staff_plans(user).filter(state=PlanState.SUBMITTED, submitted_at__isnull=False)


def queue_counts(user: AnyUser) -> Queue:
    """Only how many efforts and plans wait (two queries), for the count after an answer."""
    return Queue(items=[], efforts=waiting_efforts(user).count(), plans=waiting_plans(user).count())


def feedback_queue(user: AnyUser) -> Queue:
    """The oldest ``LIMIT`` requests ``user`` sees as staff (about ten queries)."""
    taught = editable_class_ids(user)
    efforts = list(
        waiting_efforts(user)
        .select_related(
            "plan_goal__goal",
            "plan_goal__plan__student",
            "plan_goal__plan__goal_set__school_class",
        )
        .prefetch_related(
            Prefetch(
                "encouragements",
                queryset=Encouragement.objects.select_related("author").order_by("created_at"),
            )
        )
        .order_by("feedback_asked_at", "pk")[:LIMIT]
    )
    plans = list(
        waiting_plans(user)
        .select_related("student", "goal_set__school_class")
        .order_by("submitted_at", "pk")[:LIMIT]
    )
    counts = queue_counts(user)  # counted always: as many queries with 2 requests as with 200
    items: list[EffortItem | PlanItem] = [
        *_effort_items(efforts, taught),
        *_plan_items(plans, taught),
    ]
    items.sort(key=lambda item: (item.asked_at, isinstance(item, PlanItem)))
    return Queue(items=items[:LIMIT], efforts=counts.efforts, plans=counts.plans)


def _effort_items(efforts: list[Effort], taught: set[int]) -> list[EffortItem]:
    if not efforts:
        return []
    rubrics = rubric_criteria({e.plan_goal.plan.goal_set.rubric_id for e in efforts})
    scores = assessment_scores({e.self_assessment_id for e in efforts})
    items = []
    for effort in efforts:
        goal_set = effort.plan_goal.plan.goal_set
        criteria = rubrics.get(goal_set.rubric_id, [])
        items.append(
            EffortItem(
                effort=effort,
                assessed=assessed(scores.get(effort.self_assessment_id), rubric_top(criteria)),
                criteria=criteria,
                may_answer=goal_set.school_class_id in taught,
                encouragements=list(effort.encouragements.all()),
            )
        )
    return items


def _plan_items(plans: list[Plan], taught: set[int]) -> list[PlanItem]:
    if not plans:
        return []
    chosen: dict[int, list[PlanGoal]] = defaultdict(list)
    for plan_goal in (
        PlanGoal.objects.filter(plan__in=[plan.pk for plan in plans])
        .select_related("goal__group")
        .prefetch_related("activities")
        .order_by("plan_id", "goal__group__position", "goal__group_id", "position", "pk")
    ):
        chosen[plan_goal.plan_id].append(plan_goal)
    return [
        PlanItem(
            plan=plan,
            chosen=chosen[plan.pk],
            may_answer=plan.goal_set.school_class_id in taught,
        )
        for plan in plans
    ]


def effort_item(effort: Effort, *, may_answer: bool) -> EffortItem:
    """One effort as the queue shows it (``effort`` read with its goal, plan, student and set,
    as ``policies.effort_for_reviewer`` does; four queries)."""
    goal_set = effort.plan_goal.plan.goal_set
    criteria = rubric_criteria({goal_set.rubric_id}).get(goal_set.rubric_id, [])
    scores = assessment_scores({effort.self_assessment_id})
    return EffortItem(
        effort=effort,
        assessed=assessed(scores.get(effort.self_assessment_id), rubric_top(criteria)),
        criteria=criteria,
        may_answer=may_answer,
        encouragements=list(
            effort.encouragements.select_related("author").order_by("created_at", "pk")
        ),
    )


def plan_item(plan: Plan, *, may_answer: bool) -> PlanItem:
    """One plan as the queue shows it (two queries)."""
    return _plan_items([plan], {plan.goal_set.school_class_id} if may_answer else set())[0]


# --- rubrics, read for many sets at once ---------------------------------------------------


def rubric_criteria(rubric_ids: set[int]) -> dict[int, list[RubricCriterion]]:
    """Each rubric's criteria in order, with their levels (two queries)."""
    found: dict[int, list[RubricCriterion]] = defaultdict(list)
    for criterion in (
        RubricCriterion.objects.filter(rubric_id__in=rubric_ids)
        .order_by("rubric_id", "position", "pk")
        .prefetch_related(
            Prefetch("levels", queryset=RubricLevel.objects.order_by("position", "points", "pk"))
        )
    ):
        found[criterion.rubric_id].append(criterion)
    return found


def rubric_top(criteria: list[RubricCriterion]) -> Decimal:
    """The most the criteria are worth (their levels prefetched)."""
    return sum(
        (max((level.points for level in c.levels.all()), default=Decimal(0)) for c in criteria),
        Decimal(0),
    )
