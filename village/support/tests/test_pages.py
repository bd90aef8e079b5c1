"""The profile's pages for every persona: who opens the profile (others get a 404, never data),
who writes which section and sets accommodations (a 403 for those who only read), what bad
input does (the field's message, nothing changed), the audit log of restricted entries, a
constant number of queries as the profile grows, and the ``lang`` of what people wrote."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.community.policies import today
from village.core.models import AuditEvent
from village.support.models import Accommodation, Category, Entry, Topic, Visibility
from village.support.selectors.profile import RESTRICTED_ENTRY_OBJECT
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support

pytestmark = pytest.mark.django_db

SECRET = "Family going through a hard time; check in each Monday."


def person(support: Support, name: str) -> User:
    found = getattr(support, name, None) or getattr(support.people, name)
    assert isinstance(found, User)
    return found


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def profile_path(support: Support) -> str:
    return reverse("support:profile", args=[support.people.ada.pk])


def write_path(support: Support, topic: Topic) -> str:
    return reverse("support:entry_write", args=[support.people.ada.pk, topic])


def restricted(support: Support) -> Entry:
    return entry_save(
        author=support.ortiz,
        student=support.people.ada,
        topic=Topic.NEEDS,
        text=SECRET,
        visibility=Visibility.RESTRICTED,
        readers=[support.ortiz],
    )


def about_me(support: Support, text: str = "I love drawing maps.") -> Entry:
    return entry_save(
        author=support.people.ada, student=support.people.ada, topic=Topic.INTERESTS, text=text
    )


# --- who opens what ---------------------------------------------------------------------------

#: persona -> (profile, about me, from home, school notes, new accommodation)
MATRIX = {
    "ada": (200, 200, 403, 403, 403),
    "sam": (200, 403, 200, 403, 403),
    "kim": (404, 404, 404, 404, 404),
    "jordan": (404, 404, 404, 404, 404),
    "rivera": (200, 403, 403, 200, 403),
    "vance": (404, 404, 404, 404, 404),
    "ortiz": (200, 403, 403, 200, 200),
    "bakr": (200, 403, 403, 200, 200),
    "nguyen": (200, 403, 403, 200, 200),
    "eve": (404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("name", list(MATRIX))
def test_each_page_answers_each_persona_as_the_policy_says(support: Support, name: str) -> None:
    restricted(support)
    about_me(support)
    client = client_for(person(support, name))
    paths = [
        profile_path(support),
        write_path(support, Topic.STRENGTHS),
        write_path(support, Topic.CULTURE),
        write_path(support, Topic.OBSERVED_STRENGTHS),
        reverse("support:accommodation_new", args=[support.people.ada.pk]),
    ]
    answers = [client.get(path) for path in paths]
    assert tuple(answer.status_code for answer in answers) == MATRIX[name]
    for answer in answers:
        if answer.status_code != 200:
            assert b"I love drawing maps" not in answer.content


@pytest.mark.parametrize("name", ["kim", "jordan", "vance", "eve", "rivera", "sam"])
def test_those_who_may_not_write_change_nothing_by_posting(support: Support, name: str) -> None:
    client = client_for(person(support, name))
    answer = client.post(write_path(support, Topic.STRENGTHS), {"text": "Not mine to say."})
    assert answer.status_code in (403, 404)
    assert not Entry.objects.filter(text="Not mine to say.").exists()


@pytest.mark.parametrize("name", ["sam", "rivera", "nguyen", "ortiz", "eve", "kim"])
def test_only_its_author_removes_an_entry(support: Support, name: str) -> None:
    entry = about_me(support)
    answer = client_for(person(support, name)).post(
        reverse("support:entry_remove", args=[entry.pk])
    )
    assert answer.status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_only_the_named_counsellor_reads_the_restricted_entry(support: Support) -> None:
    restricted(support)
    for name, sees in [("ortiz", True), ("bakr", False), ("nguyen", False), ("rivera", False)]:
        html = client_for(person(support, name)).get(profile_path(support)).content.decode()
        assert (SECRET in html) is sees, name


def test_a_restricted_entry_shows_its_lock_and_readers_and_its_view_is_audited(
    support: Support,
) -> None:
    entry = restricted(support)
    html = client_for(support.ortiz).get(profile_path(support)).content.decode()
    assert '<svg class="sp-lock" aria-hidden="true"' in html
    assert "Only Ana Ortiz" in html
    [event] = AuditEvent.objects.filter(actor=support.ortiz, object_type=RESTRICTED_ENTRY_OBJECT)
    assert event.object_id == str(entry.pk)


def test_the_profile_shows_sections_in_order_with_author_and_visibility(support: Support) -> None:
    about_me(support)
    entry_save(
        author=support.people.sam,
        student=support.people.ada,
        topic=Topic.HOME_LANGUAGES,
        text="Inglés y yoruba.",
        language="es",
    )
    entry_save(
        author=support.people.rivera,
        student=support.people.ada,
        topic=Topic.OBSERVED_STRENGTHS,
        text="Explains her thinking to others.",
    )
    html = client_for(support.people.rivera).get(profile_path(support)).content.decode()
    about, home, notes = (
        html.index(f'id="section-{s}"') for s in ("about_me", "from_home", "school_notes")
    )
    assert about < home < notes
    assert "Ada Okoye, " in html
    assert "Sam Okoye, " in html
    assert "Seen by: The student and family" in html
    assert "Seen by: All the student&#x27;s current staff" in html


def test_accommodations_in_force_show_category_and_dates(support: Support) -> None:
    accommodation_add(
        author=support.people.nguyen,
        student=support.people.ada,
        fields=AccommodationFields(
            category=Category.TIMING, title="Extended time", starts_on=dt.date(2026, 9, 1)
        ),
    )
    html = client_for(support.people.sam).get(profile_path(support)).content.decode()
    assert "Extended time" in html
    assert "Tiempos y horarios" in html or "Timing and scheduling" in html


# --- writing ----------------------------------------------------------------------------------


def test_the_student_writes_about_me_and_is_sent_back_to_the_profile(support: Support) -> None:
    client = client_for(support.people.ada)
    answer = client.post(write_path(support, Topic.STRENGTHS), {"text": "I am patient."})
    entry = Entry.objects.get(author=support.people.ada, topic=Topic.STRENGTHS)
    assert answer.status_code == 302
    assert answer["Location"] == profile_path(support) + f"#entry-{entry.pk}"
    assert entry.visibility == Visibility.FAMILY
    assert "I am patient." in client.get(answer["Location"]).content.decode()


def test_the_student_changes_their_entry_in_place(support: Support) -> None:
    entry = about_me(support)
    client = client_for(support.people.ada)
    form = client.get(write_path(support, Topic.INTERESTS)).content.decode()
    assert "I love drawing maps." in form
    client.post(write_path(support, Topic.INTERESTS), {"text": "Maps and rivers."})
    entry.refresh_from_db()
    assert entry.text == "Maps and rivers."


def test_the_student_removes_their_entry(support: Support) -> None:
    entry = about_me(support)
    answer = client_for(support.people.ada).post(reverse("support:entry_remove", args=[entry.pk]))
    assert answer.status_code == 302
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_an_empty_entry_is_refused_on_its_field_and_changes_nothing(support: Support) -> None:
    entry = about_me(support)
    answer = client_for(support.people.ada).post(
        write_path(support, Topic.INTERESTS), {"text": " "}
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="field-error"' in html
    assert "Write something here." in html
    entry.refresh_from_db()
    assert entry.text == "I love drawing maps."


def test_a_restricted_note_without_readers_shows_the_services_message(support: Support) -> None:
    answer = client_for(support.people.rivera).post(
        write_path(support, Topic.NEEDS), {"text": "Needs quiet.", "visibility": "restricted"}
    )
    assert answer.status_code == 400
    assert "Name at least one member of staff to read it." in answer.content.decode()
    assert not Entry.objects.filter(topic=Topic.NEEDS).exists()


def test_a_teacher_writes_a_restricted_note_naming_a_counsellor(support: Support) -> None:
    client = client_for(support.people.rivera)
    form = client.get(write_path(support, Topic.NEEDS)).content.decode()
    assert "Ana Ortiz" in form
    assert "Tom Diaz" in form
    assert "Paul Vance" not in form
    answer = client.post(
        write_path(support, Topic.NEEDS),
        {"text": "Needs quiet.", "visibility": "restricted", "readers": [support.ortiz.pk]},
    )
    assert answer.status_code == 302
    entry = Entry.objects.get(topic=Topic.NEEDS)
    assert list(entry.readers.all()) == [support.ortiz]


def test_a_former_teacher_cannot_be_named(support: Support) -> None:
    answer = client_for(support.people.rivera).post(
        write_path(support, Topic.NEEDS),
        {"text": "Needs quiet.", "visibility": "restricted", "readers": [support.vance.pk]},
    )
    assert answer.status_code == 400
    assert not Entry.objects.filter(topic=Topic.NEEDS).exists()


def test_a_guardian_writes_from_home(support: Support) -> None:
    answer = client_for(support.people.sam).post(
        write_path(support, Topic.CULTURE), {"text": "Celebramos el Año Nuevo."}
    )
    assert answer.status_code == 302
    entry = Entry.objects.get(author=support.people.sam)
    assert entry.language == "es"


def test_the_post_needs_a_csrf_token(support: Support) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(support.people.ada)
    answer = client.post(write_path(support, Topic.STRENGTHS), {"text": "I am patient."})
    assert answer.status_code == 403
    assert not Entry.objects.filter(topic=Topic.STRENGTHS).exists()


# --- accommodations ---------------------------------------------------------------------------


def test_an_admin_adds_and_ends_an_accommodation(support: Support) -> None:
    client = client_for(support.people.nguyen)
    path = reverse("support:accommodation_new", args=[support.people.ada.pk])
    answer = client.post(
        path,
        {
            "category": "timing",
            "title": "Extended time",
            "starts_on": today().isoformat(),
            "visibility": "family",
        },
    )
    assert answer.status_code == 302
    accommodation = Accommodation.objects.get(student=support.people.ada)
    answer = client.post(reverse("support:accommodation_end", args=[accommodation.pk]))
    assert answer.status_code == 302
    accommodation.refresh_from_db()
    assert accommodation.ends_on == today()


def test_an_accommodation_ending_before_it_starts_is_refused(support: Support) -> None:
    answer = client_for(support.ortiz).post(
        reverse("support:accommodation_new", args=[support.people.ada.pk]),
        {
            "category": "timing",
            "title": "Extended time",
            "starts_on": "2026-10-01",
            "ends_on": "2026-09-01",
            "visibility": "family",
        },
    )
    assert answer.status_code == 400
    assert "It cannot end before it starts." in answer.content.decode()
    assert not Accommodation.objects.exists()


@pytest.mark.parametrize("name", ["rivera", "sam", "ada", "eve", "vance"])
def test_others_cannot_end_an_accommodation(support: Support, name: str) -> None:
    accommodation = accommodation_add(
        author=support.people.nguyen,
        student=support.people.ada,
        fields=AccommodationFields(category="timing", title="Extended time", starts_on=today()),
    )
    answer = client_for(person(support, name)).post(
        reverse("support:accommodation_end", args=[accommodation.pk])
    )
    assert answer.status_code == 404
    accommodation.refresh_from_db()
    assert accommodation.ends_on is None


# --- queries, languages -----------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_profile_page_reads_a_constant_number_of_queries(support: Support) -> None:
    """However many entries, and in whatever languages: one query finds every translation."""
    client = client_for(support.ortiz)
    restricted(support)
    about_me(support)
    entry_save(
        author=support.people.sam,
        student=support.people.ada,
        topic=Topic.HOME_LANGUAGES,
        text="Inglés y yoruba.",
    )
    before = _queries(client, profile_path(support))
    for author, topic in [
        (support.people.ada, Topic.STRENGTHS),
        (support.people.sam, Topic.CULTURE),
        (support.people.rivera, Topic.NEEDS),
        (support.bakr, Topic.OBSERVED_STRENGTHS),
    ]:
        entry_save(author=author, student=support.people.ada, topic=topic, text="More.")
    entry_save(
        author=support.bakr,
        student=support.people.ada,
        topic=Topic.NEEDS,
        text="Also restricted.",
        visibility=Visibility.RESTRICTED,
        readers=[support.ortiz, support.bakr],
    )
    accommodation_add(
        author=support.people.nguyen,
        student=support.people.ada,
        fields=AccommodationFields(category="timing", title="Extended time", starts_on=today()),
    )
    assert _queries(client, profile_path(support)) == before


def test_text_in_another_language_than_the_pages_is_marked(support: Support) -> None:
    about_me(support)
    entry_save(
        author=support.people.sam,
        student=support.people.ada,
        topic=Topic.HOME_LANGUAGES,
        text="Inglés y yoruba.",
    )
    english = client_for(support.people.rivera).get(profile_path(support)).content.decode()
    assert '<p class="sp-text" lang="es">Inglés y yoruba.</p>' in english
    assert '<p class="sp-text">I love drawing maps.</p>' in english
    spanish = client_for(support.people.sam).get(profile_path(support)).content.decode()
    assert '<p class="sp-text">Inglés y yoruba.</p>' in spanish
    assert '<p class="sp-text" lang="en">I love drawing maps.</p>' in spanish


def test_a_guardian_reads_their_page_in_spanish_as_usted(support: Support) -> None:
    html = client_for(support.people.sam).get(write_path(support, Topic.CULTURE)).content.decode()
    assert "Escriba con sus propias palabras" in html
    assert "Perfil de Ada Okoye" in html


def test_the_student_reads_their_page_in_spanish_as_tu(support: Support) -> None:
    User.objects.filter(pk=support.people.ada.pk).update(preferred_language="es")
    client = client_for(support.people.ada)
    html = client.get(profile_path(support)).content.decode()
    assert "Mi perfil" in html
    assert "Escribe sobre" in html
    form = client.get(write_path(support, Topic.INTERESTS)).content.decode()
    assert "Con tus propias palabras" in form
    answer = client.post(write_path(support, Topic.INTERESTS), {"text": ""})
    assert "Escribe algo aquí." in answer.content.decode()


# --- the ways in ------------------------------------------------------------------------------


def test_the_child_page_leads_a_guardian_with_the_support_plan_to_the_profile(
    support: Support,
) -> None:
    ada = support.people.ada
    page = client_for(support.people.sam).get(reverse("families:child", args=[ada.pk]))
    assert f'href="{profile_path(support)}"' in page.content.decode()
    kim = client_for(support.kim).get(reverse("families:child", args=[ada.pk]))
    assert profile_path(support) not in kim.content.decode()


def test_the_students_home_page_leads_to_their_profile(support: Support) -> None:
    home = client_for(support.people.ada).get(reverse("community:home")).content.decode()
    assert f'href="{profile_path(support)}"' in home
