"""The plan as pages show it: laid out by group in the student's order, each goal's state,
and a constant number of queries however many efforts there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.goals.models import Plan
from village.goals.progress import GoalState
from village.goals.selectors.plans import plan_view
from village.goals.services import efforts, family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal

pytestmark = pytest.mark.django_db


def _effort(goals: Goals, plan: Plan, name: str, **kwargs: object) -> None:
    efforts.effort_record(
        plan_goal=plan_goal(plan, goals.weather.goals[name]),
        levels=levels(plan.goal_set),
        done=f"Worked on {name}",
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_plan_is_laid_out_in_the_students_order_with_states(goals: Goals, ada: Plan) -> None:
    _effort(goals, ada, "cycle", ask_feedback=True)
    _effort(goals, ada, "measure")
    view = plan_view(ada.goal_set, ada)
    titles = [[v.goal.title for v in group.chosen] for group in view.groups]
    assert titles[1] == ["Explain the water cycle", "Build a water-cycle model in a jar"]
    states = {v.goal.title: v.state for v in view.goals()}
    assert states["Explain the water cycle"] == GoalState.ASKED
    assert states["Measure the weather each day"] == GoalState.IN_PROGRESS
    assert states["Present a weather report"] == GoalState.CHOSEN
    model = next(v for v in view.goals() if v.goal.title.startswith("Build a water"))
    assert [g.title for g in model.needs] == ["Explain the water cycle"]
    assert [v.goal.title for v in view.groups[0].not_chosen] == ["Build a wind vane"]


def test_a_goal_without_an_effort_for_longer_than_the_set_allows_is_stalled(
    goals: Goals, ada: Plan
) -> None:
    later = timezone.localdate() + dt.timedelta(days=ada.goal_set.stalled_after_days + 2)
    view = plan_view(ada.goal_set, ada, today=later)
    assert {v.state for v in view.goals()} == {GoalState.STALLED}


def test_hidden_encouragement_is_shown_to_staff_only(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    note = family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="¡Ánimo!", language="es"
    )
    family.encouragement_hide(encouragement=note, teacher=goals.people.rivera)

    def shown(staff: bool) -> list[str]:
        view = plan_view(ada.goal_set, ada, staff=staff)
        return [e.text for v in view.goals() for e in v.encouragements]

    assert shown(staff=True) == ["¡Ánimo!"]
    assert shown(staff=False) == []


def test_the_plan_view_takes_the_same_queries_however_many_efforts(goals: Goals, ada: Plan) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            view = plan_view(ada.goal_set, ada)
            [e.assessed for v in view.goals() for e in v.efforts]
        return len(queries)

    _effort(goals, ada, "cycle")
    before = count()
    for name in ("measure", "record", "clouds", "model", "present"):
        _effort(goals, ada, name, ask_feedback=True)
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort = cycle.efforts.first()
    assert effort is not None
    efforts.feedback_give(
        effort=effort, teacher=goals.people.rivera, comment="Good", levels=levels(ada.goal_set)
    )
    family.encouragement_add(plan_goal=cycle, guardian=goals.people.sam, text="Bien", language="es")
    family.help_ask(plan_goal=cycle, text="Help with the diagram")
    plans.activity_add(plan_goal=cycle, text="Watch a video")
    assert count() == before


def test_work_linked_to_a_goal_shows_the_returned_comment_never_the_score(
    goals: Goals, ada: Plan
) -> None:
    from decimal import Decimal

    from village.classwork.services.assignments import assignment_create
    from village.classwork.services.feedback import feedback_save
    from village.goals.services.sets import assignment_link

    people = goals.people
    cycle = goals.weather.goals["cycle"]
    returned = assignment_create(
        school_class=people.homeroom5,
        title="Water cycle diagram",
        created_by=people.rivera,
        points=Decimal(10),
        assign_at=timezone.now() - dt.timedelta(days=2),
    )
    waiting = assignment_create(
        school_class=people.homeroom5,
        title="Rain gauge log",
        created_by=people.rivera,
        assign_at=timezone.now() - dt.timedelta(days=1),
    )
    for assignment in (returned, waiting):
        assignment_link(goal=cycle, assignment=assignment)
    feedback_save(
        assignment=returned,
        student=people.ada,
        graded_by=people.rivera,
        score=Decimal(9),
        comment="Clear labels on every stage.",
        return_to_student=True,
    )
    view = plan_view(ada.goal_set, ada, work=True)
    (shown,) = [v for v in view.goals() if v.goal.pk == cycle.pk]
    assert [(w.assignment.title, w.comment) for w in shown.work] == [
        ("Water cycle diagram", "Clear labels on every stage."),
        ("Rain gauge log", ""),
    ]
    assert shown.work[1].returned_at is None
    assert not hasattr(shown.work[0], "score")
    # Without ``work`` (a family without the classwork area), none of it.
    assert all(not v.work for v in plan_view(ada.goal_set, ada).goals())
