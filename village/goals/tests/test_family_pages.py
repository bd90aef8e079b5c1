"""The family's goal pages: Sam (who reads Spanish) follows Ada's and Leo's goals, encourages
them and answers their requests for help at home; Jordan sees Leo's only while his link allows
goals; bad input is refused naming the field, and nothing changes; every page runs the same
number of queries however many goals and efforts there are; what teachers and children write
shows translated with the original one tap away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from conftest import ModuleData, each_test
from village.community.models import GuardianLink, Scope
from village.community.services import guardian_link_set_access
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.goals import translations as goal_translations
from village.goals.models import Encouragement, HelpRequest, Plan, PlanGoal
from village.goals.services import efforts, family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import WeatherSet, ada_plan, levels, plan_goal, weather_set
from village.translation import worker
from village.translation.models import Translation

pytestmark = pytest.mark.django_db

COUNTING = "village.translation.tests.fakes.CountingEngine"


@dataclass
class Family:
    """Ada's plan with an effort answered by Ms. Rivera, Sam's encouragement and an open request
    for help; Leo's plan in Grade 8 Science."""

    people: Personas
    weather: WeatherSet
    ada: Plan
    cycle: PlanGoal
    ask: HelpRequest
    science: WeatherSet
    leo: Plan


def leo_plan(people: Personas, science: WeatherSet) -> Plan:
    plan = plans.plan_start(goal_set=science.goal_set, student=people.leo)
    plans.plan_choose(
        plan=plan,
        order=science.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    plans.plan_submit(plan=plan)
    plan.refresh_from_db()
    return plan


def effort(plan: Plan, goal: PlanGoal, done: str, **kwargs: object) -> None:
    efforts.effort_record(
        plan_goal=goal,
        levels=levels(plan.goal_set),
        done=done,
        **kwargs,  # type: ignore[arg-type]
    )


def build_family(goals: Goals, ada: Plan) -> Family:
    p = goals.people
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort(ada, cycle, "I drew the water cycle.", went_well="The arrows", ask_feedback=True)
    first = cycle.efforts.get()
    efforts.feedback_give(
        effort=first, teacher=p.rivera, comment="A clear drawing, Ada.", levels=levels(ada.goal_set)
    )
    family.encouragement_add(plan_goal=cycle, guardian=p.sam, text="¡Muy bien, Ada!", language="es")
    ask = family.help_ask(plan_goal=cycle, text="Boiling water for the model")
    science = weather_set(p.science8, p.rivera)
    return Family(p, goals.weather, ada, cycle, ask, science, leo_plan(p, science))


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


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def plan_path(child_id: int, set_id: int) -> str:
    return reverse("goals:family_plan", args=[child_id, set_id])


def page(user: object, path: str, status: int = 200) -> str:
    response = client_for(user).get(path)
    assert response.status_code == status, path
    return response.content.decode()


# --- what Sam sees -----------------------------------------------------------------------------


def test_sam_sees_both_children_with_their_goals_in_spanish(fam: Family) -> None:
    html = page(fam.people.sam, reverse("goals:family"))
    assert "Metas de aprendizaje" in html
    assert "Ada" in html
    assert "Leo" in html
    assert html.count("Weather and the water cycle") >= 2  # a set in each child's class
    assert "Pide ayuda en casa" in html


def test_the_child_page_shows_each_set_with_its_goals_by_state(fam: Family) -> None:
    html = page(fam.people.sam, reverse("goals:family_child", args=[fam.people.ada.pk]))
    assert 'role="img"' in html  # the picture of the goals
    assert "0 de 7 metas elegidas cumplidas" in html
    assert plan_path(fam.people.ada.pk, fam.weather.goal_set.pk) in html
    assert "Boiling water for the model" in html


def test_the_plan_shows_efforts_levels_feedback_and_encouragement(fam: Family) -> None:
    html = page(fam.people.sam, plan_path(fam.people.ada.pk, fam.weather.goal_set.pk))
    for shown in (
        "Explain the water cycle",
        "I drew the water cycle.",
        "The arrows",
        "Beginning",  # Ada's own level, and the teacher's
        "A clear drawing, Ada.",
        "¡Muy bien, Ada!",
        "Boiling water for the model",
        "Animar a Ada",
    ):
        assert shown in html, shown
    assert 'lang="en"' in html  # English text on a Spanish page is marked


def test_a_child_without_a_plan_shows_the_goals_to_choose_from(fam: Family) -> None:
    plan_services_free = weather_set(fam.people.homeroom5, fam.people.rivera)
    html = page(fam.people.sam, plan_path(fam.people.ada.pk, plan_services_free.goal_set.pk))
    assert "Ada todavía no ha elegido sus metas" in html
    assert "Build a wind vane" in html


def test_each_page_audits_the_child_shown(fam: Family) -> None:
    paths = [
        reverse("goals:family_child", args=[fam.people.ada.pk]),
        plan_path(fam.people.ada.pk, fam.weather.goal_set.pk),
    ]
    for path in paths:
        before = AuditEvent.objects.count()
        page(fam.people.sam, path)
        (event,) = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
        assert (event.actor_id, event.student_id) == (fam.people.sam.pk, fam.people.ada.pk)
        assert event.organisation_id == fam.people.school.pk
    before = AuditEvent.objects.count()
    page(fam.people.sam, reverse("goals:family"))
    assert AuditEvent.objects.count() - before == 2


# --- encouraging and answering ------------------------------------------------------------------


def test_sam_encourages_a_goal_in_her_language(fam: Family) -> None:
    goal = plan_goal(fam.ada, fam.weather.goals["measure"])
    response = client_for(fam.people.sam).post(
        reverse("goals:family_encourage", args=[goal.pk]),
        {f"goal-{goal.pk}-text": "  ¡Sigue así!  ", f"goal-{goal.pk}-effort": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        plan_path(fam.people.ada.pk, fam.weather.goal_set.pk) + f"#goal-{goal.pk}"
    )
    found = Encouragement.objects.get(plan_goal=goal)
    assert (found.text, found.language, found.author, found.effort) == (
        "¡Sigue así!",
        "es",
        fam.people.sam,
        None,
    )


def test_sam_encourages_one_effort(fam: Family) -> None:
    first = fam.cycle.efforts.get()
    response = client_for(fam.people.sam).post(
        reverse("goals:family_encourage", args=[fam.cycle.pk]),
        {f"goal-{fam.cycle.pk}-text": "¡Qué dibujo!", f"goal-{fam.cycle.pk}-effort": first.pk},
    )
    assert response.status_code == 302
    assert Encouragement.objects.get(text="¡Qué dibujo!").effort == first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write a few words of encouragement."),
        ("x" * 1001, "Keep this under 1,000 characters."),
    ],
)
def test_bad_encouragement_is_refused_naming_the_field_and_nothing_changes(
    fam: Family, text: str, message: str
) -> None:
    leo_goal = plan_goal(fam.leo, fam.science.goals["wind"])
    before = Encouragement.objects.count()
    response = client_for(fam.people.jordan).post(
        reverse("goals:family_encourage", args=[leo_goal.pk]),
        {f"goal-{leo_goal.pk}-text": text},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_goal-{leo_goal.pk}-text">Your encouragement: {message}' in html
    assert 'aria-invalid="true"' in html
    assert Encouragement.objects.count() == before


def test_an_effort_of_another_goal_is_refused(fam: Family) -> None:
    first = fam.cycle.efforts.get()
    other = plan_goal(fam.ada, fam.weather.goals["measure"])
    response = client_for(fam.people.sam).post(
        reverse("goals:family_encourage", args=[other.pk]),
        {f"goal-{other.pk}-text": "¡Bien!", f"goal-{other.pk}-effort": first.pk},
    )
    assert response.status_code == 400
    assert not Encouragement.objects.filter(text="¡Bien!").exists()


def test_sam_answers_adas_request_for_help(fam: Family) -> None:
    response = client_for(fam.people.sam).post(
        reverse("goals:family_help_answer", args=[fam.ask.pk]),
        {f"help-{fam.ask.pk}-answer": "El sábado por la mañana."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#help-{fam.ask.pk}")
    fam.ask.refresh_from_db()
    assert (fam.ask.answer, fam.ask.answered_by) == ("El sábado por la mañana.", fam.people.sam)
    html = page(fam.people.sam, plan_path(fam.people.ada.pk, fam.weather.goal_set.pk))
    assert "El sábado por la mañana." in html
    assert "Cambiar la respuesta" in html


def test_an_empty_answer_is_refused_and_nothing_changes(fam: Family) -> None:
    response = client_for(fam.people.sam).post(
        reverse("goals:family_help_answer", args=[fam.ask.pk]),
        {f"help-{fam.ask.pk}-answer": " "},
    )
    assert response.status_code == 400
    assert f'href="#id_help-{fam.ask.pk}-answer"' in response.content.decode()
    fam.ask.refresh_from_db()
    assert fam.ask.answered_at is None


def test_pages_answer_get_only_and_forms_post_only(fam: Family) -> None:
    client = client_for(fam.people.sam)
    assert client.post(reverse("goals:family")).status_code == 405
    assert client.get(reverse("goals:family_encourage", args=[fam.cycle.pk])).status_code == 405
    assert client.get(reverse("goals:family_help_answer", args=[fam.ask.pk])).status_code == 405


# --- who sees what ------------------------------------------------------------------------------


def test_jordan_sees_leo_only_and_nothing_once_his_link_loses_goals(fam: Family) -> None:
    p = fam.people
    leo = plan_path(p.leo.pk, fam.science.goal_set.pk)
    page(p.jordan, leo)
    page(p.jordan, plan_path(p.ada.pk, fam.weather.goal_set.pk), 404)
    assert "Ada" not in page(p.jordan, reverse("goals:family"))
    link = GuardianLink.objects.get(guardian=p.jordan, student=p.leo)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)
    for path in (reverse("goals:family"), reverse("goals:family_child", args=[p.leo.pk]), leo):
        page(p.jordan, path, 404)
    goal = plan_goal(fam.leo, fam.science.goals["wind"])
    response = client_for(p.jordan).post(
        reverse("goals:family_encourage", args=[goal.pk]), {f"goal-{goal.pk}-text": "Go on!"}
    )
    assert response.status_code == 404
    assert not Encouragement.objects.filter(text="Go on!").exists()


def test_a_set_of_a_class_the_child_is_not_in_is_a_404(fam: Family) -> None:
    page(fam.people.sam, plan_path(fam.people.ada.pk, fam.science.goal_set.pk), 404)


def test_an_unpublished_set_is_a_404_for_the_family(fam: Family) -> None:
    draft = weather_set(fam.people.homeroom5, fam.people.rivera, published=False)
    page(fam.people.sam, plan_path(fam.people.ada.pk, draft.goal_set.pk), 404)


# --- queries ------------------------------------------------------------------------------------


def _count(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_family_pages_run_the_same_queries_however_many_goals_and_efforts(fam: Family) -> None:
    client = client_for(fam.people.sam)
    p = fam.people
    paths = [
        reverse("goals:family"),
        reverse("goals:family_child", args=[p.ada.pk]),
        plan_path(p.ada.pk, fam.weather.goal_set.pk),
    ]
    before = [_count(client, path) for path in paths]
    for name in ("measure", "record", "clouds", "model", "present"):
        goal = plan_goal(fam.ada, fam.weather.goals[name])
        effort(fam.ada, goal, f"Worked on {name}", ask_feedback=True)
        effort(fam.ada, goal, f"More on {name}")
        family.encouragement_add(plan_goal=goal, guardian=p.sam, text=f"¡{name}!", language="es")
        family.help_ask(plan_goal=goal, text=f"Help with {name}")
        plans.activity_add(plan_goal=goal, text=f"Practise {name}")
    first = fam.cycle.efforts.get()
    efforts.feedback_give(effort=first, teacher=p.rivera, comment="And the clouds?")
    family.help_answer(request=fam.ask, guardian=p.jordan, answer="Sunday")
    after = [_count(client, path) for path in paths]
    # Answers bring one read of who answered them (once, whoever and however many).
    assert after[:2] == before[:2]
    assert after[2] <= before[2] + 1


# --- translation --------------------------------------------------------------------------------


def test_what_the_teacher_and_ada_wrote_shows_machine_translated_with_the_original(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    path = plan_path(fam.people.ada.pk, fam.weather.goal_set.pk)
    first = page(fam.people.sam, path)  # asks for what Sam has not had in Spanish yet
    assert "Traducción en camino" in first
    worker.run()
    html = page(fam.people.sam, path)
    assert "EXPLAIN THE WATER CYCLE" in html  # the engine's "Spanish"
    assert "A CLEAR DRAWING, Ada." in html  # the child's name kept as written
    assert "Traducción automática" in html
    assert "Ver el original" in html
    assert 'lang="en">A clear drawing, Ada.' in html  # the original, one tap away


def test_sams_spanish_encouragement_shows_translated_to_jordan(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    goal = plan_goal(fam.leo, fam.science.goals["wind"])
    family.encouragement_add(plan_goal=goal, guardian=fam.people.sam, text="¡Ánimo!", language="es")
    path = plan_path(fam.people.leo.pk, fam.science.goal_set.pk)
    html = page(fam.people.jordan, path)
    assert 'lang="es">¡Ánimo!' in html
    worker.run()
    html = page(fam.people.jordan, path)
    assert "¡ÁNIMO!" in html
    assert "Machine-translated from Spanish" in html


def test_the_open_help_request_is_kept_for_today(fam: Family) -> None:
    """A request stays open until a guardian answers it, however old."""
    fam.ask.created_at -= dt.timedelta(days=30)
    fam.ask.save(update_fields=["created_at"])
    html = page(fam.people.sam, reverse("goals:family_child", args=[fam.people.ada.pk]))
    assert "Boiling water for the model" in html


def test_a_new_encouragement_can_be_asked_for_in_its_readers_languages(fam: Family) -> None:
    """Ada and Ms. Rivera read English: Sam's Spanish is asked for in English only."""
    note = Encouragement.objects.select_related(
        "plan_goal__plan__goal_set__school_class", "plan_goal__plan__student"
    ).get(plan_goal=fam.cycle)
    assert goal_translations.encouragement_added(note) == 1
    asked = Translation.objects.get(source="¡Muy bien, Ada!")
    assert (asked.source_language, asked.target_language) == ("es", "en")
    assert goal_translations.encouragement_added(note) == 1  # asked again: left as it is
    assert Translation.objects.filter(source="¡Muy bien, Ada!").count() == 1


def test_linked_work_shows_on_the_family_plan_only_with_the_classwork_area(fam: Family) -> None:
    from decimal import Decimal

    from village.classwork.services.assignments import assignment_create
    from village.classwork.services.feedback import feedback_save
    from village.goals.services.sets import assignment_link

    people = fam.people
    work = assignment_create(
        school_class=people.homeroom5,
        title="Water cycle diagram",
        created_by=people.rivera,
        points=Decimal(10),
        assign_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
    )
    assignment_link(goal=fam.weather.goals["cycle"], assignment=work)
    feedback_save(
        assignment=work,
        student=people.ada,
        graded_by=people.rivera,
        score=Decimal(9),
        comment="Clear labels on every stage.",
        return_to_student=True,
    )
    path = plan_path(people.ada.pk, fam.weather.goal_set.pk)
    shown = page(people.sam, path)
    assert "Water cycle diagram" in shown
    assert "Clear labels on every stage." in shown
    link = GuardianLink.objects.get(guardian=people.sam, student=people.ada)
    guardian_link_set_access(link=link, scopes=[Scope.GOALS], no_access=False)
    hidden = page(people.sam, path)
    assert "Water cycle diagram" not in hidden
    assert "Clear labels on every stage." not in hidden


def test_the_rubric_levels_show_machine_translated_as_the_teachers_words(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    path = plan_path(fam.people.ada.pk, fam.weather.goal_set.pk)
    first = page(fam.people.sam, path)
    assert 'lang="en">Beginning</span>' in first  # not translated yet: marked as English
    worker.run()
    html = page(fam.people.sam, path)
    assert "BEGINNING" in html  # the engine's "Spanish"
    assert 'lang="en">Beginning</span>' not in html
