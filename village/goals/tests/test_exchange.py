"""Copying a goal set to another class or to next year, and its JSON file: the export holds
everything the teacher wrote, an import of it builds the same set, and a bad file is refused
with the place of each problem, changing nothing."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import ModuleData, each_test
from village.classwork.models import Rubric, Topic
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.demo.personas import Personas
from village.goals import set_file
from village.goals.models import Goal, GoalSet, Prerequisite
from village.goals.selectors.sets import set_outline
from village.goals.services import exchange, sets
from village.goals.services.sets import GoalFields, SetFields
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import weather_set

pytestmark = pytest.mark.django_db


def _build(personas: Personas) -> Goals:
    return Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))


@pytest.fixture(scope="module")
def _goals(module_data: ModuleData | None) -> Goals | None:
    """Ms. Rivera's set, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def goals(personas: Personas, _goals: Goals | None) -> Goals:
    """The goals tests' set (``village.goals.tests.conftest``), shared by the module's tests."""
    return each_test(_goals, personas, _build)


def shape(goal_set: GoalSet) -> dict[str, Any]:
    """The set as titles: groups in order, each goal with its kind, parent and needs."""
    outline = set_outline(goal_set)
    needs = {
        goal.title: sorted(
            Goal.objects.filter(needed_by__goal=goal).values_list("title", flat=True)
        )
        for goal in outline.goals
    }
    return {
        group.group.title: [
            (goal.title, goal.kind, goal.parent.title if goal.parent else None, needs[goal.title])
            for goal in outline.goals
            if goal.group_id == group.group.pk
        ]
        for group in outline.groups
    }


def levels_of(rubric: Rubric) -> list[tuple[str, Decimal]]:
    return [
        (level.title, level.points)
        for criterion in rubric.criteria.prefetch_related("levels")
        for level in criterion.levels.all()
    ]


def counts() -> tuple[int, int, int, int]:
    return (
        GoalSet.objects.count(),
        Goal.objects.count(),
        Prerequisite.objects.count(),
        Rubric.objects.count(),
    )


# --- export and import --------------------------------------------------------------------------


def test_the_export_holds_groups_goals_sub_goals_prerequisites_and_the_rubric(goals: Goals):
    data = exchange.goal_set_export(goals.weather.goal_set)
    assert (data["format"], data["version"]) == ("village.goal-set", 1)
    observing, water, _sharing = data["groups"]
    assert observing["min_optional"] == 1
    measure, thermometer = observing["goals"][:2]
    assert thermometer["parent"] == measure["key"]
    cycle, model = water["goals"][:2]
    assert model["needs"] == [cycle["key"]]
    assert [level["points"] for level in data["rubric"]["criteria"][0]["levels"]] == [
        "1.00",
        "2.00",
        "3.00",
        "4.00",
    ]


def test_an_imported_export_builds_the_same_set_as_a_draft_of_the_other_class(goals: Goals):
    people = goals.people
    Topic.objects.create(
        school_class=people.science8,
        title="Weather",
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 2, 5),
    )
    data = exchange.goal_set_export(goals.weather.goal_set)
    data["topic"] = "weather"
    made = exchange.goal_set_import(school_class=people.science8, author=people.rivera, data=data)
    assert shape(made) == shape(goals.weather.goal_set)
    assert not made.published
    assert made.school_class_id == people.science8.pk
    assert made.topic is not None
    assert made.topic.title == "Weather"
    assert made.rubric.school_class_id == people.science8.pk
    assert levels_of(made.rubric) == levels_of(goals.weather.goal_set.rubric)
    assert made.opens_on == goals.weather.goal_set.opens_on


def test_an_import_may_move_the_dates_to_start_on_another_day(goals: Goals):
    source = goals.weather.goal_set
    start = dt.date(2027, 9, 6)
    made = exchange.goal_set_import(
        school_class=goals.people.science8,
        author=goals.people.rivera,
        data=exchange.goal_set_export(source),
        opens_on=start,
    )
    assert made.opens_on == start
    assert made.closes_on - made.opens_on == source.closes_on - source.opens_on


def test_a_file_without_a_rubric_gets_the_four_levels(goals: Goals):
    data = exchange.goal_set_export(goals.weather.goal_set)
    data["rubric"] = None
    made = exchange.goal_set_import(
        school_class=goals.people.science8, author=goals.people.rivera, data=data
    )
    assert [title for title, _points in levels_of(made.rubric)] == [
        "Beginning",
        "Developing",
        "Secure",
        "Extending",
    ]


def _broken(goals: Goals, change: Any) -> dict[str, Any]:
    data = copy.deepcopy(exchange.goal_set_export(goals.weather.goal_set))
    change(data)
    return data


def _set(path: list[Any], value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _needs_circle(data: dict[str, Any]) -> None:
    water = data["groups"][1]["goals"]
    water[0]["needs"] = [water[1]["key"]]  # cycle needs model, model needs cycle


def _parent_circle(data: dict[str, Any]) -> None:
    observing = data["groups"][0]["goals"]
    observing[0]["parent"] = observing[1]["key"]  # measure part of thermometer, its sub-goal


BAD_FILES = {
    "an empty goal title": (
        _set(["groups", 1, "goals", 2, "title"], " "),
        "groups[1].goals[2].title: Write the goal.",
    ),
    "a title on two lines": (
        _set(["groups", 0, "title"], "Observing\nweather"),
        "groups[0].title: Write this on one line",
    ),
    "a kind that is neither": (
        _set(["groups", 2, "goals", 1, "kind"], "extra"),
        "groups[2].goals[1].kind: A goal is core or optional.",
    ),
    "an unknown parent": (
        _set(["groups", 0, "goals", 1, "parent"], "g99"),
        "groups[0].goals[1].parent: No goal has the key “g99”.",
    ),
    "a parent in another group": (
        _set(["groups", 1, "goals", 2, "parent"], "g1"),
        "groups[1].goals[2].parent: A sub-goal is part of another goal of the same group.",
    ),
    "a goal part of its own sub-goal": (
        _parent_circle,
        "groups[0].goals[0].parent: A goal cannot be part of one of its own sub-goals.",
    ),
    "an unknown prerequisite": (
        _set(["groups", 1, "goals", 1, "needs"], ["nope"]),
        "groups[1].goals[1].needs: No goal has the key “nope”.",
    ),
    "prerequisites in a circle": (
        _needs_circle,
        "That would make a circle: “Explain the water cycle” → “Build a water-cycle model in "
        "a jar” → “Explain the water cycle”.",
    ),
    "two goals with one key": (
        _set(["groups", 2, "goals", 0, "key"], "g1"),
        "groups[2].goals[0].key: Another goal has this key.",
    ),
    "a field Village does not know": (
        _set(["groups", 0, "goals", 0, "colour"], "red"),
        "groups[0].goals[0].colour: Village does not know this.",
    ),
    "too many optional goals asked": (
        _set(["groups", 0, "min_optional"], 51),
        "groups[0].min_optional: Enter a whole number from 0 to 50.",
    ),
    "negative points": (
        _set(["rubric", "criteria", 0, "levels", 0, "points"], "-1"),
        "rubric.criteria[0].levels[0].points: Enter points from 0 to 9999.99",
    ),
    "a rubric worth nothing": (
        _set(["rubric", "criteria", 0, "levels"], [{"title": "Zero", "points": 0}]),
        "rubric.criteria: The rubric is worth no points",
    ),
    "dates the wrong way round": (
        _set(["closes_on"], "2020-01-01"),
        "closes_on: The work ends on or after the day students start choosing.",
    ),
    "a date that is no date": (
        _set(["opens_on"], "next monday"),
        "opens_on: Expected a date such as 2026-03-01.",
    ),
    "groups that are no list": (_set(["groups"], {"a": 1}), "groups: Expected a list"),
    "a newer version": (_set(["version"], 2), "version: This Village reads goal sets of version 1"),
    "another kind of file": (_set(["format"], "something.else"), "not a Village goal set"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_naming_the_place_and_nothing_is_written(goals: Goals, case: str):
    change, expected = BAD_FILES[case]
    data = _broken(goals, change)
    before = counts()
    with pytest.raises(ValidationError) as error:
        exchange.goal_set_import(
            school_class=goals.people.science8, author=goals.people.rivera, data=data
        )
    assert any(expected in message for message in error.value.messages), error.value.messages
    assert counts() == before


def test_a_file_that_is_not_an_object_is_refused(goals: Goals):
    with pytest.raises(ValidationError) as error:
        exchange.goal_set_import(
            school_class=goals.people.science8, author=goals.people.rivera, data=[1, 2]
        )
    assert error.value.messages == ["This file is not a Village goal set."]


def test_a_file_wrong_everywhere_lists_at_most_twenty_problems(goals: Goals):
    def empty_titles(data: dict[str, Any]) -> None:
        for group in data["groups"]:
            for goal in group["goals"]:
                goal["title"] = ""
                goal["kind"] = "?"
                goal["needs"] = ["x"]

    with pytest.raises(ValidationError) as error:
        set_file.read_file(_broken(goals, empty_titles))
    assert len(error.value.messages) == set_file.MAX_PROBLEMS


# --- copying ------------------------------------------------------------------------------------


def test_a_copy_for_next_year_in_the_same_class_shifts_the_dates_and_keeps_the_rubric(
    goals: Goals,
):
    source = goals.weather.goal_set
    made = exchange.goal_set_copy(
        goal_set=source,
        school_class=goals.people.homeroom5,
        author=goals.people.rivera,
        shift_days=364,
    )
    assert (made.opens_on, made.closes_on) == (
        source.opens_on + dt.timedelta(days=364),
        source.closes_on + dt.timedelta(days=364),
    )
    assert made.rubric_id == source.rubric_id
    assert made.copied_from_id == source.pk
    assert not made.published
    assert shape(made) == shape(source)


def test_a_copy_to_another_class_gets_its_own_copy_of_a_class_rubric(goals: Goals):
    source = goals.weather.goal_set
    made = exchange.goal_set_copy(
        goal_set=source,
        school_class=goals.people.science8,
        author=goals.people.rivera,
        opens_on=dt.date(2027, 1, 11),
    )
    assert made.opens_on == dt.date(2027, 1, 11)
    assert made.rubric_id != source.rubric_id
    assert made.rubric.school_class_id == goals.people.science8.pk
    assert levels_of(made.rubric) == levels_of(source.rubric)
    assert shape(made) == shape(source)


def test_a_copy_keeps_a_rubric_of_the_school(goals: Goals):
    people = goals.people
    school_rubric = rubric_create(
        title="Riverside progress",
        criteria=[
            CriterionSpec(
                title="Progress",
                levels=[LevelSpec("Not yet", Decimal(0)), LevelSpec("Got it", Decimal(1))],
            )
        ],
        school=people.school,
    )
    source = goals.weather.goal_set
    sets.goal_set_update(
        goal_set=source,
        fields=SetFields(
            title=source.title,
            opens_on=source.opens_on,
            closes_on=source.closes_on,
            rubric=school_rubric,
        ),
    )
    made = exchange.goal_set_copy(
        goal_set=source, school_class=people.science8, author=people.rivera
    )
    assert made.rubric_id == school_rubric.pk
    assert made.opens_on == source.opens_on


def test_a_copy_holds_deeper_sub_goals_and_the_teachers_order(goals: Goals):
    w = goals.weather
    deeper = sets.goal_add(
        group=w.groups["observing"],
        fields=GoalFields(title="Read below zero", parent=w.goals["thermometer"]),
    )
    sets.goal_move(goal=w.goals["wind"], step=-10)
    made = exchange.goal_set_copy(
        goal_set=w.goal_set, school_class=goals.people.science8, author=goals.people.rivera
    )
    copied = Goal.objects.get(goal_set=made, title=deeper.title)
    assert copied.parent is not None
    assert copied.parent.title == "Read a thermometer"
    assert shape(made) == shape(w.goal_set)
    assert shape(made)["Observing weather"][0][0] == "Build a wind vane"


def test_copy_takes_a_shift_or_a_day_not_both(goals: Goals):
    with pytest.raises(ValueError, match="not both"):
        exchange.goal_set_copy(
            goal_set=goals.weather.goal_set,
            school_class=goals.people.science8,
            author=goals.people.rivera,
            shift_days=7,
            opens_on=dt.date(2027, 1, 1),
        )


def test_the_outline_reads_a_set_in_six_queries_however_large(
    goals: Goals, django_assert_num_queries
):
    goal_set = GoalSet.objects.select_related("rubric").get(pk=goals.weather.goal_set.pk)
    with django_assert_num_queries(6):
        set_outline(goal_set)
    group = sets.group_add(goal_set=goal_set, title="More")
    for number in range(12):
        sets.goal_add(group=group, fields=GoalFields(title=f"Goal {number}"))
    with django_assert_num_queries(6):
        outline = set_outline(goal_set)
    assert len(outline.goals) == 22


def _queries_to_import(goals: Goals, data: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as found:
        exchange.goal_set_import(
            school_class=goals.people.science8, author=goals.people.rivera, data=data
        )
    return len(found)


def test_an_import_writes_as_many_queries_however_many_groups_and_goals(goals: Goals):
    """Groups and goals are written in bulk, not one INSERT each."""
    small = _queries_to_import(goals, exchange.goal_set_export(goals.weather.goal_set))
    group = sets.group_add(goal_set=goals.weather.goal_set, title="More")
    for number in range(12):
        sets.goal_add(group=group, fields=GoalFields(title=f"Goal {number}"))
    large = exchange.goal_set_export(goals.weather.goal_set)
    assert sum(len(g["goals"]) for g in large["groups"]) == 22
    assert _queries_to_import(goals, large) == small
