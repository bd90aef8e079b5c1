"""The family view in a phone's browser: Sam's home page and Leo's page pass axe-core, Jordan sees
Leo without grades, and the printable summary prints on one sheet (A4 and Letter)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.pages import assert_accessible, shoot, sign_in
from village.classwork.tests.factories import assignment
from village.classwork.tests.family.test_family_selectors import build_term, returned
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_sam_reads_the_family_view_on_his_phone(live_server, phone):
    people = build_personas()
    build_term(people)
    sign_in(phone, live_server, "sam")
    overview = phone.locator("section.family-overview")
    text = overview.inner_text()
    assert "Spelling list 12" in text
    assert "Reading quiz" in text
    chips = set(overview.locator(".fam-child").all_inner_texts())
    assert chips == {"Ada", "Leo"}
    assert_accessible(phone)
    shoot(phone, "family-home-sam")

    phone.get_by_role("link", name="Leo Okoye").click()
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith(f"/family/children/{people.leo.pk}/")
    main = phone.locator("main").inner_text()
    assert "The water cycle" in main
    assert "55%" in main
    assert_accessible(phone)
    shoot(phone, "family-child-leo-as-sam")


def test_jordan_sees_leo_without_grades(live_server, phone):
    people = build_personas()
    build_term(people)
    sign_in(phone, live_server, "jordan")
    assert "Ada" not in phone.locator("main").inner_text()
    phone.goto(f"{live_server.url}/family/children/{people.leo.pk}/")
    main = phone.locator("main").inner_text()
    assert "Reading quiz" in main
    assert "%" not in main
    assert_accessible(phone)
    shoot(phone, "family-child-leo-as-jordan")
    response = phone.goto(f"{live_server.url}/family/children/{people.ada.pk}/")
    assert response is not None
    assert response.status == 404


def test_the_printable_summary_fits_one_sheet(live_server, phone):
    people = build_personas()
    build_term(people)
    for index in range(14):  # more than the summary lists
        assignment(
            people.science8,
            f"Extra missing task {index}",
            due_in_days=-index - 1,
            assigned_days_ago=20,
        )
        assignment(people.math8, f"Extra upcoming task {index}", due_in_days=index % 13 + 1)
    for index in range(6):
        work = assignment(people.math8, f"Returned task {index}", due_in_days=-2)
        returned(
            work,
            people.leo,
            comment="A long and careful comment about what went well and what to try next. " * 4,
            days_ago=index / 2,
        )
    sign_in(phone, live_server, "sam")
    phone.goto(f"{live_server.url}/family/children/{people.leo.pk}/print/")
    button = phone.get_by_role("button", name=re.compile("Print|Imprimir"))
    assert button.is_visible()  # shown once the script runs
    assert_accessible(phone)
    shoot(phone, "family-print-leo-screen")
    phone.emulate_media(media="print")
    assert not button.is_visible()
    assert not phone.locator("header.site-header").is_visible()
    for paper in ("A4", "Letter"):
        assert pdf_pages(phone.pdf(format=paper)) == 1, paper
    if SCREENSHOTS is not None:
        (SCREENSHOTS / "family-print-leo.pdf").write_bytes(phone.pdf(format="Letter"))
