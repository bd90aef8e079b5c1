"""Reading children through the API and the admin's people directory is written to the audit log
(one INSERT per request, however many records are shown)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.tokens import token_create
from village.community import services
from village.community.models import Role
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

CHILDREN = "/api/v1/me/children"
PEOPLE = reverse("community:people")


def entries() -> set[tuple[int, int | None, str, str, int | None, str]]:
    return set(
        AuditEvent.objects.values_list(
            "actor_id", "student_id", "action", "channel", "organisation_id", "path"
        )
    )


def audit_inserts(queries: CaptureQueriesContext) -> list[str]:
    table = AuditEvent._meta.db_table
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT") and table in q["sql"]
    ]


class TestMyChildren:
    def test_each_child_listed_is_audited_as_an_api_view(self, client, personas):
        _token, secret = token_create(user=personas.sam, name="Phone")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHILDREN, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200
        school = personas.school.pk
        assert entries() == {
            (personas.sam.pk, personas.ada.pk, AuditAction.VIEW_STUDENT, "api", school, CHILDREN),
            (personas.sam.pk, personas.leo.pk, AuditAction.VIEW_STUDENT, "api", school, CHILDREN),
        }
        assert len(audit_inserts(queries)) == 1

    def test_a_restricted_guardian_is_audited_for_the_child_they_see_only(self, client, personas):
        personas.jordan.refresh_from_db(fields=["password"])
        client.force_login(personas.jordan)
        listed = {child["id"] for child in client.get(CHILDREN).json()["items"]}
        assert listed == {personas.leo.pk}
        assert {row[1] for row in entries()} == {personas.leo.pk}

    @pytest.mark.parametrize("name", ["rivera", "ada", "nguyen"])
    def test_someone_without_children_writes_nothing(self, client, personas, name):
        user = getattr(personas, name)
        user.refresh_from_db(fields=["password"])
        client.force_login(user)
        assert client.get(CHILDREN).json()["items"] == []
        assert not AuditEvent.objects.exists()


class TestPeopleDirectory:
    def sign_in(self, client, personas):
        personas.nguyen.refresh_from_db(fields=["password"])
        client.force_login(personas.nguyen)
        return client

    def test_each_student_on_the_page_is_audited(self, client, personas):
        self.sign_in(client, personas)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PEOPLE, {"q": "okoye"}).status_code == 200
        path = f"{PEOPLE}?q=okoye"
        school = personas.school.pk
        nguyen = personas.nguyen.pk
        assert entries() == {
            (nguyen, personas.ada.pk, AuditAction.VIEW_STUDENT, "web", school, path),
            (nguyen, personas.leo.pk, AuditAction.VIEW_STUDENT, "web", school, path),
        }  # Sam, a guardian, is listed too, but is no student record
        assert len(audit_inserts(queries)) == 1

    def test_the_htmx_filter_is_audited_too(self, client, personas):
        self.sign_in(client, personas)
        client.get(PEOPLE, {"role": Role.STUDENT}, headers={"HX-Request": "true"})
        students = {row[1] for row in entries()}
        assert {personas.ada.pk, personas.leo.pk, personas.maya.pk} <= students
        assert personas.mina.pk not in students  # another school's student

    def test_a_page_of_staff_only_writes_nothing(self, client, personas):
        self.sign_in(client, personas)
        client.get(PEOPLE, {"role": Role.TEACHER})
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize("name", ["rivera", "sam", "eve"])
    def test_a_refused_visit_writes_nothing(self, client, personas, name):
        user = getattr(personas, name)
        user.refresh_from_db(fields=["password"])
        client.force_login(user)
        assert client.get(PEOPLE).status_code == 404
        assert not AuditEvent.objects.exists()

    def test_query_count_does_not_grow_with_the_students_listed(
        self, client, personas, django_assert_num_queries
    ):
        self.sign_in(client, personas)
        with CaptureQueriesContext(connection) as baseline:
            client.get(PEOPLE)
        for n in range(5):
            services.person_create(
                username=f"new{n}",
                first_name=f"New{n}",
                last_name="Kid",
                role=Role.STUDENT,
                organisation=personas.school,
            )
        with django_assert_num_queries(len(baseline.captured_queries)):
            client.get(PEOPLE)
