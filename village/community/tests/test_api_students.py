"""/api/v1/students/{id} answers each persona with exactly the student they may see, and
writes every view by someone else to the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from village.accounts.models import User
from village.community import services
from village.community.models import (
    GuardianLink,
)
from village.community.tests.api_helpers import ALL_SCOPES, call
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

# --- /students/{id} -----------------------------------------------------------------------------


def student(client: Client, user: User, pupil: User) -> Any:
    return call(client, user, f"/students/{pupil.pk}")


def test_guardian_gets_the_child_with_school_classes_and_own_link_only(client, personas):
    body = student(client, personas.sam, personas.leo).json()
    assert (body["id"], body["name"], body["grade"]) == (personas.leo.pk, "Leo Okoye", "8")
    assert body["school"]["id"] == personas.school.pk
    assert [c["title"] for c in body["classes"]] == ["Grade 8 Math", "Grade 8 Science"]
    assert body["guardians"] == []
    assert body["my_link"] == {"relationship": "mother", "scopes": ALL_SCOPES}


def test_restricted_guardian_gets_leo_with_their_limited_scopes(client, personas):
    body = student(client, personas.jordan, personas.leo).json()
    assert body["my_link"] == {"relationship": "father", "scopes": ["classwork", "goals"]}
    assert body["guardians"] == []


def test_restricted_guardian_never_gets_ada(client, personas):
    response = student(client, personas.jordan, personas.ada)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such student."}


def test_student_gets_themself_without_guardian_links(client, personas):
    body = student(client, personas.ada, personas.ada).json()
    assert body["id"] == personas.ada.pk
    assert [c["id"] for c in body["classes"]] == [personas.homeroom5.pk]
    assert (body["guardians"], body["my_link"]) == ([], None)


def test_teacher_gets_guardian_links_with_access_limits(client, personas):
    body = student(client, personas.rivera, personas.leo).json()
    guardians = {link["guardian"]["name"]: link for link in body["guardians"]}
    assert set(guardians) == {"Sam Okoye", "Jordan Bell"}
    assert guardians["Jordan Bell"]["scopes"] == ["classwork", "goals"]
    assert (
        guardians["Jordan Bell"]["access_note"] == "Custody arrangement: classwork and goals only."
    )
    assert guardians["Jordan Bell"]["lives_with"] is False
    assert body["my_link"] is None


def test_teacher_sees_only_the_classes_of_the_student_they_may_see(client, personas):
    body = student(client, personas.rivera, personas.leo).json()
    assert [c["title"] for c in body["classes"]] == ["Grade 8 Science"]


def test_school_admin_sees_every_class_and_a_no_access_guardian(client, personas):
    link = GuardianLink.objects.get(guardian=personas.jordan, student=personas.leo)
    services.guardian_link_set_access(
        link=link, scopes=[], no_access=True, access_note="Court order"
    )
    body = student(client, personas.nguyen, personas.leo).json()
    assert [c["title"] for c in body["classes"]] == ["Grade 8 Math", "Grade 8 Science"]
    jordan = next(g for g in body["guardians"] if g["guardian"]["id"] == personas.jordan.pk)
    assert (jordan["no_access"], jordan["scopes"], jordan["access_note"]) == (
        True,
        [],
        "Court order",
    )
    assert student(client, personas.jordan, personas.leo).status_code == 404


def test_district_admin_gets_a_student_of_another_school_of_the_district(client, personas):
    body = student(client, personas.priya, personas.mina).json()
    assert body["school"]["id"] == personas.sister_school.pk
    assert [c["id"] for c in body["classes"]] == [personas.sister_class.pk]


@pytest.mark.parametrize(
    ("persona", "pupil"),
    [
        ("ada", "maya"),
        ("ada", "leo"),
        ("leo", "ada"),
        ("jordan", "ada"),
        ("chen", "ada"),
        ("nguyen", "mina"),
        ("park", "ada"),
        ("library", "ada"),
        ("eve", "ada"),
        ("eve", "leo"),
        ("stone", "leo"),
        ("priya", "finn"),
        ("sam", "maya"),
    ],
)
def test_student_detail_is_404_and_unaudited_out_of_sight(client, personas, persona, pupil):
    response = student(client, getattr(personas, persona), getattr(personas, pupil))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert AuditEvent.objects.count() == 0


def test_student_detail_is_404_for_someone_who_is_not_a_student(client, personas):
    assert student(client, personas.priya, personas.rivera).status_code == 404


@pytest.mark.parametrize("persona", ["sam", "jordan", "chen", "nguyen", "priya"])
def test_each_allowed_student_view_is_audited_as_an_api_view(client, personas, persona):
    viewer = getattr(personas, persona)
    assert student(client, viewer, personas.leo).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.student_id, event.action, event.channel) == (
        viewer.pk,
        personas.leo.pk,
        AuditAction.VIEW_STUDENT,
        "api",
    )
    assert event.path == f"/api/v1/students/{personas.leo.pk}"


def test_a_student_viewing_themself_is_not_audited(client, personas):
    assert student(client, personas.leo, personas.leo).status_code == 200
    assert AuditEvent.objects.count() == 0
