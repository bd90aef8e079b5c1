"""Ada's activities and requests for help at home, the family's answers and Ms. Rivera's note on
a plan are asked for in their readers' languages when they are saved (and again when they are
changed), in the service's transaction; the worker translates them in the background, never the
request, so Sam finds them in Spanish the first time he opens the page. A guardian who does not
see the child's goals gets nothing asked in their language."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from village.community.models import GuardianLink, LinkStatus, Scope
from village.community.services import guardian_link_set_access
from village.demo.personas import Personas
from village.goals.models import Plan, PlanGoal, PlanState
from village.goals.services import family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import plan_goal, weather_set
from village.translation import worker
from village.translation.models import Translation, TranslationState
from village.translation.tests.fakes import CountingEngine

pytestmark = pytest.mark.django_db

COUNTING = "village.translation.tests.fakes.CountingEngine"
PENDING_IN_SPANISH = [("en", "es", TranslationState.PENDING)]


@pytest.fixture
def engine(settings: Settings) -> Iterator[type[CountingEngine]]:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    CountingEngine.calls = []
    yield CountingEngine
    CountingEngine.calls = []


@pytest.fixture
def apertium(settings: Settings) -> None:
    """Debian's Apertium with its English-Spanish pair (``make test-deps`` installs both)."""
    if shutil.which("apertium") is None:
        pytest.skip("Debian's apertium and apertium-eng-spa are not installed (make test-deps)")
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]
    settings.VILLAGE_APERTIUM_COMMAND = "apertium"


@pytest.fixture
def cycle(goals: Goals, ada: Plan) -> PlanGoal:
    return plan_goal(ada, goals.weather.goals["cycle"])


def _asked(source: str) -> list[tuple[str, str, str]]:
    rows = Translation.objects.filter(source=source).order_by("target_language")
    return list(rows.values_list("source_language", "target_language", "state"))


# --- asked for when saved ------------------------------------------------------------------------


def test_adas_activity_is_asked_for_in_spanish_for_sam_when_she_adds_it(
    cycle: PlanGoal, engine: type[CountingEngine]
) -> None:
    plans.activity_add(plan_goal=cycle, text="I will draw the cycle with arrows.")
    # Ada and Ms. Rivera read English, as Ada writes: only Sam's Spanish is asked for.
    assert _asked("I will draw the cycle with arrows.") == PENDING_IN_SPANISH
    asked = Translation.objects.get(source="I will draw the cycle with arrows.")
    assert asked.keep == ["Ada", "Okoye"]  # the child's name is kept as written
    assert asked.school_id == cycle.plan.goal_set.school_class.school_id
    assert engine.calls == []  # nothing is translated while Ada waits


def test_adas_request_for_help_is_asked_for_in_spanish_when_she_sends_it(
    cycle: PlanGoal, engine: type[CountingEngine]
) -> None:
    family.help_ask(plan_goal=cycle, text="Boiling water for the model")
    assert _asked("Boiling water for the model") == PENDING_IN_SPANISH
    assert engine.calls == []


def test_sams_answer_is_asked_for_in_english_and_a_changed_answer_is_asked_again(
    goals: Goals, cycle: PlanGoal, engine: type[CountingEngine]
) -> None:
    ask = family.help_ask(plan_goal=cycle, text="Boiling water for the model")
    family.help_answer(request=ask, guardian=goals.people.sam, answer="El sábado, juntos.")
    assert _asked("El sábado, juntos.") == [("es", "en", TranslationState.PENDING)]
    family.help_answer(request=ask, guardian=goals.people.sam, answer="Mejor el domingo.")
    assert _asked("Mejor el domingo.") == [("es", "en", TranslationState.PENDING)]
    assert _asked("El sábado, juntos.") == [("es", "en", TranslationState.PENDING)]  # kept
    assert engine.calls == []


def test_the_teachers_note_on_a_plan_is_asked_for_in_spanish_and_again_when_it_changes(
    goals: Goals, ada: Plan, engine: type[CountingEngine]
) -> None:
    rivera = goals.people.rivera
    plans.plan_decide(plan=ada, teacher=rivera, approve=False, note="Add a goal about wind, Ada.")
    assert _asked("Add a goal about wind, Ada.") == PENDING_IN_SPANISH
    assert Translation.objects.get(source="Add a goal about wind, Ada.").keep == ["Ada", "Okoye"]
    plans.plan_decide(plan=ada, teacher=rivera, approve=True, note="Well planned.")
    assert _asked("Well planned.") == PENDING_IN_SPANISH
    assert engine.calls == []


def test_an_approval_without_a_note_asks_for_nothing(
    goals: Goals, ada: Plan, engine: type[CountingEngine]
) -> None:
    plans.plan_decide(plan=ada, teacher=goals.people.rivera, approve=True)
    assert ada.state == PlanState.APPROVED
    assert not Translation.objects.exists()


def test_nothing_is_asked_in_the_writers_own_language(
    goals: Goals, cycle: PlanGoal, engine: type[CountingEngine]
) -> None:
    """Sam reads Spanish only: with Ada and Ms. Rivera writing in Spanish too, nobody needs
    another language."""
    for person in (goals.people.ada, goals.people.rivera):
        person.preferred_language = "es"
        person.save(update_fields=["preferred_language"])
    plans.activity_add(plan_goal=cycle, text="Dibujaré el ciclo.")
    family.help_ask(plan_goal=cycle, text="Hervir agua para el modelo")
    assert not Translation.objects.filter(target_language="es").exists()


# --- only for those who read the child's goals ---------------------------------------------------


def _without_goals(people: Personas) -> None:
    link = GuardianLink.objects.get(guardian=people.sam, student=people.ada)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)


def _ended(people: Personas) -> None:
    GuardianLink.objects.filter(guardian=people.sam, student=people.ada).update(
        status=LinkStatus.ENDED
    )


@pytest.mark.parametrize("change", [_without_goals, _ended], ids=["without_goals", "ended"])
def test_a_guardian_who_does_not_see_the_goals_gets_nothing_asked_in_their_language(
    goals: Goals, ada: Plan, cycle: PlanGoal, engine: type[CountingEngine], change: object
) -> None:
    change(goals.people)  # type: ignore[operator]
    plans.activity_add(plan_goal=cycle, text="I will draw the cycle with arrows.")
    family.help_ask(plan_goal=cycle, text="Boiling water for the model")
    plans.plan_decide(plan=ada, teacher=goals.people.rivera, approve=False, note="Add wind.")
    assert not Translation.objects.exists()  # Ada and Ms. Rivera read English, as written


# --- translated by the worker, shown on the page -----------------------------------------------


def _leo_plan(people: Personas) -> tuple[Plan, PlanGoal]:
    """Leo's plan in Grade 8 Science (Ms. Rivera's), sent: Sam and Jordan follow his goals."""
    science = weather_set(people.science8, people.rivera)
    plan = plans.plan_start(goal_set=science.goal_set, student=people.leo)
    order = science.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present")
    plans.plan_choose(plan=plan, order=order)
    plans.plan_submit(plan=plan)
    plan.refresh_from_db()
    return plan, plan_goal(plan, science.goals["rain"])


def _family_page(reader: object, plan: Plan) -> str:
    client = Client()
    client.force_login(reader)  # type: ignore[arg-type]
    path = reverse("goals:family_plan", args=[plan.student_id, plan.goal_set_id])
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_sam_first_opens_leos_plan_with_what_leo_jordan_and_rivera_wrote_in_spanish(
    goals: Goals, apertium: None
) -> None:
    people = goals.people
    plan, rain = _leo_plan(people)
    plans.activity_add(plan_goal=rain, text="I will measure the rain every morning.")
    ask = family.help_ask(plan_goal=rain, text="Boiling water for the model")
    family.help_answer(request=ask, guardian=people.jordan, answer="We can do it on Sunday.")
    plans.plan_decide(plan=plan, teacher=people.rivera, approve=False, note="Add the wind, Leo.")
    written = [
        "I will measure the rain every morning.",
        "Boiling water for the model",
        "We can do it on Sunday.",
        "Add the wind, Leo.",
    ]
    asked = Translation.objects.filter(source__in=written, target_language="es")
    assert asked.filter(state=TranslationState.PENDING).count() == len(written)

    worker.run()  # what the worker does in the background
    assert asked.filter(state=TranslationState.DONE).count() == len(written)
    html = _family_page(people.sam, plan)  # Sam's first visit: no request translates
    assert "lluvia cada mañana" in html  # the activity
    assert "agua para el modelo" in html  # the request for help
    assert "domingo" in html  # Jordan's answer
    assert "viento, Leo" in html  # Ms. Rivera's note, the child's name kept
    for original in written[1:]:  # (an activity shows only its compact mark)
        assert original in html  # the original, one tap away
