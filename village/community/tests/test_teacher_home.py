"""The teacher's home sums up each class: families they cannot reach, and home languages."""

from __future__ import annotations

import pytest
from django.test import Client

from village.community import services
from village.community.models import EnrollmentRole, Relationship, Role


@pytest.fixture
def rivera_home(personas):
    def load() -> str:
        client = Client()
        client.force_login(personas.rivera)
        response = client.get("/")
        assert response.status_code == 200
        return response.content.decode()

    return load


@pytest.mark.django_db
def test_teacher_sees_students_without_a_reachable_guardian(personas, rivera_home):
    html = rivera_home()
    assert "1 student whose family cannot be reached:" in html
    assert "Maya Lopez</a>" in html.split("family cannot be reached:")[1].split("</li>")[0]


@pytest.mark.django_db
def test_a_guardian_link_makes_the_student_reachable(personas, rivera_home):
    guardian = services.person_create(
        username="lopez",
        first_name="Ana",
        last_name="Lopez",
        role=Role.GUARDIAN,
        organisation=personas.school,
        preferred_language="vi",
        password="a-long-password",
    )
    services.guardian_link(
        guardian=guardian, student=personas.maya, relationship=Relationship.MOTHER
    )
    html = rivera_home()
    assert "cannot be reached:" not in html.split("Grade 8 Science")[0]
    assert "Vietnamese (1)" in html


@pytest.mark.django_db
def test_family_languages_count_each_student_once(personas, rivera_home):
    html = rivera_home()
    homeroom, science = html.split("Grade 8 Science</a>", 1)
    assert "Spanish (1)" in homeroom  # Ada's family (Sam)
    assert "Spanish (1)" in science  # Leo's family: Sam reads Spanish, Jordan English


@pytest.mark.parametrize(
    ("code", "name"), [("es", "Spanish"), ("so", "Somali"), ("ht", "Haitian Creole"), ("xx", "xx")]
)
def test_language_names_cover_common_home_languages(code, name):
    from village.community.templatetags.community_tags import language_name

    assert language_name(code) == name


def _guardian_of(personas, student, username: str, *, password: str | None, **link: object):
    guardian = services.person_create(
        username=username,
        first_name=username.title(),
        last_name="Family",
        role=Role.GUARDIAN,
        organisation=personas.school,
        email=f"{username}@families.village.test",
        password=password,
    )
    services.guardian_link(guardian=guardian, student=student, **link)  # type: ignore[arg-type]
    return guardian


def _unreachable_count(html: str, after: str) -> int:
    return int(html.split(after, 1)[1].split('data-unreachable-count="', 1)[1].split('"', 1)[0])


@pytest.mark.django_db
def test_teacher_and_principal_count_unreachable_families_the_same_way(personas):
    """Guardians who cannot sign in, and guardians who receive no school communications, both
    leave a family unreachable, on the teacher's home as on the principal's."""
    from village.demo.personas import _class

    everyone = _class(
        personas.school, personas.term, "Whole School Assembly", "ALL", "K-8", "Other"
    )
    services.enrollment_add(
        user=personas.rivera, school_class=everyone, role=EnrollmentRole.TEACHER
    )
    students = [personas.ada, personas.leo, personas.maya]
    for index in range(4):
        students.append(
            services.person_create(
                username=f"pupil{index}",
                first_name=f"Pupil{index}",
                last_name="Test",
                role=Role.STUDENT,
                organisation=personas.school,
            )
        )
    for student in students:
        services.enrollment_add(user=student, school_class=everyone, role=EnrollmentRole.STUDENT)
    # Signs in, but asked for no school communications: the teacher's page used to count the
    # family as unreachable, the principal's as reached.
    _guardian_of(
        personas, students[3], "quiet", password="a-long-password", receives_communications=False
    )
    # Receive communications but have no account they can sign in with: the principal's page
    # used to count them as unreachable, the teacher's as reached.
    _guardian_of(personas, students[4], "nosignin1", password=None)
    _guardian_of(personas, students[5], "nosignin2", password=None)
    # Reached on both counts.
    _guardian_of(personas, students[6], "reached", password="a-long-password")

    teacher, principal = Client(), Client()
    teacher.force_login(personas.rivera)
    principal.force_login(personas.nguyen)
    teacher_html = teacher.get("/").content.decode()
    principal_html = principal.get("/").content.decode()

    on_teacher = _unreachable_count(teacher_html, "Whole School Assembly</a>")
    on_principal = _unreachable_count(principal_html, "Guardian coverage")
    assert on_teacher == on_principal == 4  # Maya, the quiet family, both without sign-in
    assert "What counts as “cannot be reached”" in teacher_html
    assert "What counts as “cannot be reached”" in principal_html
