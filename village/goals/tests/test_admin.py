"""The site admin's lists of goal sets, plans and encouragement: searchable by what they name,
and read in the same number of queries however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.goals.models import Plan
from village.goals.services import family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import plan_goal, weather_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_desk(goals: Goals) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(username="itdesk", password="x"))
    return client


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as found:
        assert client.get(path).status_code == 200
    return len(found)


def test_goal_sets_are_found_by_their_title_and_their_class(goals: Goals, it_desk: Client) -> None:
    change = f"/admin/goals/goalset/{goals.weather.goal_set.pk}/change/"
    for words in ("water+cycle", "Grade+5+Homeroom"):
        response = it_desk.get(f"/admin/goals/goalset/?q={words}")
        assert response.status_code == 200, words
        assert change in response.content.decode(), words


def test_the_lists_read_as_many_queries_for_more_rows(
    goals: Goals, ada: Plan, it_desk: Client
) -> None:
    paths = ["/admin/goals/goalset/", "/admin/goals/plan/", "/admin/goals/encouragement/"]
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    family.encouragement_add(plan_goal=cycle, guardian=goals.people.sam, text="¡Sí!", language="es")
    before = [_queries(it_desk, path) for path in paths]
    for school_class in (goals.people.science8, goals.people.math8):
        weather_set(school_class, goals.people.rivera)
    science = weather_set(goals.people.homeroom5, goals.people.rivera)
    plans.plan_start(goal_set=science.goal_set, student=goals.people.maya)
    plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.maya)
    family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.jordan, text="Go", language="en"
    )
    assert [_queries(it_desk, path) for path in paths] == before
