"""A profile's entries in each reader's language: asked for in the languages of those who read
each entry when it is saved (by its visibility, in the service's transaction), placed at the
student's school so its glossary applies, translated by the worker in the background, and shown
to every reader with its language marked and the original one tap away. Sam writes in Spanish;
Ada, Ms. Rivera and the counsellors read English."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from village.accounts.models import User
from village.community import services as community
from village.community.models import EnrollmentRole
from village.support.models import Entry, Section, Topic, Visibility
from village.support.selectors.profile import StudentProfile
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support
from village.support.translations import NO_SCHOOL, profile_translations
from village.translation import worker
from village.translation.models import GlossaryRule, Translation, TranslationState
from village.translation.services import glossary_term_save
from village.translation.tests.fakes import CountingEngine
from village.translation.texts import Reason

pytestmark = pytest.mark.django_db

COUNTING = "village.translation.tests.fakes.CountingEngine"
HOME = "Celebramos el Año Nuevo con la familia."
MAPS = "I love drawing maps of rivers."


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


def _asked(source: str) -> list[tuple[str, str, str]]:
    rows = Translation.objects.filter(source=source).order_by("target_language")
    return list(rows.values_list("source_language", "target_language", "state"))


def _prefers(language: str, *people: User) -> None:
    User.objects.filter(pk__in=[p.pk for p in people]).update(preferred_language=language)
    for person in people:
        person.preferred_language = language


def _from_home(support: Support, text: str = HOME) -> Entry:
    return entry_save(
        author=support.people.sam,
        student=support.people.ada,
        topic=Topic.CULTURE,
        text=text,
    )


def _page(reader: User, support: Support) -> str:
    client = Client()
    client.force_login(reader)
    response = client.get(reverse("support:profile", args=[support.people.ada.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- asked for when saved ------------------------------------------------------------------------


def test_the_familys_words_are_asked_for_in_english_at_the_childs_school_when_saved(
    support: Support, engine: type[CountingEngine]
) -> None:
    entry = _from_home(support)
    assert entry.language == "es"  # Sam's own language
    assert _asked(HOME) == [("es", "en", TranslationState.PENDING)]
    asked = Translation.objects.get(source=HOME)
    assert asked.school_id == support.people.school.pk  # the school's glossary and cache
    assert asked.keep == ["Ada", "Okoye"]  # the child's names kept as written
    _from_home(support, "Y también el Día de los Muertos.")  # a change is asked for again
    assert _asked("Y también el Día de los Muertos.") == [("es", "en", TranslationState.PENDING)]
    assert engine.calls == []  # nothing is translated while Sam waits


def test_a_school_note_is_asked_for_in_spanish_only_when_the_family_reads_it(
    support: Support, engine: type[CountingEngine]
) -> None:
    people = support.people
    for visibility, text in [(Visibility.STAFF, "Works well in pairs."), (None, "Kind to all.")]:
        entry_save(
            author=people.rivera,
            student=people.ada,
            topic=Topic.OBSERVED_STRENGTHS if visibility else Topic.NEEDS,
            text=text,
            visibility=visibility or Visibility.FAMILY,
        )
    assert _asked("Works well in pairs.") == []  # her staff all read English
    assert _asked("Kind to all.") == [("en", "es", TranslationState.PENDING)]  # for Sam


def test_a_restricted_note_is_asked_for_in_its_named_readers_languages_only(
    support: Support, engine: type[CountingEngine]
) -> None:
    people = support.people
    _prefers("es", support.bakr)

    def restricted(readers: list[User], text: str) -> None:
        entry_save(
            author=people.rivera,
            student=people.ada,
            topic=Topic.NEEDS,
            text=text,
            visibility=Visibility.RESTRICTED,
            readers=readers,
        )

    restricted([support.ortiz], "Check in on Mondays.")
    assert _asked("Check in on Mondays.") == []  # not in Sam's nor Mr. Bakr's Spanish
    restricted([support.ortiz, support.bakr], "Check in on Fridays.")
    assert _asked("Check in on Fridays.") == [("en", "es", TranslationState.PENDING)]


def test_guardians_who_do_not_read_the_profile_get_nothing_asked_in_their_language(
    support: Support, engine: type[CountingEngine]
) -> None:
    """Kim's link does not allow the support plan, Lou's ended, Rex's gives no access; Jordan
    is not Ada's guardian, Mr. Vance no longer her teacher: none has French asked for."""
    _prefers("fr", support.kim, support.lou, support.rex, support.people.jordan, support.vance)
    entry_save(
        author=support.people.ada, student=support.people.ada, topic=Topic.INTERESTS, text=MAPS
    )
    assert _asked(MAPS) == [("en", "es", TranslationState.PENDING)]  # Sam's Spanish only


# --- translated by the worker, shown to each reader ----------------------------------------------


def test_each_reader_reads_the_others_words_in_their_language_with_the_original_a_tap_away(
    support: Support, apertium: None
) -> None:
    people = support.people
    _from_home(support)
    entry_save(author=people.ada, student=people.ada, topic=Topic.INTERESTS, text=MAPS)
    waiting = _page(people.sam, support)  # before the worker's pass: as written, and said once
    assert (
        "Traducción en camino</span>: hasta que estén listas las traducciones a su idioma"
        in waiting
    )
    assert f'<p class="sp-text" lang="en">{MAPS}</p>' in waiting
    assert "what you, your family and your teachers wrote" in _page(people.ada, support)
    worker.run()  # what the worker does in the background

    for teacher in (people.rivera, support.ortiz):
        html = _page(teacher, support)
        assert '<p class="sp-text">We celebrate the New Year' in html
        assert "Machine-translated from Spanish" in html
        assert f'<div class="mt-original-text" lang="es">{HOME}</div>' in html
        assert '<p class="sp-text">I love drawing maps of rivers.</p>' in html  # as written
    html = _page(people.sam, support)  # Sam reads Spanish pages
    assert "dibujar mapas de ríos" in html
    assert f'<div class="mt-original-text" lang="en">{MAPS}</div>' in html
    assert "Ver el original" in html
    assert f'<p class="sp-text">{HOME}</p>' in html  # his own words, no note
    assert "We celebrate" in _page(people.ada, support)  # the student reads her family's too


def test_the_schools_glossary_applies_to_the_profile(support: Support, apertium: None) -> None:
    glossary_term_save(
        school=support.people.school,
        term="Año Nuevo",
        rule=GlossaryRule.TRANSLATE_AS,
        changed_by=support.people.nguyen,
        source_language="es",
        target_language="en",
        replacement="Lunar New Year",
    )
    _from_home(support)
    worker.run()
    assert "Lunar New Year" in _page(support.people.rivera, support)


def test_a_reader_who_came_later_has_it_asked_on_their_first_view(
    support: Support, engine: type[CountingEngine]
) -> None:
    """Mr. Chen (reading French) joins Ada's homeroom after Ms. Rivera wrote her note: his
    first view asks for it and says the translation is on its way; after the worker's pass
    he reads it in French."""
    people = support.people
    entry_save(author=people.rivera, student=people.ada, topic=Topic.NEEDS, text="Short lists.")
    assert _asked("Short lists.") == []  # a note for staff: they all read English
    _prefers("fr", people.chen)
    community.enrollment_add(
        user=people.chen, school_class=people.homeroom5, role=EnrollmentRole.TEACHER
    )
    html = _page(people.chen, support)
    assert "Translation on its way" in html
    assert '<p class="sp-text">Short lists.</p>' in html  # as written, in the page's English
    assert _asked("Short lists.") == [("en", "fr", TranslationState.PENDING)]
    worker.run()
    html = _page(people.chen, support)
    assert '<p class="sp-text" lang="fr">SHORT LISTS.</p>' in html
    assert "Translation on its way" not in html


def test_a_student_without_a_school_reads_every_text_as_written(support: Support) -> None:
    entry = _from_home(support)
    profile = StudentProfile(student=support.people.ada, entries={Section(entry.section): [entry]})
    shown = profile_translations(support.people.rivera, profile).get(NO_SCHOOL, HOME)
    assert shown is not None
    assert (shown.text, shown.language, shown.reason) == (HOME, "es", Reason.NO_ENGINE)
