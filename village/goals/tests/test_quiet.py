"""A plan gone quiet tells the child's guardians (links allowing goals) once per quiet spell,
in their language, with the class's teacher and something to ask the child; never a plan that
waits on the teacher, is met, closed or not approved; in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.community.models import Scope
from village.community.services import guardian_link_set_access
from village.goals import quiet
from village.goals.models import GoalSet, Plan, PlanGoal
from village.goals.services import efforts, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import WeatherSet, levels, plan_goal, weather_set
from village.notifications import registry
from village.notifications.models import Notification

pytestmark = pytest.mark.django_db

DAYS = 3


def _told(username: str) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient__username=username, kind=quiet.QUIET).order_by("id")
    )


def _approved(goals: Goals, plan: Plan) -> Plan:
    GoalSet.objects.filter(pk=plan.goal_set_id).update(stalled_after_days=DAYS)
    plans.plan_decide(plan=plan, teacher=goals.people.rivera, approve=True)
    plan.refresh_from_db()
    return plan


def _later(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def _leos(goals: Goals) -> tuple[WeatherSet, Plan]:
    people = goals.people
    science = weather_set(people.science8, people.rivera)
    plan = plans.plan_start(goal_set=science.goal_set, student=people.leo)
    plans.plan_choose(
        plan=plan,
        order=science.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    plans.plan_submit(plan=plan)
    return science, _approved(goals, plan)


def test_sam_hears_once_in_spanish_when_adas_plan_goes_quiet(goals: Goals, ada: Plan) -> None:
    _approved(goals, ada)
    assert quiet.tell(_later(DAYS)) == 0  # three days is not yet more than three
    assert quiet.tell(_later(DAYS + 2)) == 1
    (told,) = _told("sam")
    assert told.title == "Las metas de Ada en Grade 5 Homeroom llevan 5 días sin avances"
    assert "Weather and the water cycle" in told.body
    assert "Rivera" in told.body
    assert told.child_id == goals.people.ada.pk
    assert told.link.endswith(f"/goals/family/{goals.people.ada.pk}/sets/{ada.goal_set_id}/")
    # the same spell, looked at again the next day: nothing new
    assert quiet.tell(_later(DAYS + 3)) == 0
    assert len(_told("sam")) == 1
    assert not _told("ada")
    assert not _told("rivera")


def test_an_effort_ends_the_spell_and_a_later_one_is_told_again(goals: Goals, ada: Plan) -> None:
    _approved(goals, ada)
    quiet.tell(_later(DAYS + 1))
    with time_machine.travel(_later(DAYS + 1)):
        efforts.effort_record(
            plan_goal=plan_goal(ada, goals.weather.goals["cycle"]),
            levels=levels(ada.goal_set),
            done="Drew the cycle",
            ask_feedback=False,
        )
    assert quiet.tell(_later(DAYS + 2)) == 0
    assert quiet.tell(_later(2 * DAYS + 2)) == 1
    titles = [told.title for told in _told("sam")]
    assert titles == ["Las metas de Ada en Grade 5 Homeroom llevan 4 días sin avances"] * 2


def test_nothing_while_the_student_waits_on_the_teacher(goals: Goals, ada: Plan) -> None:
    _approved(goals, ada)
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    with time_machine.travel(_later(-1)):
        effort = efforts.effort_record(
            plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it", ask_feedback=True
        )
    assert quiet.tell(_later(DAYS + 5)) == 0
    efforts.feedback_give(
        effort=effort, teacher=goals.people.rivera, comment="Nearly!", confirms_met=False
    )
    assert quiet.tell(_later(DAYS + 5)) == 1


def test_nothing_for_a_plan_not_approved_met_or_closed(goals: Goals, ada: Plan) -> None:
    GoalSet.objects.filter(pk=ada.goal_set_id).update(stalled_after_days=DAYS)
    assert quiet.tell(_later(DAYS + 2)) == 0  # sent, not approved yet
    _approved(goals, ada)
    GoalSet.objects.filter(pk=ada.goal_set_id).update(closes_on=timezone.localdate())
    assert quiet.tell(_later(DAYS + 2)) == 0  # the set's work has ended by then
    GoalSet.objects.filter(pk=ada.goal_set_id).update(closes_on=_later(30).date())
    PlanGoal.objects.filter(plan=ada).update(met_at=timezone.now())
    assert quiet.tell(_later(DAYS + 2)) == 0  # every goal met
    PlanGoal.objects.filter(plan=ada).update(met_at=None)
    GoalSet.objects.filter(pk=ada.goal_set_id).update(published=False)
    assert quiet.tell(_later(DAYS + 2)) == 0
    assert not _told("sam")


def test_only_guardians_whose_link_allows_goals_hear_of_leo(goals: Goals) -> None:
    _leos(goals)
    people = goals.people
    jordan = people.jordan.children_links.get(student=people.leo)
    guardian_link_set_access(link=jordan, scopes=[Scope.CLASSWORK], no_access=False)
    assert quiet.tell(_later(DAYS + 2)) == 1
    assert len(_told("sam")) == 1
    assert not _told("jordan")
    assert not _told("eve")


def test_the_sweep_looks_once_an_hour(goals: Goals, ada: Plan) -> None:
    cache.delete(quiet.NEXT_LOOK)  # the cache outlives a test
    _approved(goals, ada)
    now = _later(DAYS + 2)
    assert quiet.sweep(now) == 1
    GoalSet.objects.filter(pk=ada.goal_set_id).update(stalled_after_days=DAYS + 10)
    assert quiet.sweep(now + dt.timedelta(minutes=30)) == 0
    assert quiet.SWEEP in registry.sweeps()


def _queries(now: dt.datetime) -> tuple[int, int]:
    """The queries of one pass and the guardians it told (from a clean slate)."""
    Notification.objects.filter(kind=quiet.QUIET).delete()
    with CaptureQueriesContext(connection) as queries:
        told = quiet.tell(now)
    return len(queries), told


def test_a_pass_takes_the_same_queries_for_one_quiet_plan_or_two(goals: Goals, ada: Plan) -> None:
    _approved(goals, ada)
    now = _later(DAYS + 2)
    alone, told_alone = _queries(now)
    _leos(goals)
    both, told_both = _queries(now)
    assert (told_alone, told_both) == (1, 3)  # Sam of Ada; then Sam and Jordan of Leo too
    assert alone == both
