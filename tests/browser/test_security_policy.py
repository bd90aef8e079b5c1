"""The Content-Security-Policy breaks nothing: the main journeys run with no policy violation and
no console error, htmx still swaps results in, and the Print buttons still print."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, sign_in
from village.classwork.tests.factories import assignment, hand_in
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Runs before any script of the page: records every violation the browser reports.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " +
                           (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


class Watched:
    """A page whose console errors and policy violations are collected."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.add_init_script(LISTEN)
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations")
        assert violations == [], f"{where}: {violations}"
        assert self.errors == [], f"{where}: {self.errors}"


@pytest.fixture
def context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    yield context
    context.close()


def test_family_pages_run_without_a_policy_violation(live_server: Any, context: Any) -> None:
    people = build_personas()
    assignment(people.homeroom5, "Reading log", due_in_days=2)
    watched = Watched(context)
    watched.visit(f"{live_server.url}/accounts/login/")
    sign_in(watched.page, live_server, "sam")
    watched.check("sign-in")
    for path in (
        "/",
        f"/family/children/{people.ada.pk}/",
        "/family/calendar/",
        "/accounts/profile/",
        "/accounts/tokens/",
    ):
        watched.visit(live_server.url + path)
    watched.visit(f"{live_server.url}/family/children/{people.ada.pk}/print/")
    print_button = watched.page.locator("button[data-print]")
    expect(print_button).to_be_visible()  # print.js, a static file, showed it
    watched.page.evaluate("window.print = function () { window.__printed = true; }")
    print_button.click()
    assert watched.page.evaluate("window.__printed") is True
    watched.check("print")


def test_teacher_and_admin_pages_and_htmx_swaps(live_server: Any, context: Any) -> None:
    people = build_personas()
    for days in (3, 2):
        work = assignment(people.homeroom5, f"Sheet {days}", due_in_days=-days, assigned_days_ago=9)
        hand_in(work, people.ada, days_ago=days + 1)
    watched = Watched(context)
    sign_in(watched.page, live_server, "rivera")
    watched.check("sign-in")
    watched.visit(f"{live_server.url}/classes/{people.homeroom5.pk}/")
    watched.visit(f"{live_server.url}/work/classes/{people.homeroom5.pk}/")
    watched.visit(f"{live_server.url}/work/classes/{people.homeroom5.pk}/gradebook/")
    page = watched.page
    page.evaluate("window.villageMarker = 'same page'")  # gone if the page reloads
    page.locator("#id_show").select_option("attention")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#gradebook-help")).to_contain_text("has missing or late work")
    page.wait_for_url("**/gradebook/?show=attention")
    assert page.evaluate("window.villageMarker") == "same page"  # swapped by htmx, not reloaded
    watched.check("gradebook filter")

    context.clear_cookies()
    sign_in(page, live_server, "nguyen")
    watched.visit(f"{live_server.url}/people/")
    page.evaluate("window.villageMarker = 'same page'")
    page.locator("input[name=q]").fill("okoye")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#people-count")).to_contain_text("3 people")
    assert page.evaluate("window.villageMarker") == "same page"
    watched.check("people search")
    watched.visit(f"{live_server.url}/audit/")
    watched.visit(f"{live_server.url}/api/docs")
    expect(page.locator("#swagger-ui")).to_contain_text("Village API")
    watched.check("API documentation")


def test_the_branded_not_found_page_is_accessible_and_in_sams_language(
    live_server: Any, phone: Any
) -> None:
    people = build_personas()
    sign_in(phone, live_server, "jordan")  # Jordan may see Leo, never Ada
    phone.goto(f"{live_server.url}/family/children/{people.leo.pk}/")
    response = phone.goto(f"{live_server.url}/family/children/{people.ada.pk}/")
    assert response is not None
    assert response.status == 404
    expect(phone.locator("h1")).to_have_text("This page does not exist or is not shared with you")
    assert_accessible(phone, "not found")
    phone.get_by_role("link", name="Go to your home page").click()
    phone.wait_for_url(f"{live_server.url}/")
    context = phone.context
    context.clear_cookies()
    sign_in(phone, live_server, "sam")
    phone.goto(f"{live_server.url}/no/such/page/")
    expect(phone.locator("h1")).to_have_text("Esta página no existe o no se comparte con usted")
    assert_accessible(phone, "no encontrada")
