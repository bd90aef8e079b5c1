"""Authorization matrix for the family's goal pages and the goals API: every page and endpoint x
every persona, written out by hand.

Ms. Rivera's grade-5 homeroom (Ada, Maya) and grade-8 science class (Leo) each have a published
"Weather and the water cycle" set; Ada and Leo have sent plans, Ada has an effort Ms. Rivera
answered, Sam's encouragement and an open request for help, and Leo a request of his own. Sam
sees both children's; Jordan Leo's only, while his link allows goals; other families, students
on family pages, staff on family pages, the library and anyone signed out see nothing (404, or
the sign-in page / 401). On the API, staff see and answer as the goals policies say, and
students only their own. A guardian whose link ended (or gives no access) sees nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import ModuleData, each_test
from tests.authorization import (
    EVERYONE,
    STUDENTS,
    api_client_for,
    client_for,
    olga_at_both_schools,
)
from village.accounts.models import User
from village.community import services as community_services
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, LinkStatus, Scope
from village.community.services import guardian_link_set_access
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.goals.models import Encouragement, HelpRequest, Plan, PlanGoal
from village.goals.services import family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import WeatherSet, ada_plan, levels, plan_goal, weather_set
from village.goals.tests.test_family_pages import Family, build_family

pytestmark = pytest.mark.django_db

API = "/api/v1/goals"
ADMINS = {"nguyen", "priya"}
SCHOOL_STAFF = {"rivera", *ADMINS}


@dataclass
class District:
    fam: Family
    leo_wind: PlanGoal
    leo_ask: HelpRequest


def _build(personas: Personas) -> District:
    goals = Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))
    fam = build_family(goals, ada_plan(personas, goals.weather))
    wind = plan_goal(fam.leo, fam.science.goals["wind"])
    return District(fam, wind, family.help_ask(plan_goal=wind, text="A plastic bottle"))


@pytest.fixture(scope="module")
def _district(module_data: ModuleData | None) -> District | None:
    """The sets, plans, efforts, encouragement and requests for help, built once for the
    module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def district(personas: Personas, _district: District | None) -> District:
    return each_test(_district, personas, _build)


def pages(d: District) -> dict[str, tuple[str, str, dict[str, Any], dict[str, int]]]:
    """Each page (method, path, form), with the status each persona gets (404 if not named)."""
    p, f = d.fam.people, d.fam
    ada_plan = reverse("goals:family_plan", args=[p.ada.pk, f.weather.goal_set.pk])
    leo_plan = reverse("goals:family_plan", args=[p.leo.pk, f.science.goal_set.pk])
    cycle, wind = f.cycle.pk, d.leo_wind.pk
    return {
        "index": (
            "get",
            reverse("goals:family"),
            {},
            dict.fromkeys(["sam", "jordan", "olga", "eve"], 200),
        ),
        "ada": ("get", reverse("goals:family_child", args=[p.ada.pk]), {}, {"sam": 200}),
        "leo": (
            "get",
            reverse("goals:family_child", args=[p.leo.pk]),
            {},
            {"sam": 200, "jordan": 200},
        ),
        "ada_plan": ("get", ada_plan, {}, {"sam": 200}),
        "leo_plan": ("get", leo_plan, {}, {"sam": 200, "jordan": 200}),
        "encourage_ada": (
            "post",
            reverse("goals:family_encourage", args=[cycle]),
            {f"goal-{cycle}-text": "¡Bien!"},
            {"sam": 302},
        ),
        "encourage_leo": (
            "post",
            reverse("goals:family_encourage", args=[wind]),
            {f"goal-{wind}-text": "Go on!"},
            {"sam": 302, "jordan": 302},
        ),
        "answer_ada": (
            "post",
            reverse("goals:family_help_answer", args=[f.ask.pk]),
            {f"help-{f.ask.pk}-answer": "El sábado"},
            {"sam": 302},
        ),
        "answer_leo": (
            "post",
            reverse("goals:family_help_answer", args=[d.leo_ask.pk]),
            {f"help-{d.leo_ask.pk}-answer": "Saturday"},
            {"sam": 302, "jordan": 302},
        ),
    }


def send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return client.get(path) if method == "get" else client.post(path, data)


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_family_page_for_every_persona(district: District, viewer: str) -> None:
    client = client_for(getattr(district.fam.people, viewer))
    for name, (method, path, data, allowed) in pages(district).items():
        response = send(client, method, path, data)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name)
        if expected == 404:
            assert "Okoye" not in response.content.decode(), (viewer, name)


def test_students_and_staff_get_404_on_family_pages_even_for_themselves(district: District) -> None:
    p = district.fam.people
    for name in STUDENTS:
        assert client_for(getattr(p, name)).get(reverse("goals:family")).status_code == 404
    own = reverse("goals:family_child", args=[p.ada.pk])
    assert client_for(p.ada).get(own).status_code == 404
    assert client_for(p.rivera).get(own).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(district: District) -> None:
    for name, (method, path, data, _allowed) in pages(district).items():
        response = send(Client(), method, path, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_jordan_loses_leos_goals_with_the_goals_area(district: District) -> None:
    p = district.fam.people
    link = GuardianLink.objects.get(guardian=p.jordan, student=p.leo)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)
    client, api = client_for(p.jordan), api_client_for(p.jordan)
    for name, (method, path, data, allowed) in pages(district).items():
        if "jordan" in allowed:
            assert send(client, method, path, data).status_code == 404, name
    for name, (method, path, body, allowed) in endpoints(district).items():
        if allowed.get("jordan") in (200, 201) and name not in ("sets", "help_requests"):
            assert call(api, method, path, body).status_code == 404, name
    assert call(api, "get", f"{API}/sets", None).json()["count"] == 0
    assert call(api, "get", f"{API}/help-requests", None).json()["count"] == 0


LINK_CHANGES: dict[str, dict[str, Any]] = {
    "ended": {"status": LinkStatus.ENDED},
    "pending": {"status": LinkStatus.PENDING},
    "no_access": {"no_access": True},
    "no goals": {"scope_goals": False},
}


@pytest.mark.parametrize("change", LINK_CHANGES)
def test_a_guardian_whose_link_ended_sees_nothing_of_the_childs_goals(
    district: District, change: str
) -> None:
    p = district.fam.people
    GuardianLink.objects.filter(guardian=p.sam, student=p.leo).update(**LINK_CHANGES[change])
    client, api = client_for(p.sam), api_client_for(p.sam)
    for name in ("leo", "leo_plan", "encourage_leo", "answer_leo"):
        method, path, data, _allowed = pages(district)[name]
        assert send(client, method, path, data).status_code == 404, (change, name)
    for name in ("leo_set", "leo_plans", "leo_efforts", "encourage_leo", "answer_leo"):
        method, path, body, _allowed = endpoints(district)[name]
        assert call(api, method, path, body).status_code == 404, (change, name)
    asks = call(api, "get", f"{API}/help-requests", None).json()["items"]
    assert [ask["student"]["id"] for ask in asks] == [p.ada.pk]
    # Ada's goals are unaffected
    assert client.get(reverse("goals:family_child", args=[p.ada.pk])).status_code == 200


# --- the API ----------------------------------------------------------------------------------


def call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(path)
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def endpoints(d: District) -> dict[str, tuple[str, str, dict[str, Any] | None, dict[str, int]]]:
    """Each endpoint (method, path, body), with the status each persona gets (else 404)."""
    p, f = d.fam.people, d.fam
    everyone = dict.fromkeys(EVERYONE, 200)
    effort = f.cycle.efforts.get()
    clouds = plan_goal(f.ada, f.weather.goals["clouds"])
    chosen = levels(f.ada.goal_set)
    effort_body = {
        "done": "Clouds",
        "levels": [{"criterion_id": c, "level_id": lv} for c, lv in chosen.items()],
    }
    return {
        "sets": ("get", f"{API}/sets", None, everyone),
        "ada_set": (
            "get",
            f"{API}/sets/{f.weather.goal_set.pk}",
            None,
            dict.fromkeys([*SCHOOL_STAFF, "ada", "maya", "sam"], 200),
        ),
        "leo_set": (
            "get",
            f"{API}/sets/{f.science.goal_set.pk}",
            None,
            dict.fromkeys([*SCHOOL_STAFF, "leo", "sam", "jordan"], 200),
        ),
        "mine": ("get", f"{API}/plans/mine", None, dict.fromkeys(STUDENTS, 200)),
        "ada_plans": ("get", f"{API}/children/{p.ada.pk}/plans", None, {"sam": 200}),
        "leo_plans": (
            "get",
            f"{API}/children/{p.leo.pk}/plans",
            None,
            {"sam": 200, "jordan": 200},
        ),
        "class_plans": (
            "get",
            f"{API}/classes/{p.homeroom5.pk}/plans",
            None,
            dict.fromkeys(SCHOOL_STAFF, 200),
        ),
        "ada_efforts": (
            "get",
            f"{API}/plan-goals/{f.cycle.pk}/efforts",
            None,
            dict.fromkeys([*SCHOOL_STAFF, "ada", "sam"], 200),
        ),
        "leo_efforts": (
            "get",
            f"{API}/plan-goals/{d.leo_wind.pk}/efforts",
            None,
            dict.fromkeys([*SCHOOL_STAFF, "leo", "sam", "jordan"], 200),
        ),
        "record": ("post", f"{API}/plan-goals/{clouds.pk}/efforts", effort_body, {"ada": 201}),
        "feedback": (
            "post",
            f"{API}/efforts/{effort.pk}/feedback",
            {"comment": "Good."},
            {"rivera": 201, "nguyen": 403, "priya": 403},
        ),
        "encourage_ada": (
            "post",
            f"{API}/plan-goals/{f.cycle.pk}/encouragements",
            {"text": "¡Bien!"},
            {"sam": 201},
        ),
        "encourage_leo": (
            "post",
            f"{API}/plan-goals/{d.leo_wind.pk}/encouragements",
            {"text": "Go on!"},
            {"sam": 201, "jordan": 201},
        ),
        "help_requests": ("get", f"{API}/help-requests", None, everyone),
        "answer_ada": (
            "post",
            f"{API}/help-requests/{f.ask.pk}/answer",
            {"answer": "El sábado"},
            {"sam": 200},
        ),
        "answer_leo": (
            "post",
            f"{API}/help-requests/{d.leo_ask.pk}/answer",
            {"answer": "Saturday"},
            {"sam": 200, "jordan": 200},
        ),
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_endpoint_for_every_persona(district: District, viewer: str) -> None:
    client = api_client_for(getattr(district.fam.people, viewer))
    for name, (method, path, body, allowed) in endpoints(district).items():
        response = call(client, method, path, body)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name, response.content)
        if expected == 404:
            assert "Okoye" not in response.content.decode(), (viewer, name)


def _students_in(answer: dict[str, Any]) -> set[int]:
    return {item["student"]["id"] for item in answer["items"]}


@pytest.mark.parametrize("viewer", EVERYONE)
def test_lists_hold_only_what_each_persona_may_see(district: District, viewer: str) -> None:
    p, f = district.fam.people, district.fam
    sets = {f.weather.goal_set.pk: "ada", f.science.goal_set.pk: "leo"}
    seen_sets = {
        "ada": {"ada"},
        "maya": {"ada"},
        "leo": {"leo"},
        "jordan": {"leo"},
        **{name: {"ada", "leo"} for name in [*SCHOOL_STAFF, "sam"]},
    }
    asks = {
        "ada": {p.ada.pk},
        "leo": {p.leo.pk},
        "jordan": {p.leo.pk},
        **{name: {p.ada.pk, p.leo.pk} for name in [*SCHOOL_STAFF, "sam"]},
    }
    client = api_client_for(getattr(p, viewer))
    found = client.get(f"{API}/sets").json()["items"]
    assert {sets[item["id"]] for item in found} == seen_sets.get(viewer, set())
    assert _students_in(client.get(f"{API}/help-requests").json()) == asks.get(viewer, set())
    if viewer in STUDENTS:
        own = _students_in(client.get(f"{API}/plans/mine").json())
        assert own <= {getattr(p, viewer).pk}


def test_a_sibling_in_the_class_does_not_show_sam_a_plan_leo_made_there_before_he_left(
    district: District,
) -> None:
    """A guardian sees a child's plan on the child's own current classes only: Leo's plan for
    the homeroom's set, made while he was in the homeroom, is out of Sam's reach once he left
    it, although Ada (his sister) is still there."""
    p, f = district.fam.people, district.fam
    community_services.enrollment_add(
        user=p.leo, school_class=p.homeroom5, role=EnrollmentRole.STUDENT
    )
    plan = plans.plan_start(goal_set=f.weather.goal_set, student=p.leo)
    cycle = plan_goal(plan, f.weather.goals["cycle"])
    ask = family.help_ask(plan_goal=cycle, text="Leo's jar")
    Enrollment.objects.filter(user=p.leo, school_class=p.homeroom5).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    client, api = client_for(p.sam), api_client_for(p.sam)
    before = (Encouragement.objects.count(), HelpRequest.objects.filter(answer="").count())
    encourage = client.post(
        reverse("goals:family_encourage", args=[cycle.pk]), {f"goal-{cycle.pk}-text": "¡Sí!"}
    )
    answer = client.post(
        reverse("goals:family_help_answer", args=[ask.pk]), {f"help-{ask.pk}-answer": "Hoy"}
    )
    assert (encourage.status_code, answer.status_code) == (404, 404)
    assert (Encouragement.objects.count(), HelpRequest.objects.filter(answer="").count()) == before
    assert call(api, "get", f"{API}/plan-goals/{cycle.pk}/efforts", None).status_code == 404
    plans_seen = call(api, "get", f"{API}/children/{p.leo.pk}/plans", None).json()["items"]
    assert [item["set_id"] for item in plans_seen] == [f.science.goal_set.pk]
    asks = call(api, "get", f"{API}/help-requests", None).json()["items"]
    assert ask.pk not in {item["id"] for item in asks}


def _sent_plan(weather: WeatherSet, student: User) -> Plan:
    plan = plans.plan_start(goal_set=weather.goal_set, student=student)
    order = weather.order("measure", "thermometer", "record", "clouds", "cycle", "model", "present")
    plans.plan_choose(plan=plan, order=order)
    return plans.plan_submit(plan=plan)


def test_a_guardian_of_children_at_two_schools_sees_each_childs_own_sets(
    district: District,
) -> None:
    """Olga as PRODUCT.md has her: Mina at Oak Hill (Mr. Park's set) and Maya at Riverside K-8
    (Ms. Rivera's). Each child's pages show that child's sets only, a child's address with the
    other child's set is a 404, each view is audited at the set's school, and a link that stops
    allowing goals takes that child's goals away, not the other's."""
    p, f = district.fam.people, district.fam
    olga = olga_at_both_schools(p)
    oak = weather_set(p.sister_class, p.park)
    mina_plan, maya_plan = _sent_plan(oak, p.mina), _sent_plan(f.weather, p.maya)
    client, api = client_for(olga), api_client_for(olga)

    def plan_page(child: User, weather: WeatherSet) -> str:
        return reverse("goals:family_plan", args=[child.pk, weather.goal_set.pk])

    index = client.get(reverse("goals:family")).content.decode()
    assert plan_page(p.mina, oak) in index
    assert plan_page(p.maya, f.weather) in index
    assert plan_page(p.mina, f.weather) not in index
    assert plan_page(p.maya, oak) not in index
    for child, weather, school in [(p.mina, oak, p.sister_school), (p.maya, f.weather, p.school)]:
        before = AuditEvent.objects.count()
        assert client.get(plan_page(child, weather)).status_code == 200
        seen = AuditEvent.objects.order_by("id")[before:]
        assert [(e.student_id, e.organisation_id) for e in seen] == [(child.pk, school.pk)]
    assert client.get(plan_page(p.mina, f.weather)).status_code == 404
    assert client.get(plan_page(p.maya, oak)).status_code == 404
    mine = call(api, "get", f"{API}/children/{p.mina.pk}/plans", None).json()["items"]
    assert [item["id"] for item in mine] == [mina_plan.pk]

    link = GuardianLink.objects.get(guardian=olga, student=p.maya)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)
    assert client.get(plan_page(p.maya, f.weather)).status_code == 404
    maya_goal = maya_plan.chosen.get(goal=f.weather.goals["cycle"])
    assert call(api, "get", f"{API}/plan-goals/{maya_goal.pk}/efforts", None).status_code == 404
    assert client.get(plan_page(p.mina, oak)).status_code == 200


def test_anonymous_callers_get_401_everywhere(district: District) -> None:
    for name, (method, path, body, _allowed) in endpoints(district).items():
        assert call(Client(), method, path, body).status_code == 401, name
