"""A student's plan: choosing goals, putting them in order, proposing activities, sending the
plan to the teacher; the teacher approving it or asking for a change.

Every write keeps the rules of ``village.goals.rules``: a choice or an order that breaks one is
refused with a message naming the goal, and nothing changes. A goal the student has reported an
effort on stays in the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.goals import notices, rules, translations, versions
from village.goals.models import (
    Activity,
    Goal,
    GoalGroup,
    GoalKind,
    GoalSet,
    Helper,
    Plan,
    PlanGoal,
    PlanState,
    Prerequisite,
)
from village.goals.policies import choosing_open, working_open
from village.goals.services.checks import clean, require

#: The most activities a student proposes for one goal.
MAX_ACTIVITIES = 10


def shape_of(goal_set: GoalSet) -> rules.Shape:
    """The set's goals, prerequisites and groups as plain values for ``rules`` (three queries)."""
    goals = [
        rules.GoalShape(id=pk, group=group, core=kind == GoalKind.CORE, title=title, parent=parent)
        for pk, group, kind, title, parent in Goal.objects.filter(goal_set=goal_set)
        .order_by("group__position", "group_id", "position", "pk")
        .values_list("pk", "group_id", "kind", "title", "parent_id")
    ]
    needs: dict[int, set[int]] = {}
    for goal_id, needs_id in Prerequisite.objects.filter(goal__goal_set=goal_set).values_list(
        "goal_id", "needs_id"
    ):
        needs.setdefault(goal_id, set()).add(needs_id)
    least = dict(GoalGroup.objects.filter(goal_set=goal_set).values_list("pk", "min_optional"))
    return rules.Shape(
        goals=goals,
        needs={goal_id: frozenset(ids) for goal_id, ids in needs.items()},
        min_optional=least,
    )


def plan_order(plan: Plan) -> dict[int, list[int]]:
    """The plan's goals, group by group, in the student's order."""
    order: dict[int, list[int]] = {
        group_id: [] for group_id in plan.goal_set.groups.values_list("pk", flat=True)
    }
    for goal_id, group_id in plan.chosen.order_by("position", "pk").values_list(
        "goal_id", "goal__group_id"
    ):
        order.setdefault(group_id, []).append(goal_id)
    return order


def _refuse(found: list[rules.Problem]) -> None:
    if found:
        raise ValidationError({"goals": [problem.message for problem in found]})


def _require_choosing(goal_set: GoalSet, on: dt.date | None) -> None:
    require(
        choosing_open(goal_set, on),
        "goals",
        _("Goals of this set are chosen from %(opens)s to %(closes)s.")
        % {"opens": goal_set.opens_on.isoformat(), "closes": goal_set.closes_on.isoformat()},
    )


def _require_working(goal_set: GoalSet) -> None:
    require(
        working_open(goal_set),
        "text",
        _("The work on these goals ended on %(day)s.") % {"day": goal_set.closes_on.isoformat()},
    )


@transaction.atomic
def plan_start(*, goal_set: GoalSet, student: User) -> Plan:
    """The student's plan for the set; a new one is a draft holding every core goal, in the
    teacher's order."""
    plan, created = Plan.objects.get_or_create(goal_set=goal_set, student=student)
    if created:
        plan.goal_set = goal_set
        shape = shape_of(goal_set)
        core = rules.required(shape, ())
        core |= rules.required(shape, core)  # core sub-goals of core goals
        _write_order(plan, _by_group(shape, [g.id for g in shape.goals if g.id in core]))
    return plan


def _by_group(shape: rules.Shape, goal_ids: Sequence[int]) -> dict[int, list[int]]:
    order: dict[int, list[int]] = {group: [] for group in shape.min_optional}
    for goal_id in goal_ids:
        order.setdefault(shape.goal(goal_id).group, []).append(goal_id)
    return {group: rules.settled_order(shape, group, ids) for group, ids in order.items()}


def _write_order(plan: Plan, order: Mapping[int, Sequence[int]]) -> None:
    """Make the plan's goals exactly those of ``order``, at their places."""
    wanted = {goal_id: index for ids in order.values() for index, goal_id in enumerate(ids)}
    existing = {pg.goal_id: pg for pg in PlanGoal.objects.filter(plan=plan)}
    dropped = [pg.pk for goal_id, pg in existing.items() if goal_id not in wanted]
    if dropped:
        require(
            not PlanGoal.objects.filter(pk__in=dropped, efforts__isnull=False).exists(),
            "goals",
            _("You have reported an effort on a goal you took out: it stays in your plan."),
        )
        PlanGoal.objects.filter(pk__in=dropped).delete()
    added, changed = [], []
    for goal_id, position in wanted.items():
        plan_goal = existing.get(goal_id)
        if plan_goal is None:
            added.append(PlanGoal(plan=plan, goal_id=goal_id, position=position))
        elif plan_goal.position != position:
            plan_goal.position = position
            changed.append(plan_goal)
    PlanGoal.objects.bulk_create(added)
    PlanGoal.objects.bulk_update(changed, ["position"])
    versions.children_changed([plan.student_id])


@transaction.atomic
def plan_choose(
    *, plan: Plan, order: Mapping[int, Sequence[int]], on: dt.date | None = None
) -> Plan:
    """Make ``order`` (group -> goal ids, in the student's order) the plan's goals. A plan
    already sent goes back to the teacher when its goals change (unless the set approves by
    itself); a new order alone needs no approval."""
    _require_choosing(plan.goal_set, on)
    shape = shape_of(plan.goal_set)
    full = {group: list(order.get(group, ())) for group in shape.min_optional}
    _refuse(rules.problems(shape, full))
    before = set(plan.chosen.values_list("goal_id", flat=True))
    _write_order(plan, full)
    after = {goal_id for ids in full.values() for goal_id in ids}
    if before != after and plan.state in (PlanState.SUBMITTED, PlanState.APPROVED):
        _send(plan)
    return plan


@transaction.atomic
def plan_move(*, plan_goal: PlanGoal, step: int, on: dt.date | None = None) -> None:
    """Move one goal ``step`` places within its group (the keyboard's and the buttons' way of
    ordering); a move that puts a goal before one it needs is refused."""
    plan = plan_goal.plan
    _require_choosing(plan.goal_set, on)
    order = plan_order(plan)
    group = plan_goal.goal.group_id
    order[group] = rules.moved(order[group], plan_goal.goal_id, step)
    _refuse(rules.problems(shape_of(plan.goal_set), order))
    _write_order(plan, order)


@transaction.atomic
def plan_reorder(
    *, plan: Plan, group_id: int, goal_ids: Sequence[int], on: dt.date | None = None
) -> None:
    """Put one group's goals in a new order (drag and drop sends the whole group)."""
    _require_choosing(plan.goal_set, on)
    order = plan_order(plan)
    require(
        sorted(goal_ids) == sorted(order.get(group_id, [])),
        "goals",
        _("The order must hold exactly the goals of the group in your plan."),
    )
    order[group_id] = list(goal_ids)
    _refuse(rules.problems(shape_of(plan.goal_set), order))
    _write_order(plan, order)


def _send(plan: Plan) -> None:
    plan.submitted_at = timezone.now()
    if plan.goal_set.auto_approve:
        plan.state, plan.decided_at, plan.decided_by = PlanState.APPROVED, plan.submitted_at, None
    else:
        plan.state = PlanState.SUBMITTED
    plan.save(update_fields=["state", "submitted_at", "decided_at", "decided_by", "updated_at"])
    versions.children_changed([plan.student_id])
    if plan.state == PlanState.SUBMITTED:
        notices.plan_sent(plan)


@transaction.atomic
def plan_submit(*, plan: Plan, on: dt.date | None = None) -> Plan:
    """Send the plan to the teacher (or approve it, when the set approves by itself)."""
    _require_choosing(plan.goal_set, on)
    _refuse(rules.problems(shape_of(plan.goal_set), plan_order(plan)))
    require(
        plan.state in (PlanState.DRAFT, PlanState.CHANGES),
        "state",
        _("This plan was sent already."),
    )
    _send(plan)
    return plan


@transaction.atomic
def plan_decide(*, plan: Plan, teacher: User, approve: bool, note: str = "") -> Plan:
    """The teacher approves the plan, or asks for a change (``note`` says which); the note is
    asked for in its readers' languages."""
    require(
        plan.state in (PlanState.SUBMITTED, PlanState.APPROVED, PlanState.CHANGES),
        "state",
        _("The student has not sent this plan yet."),
    )
    note = note.strip()
    require(approve or bool(note), "note", _("Say what to change."))
    plan.state = PlanState.APPROVED if approve else PlanState.CHANGES
    plan.teacher_note = note
    plan.decided_at, plan.decided_by = timezone.now(), teacher
    clean(plan)
    plan.save()
    translations.plan_decided(plan)
    versions.children_changed([plan.student_id])
    notices.plan_decided(plan)
    return plan


# --- activities -------------------------------------------------------------------------------


@transaction.atomic
def activity_add(
    *, plan_goal: PlanGoal, text: str, link: str = "", ask: str = Helper.MYSELF
) -> Activity:
    """An activity the student proposes for a goal, in their own words; asked for in its
    readers' languages."""
    _require_working(plan_goal.plan.goal_set)
    activity = Activity(plan_goal=plan_goal, text=text.strip(), link=link.strip(), ask=ask)
    require(bool(activity.text), "text", _("Say what you will do."))
    require(ask in Helper.values, "ask", _("Choose who will help."))
    count = Activity.objects.filter(plan_goal=plan_goal).count()
    require(
        count < MAX_ACTIVITIES,
        "text",
        _("A goal has at most %(count)s activities.") % {"count": MAX_ACTIVITIES},
    )
    activity.position = count
    clean(activity)
    activity.save()
    translations.activity_added(activity)
    versions.children_changed([plan_goal.plan.student_id])
    return activity


@transaction.atomic
def activity_remove(*, activity: Activity) -> None:
    _require_working(activity.plan_goal.plan.goal_set)
    versions.children_changed([activity.plan_goal.plan.student_id])
    activity.delete()
