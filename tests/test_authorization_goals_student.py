"""Authorization matrix for the student's goal pages and the evidence files of efforts: every
page x every persona.

Ms. Rivera's "Weather and the water cycle" is published for the grade-5 homeroom (Ada and Maya,
each with a plan sent and an effort with a file); her grade-8 science class has one for Leo.
Expectations are written out by hand (not derived from the policy under test). Only a student of
the class works on its set, each on their own plan; staff and families are sent to their own
goal pages from the goals home and find nothing on the student's pages; what may not be seen is
a 404 (a redirect to sign in when anonymous), never data; a refused write changes nothing. An
evidence file opens for its student, the class's staff and the guardians whose link allows
goals; each opening by someone else is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ModuleData, each_test
from tests.authorization import EVERYONE, STAFF, STUDENTS, client_for
from village.classwork.tests.test_student_support import PDF, media_root, upload
from village.community.models import Enrollment
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas
from village.goals.models import Activity, Effort, HelpRequest, Plan, PlanGoal
from village.goals.services import efforts, plans
from village.goals.tests.factories import WeatherSet, levels, weather_set

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]

PERSONAS = EVERYONE
GUARDIANS = ["sam", "jordan", "olga", "eve"]

# set -> the students who work on it (each on their own plan)
WORKS_ON = {"homeroom5": {"ada", "maya"}, "science8": {"leo"}}
# set -> who opens the evidence file of its student's effort (Ada's, Leo's): the student, the
# class's staff (teacher, school and district admins), the guardians whose link allows goals
OPENS_FILE = {
    "homeroom5": {"ada", "rivera", "nguyen", "priya", "sam"},
    "science8": {"leo", "rivera", "nguyen", "priya", "sam", "jordan"},
}
OWNER = {"homeroom5": "ada", "science8": "leo"}


@dataclass
class Built:
    weather: WeatherSet
    plan: Plan
    plan_goal: PlanGoal
    effort: Effort
    activity: Activity


def _plan(people: Personas, weather: WeatherSet, student_name: str) -> Built:
    student = getattr(people, student_name)
    plan = plans.plan_start(goal_set=weather.goal_set, student=student)
    plans.plan_choose(
        plan=plan,
        order=weather.order(
            "measure", "thermometer", "record", "clouds", "cycle", "model", "present"
        ),
    )
    plans.plan_submit(plan=plan)
    cycle = PlanGoal.objects.select_related("plan__goal_set__rubric", "goal__group").get(
        plan=plan, goal=weather.goals["cycle"]
    )
    effort = efforts.effort_record(
        plan_goal=cycle,
        levels=levels(weather.goal_set),
        done=f"{student_name} drew the water cycle",
        file=upload(f"{student_name}.pdf", PDF),
    )
    activity = plans.activity_add(plan_goal=cycle, text=f"{student_name} reads a book")
    return Built(weather, plan, cycle, effort, activity)


World = dict[str, Built]


def _build(personas: Personas) -> World:
    homeroom = weather_set(personas.homeroom5, personas.rivera)
    science = weather_set(personas.science8, personas.rivera)
    return {
        "homeroom5": _plan(personas, homeroom, "ada"),
        "maya": _plan(personas, homeroom, "maya"),
        "science8": _plan(personas, science, "leo"),
    }


@pytest.fixture(scope="module")
def _world(
    module_data: ModuleData | None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Path] | None:
    """The sets, plans and evidence files, built once for the module (files in its own folder)."""
    if module_data is None:
        return None
    media = tmp_path_factory.mktemp("media")
    return module_data.build(_build, MEDIA_ROOT=media), media


@pytest.fixture
def world(
    personas: Personas, _world: tuple[World, Path] | None, settings, media_root: Path
) -> World:
    if _world is None:
        return _build(personas)
    shared, media = _world
    settings.MEDIA_ROOT = media
    return each_test(shared, personas, _build)


def _counts() -> tuple[int, int, int, int]:
    return (
        Activity.objects.count(),
        Effort.objects.count(),
        HelpRequest.objects.count(),
        PlanGoal.objects.filter(position=0).count(),
    )


@pytest.mark.parametrize("viewer", PERSONAS)
def test_goals_home_matrix(personas: Personas, world: dict[str, Built], viewer: str) -> None:
    response = client_for(getattr(personas, viewer)).get("/goals/")
    if viewer in STUDENTS:
        assert response.status_code == 200, viewer
        html = response.content.decode()
        for name, built in (("homeroom5", world["homeroom5"]), ("science8", world["science8"])):
            link = f'href="/goals/sets/{built.weather.goal_set.pk}/"'
            assert (link in html) == (viewer in WORKS_ON[name]), (viewer, name)
    elif viewer in STAFF:
        assert (response.status_code, response["Location"]) == (302, "/goals/staff/"), viewer
    elif viewer in GUARDIANS:
        assert (response.status_code, response["Location"]) == (302, "/goals/family/"), viewer
    else:
        assert response.status_code == 404, viewer


@pytest.mark.parametrize("viewer", PERSONAS)
def test_set_pages_matrix(personas: Personas, world: dict[str, Built], viewer: str) -> None:
    """The plan page and the choice of goals: only the set's students, each their own plan."""
    client = client_for(getattr(personas, viewer))
    for name in WORKS_ON:
        goal_set = world[name].weather.goal_set
        for path in (f"/goals/sets/{goal_set.pk}/", f"/goals/sets/{goal_set.pk}/choose/"):
            response = client.get(path)
            expected = 200 if viewer in WORKS_ON[name] else 404
            assert response.status_code == expected, (viewer, name, path)
            html = response.content.decode()
            assert "drew the water cycle" not in html
            if expected == 200:
                others = {"ada", "maya", "leo"} - {viewer}
                assert not any(f"{other} reads a book" in html for other in others)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_set_writes_matrix(personas: Personas, world: dict[str, Built], viewer: str) -> None:
    """Sending a plan and ordering a group by dragging: a student of the set on their own plan
    (both plans were sent already); 404 for everyone else, with nothing changed."""
    client = client_for(getattr(personas, viewer))
    for name in WORKS_ON:
        built = world[name]
        goal_set = built.weather.goal_set
        group = built.weather.groups["sharing"]
        before = _counts()
        sent = client.post(f"/goals/sets/{goal_set.pk}/send/")
        ordered = client.post(
            f"/goals/sets/{goal_set.pk}/groups/{group.pk}/order/",
            {"goal": [built.weather.goals["present"].pk]},
            headers={"accept": "application/json"},
        )
        if viewer in WORKS_ON[name]:
            assert sent.status_code == 400, (viewer, name)
            assert "This plan was sent already." in sent.content.decode()
            assert ordered.status_code == 200, (viewer, name)
        else:
            assert (sent.status_code, ordered.status_code) == (404, 404), (viewer, name)
        assert _counts() == before


@pytest.mark.parametrize("viewer", PERSONAS)
def test_own_goal_pages_matrix(personas: Personas, world: dict[str, Built], viewer: str) -> None:
    """Ada's goal page and every write on her goal: Ada alone (Maya has her own plan)."""
    client = client_for(getattr(personas, viewer))
    built = world["homeroom5"]
    pg = built.plan_goal
    goal_set = built.weather.goal_set
    mine = viewer == "ada"
    page = client.get(f"/goals/mine/goals/{pg.pk}/")
    assert page.status_code == (200 if mine else 404), viewer
    assert ("ada drew the water cycle" in page.content.decode()) == mine
    if mine:
        return  # Ada's own writes are the page tests' subject
    before = _counts()
    writes = {
        "move": client.post(f"/goals/mine/goals/{pg.pk}/move/", {"step": "-1"}),
        "add": client.post(
            f"/goals/mine/goals/{pg.pk}/activities/",
            {f"activity-{pg.pk}-text": "Not mine", f"activity-{pg.pk}-ask": "myself"},
        ),
        "remove": client.post(f"/goals/mine/goals/{pg.pk}/activities/{built.activity.pk}/remove/"),
        "effort": client.post(
            f"/goals/mine/goals/{pg.pk}/efforts/",
            {"done": "Not mine", **{f"criterion_{c}": v for c, v in levels(goal_set).items()}},
        ),
        "help": client.post(f"/goals/mine/goals/{pg.pk}/help/", {"help-text": "Not mine"}),
    }
    assert {key: r.status_code for key, r in writes.items()} == dict.fromkeys(writes, 404)
    assert _counts() == before


@pytest.mark.parametrize("viewer", PERSONAS)
def test_evidence_file_matrix(personas: Personas, world: dict[str, Built], viewer: str) -> None:
    user = getattr(personas, viewer)
    client = client_for(user)
    for name in ("homeroom5", "science8"):
        effort = world[name].effort
        before = AuditEvent.objects.count()
        response = client.get(f"/goals/efforts/{effort.pk}/file/")
        written = list(AuditEvent.objects.order_by("id")[before:])
        if viewer in OPENS_FILE[name]:
            assert response.status_code == 200, (viewer, name)
            assert response["Content-Disposition"].startswith("attachment"), (viewer, name)
            assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
            owner = getattr(personas, OWNER[name])
            expected = [] if viewer == OWNER[name] else [(user.pk, owner.pk)]
            assert [(e.actor_id, e.student_id) for e in written] == expected, (viewer, name)
            assert all(e.action == AuditAction.VIEW_STUDENT for e in written)
        else:
            assert response.status_code == 404, (viewer, name)
            assert written == []


def test_a_student_who_left_the_class_loses_the_set_and_its_files(
    personas: Personas, world: dict[str, Built]
) -> None:
    built = world["homeroom5"]
    Enrollment.objects.filter(user=personas.ada).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    ada = client_for(personas.ada)
    goal_set = built.weather.goal_set
    assert f"/goals/sets/{goal_set.pk}/" not in ada.get("/goals/").content.decode()
    for path in (
        f"/goals/sets/{goal_set.pk}/",
        f"/goals/sets/{goal_set.pk}/choose/",
        f"/goals/mine/goals/{built.plan_goal.pk}/",
        f"/goals/efforts/{built.effort.pk}/file/",
    ):
        assert ada.get(path).status_code == 404, path
    before = _counts()
    assert (
        ada.post(f"/goals/mine/goals/{built.plan_goal.pk}/move/", {"step": "1"}).status_code == 404
    )
    assert _counts() == before
    # her teacher still sees her work
    rivera = client_for(personas.rivera)
    assert rivera.get(f"/goals/efforts/{built.effort.pk}/file/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(world: dict[str, Built]) -> None:
    built = world["homeroom5"]
    set_id, pg = built.weather.goal_set.pk, built.plan_goal.pk
    group = built.weather.groups["sharing"].pk
    for path in (
        "/goals/",
        f"/goals/sets/{set_id}/",
        f"/goals/sets/{set_id}/choose/",
        f"/goals/mine/goals/{pg}/",
        f"/goals/efforts/{built.effort.pk}/file/",
    ):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    before = _counts()
    for path in (
        f"/goals/sets/{set_id}/choose/",
        f"/goals/sets/{set_id}/send/",
        f"/goals/sets/{set_id}/groups/{group}/order/",
        f"/goals/mine/goals/{pg}/move/",
        f"/goals/mine/goals/{pg}/activities/",
        f"/goals/mine/goals/{pg}/activities/{built.activity.pk}/remove/",
        f"/goals/mine/goals/{pg}/efforts/",
        f"/goals/mine/goals/{pg}/help/",
    ):
        response = Client().post(path, {"step": "1"})
        assert response["Location"].startswith("/accounts/login/"), path
    assert _counts() == before
