"""A class's "know your students": who opens it (the class's teachers and aides and the admins of
its school; a 404 for everyone else, never data), what it shows (interests in the student's
words and from home, languages at home, the preferred language, the accommodations in force;
never a restricted entry, even to a reader it names), the ``lang`` of what families wrote, the
audit of the students shown, the way in from the class's pages, and a constant number of
queries as the class grows."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.community import services as community
from village.community.models import EnrollmentRole, Role
from village.community.policies import today
from village.core.models import AuditAction, AuditEvent
from village.support.models import Category, Topic, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support

pytestmark = pytest.mark.django_db

RESTRICTED_TEXT = "Her father moved away this summer; she misses him."
_numbers = itertools.count(1)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def know_path(support: Support) -> str:
    return reverse("support:know", args=[support.people.homeroom5.pk])


def accommodation(
    support: Support,
    student: User,
    title: str,
    *,
    days_ago: int = 3,
    ends_on: dt.date | None = None,
) -> None:
    accommodation_add(
        author=support.ortiz,
        student=student,
        fields=AccommodationFields(
            category=Category.TIMING,
            title=title,
            details="Half as long again on tests.",
            starts_on=today() - dt.timedelta(days=days_ago),
            ends_on=ends_on,
            visibility=Visibility.STAFF,
        ),
    )


def shared_profile(support: Support) -> None:
    """Ada's interests in her words, her family's in Spanish, a staff-only one, a restricted
    one naming Ms. Rivera, an entry on a topic the page does not show; one accommodation in
    force, one ended, one not started yet."""
    people = support.people
    ada, sam = people.ada, people.sam
    entry_save(author=ada, student=ada, topic=Topic.INTERESTS, text="I love drawing maps.")
    entry_save(
        author=sam, student=ada, topic=Topic.HOME_INTERESTS, text="Cocina con su abuela.",
        language="es",
    )  # fmt: skip
    entry_save(
        author=sam, student=ada, topic=Topic.HOME_LANGUAGES, text="Español y yoruba.",
        language="es", visibility=Visibility.STAFF,
    )  # fmt: skip
    entry_save(
        author=ada, student=ada, topic=Topic.FIND_HARD, text="Long division.",
    )  # fmt: skip
    aunt_writes_restricted(support)
    accommodation(support, ada, "Extended time")
    accommodation(support, ada, "Scribe", days_ago=20, ends_on=today() - dt.timedelta(days=1))
    accommodation(support, ada, "Read-aloud", days_ago=-2)


def aunt_writes_restricted(support: Support) -> None:
    """Ada's aunt, with a link that allows the support plan, writes what she wants only Ms.
    Rivera and Ms. Ortiz to read."""
    people = support.people
    aunt = community.person_create(
        username="tia", first_name="Tia", last_name="Okoye", role=Role.GUARDIAN,
        organisation=people.school,
    )  # fmt: skip
    community.guardian_link(guardian=aunt, student=people.ada)
    entry_save(
        author=aunt,
        student=people.ada,
        topic=Topic.HOME_INTERESTS,
        text=RESTRICTED_TEXT,
        visibility=Visibility.RESTRICTED,
        readers=[people.rivera, support.ortiz],
    )


# --- who opens it -----------------------------------------------------------------------------

#: persona -> status: the class's teacher and aide, its school's and district's admins; not a
#: teacher of another class there, a former teacher, a counsellor of the school without the
#: class, the student, guardians, nor anyone of another school.
WHO = {
    "rivera": 200,
    "diaz": 200,
    "nguyen": 200,
    "priya": 200,
    "chen": 404,
    "vance": 404,
    "ortiz": 404,
    "ada": 404,
    "sam": 404,
    "jordan": 404,
    "kim": 404,
    "stone": 404,
    "park": 404,
    "eve": 404,
}


def test_each_persona_opens_the_page_as_the_class_staff_rule_says(support: Support) -> None:
    shared_profile(support)
    for name, status in WHO.items():
        user = getattr(support, name, None) or getattr(support.people, name)
        answer = client_for(user).get(know_path(support))
        assert answer.status_code == status, name
        html = answer.content.decode()
        assert ("I love drawing maps." in html) is (status == 200), name
        assert ("Extended time" in html) is (status == 200), name
    assert Client().get(know_path(support)).status_code == 302


def test_a_class_of_another_school_is_a_404_for_its_neighbours_and_a_200_for_its_own(
    support: Support,
) -> None:
    other = reverse("support:know", args=[support.people.other_class.pk])
    assert client_for(support.people.rivera).get(other).status_code == 404
    assert client_for(support.people.priya).get(other).status_code == 404
    assert client_for(support.people.stone).get(other).status_code == 200


# --- what it shows ----------------------------------------------------------------------------


def test_the_teacher_sees_interests_languages_and_accommodations_in_force(
    support: Support,
) -> None:
    shared_profile(support)
    User.objects.filter(pk=support.people.maya.pk).update(preferred_language="es")
    html = client_for(support.people.rivera).get(know_path(support)).content.decode()
    ada = html[html.index(f'id="student-{support.people.ada.pk}"') :]
    ada = ada[: ada.index("</tr>")]
    assert "I love drawing maps." in ada
    assert '<span class="know-text" lang="es">Cocina con su abuela.</span>' in ada
    assert '<p class="know-text" lang="es">Español y yoruba.</p>' in ada
    assert "Extended time" in ada
    assert "Half as long again on tests." in ada
    maya = html[html.index(f'id="student-{support.people.maya.pk}"') :]
    assert "Spanish" in maya[: maya.index("</tr>")]
    # the English entry carries no lang; nothing else of the profile, nothing not in force
    assert '<span class="know-text">I love drawing maps.</span>' in ada
    for hidden in ("Long division.", "Scribe", "Read-aloud"):
        assert hidden not in html, hidden


def test_a_restricted_entry_never_shows_even_to_a_reader_it_names(support: Support) -> None:
    shared_profile(support)
    for user in (support.people.rivera, support.people.nguyen, support.diaz):
        html = client_for(user).get(know_path(support)).content.decode()
        assert RESTRICTED_TEXT not in html
    # Ms. Rivera reads it on the profile, where each view of it is audited
    profile = reverse("support:profile", args=[support.people.ada.pk])
    assert RESTRICTED_TEXT in client_for(support.people.rivera).get(profile).content.decode()


def test_the_students_shown_are_audited_and_the_page_is_in_spanish_for_a_spanish_reader(
    support: Support,
) -> None:
    shared_profile(support)
    rivera = support.people.rivera
    User.objects.filter(pk=rivera.pk).update(preferred_language="es")
    rivera.refresh_from_db()
    html = client_for(rivera).get(know_path(support)).content.decode()
    assert "Conozca a sus estudiantes" in html
    # Spanish text on a Spanish page needs no lang of its own; English text does
    assert '<span class="know-text">Cocina con su abuela.</span>' in html
    assert '<span class="know-text" lang="en">I love drawing maps.</span>' in html
    shown = AuditEvent.objects.filter(actor=rivera, action=AuditAction.VIEW_STUDENT)
    assert set(shown.values_list("student_id", flat=True)) == {
        support.people.ada.pk,
        support.people.maya.pk,
    }


def test_the_class_pages_lead_to_it(support: Support) -> None:
    gradebook = reverse("classwork:gradebook", args=[support.people.homeroom5.pk])
    html = client_for(support.diaz).get(gradebook).content.decode()
    assert f'href="{know_path(support)}"' in html
    page = client_for(support.people.rivera).get(know_path(support)).content.decode()
    assert f'href="{know_path(support)}" aria-current="page"' in page


# --- queries --------------------------------------------------------------------------------


def add_students(support: Support, count: int) -> None:
    """``count`` more students of the homeroom, each with an interest, a family's entry and an
    accommodation."""
    people = support.people
    for _ in range(count):
        n = next(_numbers)
        student = community.person_create(
            username=f"know{n}", first_name="Pupil", last_name=f"Know{n}", role=Role.STUDENT,
            organisation=people.school,
        )  # fmt: skip
        community.enrollment_add(
            user=student, school_class=people.homeroom5, role=EnrollmentRole.STUDENT
        )
        community.guardian_link(guardian=people.sam, student=student)
        entry_save(author=student, student=student, topic=Topic.INTERESTS, text="Football.")
        entry_save(author=people.sam, student=student, topic=Topic.HOME_LANGUAGES, text="Somali.")
        accommodation(support, student, "Preferential seating")


def queries(client: Client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200
    return len(captured.captured_queries), answer.content.decode()


def test_the_page_costs_the_same_for_12_students_as_for_2(support: Support) -> None:
    shared_profile(support)
    for user in (support.people.rivera, support.people.nguyen):
        client = client_for(user)
        queries(client, know_path(support))  # the session and the first-visit reads
        before, _ = queries(client, know_path(support))
        if user == support.people.rivera:
            add_students(support, 10)
        after, html = queries(client, know_path(support))
        assert after == before, user.username
        assert html.count("Preferential seating") == 10
