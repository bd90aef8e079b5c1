"""Building a goal set: the set itself, its groups, goals, sub-goals and prerequisites.

A set may change while students work on it: a core goal added (or an optional one made core)
joins every plan at the end of its group, so that every plan keeps the rules
(``village.goals.rules``); a goal or group that a student has reported an effort on is never
deleted (its efforts would go with it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.models import Assignment, Rubric, Topic
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.community.models import SchoolClass
from village.goals import rules, versions
from village.goals.models import (
    Effort,
    Goal,
    GoalAssignment,
    GoalGroup,
    GoalKind,
    GoalSet,
    Plan,
    PlanGoal,
    Prerequisite,
)
from village.goals.policies import may_use_rubric
from village.goals.services.checks import clean, require


@dataclass(frozen=True, slots=True)
class SetFields:
    """What a teacher writes about a set (the form and the API alike)."""

    title: str
    opens_on: dt.date
    closes_on: dt.date
    summary: str = ""
    topic: Topic | None = None
    rubric: Rubric | None = None
    auto_approve: bool = False
    stalled_after_days: int = 14


def default_levels() -> list[LevelSpec]:
    """The four levels a new set reports progress on, unless the teacher picks a rubric."""
    return [
        LevelSpec(_("Beginning"), Decimal(1), _("I am starting to understand this.")),
        LevelSpec(_("Developing"), Decimal(2), _("I can do some of it with help.")),
        LevelSpec(_("Secure"), Decimal(3), _("I can do it on my own.")),
        LevelSpec(_("Extending"), Decimal(4), _("I can explain it and use it in new ways.")),
    ]


def _progress_rubric(school_class: SchoolClass, title: str) -> Rubric:
    return rubric_create(
        title=_progress_title(title),
        criteria=[CriterionSpec(title=_("Progress"), levels=default_levels())],
        school_class=school_class,
    )


def _progress_title(title: str) -> str:
    return (_("Progress: %(set)s") % {"set": title})[:200]


def _check_fields(school_class: SchoolClass, fields: SetFields) -> None:
    require(bool(fields.title.strip()), "title", _("Give the goal set a title."))
    require(
        fields.closes_on >= fields.opens_on,
        "closes_on",
        _("The work ends on or after the day students start choosing."),
    )
    require(
        1 <= fields.stalled_after_days <= 365,
        "stalled_after_days",
        _("Enter a number of days from 1 to 365."),
    )
    if fields.topic is not None:
        require(
            fields.topic.school_class_id == school_class.pk,
            "topic",
            _("Choose one of this class's topics."),
        )
    if fields.rubric is not None:
        require(
            may_use_rubric(school_class, fields.rubric),
            "rubric",
            _("Choose one of this class's or this school's rubrics."),
        )


def _apply(goal_set: GoalSet, fields: SetFields) -> None:
    goal_set.title = fields.title.strip()
    goal_set.summary = fields.summary.strip()
    goal_set.opens_on, goal_set.closes_on = fields.opens_on, fields.closes_on
    goal_set.topic = fields.topic
    goal_set.auto_approve = fields.auto_approve
    goal_set.stalled_after_days = fields.stalled_after_days
    clean(goal_set)


@transaction.atomic
def goal_set_create(
    *, school_class: SchoolClass, author: User | None, fields: SetFields
) -> GoalSet:
    """A new, unpublished set for the class. Without a rubric, the set gets its own with four
    levels (beginning, developing, secure, extending)."""
    _check_fields(school_class, fields)
    goal_set = GoalSet(school_class=school_class, created_by=author)
    _apply(goal_set, fields)
    goal_set.rubric = fields.rubric or _progress_rubric(school_class, goal_set.title)
    goal_set.save()
    versions.class_changed(school_class.pk)
    return goal_set


def has_efforts(goal_set: GoalSet) -> bool:
    return Effort.objects.filter(plan_goal__plan__goal_set=goal_set).exists()


@transaction.atomic
def goal_set_update(*, goal_set: GoalSet, fields: SetFields) -> GoalSet:
    """Change what the teacher wrote. The rubric changes only before the first effort: the
    self-reports already written are on the old one."""
    _check_fields(goal_set.school_class, fields)
    if fields.rubric is not None and fields.rubric.pk != goal_set.rubric_id:
        require(
            not has_efforts(goal_set),
            "rubric",
            _("Students have reported on this rubric already: it stays."),
        )
        goal_set.rubric = fields.rubric
    _apply(goal_set, fields)
    goal_set.save()
    versions.class_changed(goal_set.school_class_id)
    return goal_set


def publish_problems(goal_set: GoalSet) -> list[str]:
    """Why the set cannot be published yet (``rules.publish_problems``; two queries)."""
    groups = list(goal_set.groups.prefetch_related("goals"))
    counts = [
        rules.GroupCount(
            group.title,
            group.min_optional,
            sum(1 for goal in group.goals.all() if goal.kind == GoalKind.OPTIONAL),
        )
        for group in groups
    ]
    return rules.publish_problems(sum(len(group.goals.all()) for group in groups), counts)


@transaction.atomic
def goal_set_publish(*, goal_set: GoalSet, published: bool) -> GoalSet:
    """Show the set to its students and their families (or hide it again)."""
    if published:
        problems = publish_problems(goal_set)
        require(not problems, "published", " ".join(problems))
    goal_set.published = published
    goal_set.save(update_fields=["published", "updated_at"])
    versions.class_changed(goal_set.school_class_id)
    return goal_set


@transaction.atomic
def goal_set_delete(*, goal_set: GoalSet) -> None:
    require(
        not has_efforts(goal_set),
        "goal_set",
        _("Students have reported efforts on this set: hide it instead of deleting it."),
    )
    versions.class_changed(goal_set.school_class_id)
    goal_set.delete()


# --- groups -------------------------------------------------------------------------------------


def _next_position(queryset: object) -> int:
    last = queryset.aggregate(last=Max("position"))["last"]  # type: ignore[attr-defined]
    return 0 if last is None else last + 1


def _check_group(group: GoalGroup) -> None:
    group.title = group.title.strip()
    group.description = group.description.strip()
    require(bool(group.title), "title", _("Give the group a title."))
    require(group.min_optional <= 50, "min_optional", _("Enter a number from 0 to 50."))
    clean(group)


@transaction.atomic
def group_add(
    *, goal_set: GoalSet, title: str, description: str = "", min_optional: int = 0
) -> GoalGroup:
    group = GoalGroup(
        goal_set=goal_set, title=title, description=description, min_optional=min_optional
    )
    _check_group(group)
    group.position = _next_position(goal_set.groups.all())
    group.save()
    versions.class_changed(goal_set.school_class_id)
    return group


@transaction.atomic
def group_update(
    *, group: GoalGroup, title: str, description: str = "", min_optional: int = 0
) -> GoalGroup:
    group.title, group.description, group.min_optional = title, description, min_optional
    _check_group(group)
    group.save()
    _class_of_group(group)
    return group


@transaction.atomic
def group_delete(*, group: GoalGroup) -> None:
    require(
        not Effort.objects.filter(plan_goal__goal__group=group).exists(),
        "group",
        _("Students have reported efforts on goals of this group: it stays."),
    )
    _class_of_group(group)
    group.delete()


def _class_of_group(group: GoalGroup) -> None:
    versions.class_changed(
        GoalSet.objects.values_list("school_class_id", flat=True).get(pk=group.goal_set_id)
    )


def _class_of_goal(goal: Goal) -> None:
    versions.class_changed(
        GoalSet.objects.values_list("school_class_id", flat=True).get(pk=goal.goal_set_id)
    )


# --- goals --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoalFields:
    title: str
    kind: str = GoalKind.CORE
    description: str = ""
    success_criteria: str = ""
    suggested_activities: str = ""
    parent: Goal | None = None


def _check_goal(goal: Goal, fields: GoalFields) -> None:
    goal.title = fields.title.strip()
    goal.kind = fields.kind
    goal.description = fields.description.strip()
    goal.success_criteria = fields.success_criteria.strip()
    goal.suggested_activities = fields.suggested_activities.strip()
    require(bool(goal.title), "title", _("Write the goal."))
    require(fields.kind in GoalKind.values, "kind", _("A goal is core or optional."))
    parent = fields.parent
    if parent is not None:
        require(
            parent.group_id == goal.group_id and parent.pk != goal.pk,
            "parent",
            _("A sub-goal is part of another goal of the same group."),
        )
        require(
            goal.pk is None or goal.pk not in _ancestors(parent),
            "parent",
            _("A goal cannot be part of one of its own sub-goals."),
        )
    goal.parent = parent
    clean(goal)


def _ancestors(goal: Goal) -> set[int]:
    parents = dict(Goal.objects.filter(goal_set_id=goal.goal_set_id).values_list("pk", "parent_id"))
    found: set[int] = set()
    current: int | None = goal.pk
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


@transaction.atomic
def goal_add(*, group: GoalGroup, fields: GoalFields) -> Goal:
    goal = Goal(group=group, goal_set_id=group.goal_set_id)
    _check_goal(goal, fields)
    goal.position = _next_position(Goal.objects.filter(group=group))
    goal.save()
    _join_plans(goal)
    _class_of_goal(goal)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, fields: GoalFields) -> Goal:
    _check_goal(goal, fields)
    goal.save()
    _join_plans(goal)
    _class_of_goal(goal)
    return goal


def _join_plans(goal: Goal) -> None:
    """A goal that every plan must have now (``rules.required``) joins the plans without it,
    at the end of its group."""
    if goal.kind != GoalKind.CORE:
        return
    plans = Plan.objects.filter(goal_set_id=goal.goal_set_id).exclude(chosen__goal=goal)
    if goal.parent_id is not None:
        plans = plans.filter(chosen__goal_id=goal.parent_id)
    last = {
        row["plan_id"]: row["last"]
        for row in PlanGoal.objects.filter(plan__in=plans, goal__group_id=goal.group_id)
        .values("plan_id")
        .annotate(last=Max("position"))
    }
    PlanGoal.objects.bulk_create(
        PlanGoal(plan_id=plan_id, goal=goal, position=last.get(plan_id, -1) + 1)
        for plan_id in plans.values_list("pk", flat=True)
    )


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    require(
        not Effort.objects.filter(
            Q(plan_goal__goal=goal) | Q(plan_goal__goal__parent=goal)
        ).exists(),
        "goal",
        _("Students have reported efforts on this goal: it stays."),
    )
    _class_of_goal(goal)
    goal.delete()


def _renumber(rows: list[Any], moved: int, step: int) -> None:
    """Number ``rows`` (in their order) anew with ``moved`` moved ``step`` places; one
    ``UPDATE`` of the rows whose place changed."""
    by_id = {row.pk: row for row in rows}
    changed = []
    for position, pk in enumerate(rules.moved(list(by_id), moved, step)):
        if by_id[pk].position != position:
            by_id[pk].position = position
            changed.append(by_id[pk])
    type(by_id[moved]).objects.bulk_update(changed, ["position"])


@transaction.atomic
def goal_move(*, goal: Goal, step: int) -> None:
    """Move the goal ``step`` places within its group (the teacher's order)."""
    _renumber(
        list(Goal.objects.filter(group_id=goal.group_id).only("pk", "position")), goal.pk, step
    )
    _class_of_goal(goal)


@transaction.atomic
def group_move(*, group: GoalGroup, step: int) -> None:
    groups = GoalGroup.objects.filter(goal_set_id=group.goal_set_id).only("pk", "position")
    _renumber(list(groups), group.pk, step)
    _class_of_group(group)


# --- prerequisites and evidence -------------------------------------------------------------


def prerequisite_graph(goal_set_id: int) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = {}
    for goal_id, needs_id in Prerequisite.objects.filter(goal__goal_set_id=goal_set_id).values_list(
        "goal_id", "needs_id"
    ):
        graph.setdefault(goal_id, set()).add(needs_id)
    return graph


@transaction.atomic
def prerequisite_add(*, goal: Goal, needs: Goal) -> Prerequisite:
    """``goal`` needs ``needs`` first. Both belong to one set; a prerequisite that would close
    a cycle is refused, naming the goals around it."""
    require(
        goal.goal_set_id == needs.goal_set_id and goal.pk != needs.pk,
        "needs",
        _("A goal needs another goal of the same set first."),
    )
    graph = prerequisite_graph(goal.goal_set_id)
    graph.setdefault(goal.pk, set()).add(needs.pk)
    cycle = rules.find_cycle(graph)
    if cycle is not None:
        titles = dict(Goal.objects.filter(pk__in=cycle).values_list("pk", "title"))
        require(
            False,
            "needs",
            _("That would make a circle: %(goals)s.")
            % {"goals": " → ".join(f"“{titles[goal_id]}”" for goal_id in cycle)},
        )
    found, _created = Prerequisite.objects.get_or_create(goal=goal, needs=needs)
    _class_of_goal(goal)
    return found


@transaction.atomic
def prerequisite_remove(*, goal: Goal, needs: Goal) -> None:
    Prerequisite.objects.filter(goal=goal, needs=needs).delete()
    _class_of_goal(goal)


@transaction.atomic
def assignment_link(*, goal: Goal, assignment: Assignment) -> GoalAssignment:
    """Count the class's work ``assignment`` as evidence for ``goal``."""
    require(
        assignment.school_class_id == goal.goal_set.school_class_id,
        "assignment",
        _("Choose work of this class."),
    )
    found, _created = GoalAssignment.objects.get_or_create(goal=goal, assignment=assignment)
    _class_of_goal(goal)
    return found


@transaction.atomic
def assignment_unlink(*, goal: Goal, assignment_id: int) -> None:
    GoalAssignment.objects.filter(goal=goal, assignment_id=assignment_id).delete()
    _class_of_goal(goal)
