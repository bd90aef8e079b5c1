"""The class overview's data: each student's state on each goal, who has not chosen yet, the
filters, and a fixed handful of queries however many students, goals and efforts (efforts are
counted in the database, never loaded)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.community import services as community
from village.community.models import EnrollmentRole, Role
from village.goals.models import Plan
from village.goals.progress import GoalState
from village.goals.selectors.overview import Overview, Row, class_overview
from village.goals.services import efforts, plans, sets
from village.goals.services.sets import GoalFields
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal

pytestmark = pytest.mark.django_db


def _row(overview: Overview, student: User) -> Row:
    return next(row for row in overview.rows if row.student_id == student.pk)


def _states(overview: Overview, student: User) -> dict[str, GoalState]:
    row = _row(overview, student)
    return {column.title: state for column, state in zip(overview.columns, row.states, strict=True)}


def _effort(goals: Goals, plan: Plan, name: str, **kwargs: object) -> None:
    efforts.effort_record(
        plan_goal=plan_goal(plan, goals.weather.goals[name]),
        levels=levels(plan.goal_set),
        done=f"Worked on {name}",
        **kwargs,  # type: ignore[arg-type]
    )


def test_each_cell_is_the_students_state_on_the_goal(goals: Goals, ada: Plan) -> None:
    _effort(goals, ada, "cycle", ask_feedback=True)
    _effort(goals, ada, "measure")
    clouds = plan_goal(ada, goals.weather.goals["clouds"])
    efforts.goal_confirm_met(plan_goal=clouds, teacher=goals.people.rivera, met=True)
    states = _states(class_overview(ada.goal_set), goals.people.ada)
    assert states["Explain the water cycle"] == GoalState.ASKED
    assert states["Measure the weather each day"] == GoalState.IN_PROGRESS
    assert states["Name the main kinds of cloud"] == GoalState.MET
    assert states["Present a weather report"] == GoalState.CHOSEN
    assert states["Build a wind vane"] == GoalState.NOT_CHOSEN


def test_the_columns_follow_the_teachers_order_group_by_group(goals: Goals) -> None:
    overview = class_overview(goals.weather.goal_set)
    assert [band.title for band in overview.bands] == [
        "Observing weather",
        "The water cycle",
        "Sharing what we learn",
    ]
    assert [column.number for column in overview.columns] == list(range(1, 11))
    assert overview.columns[0].title == "Measure the weather each day"
    assert overview.columns[0].core
    assert not overview.columns[3].core


def test_a_student_without_a_plan_or_with_a_draft_has_not_chosen_yet(
    goals: Goals, ada: Plan
) -> None:
    overview = class_overview(ada.goal_set)
    assert [row.name for row in overview.not_chosen_yet] == ["Maya Lopez"]
    assert set(_row(overview, goals.people.maya).states) == {GoalState.NOT_CHOSEN}
    plans.plan_start(goal_set=ada.goal_set, student=goals.people.maya)
    overview = class_overview(ada.goal_set)
    maya = _row(overview, goals.people.maya)
    assert not maya.has_chosen
    assert maya.plan_state == "draft"
    assert [row.name for row in overview.not_chosen_yet] == ["Maya Lopez"]
    assert _row(overview, goals.people.ada).has_chosen


def test_a_goal_without_an_effort_for_longer_than_the_set_allows_is_stalled(
    goals: Goals, ada: Plan
) -> None:
    _effort(goals, ada, "cycle")
    later = timezone.localdate() + dt.timedelta(days=ada.goal_set.stalled_after_days + 1)
    states = _states(class_overview(ada.goal_set, today=later), goals.people.ada)
    assert states["Explain the water cycle"] == GoalState.STALLED
    assert states["Present a weather report"] == GoalState.STALLED
    assert states["Build a wind vane"] == GoalState.NOT_CHOSEN


def test_filters_keep_the_students_with_a_goal_in_the_state_and_the_groups_goals(
    goals: Goals, ada: Plan
) -> None:
    _effort(goals, ada, "cycle", ask_feedback=True)
    whole = class_overview(ada.goal_set)
    asked = whole.filtered(state=GoalState.ASKED, group_id=None)
    assert [row.name for row in asked.rows] == ["Ada Okoye"]
    water = goals.weather.groups["water"].pk
    grouped = whole.filtered(state=None, group_id=water)
    assert [column.number for column in grouped.columns] == [6, 7, 8]
    assert all(len(row.states) == 3 for row in grouped.rows)
    assert grouped.students == 2
    unknown = whole.filtered(state=None, group_id=999_999)
    assert unknown.group_id is None
    assert len(unknown.columns) == 10


def test_only_current_students_of_the_class_are_shown(goals: Goals, ada: Plan) -> None:
    overview = class_overview(ada.goal_set)
    assert {row.name for row in overview.rows} == {"Ada Okoye", "Maya Lopez"}


# --- a fixed number of queries ------------------------------------------------------------------


def more_students(goals: Goals, count: int, *, efforts_each: int) -> None:
    """``count`` more students in the homeroom, each with a sent plan and ``efforts_each``
    efforts on every goal they chose, and one more goal in the set."""
    people, weather = goals.people, goals.weather
    sets.goal_add(group=weather.groups["sharing"], fields=GoalFields(title=f"Poem {count}"))
    for n in range(count):
        student = community.person_create(
            username=f"student-{count}-{n}",
            first_name=f"Student{n}",
            last_name="Extra",
            role=Role.STUDENT,
            organisation=people.school,
        )
        community.enrollment_add(
            user=student, school_class=people.homeroom5, role=EnrollmentRole.STUDENT
        )
        plan = plans.plan_start(goal_set=weather.goal_set, student=student)
        order = plans.plan_order(plan)
        order[weather.groups["observing"].pk].append(weather.goals["wind"].pk)
        order[weather.groups["water"].pk].append(weather.goals["rain"].pk)
        plans.plan_choose(plan=plan, order=order)
        plans.plan_submit(plan=plan)
        for chosen in plan.chosen.select_related("plan__goal_set__rubric", "goal"):
            for _ in range(efforts_each):
                efforts.effort_record(
                    plan_goal=chosen, levels=levels(plan.goal_set), done="More", ask_feedback=True
                )


def _queries(goals: Goals) -> list[str]:
    goal_set = goals.weather.goal_set
    goal_set.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        class_overview(goal_set)
    return [query["sql"] for query in captured.captured_queries]


def test_the_overview_reads_a_fixed_handful_of_queries_whatever_the_class_size(
    goals: Goals, ada: Plan
) -> None:
    _effort(goals, ada, "cycle", ask_feedback=True)
    before = _queries(goals)
    more_students(goals, 4, efforts_each=2)
    after = _queries(goals)
    assert len(after) == len(before) == 6
    overview = class_overview(goals.weather.goal_set)
    assert len(overview.rows) == 6
    assert len(overview.columns) == 11


def test_efforts_are_counted_in_the_database_never_loaded(goals: Goals, ada: Plan) -> None:
    more_students(goals, 2, efforts_each=3)
    on_efforts = [sql for sql in _queries(goals) if '"goals_effort"' in sql]
    assert len(on_efforts) == 1
    assert "GROUP BY" in on_efforts[0]
    assert "COUNT(" in on_efforts[0]
