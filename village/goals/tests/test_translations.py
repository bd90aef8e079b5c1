"""What people write about goals is asked for in its readers' languages when it is saved, in the
service's transaction, and translated by the worker in the background, never in the request:
Sam's Spanish encouragement for Ada and Ms. Rivera (English), Ms. Rivera's feedback and Ada's
effort for Sam (Spanish)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings

from village.goals.models import Plan
from village.goals.services import efforts, family
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal
from village.translation import worker
from village.translation.models import Translation, TranslationState
from village.translation.tests.fakes import CountingEngine

pytestmark = pytest.mark.django_db

COUNTING = "village.translation.tests.fakes.CountingEngine"


@pytest.fixture
def engine(settings: Settings) -> Iterator[type[CountingEngine]]:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    CountingEngine.calls = []
    yield CountingEngine
    CountingEngine.calls = []


def _asked(source: str) -> list[tuple[str, str, str]]:
    rows = Translation.objects.filter(source=source).order_by("target_language")
    return list(rows.values_list("source_language", "target_language", "state"))


def test_an_encouragement_is_asked_for_in_english_when_sam_sends_it_and_translated_later(
    goals: Goals, ada: Plan, engine: type[CountingEngine]
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="¡Ánimo!", language="es"
    )
    assert _asked("¡Ánimo!") == [("es", "en", TranslationState.PENDING)]
    assert engine.calls == []  # nothing is translated while Sam waits
    worker.run()
    assert Translation.objects.get(source="¡Ánimo!").text == "¡ÁNIMO!"


def test_feedback_and_an_effort_are_asked_for_in_spanish_for_sam_when_saved(
    goals: Goals, ada: Plan, engine: type[CountingEngine]
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    effort = efforts.effort_record(
        plan_goal=cycle,
        levels=levels(ada.goal_set),
        done="I drew the water cycle.",
        went_well="The arrows",
        ask_feedback=True,
    )
    assert _asked("I drew the water cycle.") == [("en", "es", TranslationState.PENDING)]
    assert _asked("The arrows") == [("en", "es", TranslationState.PENDING)]
    efforts.feedback_give(effort=effort, teacher=goals.people.rivera, comment="Clear, Ada.")
    assert _asked("Clear, Ada.") == [("en", "es", TranslationState.PENDING)]
    assert Translation.objects.get(source="Clear, Ada.").keep == ["Ada", "Okoye"]
    assert engine.calls == []
    worker.run()
    assert Translation.objects.get(source="Clear, Ada.").state == TranslationState.DONE


def test_nothing_is_asked_when_the_service_refuses(
    goals: Goals, ada: Plan, engine: type[CountingEngine]
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    with pytest.raises(ValidationError):
        family.encouragement_add(
            plan_goal=cycle, guardian=goals.people.sam, text="x" * 2000, language="es"
        )
    assert not Translation.objects.exists()
