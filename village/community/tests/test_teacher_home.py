"""The teacher's home sums up each class: families they cannot reach, and home languages."""

from __future__ import annotations

import pytest
from django.test import Client

from village.community import services
from village.community.models import Relationship, Role


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
    assert "1 student without a guardian you can reach:" in html
    assert "Maya Lopez</a>" in html.split("without a guardian you can reach:")[1].split("</li>")[0]


@pytest.mark.django_db
def test_a_guardian_link_makes_the_student_reachable(personas, rivera_home):
    guardian = services.person_create(
        username="lopez",
        first_name="Ana",
        last_name="Lopez",
        role=Role.GUARDIAN,
        organisation=personas.school,
        preferred_language="vi",
    )
    services.guardian_link(
        guardian=guardian, student=personas.maya, relationship=Relationship.MOTHER
    )
    html = rivera_home()
    assert "without a guardian you can reach" not in html.split("Grade 8 Science")[0]
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
