"""The plan rules, property-tested on generated sets and plans: a plan the rules accept has
every core goal, at least N optional goals per group, every prerequisite chosen and earlier in
its group, and every sub-goal's parent; the order ``settled_order`` makes is always accepted; a
cycle is found exactly when there is one, and the services never save one."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from village.goals import rules
from village.goals.models import Prerequisite
from village.goals.services import sets
from village.goals.tests.conftest import Goals

# --- generated sets ---------------------------------------------------------------------------


@st.composite
def shapes(draw: st.DrawFn) -> rules.Shape:
    """A set of 1-3 groups of 1-6 goals; a goal's parent and prerequisites are earlier goals
    (so they never form a cycle); each group asks for at most as many optional goals as it
    has."""
    goals: list[rules.GoalShape] = []
    least: dict[int, int] = {}
    needs: dict[int, frozenset[int]] = {}
    for group in range(draw(st.integers(1, 3))):
        members: list[rules.GoalShape] = []
        for _ in range(draw(st.integers(1, 6))):
            goal_id = len(goals) + len(members) + 1
            parent = draw(st.sampled_from([None, *[m.id for m in members]]))
            goal = rules.GoalShape(goal_id, group, draw(st.booleans()), f"goal {goal_id}", parent)
            members.append(goal)
        earlier = [g.id for g in goals]
        for goal in members:
            pool = earlier + [m.id for m in members if m.id < goal.id]
            if pool:
                needs[goal.id] = frozenset(draw(st.sets(st.sampled_from(pool), max_size=2)))
        goals += members
        optional = sum(1 for m in members if not m.core)
        least[group] = draw(st.integers(0, optional))
    return rules.Shape(goals=goals, needs=needs, min_optional=least)


def _closed(shape: rules.Shape, chosen: set[int]) -> set[int]:
    """``chosen`` with everything the rules require of it: core goals, parents, prerequisites."""
    while True:
        more = set(chosen) | rules.required(shape, chosen)
        for goal_id in list(more):
            goal = shape.goal(goal_id)
            if goal.parent is not None:
                more.add(goal.parent)
            more |= shape.needs.get(goal_id, frozenset())
        if more == chosen:
            return chosen
        chosen = more


@st.composite
def valid_choices(draw: st.DrawFn) -> tuple[rules.Shape, set[int]]:
    """A shape and a choice of goals that keeps every rule but the order."""
    shape = draw(shapes())
    chosen: set[int] = set()
    for group, least in shape.min_optional.items():
        optional = [g.id for g in shape.goals if g.group == group and not g.core]
        chosen |= set(draw(st.permutations(optional))[: draw(st.integers(least, len(optional)))])
    return shape, _closed(shape, chosen)


@st.composite
def plans(draw: st.DrawFn) -> tuple[rules.Shape, dict[int, list[int]]]:
    """A shape and any plan of its goals: a random choice in a random order."""
    shape = draw(shapes())
    order: dict[int, list[int]] = {}
    for group in shape.min_optional:
        ids = [g.id for g in shape.goals if g.group == group]
        order[group] = draw(st.permutations(ids))[: draw(st.integers(0, len(ids)))]
    return shape, order


# --- properties -------------------------------------------------------------------------------


@given(plans())
@settings(max_examples=150, deadline=None)
def test_an_accepted_plan_keeps_every_rule(drawn: tuple[rules.Shape, dict[int, list[int]]]) -> None:
    shape, order = drawn
    if rules.problems(shape, order):
        return
    chosen = {goal_id for ids in order.values() for goal_id in ids}
    assert rules.required(shape, chosen) <= chosen
    for group, least in shape.min_optional.items():
        assert (
            sum(1 for g in shape.goals if g.group == group and not g.core and g.id in chosen)
            >= least
        )
    for goal_id in chosen:
        goal = shape.goal(goal_id)
        assert goal.parent is None or goal.parent in chosen
        for needed in shape.needs.get(goal_id, frozenset()):
            assert needed in chosen
            if shape.goal(needed).group == goal.group:
                ids = order[goal.group]
                assert ids.index(needed) < ids.index(goal_id)


@given(plans())
@settings(max_examples=150, deadline=None)
def test_every_broken_rule_is_reported(drawn: tuple[rules.Shape, dict[int, list[int]]]) -> None:
    shape, order = drawn
    chosen = {goal_id for ids in order.values() for goal_id in ids}
    missing_core = rules.required(shape, chosen) - chosen
    reported = {p.goal for p in rules.problems(shape, order)}
    assert missing_core <= reported


@given(valid_choices(), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_the_settled_order_of_a_valid_choice_is_always_accepted(
    drawn: tuple[rules.Shape, set[int]], random: object
) -> None:
    shape, chosen = drawn
    order = {}
    for group in shape.min_optional:
        wished = [g.id for g in shape.goals if g.group == group and g.id in chosen]
        random.shuffle(wished)  # type: ignore[attr-defined]
        order[group] = rules.settled_order(shape, group, wished)
        assert sorted(order[group]) == sorted(wished)
    assert rules.problems(shape, order) == []


def _acyclic(graph: dict[int, set[int]]) -> bool:
    """Kahn's algorithm: remove goals that need nothing left, until none are left or stuck."""
    left = {node: set(edges) for node, edges in graph.items()}
    for edges in graph.values():
        for node in edges:
            left.setdefault(node, set())
    while left:
        free = [node for node, edges in left.items() if not edges & left.keys()]
        if not free:
            return False
        for node in free:
            del left[node]
    return True


graphs = st.dictionaries(st.integers(1, 8), st.sets(st.integers(1, 8), max_size=3), max_size=8).map(
    lambda g: {node: {n for n in edges if n != node} for node, edges in g.items()}
)


@given(graphs)
@settings(max_examples=300, deadline=None)
def test_a_cycle_is_found_exactly_when_there_is_one(graph: dict[int, set[int]]) -> None:
    cycle = rules.find_cycle(graph)
    assert (cycle is None) == _acyclic(graph)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        for goal_id, needs in itertools.pairwise(cycle):
            assert needs in graph[goal_id]


@pytest.mark.django_db
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=12))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_services_never_save_a_cycle(goals: Goals, edges: list[tuple[int, int]]) -> None:
    names = sorted(goals.weather.goals)
    Prerequisite.objects.filter(goal__goal_set=goals.weather.goal_set).delete()
    for goal_index, needs_index in edges:
        goal, needs = (
            goals.weather.goals[names[goal_index]],
            goals.weather.goals[names[needs_index]],
        )
        with contextlib.suppress(ValidationError):
            sets.prerequisite_add(goal=goal, needs=needs)
        graph = sets.prerequisite_graph(goals.weather.goal_set.pk)
        assert rules.find_cycle(graph) is None
