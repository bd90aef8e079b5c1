"""Leo's support plan written together, end to end:

1. Ms. Rivera, at her desk with the keyboard alone, writes Leo's plan (a goal with its baseline,
   target and measure; a school action and a home action), proposes it and signs it for the staff.
2. Sam, on her phone in Spanish, finds it on Leo's page, reads it, proposes a change in Spanish
   (Ms. Rivera then reads Sam's words marked as Spanish) and agrees.
3. Leo agrees: the plan is agreed, in force.
4. Ms. Rivera records a progress check; Sam marks the home action done.
5. The printed plan fits on one or two A4 pages.

Every page visited passes axe-core with no violation and does not scroll sideways. Screenshots
are kept with ``VILLAGE_SCREENSHOTS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot
from village.demo.personas import DEMO_PASSWORD, Personas, build_personas
from village.support.models import PlanState, SupportPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}

TITLE = "Reading for science"
GOAL = "Say the main idea of a one-page science text"
HOME = "Read the text together the evening before each lab"
CHANGE = "¿Podemos leerlo dos veces, la segunda en voz alta? A Leo le ayuda oírlo."


@dataclass
class People:
    """One browser context (its own cookies) per person."""

    browser: Any
    live_server: Any
    contexts: list[Any] = field(default_factory=list)

    def sign_in(self, username: str, path: str, viewport: dict[str, int]) -> Any:
        """A page signed in as ``username``, on ``path`` (the login form's ``next``)."""
        phone = viewport is PHONE
        context = self.browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.goto(f"{self.live_server.url}/accounts/login/?next={path}")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("form button[type=submit]").first.click()
        assert page.url == f"{self.live_server.url}{path}", f"{username} is on {page.url}"
        return page


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[People]:
    found = People(browser, live_server)
    yield found
    for context in found.contexts:
        context.close()


def checked(page: Any, name: str) -> None:
    """No axe-core violation, no sideways scrolling; a screenshot if asked for."""
    assert_accessible(page, name)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways ({width})"
    shoot(page, f"support-plan-{name}")


def tab_to(page: Any, target: Any, most: int = 80) -> None:
    """Press Tab until ``target`` has the focus (it is reached by the keyboard, in order)."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("the keyboard never reached the element")


def type_in(page: Any, target: Any, text: str) -> None:
    tab_to(page, target)
    page.keyboard.insert_text(text)


def enter(page: Any, target: Any) -> None:
    """Tab to ``target`` and press Enter on it: a link opens, a form is sent."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def send(page: Any, form: Any, button: str | re.Pattern[str]) -> None:
    """Press ``button`` of ``form`` (a tap on a phone)."""
    with page.expect_navigation():
        form.get_by_role("button", name=button).click()


def rivera_writes_the_plan(people: People, leo: int) -> tuple[Any, int]:
    page = people.sign_in("rivera", f"/support/students/{leo}/plans/", DESK)
    checked(page, "rivera-plans")
    enter(page, page.get_by_role("link", name="Write a new plan"))
    checked(page, "rivera-new")
    type_in(page, page.get_by_label("Title"), TITLE)
    type_in(page, page.get_by_label("The concern, in plain words"), "He loses the thread.")
    rows = {name: page.locator(f"#{name}-0-row") for name in ("goals", "school", "home")}
    type_in(page, rows["goals"].get_by_label("Goal", exact=True), GOAL)
    type_in(page, rows["goals"].get_by_label("Baseline"), "1 text in 4")
    type_in(page, rows["goals"].get_by_label("Target"), "3 texts in 4")
    type_in(page, rows["goals"].get_by_label("How progress is measured"), "A reading check")
    type_in(page, rows["school"].get_by_label("Who"), "Ms. Rivera")
    type_in(page, rows["school"].get_by_label("What they do"), "Gives the text a day early")
    type_in(page, rows["home"].get_by_label("Who"), "Sam and Leo")
    type_in(page, rows["home"].get_by_label("What they do"), HOME)
    type_in(page, rows["home"].get_by_label("How often"), "Before each lab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # in a field: saves (the form's first button is Save)
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    checked(page, "rivera-draft")
    enter(page, page.get_by_role("button", name="Propose to the family and the student"))
    checked(page, "rivera-proposed")
    answer = page.locator("#answer")
    tab_to(page, answer.get_by_label("I agree", exact=True))
    page.keyboard.press("Space")
    enter(page, answer.get_by_role("button", name="Send my answer"))
    plan = int(re.search(r"/plans/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    return page, plan


def sam_changes_then_agrees(people: People, leo: int, plan: int) -> Any:
    page = people.sign_in("sam", f"/family/children/{leo}/", PHONE)
    plans = page.locator(f"ul[aria-labelledby='support-plans-{leo}']")
    expect(plans).to_contain_text("Espera su respuesta")
    checked(page, "sam-child")
    with page.expect_navigation():
        plans.locator(f"a[href='/support/plans/{plan}/']").click()
    assert "Lea el plan y luego dé su respuesta al final" in main_text(page)
    checked(page, "sam-proposed")
    comments = page.locator("#comments")
    comments.get_by_label("Cambio propuesto").check()
    comments.get_by_label("Sus palabras").fill(CHANGE)
    send(page, comments, "Enviar")
    expect(page.locator("#comments")).to_contain_text(CHANGE)
    checked(page, "sam-changed")
    answer = page.locator("#answer")
    answer.get_by_label("Estoy de acuerdo", exact=True).check()
    send(page, answer, "Enviar mi respuesta")
    assert "Gracias: su respuesta quedó guardada." in page.inner_text("body")
    checked(page, "sam-agreed")
    return page


def test_rivera_sam_and_leo_write_and_carry_out_a_support_plan(people: People) -> None:
    personas: Personas = build_personas()
    leo = personas.leo.pk
    rivera, plan = rivera_writes_the_plan(people, leo)
    sam = sam_changes_then_agrees(people, leo, plan)

    # Ms. Rivera reads Sam's proposal, marked as written in Spanish.
    rivera.reload()
    assert rivera.locator("#comments [lang=es]").first.inner_text() == CHANGE

    # Leo agrees, and with him the last of the parties: the plan is in force.
    student = people.sign_in("leo", f"/support/plans/{plan}/", PHONE)
    checked(student, "leo-proposed")
    answer = student.locator("#answer")
    answer.get_by_label("I agree", exact=True).check()
    send(student, answer, "Send my answer")
    assert "Everyone has agreed: the plan is in force." in student.inner_text("body")
    checked(student, "leo-agreed")
    assert SupportPlan.objects.get(pk=plan).state == PlanState.AGREED

    # Ms. Rivera's progress check, with the keyboard.
    rivera.reload()
    enter(rivera, rivera.get_by_role("link", name="Progress check", exact=True))
    checked(rivera, "rivera-progress")
    status = rivera.get_by_label("Progress", exact=True)
    tab_to(rivera, status)
    status.select_option(label="On track")
    type_in(rivera, rivera.get_by_label("Measured (optional)"), "2 texts in 4")
    enter(rivera, rivera.get_by_role("button", name="Save the progress check"))
    expect(rivera.locator("#goals")).to_contain_text("2 texts in 4")
    checked(rivera, "rivera-noted")

    # Sam marks the home action done.
    sam.reload()
    home = sam.locator("form", has=sam.get_by_role("button", name=re.compile("Marcar como hecho")))
    send(sam, home, re.compile("Marcar como hecho"))
    assert "Marcado como hecho." in sam.inner_text("body")
    expect(sam.locator("#actions")).to_contain_text("Hecho 1 vez")
    checked(sam, "sam-done")

    # The printed plan: the agreed plan, its answers, one or two A4 pages.
    enter(rivera, rivera.get_by_role("link", name="Print", exact=True))
    printed = main_text(rivera)
    for shown in (GOAL, HOME, "Sam Okoye (Guardian)"):
        assert shown in printed
    checked(rivera, "print")
    rivera.emulate_media(media="print")
    pdf = rivera.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, f"the printed plan takes {pages} pages"
