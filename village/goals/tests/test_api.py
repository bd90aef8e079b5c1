"""Learning goals in the JSON API (``/api/v1/goals``): sets, plans with goal states, efforts
(a student records one with levels), feedback (a teacher), encouragement and answers to requests
for help (a guardian); each through the goals policies, bad input answered 422 naming the field
with nothing changed, students audited, and list endpoints in a constant number of queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import ModuleData, each_test
from tests.authorization import api_client_for
from village.community import services as community_services
from village.community.models import Enrollment, EnrollmentRole
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.goals.models import Effort, EffortFeedback, Encouragement
from village.goals.services import family
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set
from village.goals.tests.test_family_pages import Family, build_family, effort

pytestmark = pytest.mark.django_db

API = "/api/v1/goals"


def _build(personas: Personas) -> Family:
    """The goals tests' set and Ada's plan (``village.goals.tests.conftest``), then the family."""
    goals = Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))
    return build_family(goals, ada_plan(personas, goals.weather))


@pytest.fixture(scope="module")
def _fam(module_data: ModuleData | None) -> Family | None:
    """The family's goals, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def fam(personas: Personas, _fam: Family | None) -> Family:
    return each_test(_fam, personas, _build)


@pytest.fixture
def goals(fam: Family) -> Goals:
    """The set of the module's family (the goals tests' set, ``village.goals.tests.conftest``)."""
    return Goals(people=fam.people, weather=fam.weather)


def get(user: object, path: str, status: int = 200) -> Any:
    response = api_client_for(user).get(f"{API}{path}")  # type: ignore[arg-type]
    assert response.status_code == status, response.content
    return response.json()


def post(user: object, path: str, body: dict[str, Any], status: int) -> Any:
    response = api_client_for(user).post(  # type: ignore[arg-type]
        f"{API}{path}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == status, response.content
    return response.json()


def fields(answer: Any) -> set[str]:
    return {error["loc"][-1] for error in answer["detail"]}


def level_list(fam: Family, *, best: bool = False) -> list[dict[str, int]]:
    chosen = levels(fam.ada.goal_set, best=best)
    return [{"criterion_id": c, "level_id": lv} for c, lv in chosen.items() if lv is not None]


# --- sets -------------------------------------------------------------------------------------


def test_each_caller_lists_the_sets_they_see(fam: Family) -> None:
    p = fam.people
    draft = weather_set(p.homeroom5, p.rivera, published=False)
    ada_set, leo_set = fam.weather.goal_set.pk, fam.science.goal_set.pk

    def ids(user: object, query: str = "") -> set[int]:
        return {item["id"] for item in get(user, f"/sets{query}")["items"]}

    assert ids(p.rivera) == {ada_set, leo_set, draft.goal_set.pk}
    assert ids(p.ada) == {ada_set}
    assert ids(p.leo) == {leo_set}
    assert ids(p.sam) == {ada_set, leo_set}
    assert ids(p.jordan) == {leo_set}
    assert ids(p.eve) == ids(p.library) == ids(p.park) == set()
    assert ids(p.rivera, f"?class_id={p.science8.pk}") == {leo_set}
    assert get(p.rivera, "/sets?limit=1")["count"] == 3


def test_a_set_comes_with_its_groups_goals_prerequisites_and_rubric(fam: Family) -> None:
    found = get(fam.people.ada, f"/sets/{fam.weather.goal_set.pk}")
    assert [g["title"] for g in found["groups"]] == [
        "Observing weather",
        "The water cycle",
        "Sharing what we learn",
    ]
    water = {goal["title"]: goal for goal in found["groups"][1]["goals"]}
    model = water["Build a water-cycle model in a jar"]
    assert (model["kind"], model["needs"]) == ("optional", [fam.weather.goals["cycle"].pk])
    thermometer = found["groups"][0]["goals"][1]
    assert thermometer["parent_id"] == fam.weather.goals["measure"].pk
    (criterion,) = found["rubric"]
    assert [level["title"] for level in criterion["levels"]] == [
        "Beginning",
        "Developing",
        "Secure",
        "Extending",
    ]


def test_a_set_the_caller_does_not_see_is_a_404(fam: Family) -> None:
    draft = weather_set(fam.people.homeroom5, fam.people.rivera, published=False)
    assert get(fam.people.ada, f"/sets/{draft.goal_set.pk}", 404) == {"detail": "No such goal set."}
    get(fam.people.rivera, f"/sets/{draft.goal_set.pk}")
    get(fam.people.jordan, f"/sets/{fam.weather.goal_set.pk}", 404)
    get(fam.people.stone, f"/sets/{fam.weather.goal_set.pk}", 404)


# --- plans ------------------------------------------------------------------------------------


def test_a_student_lists_their_own_plans_with_goal_states(fam: Family) -> None:
    (plan,) = get(fam.people.ada, "/plans/mine")["items"]
    assert (plan["id"], plan["state"], plan["student"]["id"]) == (
        fam.ada.pk,
        "submitted",
        fam.people.ada.pk,
    )
    states = {goal["title"]: goal["state"] for goal in plan["goals"]}
    assert states["Explain the water cycle"] == "in_progress"
    assert states["Present a weather report"] == "chosen"
    assert {c["state"]: c["count"] for c in plan["counts"]} == {"in_progress": 1, "chosen": 6}
    get(fam.people.sam, "/plans/mine", 404)
    get(fam.people.rivera, "/plans/mine", 404)


def test_a_guardian_lists_a_childs_plans_and_the_view_is_audited(fam: Family) -> None:
    p = fam.people
    before = AuditEvent.objects.count()
    (plan,) = get(p.sam, f"/children/{p.ada.pk}/plans")["items"]
    assert plan["id"] == fam.ada.pk
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.actor_id, event.student_id, event.channel) == (p.sam.pk, p.ada.pk, "api")
    get(p.jordan, f"/children/{p.ada.pk}/plans", 404)
    assert get(p.jordan, f"/children/{p.leo.pk}/plans")["count"] == 1
    get(p.rivera, f"/children/{p.ada.pk}/plans", 404)


def test_staff_list_a_classs_plans(fam: Family) -> None:
    p = fam.people
    assert get(p.rivera, f"/classes/{p.homeroom5.pk}/plans")["count"] == 1
    assert get(p.nguyen, f"/classes/{p.homeroom5.pk}/plans")["count"] == 1
    other = f"/classes/{p.homeroom5.pk}/plans?set_id={fam.science.goal_set.pk}"
    assert get(p.rivera, other)["count"] == 0
    for outsider in (p.chen, p.park, p.sam, p.ada):
        get(outsider, f"/classes/{p.homeroom5.pk}/plans", 404)


# --- efforts and feedback ------------------------------------------------------------------------


def test_the_efforts_of_a_goal_come_with_levels_feedback_and_encouragement(fam: Family) -> None:
    found = get(fam.people.sam, f"/plan-goals/{fam.cycle.pk}/efforts")
    (one,) = found["items"]
    assert one["done"] == "I drew the water cycle."
    assert one["self_assessment"]["levels"][0]["level"] == "Beginning"
    (feedback,) = one["feedback"]
    assert (feedback["comment"], feedback["author"]["id"]) == (
        "A clear drawing, Ada.",
        fam.people.rivera.pk,
    )
    assert feedback["assessment"]["total"] == feedback["assessment"]["levels"][0]["points"]
    (encouragement,) = found["encouragements"]
    assert (encouragement["text"], encouragement["language"]) == ("¡Muy bien, Ada!", "es")
    for viewer in (fam.people.ada, fam.people.rivera, fam.people.nguyen):
        get(viewer, f"/plan-goals/{fam.cycle.pk}/efforts")
    for outsider in (fam.people.jordan, fam.people.leo, fam.people.maya, fam.people.chen):
        get(outsider, f"/plan-goals/{fam.cycle.pk}/efforts", 404)


def test_hidden_encouragement_shows_to_staff_only(fam: Family) -> None:
    note = Encouragement.objects.get(plan_goal=fam.cycle)
    family.encouragement_hide(encouragement=note, teacher=fam.people.rivera)
    staff = get(fam.people.rivera, f"/plan-goals/{fam.cycle.pk}/efforts")["encouragements"]
    assert [(e["text"], e["hidden"]) for e in staff] == [("¡Muy bien, Ada!", True)]
    assert get(fam.people.sam, f"/plan-goals/{fam.cycle.pk}/efforts")["encouragements"] == []


def test_a_student_records_an_effort_with_levels(fam: Family) -> None:
    goal = plan_goal(fam.ada, fam.weather.goals["clouds"])
    body = {
        "done": "I photographed clouds.",
        "went_well": "Cumulus",
        "levels": level_list(fam, best=True),
        "link": "https://example.org/clouds",
        "ask_feedback": True,
    }
    found = post(fam.people.ada, f"/plan-goals/{goal.pk}/efforts", body, 201)
    assert (found["done"], found["waiting"], found["link"]) == (
        "I photographed clouds.",
        True,
        "https://example.org/clouds",
    )
    assert found["self_assessment"]["levels"][0]["level"] == "Extending"
    assert Effort.objects.filter(plan_goal=goal).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"levels": []}, "levels"),
        ({"done": "  "}, "done"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"done": "x" * 5001}, "done"),
    ],
)
def test_a_bad_effort_is_refused_naming_the_field_and_nothing_changes(
    fam: Family, change: dict[str, Any], field: str
) -> None:
    goal = plan_goal(fam.ada, fam.weather.goals["clouds"])
    body = {"done": "Clouds", "levels": level_list(fam), **change}
    assert field in fields(post(fam.people.ada, f"/plan-goals/{goal.pk}/efforts", body, 422))
    assert not Effort.objects.filter(plan_goal=goal).exists()


def test_only_the_student_records_an_effort_on_their_goal(fam: Family) -> None:
    goal = plan_goal(fam.ada, fam.weather.goals["clouds"])
    body = {"done": "Clouds", "levels": level_list(fam)}
    for other in (fam.people.sam, fam.people.rivera, fam.people.maya, fam.people.leo):
        post(other, f"/plan-goals/{goal.pk}/efforts", body, 404)
    assert not Effort.objects.filter(plan_goal=goal).exists()


def test_the_teacher_answers_an_effort_and_confirms_the_goal_met(fam: Family) -> None:
    goal = plan_goal(fam.ada, fam.weather.goals["clouds"])
    effort(fam.ada, goal, "Clouds", ask_feedback=True)
    answered = goal.efforts.get()
    body = {"comment": "Well named.", "levels": level_list(fam, best=True), "confirms_met": True}
    found = post(fam.people.rivera, f"/efforts/{answered.pk}/feedback", body, 201)
    assert (found["comment"], found["confirms_met"]) == ("Well named.", True)
    assert found["assessment"]["levels"][0]["level"] == "Extending"
    goal.refresh_from_db()
    assert goal.met_at is not None


def test_feedback_is_for_the_classs_teachers_only(fam: Family) -> None:
    answered = fam.cycle.efforts.get()
    body = {"comment": "More detail?"}
    assert post(fam.people.nguyen, f"/efforts/{answered.pk}/feedback", body, 403)["detail"]
    for other in (fam.people.chen, fam.people.sam, fam.people.ada):
        post(other, f"/efforts/{answered.pk}/feedback", body, 404)
    empty = post(fam.people.rivera, f"/efforts/{answered.pk}/feedback", {"comment": " "}, 422)
    assert fields(empty) == {"comment"}
    assert EffortFeedback.objects.filter(effort=answered).count() == 1


def test_a_teacher_answers_in_a_class_whose_id_is_not_her_enrolments(goals: Goals) -> None:
    """The teaching check is made on the class: Mr. Chen joins the new weather club before Ms.
    Rivera, so her enrolment's id is not the club's."""
    p = goals.people
    club = community_services.class_create(
        course=p.homeroom5.course, school=p.school, title="Weather club", terms=[p.term]
    )
    teacher, student = EnrollmentRole.TEACHER, EnrollmentRole.STUDENT
    for user, role in ((p.chen, teacher), (p.rivera, teacher), (p.ada, student)):
        community_services.enrollment_add(user=user, school_class=club, role=role)
    weather = weather_set(club, p.rivera)
    plan = ada_plan(p, weather)
    cycle = plan_goal(plan, weather.goals["cycle"])
    effort(plan, cycle, "Rain in a jar", ask_feedback=True)
    answered = cycle.efforts.get()
    assert Enrollment.objects.get(user=p.rivera, school_class=club).pk != club.pk
    post(p.rivera, f"/efforts/{answered.pk}/feedback", {"comment": "Lovely."}, 201)
    post(p.nguyen, f"/efforts/{answered.pk}/feedback", {"comment": "Lovely."}, 403)


# --- the family's part ----------------------------------------------------------------------------


def test_a_guardian_encourages_in_their_language(fam: Family) -> None:
    first = fam.cycle.efforts.get()
    body = {"text": "¡Qué dibujo!", "effort_id": first.pk}
    found = post(fam.people.sam, f"/plan-goals/{fam.cycle.pk}/encouragements", body, 201)
    assert (found["language"], found["effort_id"], found["author"]["id"]) == (
        "es",
        first.pk,
        fam.people.sam.pk,
    )
    wind = plan_goal(fam.leo, fam.science.goals["wind"])
    found = post(fam.people.jordan, f"/plan-goals/{wind.pk}/encouragements", {"text": "Go!"}, 201)
    assert (found["language"], found["effort_id"]) == ("en", None)


def test_bad_encouragement_is_refused_naming_the_field(fam: Family) -> None:
    first = fam.cycle.efforts.get()
    other = plan_goal(fam.ada, fam.weather.goals["measure"])
    before = Encouragement.objects.count()
    path = f"/plan-goals/{other.pk}/encouragements"
    assert fields(post(fam.people.sam, path, {"text": " "}, 422)) == {"text"}
    assert fields(post(fam.people.sam, path, {"text": "x" * 1001}, 422)) == {"text"}
    wrong = {"text": "¡Bien!", "effort_id": first.pk}
    assert fields(post(fam.people.sam, path, wrong, 422)) == {"effort_id"}
    assert Encouragement.objects.count() == before


def test_only_a_guardian_who_sees_the_childs_goals_encourages(fam: Family) -> None:
    path = f"/plan-goals/{fam.cycle.pk}/encouragements"
    for other in (fam.people.jordan, fam.people.ada, fam.people.rivera, fam.people.eve):
        post(other, path, {"text": "Hi"}, 404)


def test_a_guardian_lists_and_answers_requests_for_help(fam: Family) -> None:
    (ask,) = get(fam.people.sam, "/help-requests?open=true")["items"]
    assert (ask["id"], ask["text"], ask["student"]["id"]) == (
        fam.ask.pk,
        "Boiling water for the model",
        fam.people.ada.pk,
    )
    path = f"/help-requests/{fam.ask.pk}/answer"
    assert fields(post(fam.people.sam, path, {"answer": ""}, 422)) == {"answer"}
    post(fam.people.jordan, path, {"answer": "Saturday"}, 404)
    post(fam.people.ada, path, {"answer": "Saturday"}, 404)
    found = post(fam.people.sam, path, {"answer": "El sábado"}, 200)
    assert (found["answer"], found["answered_by"]["id"]) == ("El sábado", fam.people.sam.pk)
    assert get(fam.people.sam, "/help-requests?open=true")["items"] == []
    assert get(fam.people.sam, "/help-requests")["count"] == 1
    assert get(fam.people.jordan, "/help-requests")["count"] == 0
    assert get(fam.people.rivera, "/help-requests")["count"] == 1


# --- queries and the published contract --------------------------------------------------------


def _count(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_list_endpoints_run_the_same_queries_however_many_goals_and_efforts(fam: Family) -> None:
    p = fam.people
    paths = {
        p.rivera: [
            f"{API}/sets",
            f"{API}/classes/{p.homeroom5.pk}/plans",
            f"{API}/help-requests",
            f"{API}/plan-goals/{fam.cycle.pk}/efforts",
        ],
        p.sam: [f"{API}/children/{p.ada.pk}/plans", f"{API}/help-requests"],
        p.ada: [f"{API}/plans/mine", f"{API}/plan-goals/{fam.cycle.pk}/efforts"],
    }
    clients = {user: api_client_for(user) for user in paths}
    before = {(u, path): _count(clients[u], path) for u, found in paths.items() for path in found}
    for name in ("measure", "record", "clouds", "model"):
        goal = plan_goal(fam.ada, fam.weather.goals[name])
        effort(fam.ada, goal, f"Worked on {name}", ask_feedback=True)
        family.help_ask(plan_goal=goal, text=f"Help with {name}")
    for _n in range(3):
        effort(fam.ada, fam.cycle, "Again", ask_feedback=True)
        family.encouragement_add(plan_goal=fam.cycle, guardian=p.sam, text="¡Más!", language="es")
    weather_set(p.homeroom5, p.rivera)
    after = {(u, path): _count(clients[u], path) for u, found in paths.items() for path in found}
    assert after == before


def test_the_endpoints_are_published_in_openapi() -> None:
    schema = Client().get("/api/openapi.json").json()
    goals = {path for path in schema["paths"] if path.startswith(API)}
    assert goals == {
        f"{API}/sets",
        f"{API}/sets/{{set_id}}",
        f"{API}/plans/mine",
        f"{API}/children/{{child_id}}/plans",
        f"{API}/classes/{{class_id}}/plans",
        f"{API}/plan-goals/{{plan_goal_id}}/efforts",
        f"{API}/efforts/{{effort_id}}/feedback",
        f"{API}/plan-goals/{{plan_goal_id}}/encouragements",
        f"{API}/help-requests",
        f"{API}/help-requests/{{request_id}}/answer",
    }
    effort_post = schema["paths"][f"{API}/plan-goals/{{plan_goal_id}}/efforts"]["post"]
    assert {"201", "403", "404", "422"} <= set(effort_post["responses"])
    assert effort_post["tags"] == ["goals"]


def test_anonymous_callers_get_401(fam: Family) -> None:
    assert Client().get(f"{API}/sets").status_code == 401
    response = Client().post(
        f"{API}/help-requests/{fam.ask.pk}/answer",
        json.dumps({"answer": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401
