"""The rules a student's plan keeps, on plain values (no database), so that the pages, the API
and the property tests share one implementation.

A set's shape is a :class:`Shape`: its goals (group, core or optional, parent) and prerequisites,
and per group the number of optional goals a student chooses at least. A plan is the goals a
student chose, in their order, group by group. The rules:

1. **Core goals are always in.** A core goal at the top of its group is in every plan; a core
   sub-goal is in every plan that has its parent.
2. **A sub-goal comes with its parent**: a plan has a sub-goal only if it has its parent.
3. **At least N optional goals** of each group (the group's ``min_optional``).
4. **Prerequisites**: a plan with a goal has every goal it needs; within a group, a goal comes
   after the goals it needs.
5. **No cycles**: the prerequisites of a set never form a cycle (checked when a teacher adds one,
   by :func:`find_cycle`).

A set is shown to students only when every plan can keep these rules (:func:`publish_problems`):
it has a goal, and each group has as many optional goals as it asks students to choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True, slots=True)
class GoalShape:
    id: int
    group: int
    core: bool
    title: str = ""
    parent: int | None = None


@dataclass(frozen=True)
class Shape:
    """A goal set's goals (in the teacher's order), prerequisites (goal -> goals it needs) and
    the optional goals each group asks for (group -> at least N)."""

    goals: Sequence[GoalShape]
    needs: Mapping[int, frozenset[int]] = field(default_factory=dict)
    min_optional: Mapping[int, int] = field(default_factory=dict)
    by_id: Mapping[int, GoalShape] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {goal.id: goal for goal in self.goals})

    def goal(self, goal_id: int) -> GoalShape:
        return self.by_id[goal_id]


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule a plan breaks, with the goal it is about (``None`` for a whole group)."""

    group: int
    goal: int | None
    message: str


def required(shape: Shape, chosen: Iterable[int]) -> set[int]:
    """The goals a plan with ``chosen`` must have: top-level core goals, and the core sub-goals
    of every goal it has."""
    chosen = set(chosen)
    return {
        goal.id
        for goal in shape.goals
        if goal.core and (goal.parent is None or goal.parent in chosen)
    }


def problems(shape: Shape, order: Mapping[int, Sequence[int]]) -> list[Problem]:
    """Every rule the plan ``order`` (group -> goal ids in the student's order) breaks; an empty
    list when the plan keeps them all."""
    by_id = shape.by_id
    found: list[Problem] = []
    chosen: set[int] = set()
    for group, goal_ids in order.items():
        for goal_id in goal_ids:
            goal = by_id.get(goal_id)
            if goal is None or goal.group != group or goal_id in chosen:
                found.append(Problem(group, goal_id, _("This goal is not one of this group.")))
            chosen.add(goal_id)
    found += _missing_core(shape, chosen)
    found += _orphans(shape, chosen)
    found += _too_few_optional(shape, chosen)
    found += _prerequisites(shape, order, chosen)
    return found


def _missing_core(shape: Shape, chosen: set[int]) -> list[Problem]:
    return [
        Problem(
            shape.goal(goal_id).group,
            goal_id,
            _("“%(goal)s” is a core goal: every plan has it.")
            % {"goal": shape.goal(goal_id).title},
        )
        for goal_id in sorted(required(shape, chosen) - chosen)
    ]


def _orphans(shape: Shape, chosen: set[int]) -> list[Problem]:
    return [
        Problem(
            goal.group,
            goal.id,
            _("“%(goal)s” is part of “%(parent)s”: choose that goal too.")
            % {"goal": goal.title, "parent": shape.goal(goal.parent).title},
        )
        for goal in shape.goals
        if goal.id in chosen and goal.parent is not None and goal.parent not in chosen
    ]


def _too_few_optional(shape: Shape, chosen: set[int]) -> list[Problem]:
    found = []
    for group, least in shape.min_optional.items():
        count = sum(1 for g in shape.goals if g.group == group and not g.core and g.id in chosen)
        if count < least:
            found.append(
                Problem(
                    group,
                    None,
                    ngettext(
                        "Choose at least %(count)s optional goal in this group.",
                        "Choose at least %(count)s optional goals in this group.",
                        least,
                    )
                    % {"count": least},
                )
            )
    return found


def _prerequisites(
    shape: Shape, order: Mapping[int, Sequence[int]], chosen: set[int]
) -> list[Problem]:
    found = []
    place = {
        goal_id: index for goal_ids in order.values() for index, goal_id in enumerate(goal_ids)
    }
    for goal_id in sorted(chosen):
        goal = shape.by_id.get(goal_id)
        if goal is None:
            continue
        for needed_id in sorted(shape.needs.get(goal_id, frozenset())):
            needed = shape.goal(needed_id)
            values = {"goal": goal.title, "needs": needed.title}
            if needed_id not in chosen:
                message = _("“%(goal)s” needs “%(needs)s” first: choose it too.") % values
            elif needed.group == goal.group and place[needed_id] > place[goal_id]:
                message = _("“%(goal)s” needs “%(needs)s” first: put it later.") % values
            else:
                continue
            found.append(Problem(goal.group, goal_id, message))
    return found


def find_cycle(needs: Mapping[int, Iterable[int]]) -> list[int] | None:
    """A cycle in the prerequisites (goal -> goals it needs), as the goals around it with the
    first repeated at the end, or ``None`` when there is none."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in sorted(needs):
        if state.get(start):
            continue
        path: list[int] = [start]
        stack: list[Iterator[int]] = [iter(sorted(needs.get(start, ())))]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(step) == 1:
                return [*path[path.index(step) :], step]
            if not state.get(step):
                state[step] = 1
                path.append(step)
                stack.append(iter(sorted(needs.get(step, ()))))
    return None


def settled_order(shape: Shape, group: int, wished: Sequence[int]) -> list[int]:
    """``wished`` (goals of ``group``) reordered as little as possible so that every goal comes
    after the goals of its group it needs: each goal moves down only as far as it must."""
    remaining = list(wished)
    members = set(wished)
    placed: list[int] = []
    while remaining:
        for index, goal_id in enumerate(remaining):
            waiting = (shape.needs.get(goal_id, frozenset()) & members) - set(placed)
            if not waiting:
                placed.append(remaining.pop(index))
                break
        else:  # a cycle: keep the rest as wished (``find_cycle`` refuses these on writing)
            placed += remaining
            break
    return placed


def moved(order: Sequence[int], goal_id: int, step: int) -> list[int]:
    """``order`` with ``goal_id`` moved ``step`` places (negative: earlier), kept in range."""
    result = list(order)
    index = result.index(goal_id)
    target = max(0, min(len(result) - 1, index + step))
    result.insert(target, result.pop(index))
    return result


@dataclass(frozen=True, slots=True)
class GroupCount:
    """A group of a set as publishing sees it: its title, the optional goals it asks students
    to choose, and the optional goals it has."""

    title: str
    min_optional: int
    optional: int


def publish_problems(goals: int, groups: Iterable[GroupCount]) -> list[str]:
    """Why a set of ``goals`` goals and these ``groups`` cannot be published yet (an empty list
    when it can)."""
    found = [] if goals else [_("Add at least one goal.")]
    found += [
        _("“%(group)s” asks for %(count)s optional goals but has %(has)s.")
        % {"group": group.title, "count": group.min_optional, "has": group.optional}
        for group in groups
        if group.optional < group.min_optional
    ]
    return found
