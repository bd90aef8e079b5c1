"""The community endpoints of /api/v1 run a constant number of queries as data grows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.community import services
from village.community.models import (
    EnrollmentRole,
    Relationship,
    Role,
    SchoolClass,
)

pytestmark = pytest.mark.django_db


# --- constant query counts ---------------------------------------------------------------------


def grow_district(personas) -> None:
    """More classes, teachers, students and children in the persona school."""
    course = services.course_create(organisation=personas.school, title="Art", code="ART")
    newcomer = services.person_create(
        username="okafor",
        first_name="Ngozi",
        last_name="Okafor",
        role=Role.TEACHER,
        organisation=personas.school,
    )
    for number in range(3):
        school_class = services.class_create(
            course=course, school=personas.school, title=f"Art {number}", terms=[personas.term]
        )
        services.enrollment_add(
            user=newcomer, school_class=school_class, role=EnrollmentRole.TEACHER
        )
        services.enrollment_add(
            user=personas.rivera, school_class=school_class, role=EnrollmentRole.TEACHER
        )
        for extra in range(2):
            child = services.person_create(
                username=f"kid{number}{extra}",
                first_name=f"Kid{number}{extra}",
                last_name="Okoye",
                role=Role.STUDENT,
                organisation=personas.school,
            )
            for enrolled_in in (school_class, personas.homeroom5):
                services.enrollment_add(
                    user=child, school_class=enrolled_in, role=EnrollmentRole.STUDENT
                )
            services.guardian_link(
                guardian=personas.sam, student=child, relationship=Relationship.MOTHER
            )
    services.role_grant(
        user=personas.rivera, organisation=personas.sister_school, role=Role.TEACHER
    )
    services.role_grant(user=personas.sam, organisation=personas.sister_school, role=Role.GUARDIAN)


def queries_for(client: Client, user: User, path: str) -> tuple[int, Any]:
    user.refresh_from_db(fields=["password"])
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/api/v1{path}")
    assert response.status_code == 200, response.content
    return len(context), response.json()


@pytest.mark.parametrize(
    ("persona", "path", "grown_count"),
    [
        ("sam", "/me/children", 8),
        ("sam", "/classes", 6),
        ("rivera", "/classes", 5),
        ("nguyen", "/classes", 6),
        ("priya", "/classes", 7),
    ],
)
def test_list_endpoints_run_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, persona, path, grown_count
):
    user = getattr(personas, persona)
    before, _body = queries_for(client, user, path)
    grow_district(personas)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1{path}")
    assert response.json()["count"] == grown_count


@pytest.mark.parametrize("persona", ["rivera", "nguyen", "ada"])
def test_roster_runs_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, persona
):
    user = getattr(personas, persona)
    before, body = queries_for(client, user, f"/classes/{personas.homeroom5.pk}/roster")
    assert body["count"] == 2
    grow_district(personas)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1/classes/{personas.homeroom5.pk}/roster")
    assert response.json()["count"] == 8


@pytest.mark.parametrize(("persona", "path"), [("rivera", "/me"), ("sam", "/me")])
def test_me_runs_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, persona, path
):
    user = getattr(personas, persona)
    before, body = queries_for(client, user, path)
    assert len(body["roles"]) == 1
    grow_district(personas)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1{path}")
    assert len(response.json()["roles"]) == 2


def test_student_detail_runs_a_constant_number_of_queries(
    client, personas, django_assert_num_queries
):
    before, body = queries_for(client, personas.nguyen, f"/students/{personas.ada.pk}")
    assert len(body["classes"]) == 1
    grow_district(personas)
    kid = User.objects.get(username="kid00")
    for school_class in SchoolClass.objects.filter(title__in=["Art 1", "Art 2"]):
        services.enrollment_add(user=kid, school_class=school_class, role=EnrollmentRole.STUDENT)
    services.guardian_link(guardian=personas.olga, student=kid)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1/students/{kid.pk}")
    assert len(response.json()["classes"]) == 4
    assert len(response.json()["guardians"]) == 2
