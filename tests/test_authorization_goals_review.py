"""Authorization matrix for the teacher's review of learning goals: every page and every answer
x every persona, written out by hand.

Ms. Rivera's "Weather and the water cycle" set is for her grade-5 homeroom (Ada, Maya): Ada's
plan is sent, and she waits for feedback on an effort Sam encouraged. Ms. Rivera has a set for
her grade-8 science class too, where Leo's plan is sent; Mr. Chen teaches Leo maths, not
science. Principal Nguyen and Priya (district) see the school's pages and answer nothing
(403). Every other teacher, student, family, the library and Eve (another district) get a 404,
never data; the feedback queue is every staff member's own (empty for those who teach none of
these classes). Anonymous visitors are sent to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from conftest import ModuleData, each_test
from tests.authorization import EVERYONE, api_client_for, client_for
from village.community import services as community_services
from village.community.models import Role
from village.demo.personas import Personas
from village.goals.models import Effort, Encouragement, Plan, PlanGoal
from village.goals.services import efforts, family, plans
from village.goals.tests.factories import WeatherSet, ada_plan, levels, plan_goal, weather_set

pytestmark = pytest.mark.django_db

STAFF = {"rivera", "chen", "park", "stone", "nguyen", "priya"}
ADMINS = {"nguyen", "priya"}
SEE_RIVERSIDE = {"rivera", *ADMINS}


@dataclass
class District:
    people: Personas
    weather: WeatherSet
    ada: Plan
    leo: Plan
    effort: Effort
    cycle: PlanGoal
    note: Encouragement


def _build(personas: Personas) -> District:
    weather = weather_set(personas.homeroom5, personas.rivera)
    ada = ada_plan(personas, weather)
    cycle = plan_goal(ada, weather.goals["cycle"])
    effort = efforts.effort_record(
        plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it", ask_feedback=True
    )
    note = family.encouragement_add(
        plan_goal=cycle, guardian=personas.sam, text="¡Bravo, Okoye!", language="es", effort=effort
    )
    science = weather_set(personas.science8, personas.rivera)
    leo = plans.plan_start(goal_set=science.goal_set, student=personas.leo)
    plans.plan_choose(
        plan=leo,
        order=science.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    plans.plan_submit(plan=leo)
    return District(personas, weather, ada, leo, effort, cycle, note)


@pytest.fixture(scope="module")
def _district(module_data: ModuleData | None) -> District | None:
    """The two sets, the plans, Ada's effort and Sam's note, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def district(personas: Personas, _district: District | None) -> District:
    return each_test(_district, personas, _build)


def pages(d: District) -> dict[str, tuple[str, dict[str, int]]]:
    """Each page (GET), with the status each persona gets (404 for anyone not named)."""
    set_id, science_id = d.weather.goal_set.pk, d.leo.goal_set_id
    seen = dict.fromkeys(SEE_RIVERSIDE, 200)
    answer = {"rivera": 200, **dict.fromkeys(ADMINS, 403)}
    return {
        "queue": ("/goals/staff/queue/", dict.fromkeys(STAFF, 200)),
        "overview": (f"/goals/staff/sets/{set_id}/overview/", seen),
        "overview_table": (f"/goals/staff/sets/{set_id}/overview/?view=table", seen),
        "overview_print": (f"/goals/staff/sets/{set_id}/overview/print/", seen),
        "science_overview": (f"/goals/staff/sets/{science_id}/overview/", seen),
        "ada_plan": (f"/goals/staff/plans/{d.ada.pk}/", seen),
        "leo_plan": (f"/goals/staff/plans/{d.leo.pk}/", seen),
        "decide": (f"/goals/staff/plans/{d.ada.pk}/decide/", answer),
        "feedback": (f"/goals/staff/efforts/{d.effort.pk}/feedback/", answer),
    }


def answers(d: District) -> dict[str, tuple[str, dict[str, str], dict[str, int]]]:
    """Each answer (POST), its data, and the status each persona gets (else 404)."""
    answered = {"rivera": 302, **dict.fromkeys(ADMINS, 403)}
    return {
        "decide": (
            f"/goals/staff/plans/{d.leo.pk}/decide/",
            {f"plan-{d.leo.pk}-decision": "approve"},
            answered,
        ),
        "feedback": (
            f"/goals/staff/efforts/{d.effort.pk}/feedback/",
            {f"effort-{d.effort.pk}-comment": "Well drawn."},
            answered,
        ),
        "met": (f"/goals/staff/plan-goals/{d.cycle.pk}/met/", {"on": "1"}, answered),
        "hide": (f"/goals/staff/encouragements/{d.note.pk}/hide/", {"on": "1"}, answered),
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_page_for_every_persona(district: District, viewer: str) -> None:
    client = client_for(getattr(district.people, viewer))
    for name, (path, allowed) in pages(district).items():
        response = client.get(path)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name, path)
        if expected != 200:
            assert "Okoye" not in response.content.decode(), (viewer, name)


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_answer_for_every_persona(district: District, viewer: str) -> None:
    client = client_for(getattr(district.people, viewer))
    for name, (path, data, allowed) in answers(district).items():
        response = client.post(path, data)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name, path)
    changed = (
        district.effort.feedback.exists(),
        PlanGoal.objects.get(pk=district.cycle.pk).met_at is not None,
        Encouragement.objects.get(pk=district.note.pk).hidden_at is not None,
        Plan.objects.get(pk=district.leo.pk).state == "approved",
    )
    assert changed == ((True,) * 4 if viewer == "rivera" else (False,) * 4), viewer


def test_the_queue_holds_only_the_classes_each_one_sees(district: District) -> None:
    """Mr. Chen teaches Leo, but not science: Leo's plan is not in his queue."""
    mine = {
        name: client_for(getattr(district.people, name)).get("/goals/staff/queue/")
        for name in ["rivera", "chen", "nguyen", "park"]
    }
    leo = f'id="item-plan-{district.leo.pk}"'
    effort = f'id="item-effort-{district.effort.pk}"'
    for name in ["rivera", "nguyen"]:
        html = mine[name].content.decode()
        assert leo in html, name
        assert effort in html, name
    for name in ["chen", "park"]:
        html = mine[name].content.decode()
        assert leo not in html, name
        assert effort not in html, name
        assert "Okoye" not in html, name


def test_an_admin_of_another_school_sees_only_their_own_schools_goals(
    district: District,
) -> None:
    """Oak Hill's principal (a school of the same district) gets a 404 on every Riverside page
    and answer, and through the API, with nothing changed; Mr. Park's Oak Hill set is theirs
    to see (and, as for every admin, not to answer)."""
    p = district.people
    principal = community_services.person_create(
        username="oakhill-principal",
        first_name="Grace",
        last_name="Moss",
        role=Role.SCHOOL_ADMIN,
        organisation=p.sister_school,
    )
    client, api = client_for(principal), api_client_for(principal)
    for name, (path, _allowed) in pages(district).items():
        if name != "queue":
            assert client.get(path).status_code == 404, name
    for name, (path, data, _allowed) in answers(district).items():
        assert client.post(path, data).status_code == 404, name
    assert not district.effort.feedback.exists()
    effort_api = f"/api/v1/goals/plan-goals/{district.cycle.pk}/efforts"
    assert api.get(effort_api).status_code == 404
    assert api.get(f"/api/v1/goals/classes/{p.homeroom5.pk}/plans").status_code == 404
    assert "Okoye" not in client.get("/goals/staff/queue/").content.decode()
    oak = weather_set(p.sister_class, p.park)
    assert client.get(f"/goals/staff/sets/{oak.goal_set.pk}/overview/").status_code == 200
    assert client.post(f"/goals/staff/sets/{oak.goal_set.pk}/publish/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(district: District) -> None:
    for _name, (path, _allowed) in pages(district).items():
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")
    for _name, (path, data, _allowed) in answers(district).items():
        response = Client().post(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")
