"""Moving a goal set elsewhere: copying it to another class (or to the same class for next year,
the dates shifted), and writing it to the goal-set file (``village.goals.set_file``) that any
Village reads back. An import checks the whole file before it writes anything; what belongs to
one class stays with it (linked classwork, students' plans).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.models import Rubric, RubricCriterion, Topic
from village.classwork.services.rubrics import rubric_create
from village.community.models import SchoolClass
from village.goals import versions
from village.goals.models import Goal, GoalGroup, GoalSet, Prerequisite
from village.goals.policies import may_use_rubric
from village.goals.selectors.sets import outline_nodes, set_outline
from village.goals.services.sets import SetFields, goal_set_create
from village.goals.set_file import FORMAT, VERSION, SetSpec, read_file

# --- export -----------------------------------------------------------------------------------


def goal_set_export(goal_set: GoalSet) -> dict[str, Any]:
    """The set as the JSON file holds it (``FORMAT``, ``VERSION``)."""
    outline = set_outline(goal_set)
    keys = {goal.pk: f"g{number}" for number, goal in enumerate(outline.goals, start=1)}
    needs = {
        node.goal.pk: [keys[goal.pk] for goal in node.needs]
        for group in outline.groups
        for node in outline_nodes(group.goals)
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": goal_set.title,
        "summary": goal_set.summary,
        "topic": goal_set.topic.title if goal_set.topic else None,
        "opens_on": goal_set.opens_on.isoformat(),
        "closes_on": goal_set.closes_on.isoformat(),
        "auto_approve": goal_set.auto_approve,
        "stalled_after_days": goal_set.stalled_after_days,
        "rubric": _rubric_export(goal_set.rubric.title, outline.criteria),
        "groups": [
            {
                "title": node.group.title,
                "description": node.group.description,
                "min_optional": node.group.min_optional,
                "goals": [
                    _goal_export(goal, keys, needs[goal.pk])
                    for goal in outline.goals
                    if goal.group_id == node.group.pk
                ],
            }
            for node in outline.groups
        ],
    }


def _rubric_export(title: str, criteria: list[RubricCriterion]) -> dict[str, Any]:
    return {
        "title": title,
        "criteria": [
            {
                "title": criterion.title,
                "description": criterion.description,
                "levels": [
                    {
                        "title": level.title,
                        "description": level.description,
                        "points": str(level.points),
                    }
                    for level in criterion.levels.all()
                ],
            }
            for criterion in criteria
        ],
    }


def _goal_export(goal: Goal, keys: dict[int, str], needs: list[str]) -> dict[str, Any]:
    return {
        "key": keys[goal.pk],
        "title": goal.title,
        "kind": goal.kind,
        "parent": keys.get(goal.parent_id or 0),
        "description": goal.description,
        "success_criteria": goal.success_criteria,
        "suggested_activities": goal.suggested_activities,
        "needs": needs,
    }


# --- writing ----------------------------------------------------------------------------------


def _topic_for(school_class: SchoolClass, title: str | None) -> Topic | None:
    if not title:
        return None
    return (
        Topic.objects.filter(school_class=school_class, title__iexact=title)
        .order_by("-starts_on", "pk")
        .first()
    )


def _write(
    spec: SetSpec,
    *,
    school_class: SchoolClass,
    author: User | None,
    rubric: Rubric | None,
    topic: Topic | None,
    copied_from: GoalSet | None = None,
) -> GoalSet:
    goal_set = goal_set_create(
        school_class=school_class,
        author=author,
        fields=SetFields(
            title=spec.title,
            summary=spec.summary,
            opens_on=spec.opens_on,
            closes_on=spec.closes_on,
            topic=topic,
            rubric=rubric,
            auto_approve=spec.auto_approve,
            stalled_after_days=spec.stalled_after_days,
        ),
    )
    if copied_from is not None:
        goal_set.copied_from = copied_from
        goal_set.save(update_fields=["copied_from"])
    groups = GoalGroup.objects.bulk_create(
        GoalGroup(
            goal_set=goal_set,
            title=group_spec.title,
            description=group_spec.description,
            min_optional=group_spec.min_optional,
            position=position,
        )
        for position, group_spec in enumerate(spec.groups)
    )
    made = {
        goal_spec.key: Goal(
            goal_set=goal_set,
            group=group,
            title=goal_spec.title,
            kind=goal_spec.kind,
            description=goal_spec.description,
            success_criteria=goal_spec.success_criteria,
            suggested_activities=goal_spec.suggested_activities,
            position=index,
        )
        for group, group_spec in zip(groups, spec.groups, strict=True)
        for index, goal_spec in enumerate(group_spec.goals)
    }
    Goal.objects.bulk_create(made.values())
    _link(spec, made)
    versions.class_changed(school_class.pk)
    return goal_set


def _link(spec: SetSpec, made: dict[str, Goal]) -> None:
    """Sub-goals to their goals, and the prerequisites, once every goal has its id."""
    specs = [goal for group in spec.groups for goal in group.goals]
    children = []
    for goal_spec in specs:
        if goal_spec.parent is not None:
            goal = made[goal_spec.key]
            goal.parent = made[goal_spec.parent]
            children.append(goal)
    Goal.objects.bulk_update(children, ["parent"])
    Prerequisite.objects.bulk_create(
        Prerequisite(goal=made[goal_spec.key], needs=made[needed])
        for goal_spec in specs
        for needed in goal_spec.needs
    )


@transaction.atomic
def goal_set_import(
    *,
    school_class: SchoolClass,
    author: User | None,
    data: Any,
    opens_on: dt.date | None = None,
) -> GoalSet:
    """A new, unpublished set for ``school_class`` from a file's ``data`` (parsed JSON). With
    ``opens_on`` the file's dates move to start that day. The file is checked through before
    anything is written: ``ValidationError`` names each problem's place, and nothing changes.
    The rubric in the file becomes a rubric of the class (without one, the set gets its own
    four levels); the topic is the class's topic of the same title, if there is one."""
    spec = read_file(data)
    if opens_on is not None:
        _shift(spec, (opens_on - spec.opens_on).days)
    rubric = _rubric_from_spec(spec, school_class)
    return _write(
        spec,
        school_class=school_class,
        author=author,
        rubric=rubric,
        topic=_topic_for(school_class, spec.topic),
    )


def _rubric_from_spec(spec: SetSpec, school_class: SchoolClass) -> Rubric | None:
    if spec.criteria is None:
        return None
    return rubric_create(
        title=spec.rubric_title or spec.title, criteria=spec.criteria, school_class=school_class
    )


def _shift(spec: SetSpec, days: int) -> None:
    try:
        spec.opens_on += dt.timedelta(days=days)
        spec.closes_on += dt.timedelta(days=days)
    except OverflowError:
        raise ValidationError({"opens_on": _("Choose a day closer to today.")}) from None


def _rubric_for_copy(goal_set: GoalSet, target: SchoolClass, spec: SetSpec) -> Rubric:
    """The same rubric when the target class may use it (the school's own, or the target
    class's); otherwise a copy of it in the target class."""
    rubric = goal_set.rubric
    if may_use_rubric(target, rubric):
        return rubric
    assert spec.criteria is not None
    return rubric_create(
        title=spec.rubric_title or rubric.title, criteria=spec.criteria, school_class=target
    )


@transaction.atomic
def goal_set_copy(
    *,
    goal_set: GoalSet,
    school_class: SchoolClass,
    author: User | None,
    shift_days: int | None = None,
    opens_on: dt.date | None = None,
) -> GoalSet:
    """A new, unpublished copy of ``goal_set`` in ``school_class`` (the same class for next
    year, or another): its groups, goals, sub-goals and prerequisites, the dates moved by
    ``shift_days`` or to start on ``opens_on`` (one of the two, or neither to keep them). The
    rubric is the same one when the class may use it, else copied into the class. Linked
    classwork and students' plans stay with the original."""
    if shift_days is not None and opens_on is not None:
        raise ValueError("Give shift_days or opens_on, not both.")
    spec = read_file(goal_set_export(goal_set))
    days = (opens_on - goal_set.opens_on).days if opens_on is not None else shift_days or 0
    _shift(spec, days)
    same_class = school_class.pk == goal_set.school_class_id
    return _write(
        spec,
        school_class=school_class,
        author=author,
        rubric=_rubric_for_copy(goal_set, school_class, spec),
        topic=goal_set.topic if same_class else _topic_for(school_class, spec.topic),
        copied_from=goal_set,
    )
