"""Where students stand on their goal sets, at a glance: a guardian's children's (the family
pages, the child page's section, the needs-attention items, the API) and a student's own (their
goals home).

The reads run a constant number of queries, however many sets, goals and efforts:
:func:`goal_progress` (each goal of many plans with its state, one query),
:func:`children_progress` (a guardian's children's sets with their plans, six queries) and
:func:`own_progress` (a student's sets, three). A :class:`SetProgress` draws itself as a row of
the state marks every goals page uses (``village.goals.pictures``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from village.accounts.models import User
from village.community.policies import AnyUser
from village.goals import policies
from village.goals.models import Effort, Goal, GoalSet, HelpRequest, Plan, PlanGoal
from village.goals.pictures import state_icon, state_shape
from village.goals.progress import GoalState, goal_state

#: The order the states of chosen goals are counted and drawn in: done first.
STATE_ORDER = (
    GoalState.MET,
    GoalState.ASKED,
    GoalState.IN_PROGRESS,
    GoalState.CHOSEN,
    GoalState.STALLED,
)

#: The picture of a set's goals: one mark per chosen goal, this far apart (closer together when
#: there are many, so that the row fits a phone's width).
DOT_STEP = 22
PICTURE_WIDTH = 320
PICTURE_HEIGHT = 20


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """A goal of a plan (its ``goal`` read along) and where the student stands on it."""

    plan_goal: PlanGoal
    state: GoalState
    efforts: int
    last_effort_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Dot:
    """One goal in the picture: its centre, its radius and its state."""

    x: float
    r: float
    state: GoalState


@dataclass
class SetProgress:
    """One of a child's goal sets at a glance: the plan (``None`` before the child starts one),
    how the chosen goals stand, and the child's open requests for help (oldest first)."""

    goal_set: GoalSet
    child_id: int
    plan: Plan | None
    total: int
    goals: list[GoalProgress] = field(default_factory=list)
    help: list[HelpRequest] = field(default_factory=list)

    def counts(self) -> list[tuple[GoalState, int]]:
        """The chosen goals by state, in ``STATE_ORDER``, states without a goal left out."""
        found: dict[str, int] = defaultdict(int)
        for goal in self.goals:
            found[goal.state] += 1
        return [(state, found[state]) for state in STATE_ORDER if found[state]]

    @property
    def chosen(self) -> int:
        return len(self.goals)

    @property
    def met(self) -> int:
        return sum(1 for goal in self.goals if goal.state == GoalState.MET)

    @property
    def step(self) -> float:
        return min(DOT_STEP, PICTURE_WIDTH / max(self.chosen, 1))

    def dots(self) -> list[Dot]:
        """The chosen goals, done first, as marks of the picture."""
        states = [GoalState(state) for state, count in self.counts() for _n in range(count)]
        step = self.step
        radius = round(min(8.0, step / 2 - 1.5), 1)
        return [
            Dot(x=round(step / 2 + index * step, 1), r=radius, state=state)
            for index, state in enumerate(states)
        ]

    @property
    def width(self) -> int:
        return max(1, round(self.step * self.chosen))

    def picture(self) -> SafeString:
        """The chosen goals as a row of marks, done first, each state its own shape (the marks
        every goals page draws, ``pictures.state_shape``), labelled in words."""
        middle = PICTURE_HEIGHT / 2
        marks = "".join(
            f'<g transform="translate({dot.x} {middle})">{state_shape(dot.state, dot.r)}</g>'
            for dot in self.dots()
        )
        label = escape(self.label)
        return mark_safe(  # noqa: S308 - numbers, our own marks and escaped text only
            f'<svg class="gf-picture" role="img" width="{self.width}" height="{PICTURE_HEIGHT}" '
            f'viewBox="0 0 {self.width} {PICTURE_HEIGHT}" aria-label="{label}" '
            f'focusable="false"><title>{label}</title>{marks}</svg>'
        )

    def marked_counts(self) -> list[tuple[GoalState, int, SafeString]]:
        """``counts`` with each state's mark, for the words beside the picture."""
        return [(state, count, state_icon(state, 14)) for state, count in self.counts()]

    @property
    def label(self) -> str:
        """The picture in words: "3 of 7 goals met; 2 in progress; …"."""
        parts = [
            ngettext(
                "%(met)s of %(count)s goal met",
                "%(met)s of %(count)s goals met",
                self.chosen,
            )
            % {"met": self.met, "count": self.chosen}
        ]
        parts += [
            f"{state.label}: {count}" for state, count in self.counts() if state != GoalState.MET
        ]
        return "; ".join(str(part) for part in parts)


def _annotated(plan_ids: Iterable[int]) -> Iterable[PlanGoal]:
    waiting = Effort.objects.filter(
        plan_goal=OuterRef("pk"), feedback_asked_at__isnull=False, answered_at__isnull=True
    )
    return (
        PlanGoal.objects.filter(plan_id__in=list(plan_ids))
        .select_related("goal__group")
        .annotate(
            effort_count=Count("efforts"),
            last_effort=Max("efforts__created_at"),
            waiting=Exists(waiting),
        )
        .order_by("plan_id", "goal__group__position", "goal__group_id", "position", "pk")
    )


def goal_progress(plans: Sequence[Plan], *, today: dt.date) -> dict[int, list[GoalProgress]]:
    """Each plan's goals (by plan id), in the student's order group by group, each with its
    state (one query; the plans' sets read along with them)."""
    by_id = {plan.pk: plan for plan in plans}
    found: dict[int, list[GoalProgress]] = {plan.pk: [] for plan in plans}
    for plan_goal in _annotated(by_id):
        plan = by_id[plan_goal.plan_id]
        last = plan_goal.last_effort  # type: ignore[attr-defined]
        state = goal_state(
            chosen=True,
            met=plan_goal.met_at is not None,
            waiting=plan_goal.met_asked_at is not None or plan_goal.waiting,  # type: ignore[attr-defined]
            efforts=plan_goal.effort_count,  # type: ignore[attr-defined]
            last_effort=timezone.localdate(last) if last else None,
            sent=timezone.localdate(plan.submitted_at) if plan.submitted_at else None,
            today=today,
            stalled_after_days=plan.goal_set.stalled_after_days,
        )
        found[plan.pk].append(GoalProgress(plan_goal, state, plan_goal.effort_count, last))  # type: ignore[attr-defined]
    return found


def children_progress(
    user: AnyUser, child_ids: Iterable[int], *, today: dt.date | None = None
) -> list[SetProgress]:
    """The published goal sets of the current classes of ``child_ids`` (those whose goals
    ``user`` sees as a guardian), each with the child's plan, goals by state and open requests
    for help; by child (as given), then newest set first. Six queries."""
    today = today or timezone.localdate()
    ids = list(child_ids)
    if not ids:
        return []
    classes: dict[int, list[int]] = defaultdict(list)
    for child_id, class_id in policies.visible_child_classes(user, ids):
        classes[class_id].append(child_id)
    sets = list(
        policies.visible_goal_sets(user)
        .filter(published=True, school_class_id__in=list(classes))
        .select_related("school_class__school", "topic")
    )
    if not sets:
        return []
    plans = {
        (plan.student_id, plan.goal_set_id): plan
        for plan in policies.family_plans(user)
        .filter(student_id__in=ids, goal_set__in=[s.pk for s in sets])
        .select_related("goal_set__school_class", "student")
    }
    progress = goal_progress(list(plans.values()), today=today)
    help_by_plan = open_help(plans.values())
    totals = dict(
        Goal.objects.filter(goal_set__in=[s.pk for s in sets])
        .values("goal_set")
        .annotate(n=Count("pk"))
        .values_list("goal_set", "n")
    )
    found = [
        _set_progress(
            goal_set, child_id, plans.get((child_id, goal_set.pk)), progress, help_by_plan
        )
        for goal_set in sets
        for child_id in classes[goal_set.school_class_id]
    ]
    for one in found:
        one.total = totals.get(one.goal_set.pk, 0)
    order = {child_id: index for index, child_id in enumerate(ids)}
    found.sort(
        key=lambda one: (order[one.child_id], -one.goal_set.opens_on.toordinal(), one.goal_set.pk)
    )
    return found


def _set_progress(
    goal_set: GoalSet,
    child_id: int,
    plan: Plan | None,
    progress: Mapping[int, list[GoalProgress]],
    help_by_plan: Mapping[int, list[HelpRequest]],
) -> SetProgress:
    if plan is not None:
        plan.goal_set = goal_set  # the same set, read once with its class and school
    return SetProgress(
        goal_set=goal_set,
        child_id=child_id,
        plan=plan,
        total=0,
        goals=progress.get(plan.pk, []) if plan else [],
        help=help_by_plan.get(plan.pk, []) if plan else [],
    )


def open_help(plans: Iterable[Plan]) -> dict[int, list[HelpRequest]]:
    """The requests for help nobody has answered yet, by plan id, oldest first (one query)."""
    found: dict[int, list[HelpRequest]] = defaultdict(list)
    for ask in (
        HelpRequest.objects.filter(
            plan_goal__plan__in=[plan.pk for plan in plans], answered_at__isnull=True
        )
        .select_related("plan_goal__goal")
        .order_by("created_at", "pk")
    ):
        found[ask.plan_goal.plan_id].append(ask)
    return found


def own_progress(student: User, *, today: dt.date | None = None) -> list[SetProgress]:
    """The sets ``student`` works on (``policies.student_goal_sets``), newest first, each with
    their plan's goals by state (three queries however many sets, goals and efforts)."""
    sets = list(policies.student_goal_sets(student).select_related("school_class"))
    plans = {
        plan.goal_set_id: plan
        for plan in policies.own_plans(student).filter(goal_set__in=[s.pk for s in sets])
    }
    for goal_set in sets:
        if goal_set.pk in plans:
            plans[goal_set.pk].goal_set = goal_set
    progress = goal_progress(list(plans.values()), today=today or timezone.localdate())
    return [
        SetProgress(
            goal_set=goal_set,
            child_id=student.pk,
            plan=plans.get(goal_set.pk),
            total=0,
            goals=progress.get(plans[goal_set.pk].pk, []) if goal_set.pk in plans else [],
        )
        for goal_set in sets
    ]
