"""What the teacher's set-building pages read: the sets of their classes, a set as a tree (the
builder's page, and the export's source), a goal's prerequisites and linked work, and the
sibling a goal moves past.

:func:`set_outline` reads a set as a tree in a constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from village.classwork.models import Assignment, RubricCriterion
from village.community.models import SchoolClass
from village.community.policies import AnyUser
from village.goals import policies, rules
from village.goals.models import Goal, GoalAssignment, GoalGroup, GoalKind, GoalSet, Prerequisite

# --- the sets of a teacher's classes ----------------------------------------------------------


@dataclass
class ClassSets:
    """A class on the sets page: its sets, and whether the user adds sets to it (teaches it)."""

    school_class: SchoolClass
    sets: list[GoalSet] = field(default_factory=list)
    may_add: bool = False


def staff_sets(user: AnyUser) -> list[ClassSets]:
    """Every class ``user`` sees as staff that has a set, and every class they teach, by title;
    in each its sets, newest first, with their number of goals (``goal_count``). Two queries."""
    found = (
        policies.staff_goal_sets(user)
        .select_related("school_class", "topic")
        .annotate(goal_count=Count("goals"))
        .order_by("school_class__title", "school_class_id", "-opens_on", "pk")
    )
    classes = {
        school_class.pk: ClassSets(school_class, may_add=True)
        for school_class in policies.editable_classes(user).order_by("title", "pk")
    }
    for goal_set in found:
        classes.setdefault(goal_set.school_class_id, ClassSets(goal_set.school_class)).sets.append(
            goal_set
        )
    return sorted(classes.values(), key=lambda e: (e.school_class.title, e.school_class.pk))


# --- a set as a tree --------------------------------------------------------------------------


@dataclass
class GoalNode:
    goal: Goal
    children: list[GoalNode] = field(default_factory=list)
    needs: list[Goal] = field(default_factory=list)
    work: list[Assignment] = field(default_factory=list)
    first: bool = False
    last: bool = False


@dataclass
class GroupNode:
    group: GoalGroup
    goals: list[GoalNode]
    core: int
    optional: int
    first: bool = False
    last: bool = False


@dataclass
class Outline:
    goal_set: GoalSet
    groups: list[GroupNode]
    criteria: list[RubricCriterion]
    goals: list[Goal]

    def problems(self) -> list[str]:
        """Why the set cannot be published yet (``rules.publish_problems``, as the service
        that publishes it says)."""
        counts = [
            rules.GroupCount(node.group.title, node.group.min_optional, node.optional)
            for node in self.groups
        ]
        return rules.publish_problems(len(self.goals), counts)


def _mark_ends(nodes: list[Any]) -> None:
    for index, node in enumerate(nodes):
        node.first, node.last = index == 0, index == len(nodes) - 1


def set_outline(goal_set: GoalSet) -> Outline:
    """The set's groups in order, in each its goals as a tree (sub-goals under their goal, in
    the teacher's order) with what each needs first and the work linked to it, and the rubric's
    criteria with their levels: six queries, however large the set."""
    groups = list(GoalGroup.objects.filter(goal_set=goal_set).order_by("position", "pk"))
    goals = list(Goal.objects.filter(goal_set=goal_set).order_by("position", "pk"))
    nodes = {goal.pk: GoalNode(goal) for goal in goals}
    for goal_id, needs_id in Prerequisite.objects.filter(goal__goal_set=goal_set).values_list(
        "goal_id", "needs_id"
    ):
        nodes[goal_id].needs.append(nodes[needs_id].goal)
    for link in (
        GoalAssignment.objects.filter(goal__goal_set=goal_set)
        .select_related("assignment")
        .order_by("assignment__due_at", "assignment__title", "pk")
    ):
        nodes[link.goal_id].work.append(link.assignment)
    tops: dict[int, list[GoalNode]] = defaultdict(list)
    for goal in goals:
        parent = nodes.get(goal.parent_id or 0)
        if parent is not None and parent.goal.group_id == goal.group_id:
            parent.children.append(nodes[goal.pk])
        else:
            tops[goal.group_id].append(nodes[goal.pk])
    for node in nodes.values():
        _mark_ends(node.children)
    laid_out = [_group_node(group, tops[group.pk], goals) for group in groups]
    _mark_ends(laid_out)
    criteria = list(
        RubricCriterion.objects.filter(rubric_id=goal_set.rubric_id)
        .order_by("position", "pk")
        .prefetch_related("levels")
    )
    flat = [node.goal for group in laid_out for node in outline_nodes(group.goals)]
    return Outline(goal_set=goal_set, groups=laid_out, criteria=criteria, goals=flat)


def _group_node(group: GoalGroup, top: list[GoalNode], goals: list[Goal]) -> GroupNode:
    _mark_ends(top)
    mine = [goal for goal in goals if goal.group_id == group.pk]
    core = sum(1 for goal in mine if goal.kind == GoalKind.CORE)
    return GroupNode(group=group, goals=top, core=core, optional=len(mine) - core)


def outline_nodes(nodes: list[GoalNode]) -> list[GoalNode]:
    """``nodes`` and their sub-goals' nodes, each after its goal (depth first)."""
    return [each for node in nodes for each in [node, *outline_nodes(node.children)]]


# --- a goal's prerequisites and linked work ---------------------------------------------------


@dataclass(frozen=True)
class NeedsChoices:
    """What a goal needs first (by title), and the other goals of the set it may need, with
    the set's groups to list them under."""

    needed: list[Goal]
    others: list[Goal]
    groups: list[GoalGroup]


def needs_choices(goal_set: GoalSet, goal: Goal) -> NeedsChoices:
    """Three queries."""
    needed = list(Goal.objects.filter(needed_by__goal=goal).order_by("title", "pk"))
    others = (
        Goal.objects.filter(goal_set=goal_set)
        .exclude(pk__in=[goal.pk, *(g.pk for g in needed)])
        .order_by("position", "pk")
    )
    groups = GoalGroup.objects.filter(goal_set=goal_set).order_by("position", "pk")
    return NeedsChoices(needed, list(others), list(groups))


def _class_work(goal_set: GoalSet) -> QuerySet[Assignment]:
    """The set's class's active work."""
    return Assignment.objects.filter(school_class_id=goal_set.school_class_id, status="active")


def linked_work(goal_set: GoalSet, goal: Goal) -> QuerySet[Assignment]:
    """The class's work that counts as evidence for ``goal``, newest first."""
    linked = GoalAssignment.objects.filter(goal=goal).values("assignment_id")
    return _class_work(goal_set).filter(pk__in=linked).order_by("-assign_at")


def work_to_link(goal_set: GoalSet, goal: Goal) -> QuerySet[Assignment]:
    """The class's work not linked to ``goal`` yet, newest first."""
    linked = GoalAssignment.objects.filter(goal=goal).values("assignment_id")
    return _class_work(goal_set).exclude(pk__in=linked).order_by("-assign_at")


# --- moving a goal ------------------------------------------------------------------------------


def sibling_step(goal: Goal, step: int) -> int:
    """The step in the group's order (``sets.goal_move``) that moves ``goal`` past its
    previous (``step`` -1) or next (1) sibling: the goal with the same parent."""
    order = list(
        Goal.objects.filter(group_id=goal.group_id)
        .order_by("position", "pk")
        .values_list("pk", "parent_id")
    )
    places = [index for index, (_pk, parent) in enumerate(order) if parent == goal.parent_id]
    here = next(index for index, (pk, _parent) in enumerate(order) if pk == goal.pk)
    mine = places.index(here)
    target = mine + step
    if not 0 <= target < len(places):
        return 0
    return places[target] - here
