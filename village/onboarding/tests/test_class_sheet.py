"""The teacher's sheet of pairing codes for a class: who may print it, what it holds, its CSV,
its audit entries and its constant number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import EnrollmentRole, Role
from village.core.models import AuditEvent
from village.onboarding import services
from village.onboarding.models import PairingCode
from village.onboarding.tests.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.onboarding.tests.urls")]


def sheet_url(school_class) -> str:
    return reverse("onboarding:class_codes", args=[school_class.pk])


def make_sheet(client, user, school_class, *, students="unlinked", output="print"):
    signed_in(client, user)
    return client.post(sheet_url(school_class), {"students": students, "output": output})


def add_students(personas, count: int) -> None:
    for number in range(count):
        student = community_services.person_create(
            username=f"pupil{number}",
            first_name=f"Pupil{number}",
            last_name="Extra",
            role=Role.STUDENT,
            organisation=personas.school,
        )
        community_services.enrollment_add(
            user=student, school_class=personas.homeroom5, role=EnrollmentRole.STUDENT
        )


class TestWhoMayPrint:
    @pytest.mark.parametrize("who", ["rivera", "nguyen", "priya"])
    def test_teacher_and_admins_get_the_form(self, client, personas, who):
        response = signed_in(client, getattr(personas, who)).get(sheet_url(personas.homeroom5))
        assert response.status_code == 200
        assert "<legend>Codes for</legend>" in response.content.decode()

    @pytest.mark.parametrize("who", ["chen", "sam", "ada", "park", "stone", "library"])
    def test_another_teacher_a_guardian_a_student_and_other_schools_get_404(
        self, client, personas, who
    ):
        assert make_sheet(client, getattr(personas, who), personas.homeroom5).status_code == 404
        assert not PairingCode.objects.exists()
        assert not AuditEvent.objects.filter(object_type="pairing_code").exists()

    def test_admin_of_another_district_gets_404(self, client, personas):
        lakeside_admin = community_services.person_create(
            username="lakeadmin",
            first_name="Lake",
            last_name="Admin",
            role=Role.SCHOOL_ADMIN,
            organisation=personas.other_school,
        )
        assert make_sheet(client, lakeside_admin, personas.homeroom5).status_code == 404
        assert make_sheet(client, personas.nguyen, personas.other_class).status_code == 404


class TestSheet:
    def test_codes_only_for_students_without_a_guardian(self, client, personas):
        html = make_sheet(client, personas.rivera, personas.homeroom5).content.decode()
        assert "Maya Lopez" in html
        assert "Ada Okoye" not in html
        assert list(PairingCode.objects.values_list("student", flat=True)) == [personas.maya.pk]

    def test_every_student_by_choice_with_class_code_and_expiry(self, client, personas):
        response = make_sheet(client, personas.rivera, personas.homeroom5, students="all")
        html = response.content.decode()
        assert html.count('class="code-card"') == 2
        assert "Grade 5 Homeroom" in html
        assert "Valid until" in html
        assert "/families/signup/" in html

    def test_card_repeats_instructions_in_spanish_for_a_spanish_speaking_family(
        self, client, personas
    ):
        html = make_sheet(
            client, personas.rivera, personas.homeroom5, students="all"
        ).content.decode()
        ada_card = html.split("Ada Okoye", 1)[1].split('class="code-card"', 1)[0]
        maya_card = html.split("Maya Lopez", 1)[1].split('class="code-card"', 1)[0]
        assert 'lang="es"' in ada_card  # Sam, Ada's guardian, prefers Spanish
        assert 'lang="es"' not in maya_card

    def test_printed_codes_work(self, client, personas, newcomer):
        html = make_sheet(client, personas.rivera, personas.homeroom5).content.decode()
        code = html.split('class="pairing-code">', 1)[1].split("<", 1)[0]
        link = services.pairing_code_redeem(user=newcomer, raw_code=code, ip_address=None)
        assert link.student == personas.maya

    def test_csv_has_student_class_code_and_expiry(self, client, personas):
        response = make_sheet(
            client, personas.rivera, personas.homeroom5, students="all", output="csv"
        )
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["student", "class", "code", "expires"]
        assert [row[0] for row in rows[1:]] == ["Maya Lopez", "Ada Okoye"]  # by last name
        assert all(row[1] == "Grade 5 Homeroom" and len(row[2]) == 9 for row in rows[1:])

    def test_one_audit_entry_per_student(self, client, personas):
        make_sheet(client, personas.rivera, personas.homeroom5, students="all")
        audited = AuditEvent.objects.filter(actor=personas.rivera, object_type="pairing_code")
        assert set(audited.values_list("student_id", flat=True)) == {
            personas.ada.pk,
            personas.maya.pk,
        }
        assert audited.count() == 2

    def test_query_count_does_not_grow_with_the_class(
        self, client, personas, django_assert_num_queries
    ):
        signed_in(client, personas.rivera)
        data = {"students": "all", "output": "print"}
        with CaptureQueriesContext(connection) as small:
            client.post(sheet_url(personas.homeroom5), data)
        add_students(personas, 6)
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.post(sheet_url(personas.homeroom5), data)
        assert response.content.decode().count('class="code-card"') == 8
        assert User.objects.filter(username__startswith="pupil").count() == 6
