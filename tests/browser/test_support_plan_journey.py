"""Leo's support plan written together, end to end:

1. Ms. Rivera, at her desk with the keyboard alone, writes Leo's plan (a goal with its baseline,
   target and measure; a school action and a home action), proposes it and signs it for the staff.
2. Leo adds his view in his own words: a new version, which everyone answers again.
3. Sam, on her phone in Spanish, finds it on Leo's page, reads it, proposes a change in Spanish
   (Ms. Rivera then reads Sam's words marked as Spanish) and agrees.
4. Leo agrees, then Ms. Rivera signs the new version: the plan is agreed, in force; its history
   says who changed what.
5. Ms. Rivera records a progress check; Sam marks the home action done.
6. The printed plan fits on one or two A4 pages.
7. Jordan (Leo's father, whose link leaves out the support plan) finds nothing of it; Mr. Chen,
   who teaches Leo math, sees Leo's extended time on his gradebook but not the note Ms. Rivera
   keeps for herself; Eve, at another school, finds nothing.

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
from village.classwork.tests.factories import assignment
from village.community.policies import today
from village.demo.personas import DEMO_PASSWORD, Personas, build_personas
from village.support.models import Category, PlanState, SupportPlan, Topic, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}

TITLE = "Reading for science"
GOAL = "Say the main idea of a one-page science text"
HOME = "Read the text together the evening before each lab"
CHANGE = "¿Podemos leerlo dos veces, la segunda en voz alta? A Leo le ayuda oírlo."
VIEW = "I get lost in long texts. Reading it the day before helps me."
EXTENDED = "Extended time on reading checks"
PRIVATE = "Leo told me about a hard month at home; I keep this to myself."


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


def leo_adds_his_view(people: People, plan: int) -> Any:
    student = people.sign_in("leo", f"/support/plans/{plan}/", PHONE)
    checked(student, "leo-proposed")
    with student.expect_navigation():
        student.get_by_role("link", name="Write your view").click()
    checked(student, "leo-view")
    student.get_by_label("Your view of the plan").fill(VIEW)
    send(student, student.locator("main form"), "Save")
    assert "Your view is in the plan." in student.inner_text("body")
    expect(student.locator("#student-view")).to_contain_text(VIEW)
    return student


def test_rivera_sam_and_leo_write_and_carry_out_a_support_plan(people: People) -> None:
    personas: Personas = build_personas()
    leo = personas.leo.pk
    accommodation_add(
        author=personas.nguyen,
        student=personas.leo,
        fields=AccommodationFields(Category.TIMING, EXTENDED, starts_on=today()),
    )
    entry_save(
        author=personas.rivera,
        student=personas.leo,
        topic=Topic.NEEDS,
        text=PRIVATE,
        visibility=Visibility.RESTRICTED,
        readers=[personas.rivera],
    )
    assignment(personas.math8, "Ratios worksheet", due_in_days=3)
    rivera, plan = rivera_writes_the_plan(people, leo)
    student = leo_adds_his_view(people, plan)
    sam = sam_changes_then_agrees(people, leo, plan)

    # Ms. Rivera reads Sam's proposal, marked as written in Spanish.
    rivera.reload()
    assert rivera.locator("#comments [lang=es]").first.inner_text() == CHANGE

    # Leo agrees; Ms. Rivera signs the version with his view, the last answer: in force.
    student.reload()
    answer = student.locator("#answer")
    answer.get_by_label("I agree", exact=True).check()
    send(student, answer, "Send my answer")
    assert SupportPlan.objects.get(pk=plan).state == PlanState.PROPOSED
    answer = rivera.locator("#answer")
    answer.get_by_label("I agree", exact=True).check()
    send(rivera, answer, "Send my answer")
    assert "Everyone has agreed: the plan is in force." in rivera.inner_text("body")
    checked(rivera, "rivera-agreed")
    assert SupportPlan.objects.get(pk=plan).state == PlanState.AGREED

    # The history: who made each version and what it changed.
    enter(rivera, rivera.get_by_role("link", name="Versions"))
    history = main_text(rivera)
    names = (personas.leo.display_name, personas.rivera.display_name)
    for shown in (*names, "Changed: the student's view.", "First version."):
        assert shown in history, shown
    checked(rivera, "rivera-history")
    rivera.goto(f"{people.live_server.url}/support/plans/{plan}/")

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

    # Jordan's link leaves out the support plan: nothing of it, on Leo's page or by its address.
    jordan = people.sign_in("jordan", f"/family/children/{leo}/", PHONE)
    assert TITLE not in main_text(jordan)
    assert jordan.goto(f"{people.live_server.url}/support/plans/{plan}/").status == 404
    # Mr. Chen teaches Leo math: the accommodation where he grades, never Ms. Rivera's note.
    chen = people.sign_in("chen", f"/work/classes/{personas.math8.pk}/gradebook/", DESK)
    marks = chen.get_by_text(re.compile(r"Accommodations \(1\)"))
    marks.first.click()
    expect(chen.locator("main")).to_contain_text(EXTENDED)
    checked(chen, "chen-gradebook")
    chen.goto(f"{people.live_server.url}/support/students/{leo}/")
    assert EXTENDED in main_text(chen)
    assert PRIVATE not in chen.content()
    assert chen.goto(f"{people.live_server.url}/support/plans/{plan}/").status == 200
    # Eve, at Lakeside, finds nothing.
    eve = people.sign_in("eve", "/", PHONE)
    for path in (f"/support/plans/{plan}/", f"/support/students/{leo}/"):
        assert eve.goto(f"{people.live_server.url}{path}").status == 404
