"""Each persona signs in on a phone and sees exactly what they should.

Every page visited passes an axe-core scan with no violation.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import assert_accessible, main_text, shoot
from village.demo.personas import DEMO_PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == live_server.url, f"{username} did not land on the home page"


# persona → (names that must appear on their home page, names that must not)
HOME_EXPECTATIONS = {
    "sam": (
        ["Ada", "Leo", "Rivera", "Chen", "Grade 5 Homeroom", "Grade 8 Math"],
        ["Finn", "Mina", "Maya"],
    ),
    "jordan": (["Leo", "Grade 8 Science", "Rivera"], ["Ada", "Grade 5 Homeroom", "Finn"]),
    "ada": (["Grade 5 Homeroom", "Rivera", "Maya"], ["Leo", "Grade 8", "Finn"]),
    "leo": (["Grade 8 Science", "Grade 8 Math", "Chen"], ["Ada", "Maya", "Finn"]),
    "rivera": (
        [
            "Grade 5 Homeroom",
            "Grade 8 Science",
            "Ada Okoye",
            "Leo Okoye",
            "Sam Okoye",
            "Jordan Bell",
        ],
        ["Grade 8 Math", "Finn", "Mina"],
    ),
    "nguyen": (
        ["Grade 5 Homeroom", "Grade 8 Math", "Chen", "Rivera"],
        ["Oak Hill", "Lakeside", "Finn"],
    ),
    "priya": (["Riverside K-8 School", "Oak Hill Elementary"], ["Lakeside", "Finn"]),
    "library": (["Riverside"], ["Ada", "Leo", "Finn"]),
    "eve": (["Finn", "Lakeside"], ["Ada", "Leo", "Riverside K-8", "Rivera"]),
}


@pytest.mark.parametrize("username", list(HOME_EXPECTATIONS))
def test_persona_home_shows_exactly_their_people(live_server, phone, username):
    build_personas()
    sign_in(phone, live_server, username)
    summaries = phone.locator("main details > summary")
    for index in range(summaries.count()):  # a teacher unfolds each class roster
        summaries.nth(index).click()
    text = main_text(phone)
    must, must_not = HOME_EXPECTATIONS[username]
    for name in must:
        assert name in text, f"{username} should see {name!r}"
    for name in must_not:
        assert not re.search(rf"\b{re.escape(name)}\b", text), f"{username} must not see {name!r}"
    assert_accessible(phone)
    shoot(phone, f"home-{username}")


def test_guardian_opens_a_child_page_but_never_another_child(live_server, phone):
    people = build_personas()
    sign_in(phone, live_server, "jordan")
    response = phone.goto(f"{live_server.url}/students/{people.leo.pk}/")
    assert response is not None
    assert response.status == 200
    assert "Leo" in main_text(phone)
    assert_accessible(phone)
    shoot(phone, "student-leo-as-jordan")
    response = phone.goto(f"{live_server.url}/students/{people.ada.pk}/")
    assert response is not None
    assert response.status == 404


def test_sam_reads_village_in_spanish(live_server, phone):
    build_personas()
    sign_in(phone, live_server, "sam")
    assert phone.locator("html").get_attribute("lang") == "es"
    assert "Menú" in phone.locator("header").inner_text()
    phone.locator("header .nav-compact > summary").click()  # on a phone, signing out is in the menu
    assert "Cerrar sesión" in phone.locator("header").inner_text()


def test_teacher_opens_a_class_roster(live_server, phone):
    people = build_personas()
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/classes/{people.science8.pk}/")
    assert "Leo Okoye" in main_text(phone)
    assert_accessible(phone)
    shoot(phone, "class-science8-as-rivera")
