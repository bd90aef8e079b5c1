"""The learning-goals loop end to end, each person on their own phone (375 px wide):

1. Ms. Rivera builds "Growing bean plants" for her grade-5 homeroom with the keyboard alone: two
   groups that each ask for at least one optional goal, core and optional goals, an optional goal
   that needs the group's core goal first; then she publishes it.
2. Ada, with the keyboard: she chooses two optional goals (the core ones are in already), moves
   one earlier (the focus stays on its button) and cannot move a goal before the one it needs,
   proposes an activity, sends her plan, records an effort with her level on the rubric and asks
   for feedback.
3. Ms. Rivera answers from the feedback queue (htmx): a comment and her level.
4. Sam, in Spanish, sees it in the goals section of Ada's page and on the family's plan page,
   and encourages Ada on that effort, in Spanish.
5. Ada sees her progress on her goals home, the encouragement, and the teacher's level beside
   her own.
6. Jordan, whose link to Leo no longer allows goals, sees nothing of Leo's goals, though Leo has
   a plan in a published grade-8 science set.
7. Eve, a parent at another district, sees nothing: every page of the set is a 404 for her.

Every page the browser opens passes axe-core with no violation (the sign-in page once, the 404
page once per person: the other refused addresses are asked for with the phone's cookies and
checked for their status and content) and does not scroll sideways at 375 px; no script fails
and the browser reports no Content-Security-Policy violation. Text is entered with the keyboard
as typed text (one input event, not one key event per letter). Screenshots are kept with
``VILLAGE_SCREENSHOTS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot
from village.community.models import GuardianLink, Scope
from village.community.services import guardian_link_set_access
from village.demo.personas import DEMO_PASSWORD, build_personas
from village.goals.models import (
    Effort,
    EffortFeedback,
    Encouragement,
    GoalSet,
    Plan,
    PlanState,
    Prerequisite,
)
from village.goals.services import plans as plan_services
from village.goals.tests.factories import weather_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}

#: Runs before any script of a page: records every Content-Security-Policy violation.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

SET = "Growing bean plants"
GROW, SHARE = "Growing a plant", "Sharing what we found"
PLANT, MEASURE, DRAW = "Plant a bean seed", "Measure the stem each week", "Draw a bean plant"
EXPLAIN, POSTER = "Explain what a plant needs", "Make a poster about seeds"
DID = "I planted two beans in a cup and watered them."
COMMENT = "Good start, Ada. Write down the day each bean sprouts."
CHEER = "¡Qué bien, Ada! Mañana regamos las judías juntas."


@dataclass
class Phones:
    """One phone (its own browser context, its own cookies) per person."""

    browser: Any
    live_server: Any
    errors: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def open(self, username: str, path: str) -> Any:
        """A phone signed in as ``username`` with the keyboard, on ``path`` (the login form's
        ``next``: one page load fewer than the home page first)."""
        context = self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(10_000)
        context.add_init_script(LISTEN)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{username}: {error}"))
        page.goto(f"{self.live_server.url}/accounts/login/?next={path}")
        if len(self.contexts) == 1:
            checked(page, "login")  # the same page for everyone: scanned once
        type_into(page, page.locator("input[name=username]"), username)
        type_into(page, page.locator("input[name=password]"), DEMO_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{self.live_server.url}{path}", f"{username} is on {page.url}"
        checked(page, f"{username}-{path.strip('/').replace('/', '-') or 'home'}")
        return page


@pytest.fixture
def phones(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Phones]:
    settings.MEDIA_ROOT = tmp_path / "media"
    found = Phones(browser, live_server)
    yield found
    for context in found.contexts:
        context.close()


def checked(page: Any, name: str) -> None:
    """No axe-core violation, no policy violation, no sideways scrolling; a screenshot if
    asked for."""
    assert_accessible(page, name)
    assert page.evaluate("window.__violations") == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways ({width} px)"
    shoot(page, f"goals-journey-{name}")


def enter(page: Any, control: Any) -> None:
    """Focus the control (as Tab would) and press Enter on it: a link opens, a form is sent."""
    control.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press(page: Any, role: str, name: str) -> None:
    enter(page, page.get_by_role(role, name=name, exact=True))


def type_into(page: Any, control: Any, text: str) -> None:
    control.focus()
    page.keyboard.insert_text(text)


def labelled(page: Any, label: str) -> Any:
    """The field labelled ``label`` (Django's labels end with a colon)."""
    return page.get_by_label(f"{label}:", exact=True)


def not_found(page: Any, base: str, paths: list[str], name: str, hidden: tuple[str, ...]) -> None:
    """Each of ``paths`` is a 404 for whoever is signed in on ``page`` and says nothing of
    ``hidden``. The first opens in the browser (the 404 page is scanned); the others, the same
    page, are asked for with the phone's cookies, without drawing them."""
    for number, path in enumerate(paths):
        if number == 0:
            response = page.goto(f"{base}{path}")
            assert response is not None
            status, text = response.status, page.content()
        else:
            answer = page.request.get(f"{base}{path}")
            status, text = answer.status, answer.text()
        assert status == 404, f"{name}: {path} answered {status}"
        for secret in hidden:
            assert secret not in text, f"{name}: {path} shows {secret!r}"
        if number == 0:
            checked(page, f"{name}-404")


def test_goals_from_the_teachers_set_to_the_familys_encouragement(phones: Phones) -> None:
    people = build_personas()
    url = phones.live_server.url
    # Leo has a plan in a published grade-8 science set; Jordan's link no longer allows goals.
    weather = weather_set(people.science8, people.rivera)
    science = weather.goal_set
    leo_plan = plan_services.plan_start(goal_set=science, student=people.leo)
    plan_services.plan_choose(
        plan=leo_plan,
        order=weather.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    plan_services.plan_submit(plan=leo_plan)
    guardian_link_set_access(
        link=GuardianLink.objects.get(guardian=people.jordan, student=people.leo),
        scopes=[Scope.CLASSWORK],
        no_access=False,
    )

    # 1. Ms. Rivera builds the set on her phone, with the keyboard alone, and publishes it.
    rivera = phones.open("rivera", "/goals/staff/")
    press(rivera, "link", f"New goal set for {people.homeroom5.title}")
    checked(rivera, "rivera-new-set")
    type_into(rivera, labelled(rivera, "Title"), SET)
    enter(rivera, labelled(rivera, "Title"))
    goal_set = GoalSet.objects.get(title=SET)
    assert goal_set.school_class_id == people.homeroom5.pk
    checked(rivera, "rivera-builder-empty")
    for group in (GROW, SHARE):
        press(rivera, "link", "Add a group")
        type_into(rivera, labelled(rivera, "Title"), group)
        labelled(rivera, "Optional goals each student chooses (at least)").focus()
        rivera.keyboard.press("ArrowUp")  # a number field: the arrow keys count
        checked(rivera, f"rivera-group-{group[:4].lower()}")
        enter(rivera, labelled(rivera, "Title"))
    for group, title, optional in (
        (GROW, PLANT, False),
        (GROW, MEASURE, True),
        (GROW, DRAW, True),
        (SHARE, EXPLAIN, False),
        (SHARE, POSTER, True),
    ):
        press(rivera, "link", f"Add a goal to “{group}”")
        type_into(rivera, labelled(rivera, "Goal"), title)
        if optional:
            rivera.get_by_label("Core: every student works on it").focus()
            rivera.keyboard.press("ArrowDown")  # radios: the arrow keys choose
        checked(rivera, f"rivera-goal-{title.split()[0].lower()}")
        enter(rivera, labelled(rivera, "Goal"))
    groups = {group.title: group for group in goal_set.groups.all()}
    assert {title: group.min_optional for title, group in groups.items()} == {GROW: 1, SHARE: 1}
    kinds = dict(goal_set.goals.values_list("title", "kind"))
    assert kinds == {
        PLANT: "core",
        MEASURE: "optional",
        DRAW: "optional",
        EXPLAIN: "core",
        POSTER: "optional",
    }
    checked(rivera, "rivera-builder")

    press(rivera, "link", f"What “{POSTER}” needs first")
    needs = labelled(rivera, "Needs first")
    needs.focus()
    rivera.keyboard.press("End")  # the last goal of the list: the group's core goal
    expect(needs.locator("option:checked")).to_have_text(EXPLAIN)
    press(rivera, "button", "Add")
    assert Prerequisite.objects.filter(goal__title=POSTER, needs__title=EXPLAIN).exists()
    checked(rivera, "rivera-needs")
    press(rivera, "link", f"Back to “{SET}”")
    press(rivera, "button", "Publish")
    goal_set.refresh_from_db()
    assert goal_set.published
    expect(rivera.locator(".messages")).to_contain_text(f"Students and families see “{SET}” now.")
    checked(rivera, "rivera-published")

    # 2. Ada makes her plan and reports an effort, with the keyboard.
    ada = phones.open("ada", "/goals/")
    press(ada, "link", SET)
    expect(ada.get_by_role("heading", name="Before you send your plan")).to_be_visible()
    checked(ada, "ada-plan-new")
    press(ada, "link", "Choose optional goals")
    checked(ada, "ada-choose")
    for title in (MEASURE, POSTER):
        box = ada.get_by_label(title)
        box.focus()
        ada.keyboard.press("Space")
        expect(box).to_be_checked()
    press(ada, "button", "Save my goals")
    expect(ada.get_by_role("heading", name="Your plan has everything it needs")).to_be_visible()
    plan = Plan.objects.get(student=people.ada, goal_set=goal_set)
    chosen = {pg.goal.title: pg for pg in plan.chosen.select_related("goal")}
    assert set(chosen) == {PLANT, MEASURE, EXPLAIN, POSTER}
    checked(ada, "ada-plan-chosen")

    # the move buttons: the focus comes back to the goal that moved
    press(ada, "button", f"Move “{MEASURE}” earlier")
    expect(ada.get_by_role("button", name=f"Move “{MEASURE}” later")).to_be_focused()
    order = plan_services.plan_order(plan)
    ids = dict(goal_set.goals.values_list("title", "pk"))
    assert order[groups[GROW].pk] == [ids[MEASURE], ids[PLANT]]
    checked(ada, "ada-plan-moved")
    # a goal never goes before the goal it needs: the move is refused, and said
    press(ada, "button", f"Move “{POSTER}” earlier")
    expect(ada.get_by_role("button", name=f"Move “{POSTER}” earlier")).to_be_focused()
    expect(ada.locator(".messages .message-error")).to_be_visible()
    assert plan_services.plan_order(plan)[groups[SHARE].pk] == [ids[EXPLAIN], ids[POSTER]]
    checked(ada, "ada-plan-refused")

    item = ada.locator(f"#goal-{chosen[MEASURE].pk}")
    item.locator("summary").focus()
    ada.keyboard.press("Enter")  # opens "Propose an activity"
    type_into(ada, item.get_by_label("What will you do?"), "Mark the stem on a ruler on Mondays")
    item.get_by_label("On my own").focus()  # the chosen radio takes the focus
    ada.keyboard.press("ArrowDown")  # round to "My teacher"
    ada.keyboard.press("ArrowDown")
    expect(item.get_by_label("My family")).to_be_checked()
    checked(ada, "ada-activity-form")
    enter(ada, item.get_by_label("What will you do?"))
    expect(ada.locator(f"#goal-{chosen[MEASURE].pk}")).to_contain_text(
        "Mark the stem on a ruler on Mondays"
    )
    checked(ada, "ada-activity-added")
    press(ada, "button", "Send my plan to my teacher")
    expect(ada.locator(".messages")).to_contain_text("Your plan is sent to your teacher.")
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    checked(ada, "ada-plan-sent")

    press(ada, "link", PLANT)
    checked(ada, "ada-goal")
    type_into(ada, ada.get_by_label("What did you do?"), DID)
    levels = ada.get_by_role("group", name="Progress")
    levels.get_by_role("radio").first.focus()
    ada.keyboard.press("ArrowDown")  # Developing
    ada.keyboard.press("ArrowDown")  # Secure
    expect(levels.get_by_label("Secure")).to_be_checked()
    type_into(ada, ada.get_by_label("What went well?"), "Both seeds are in the soil.")
    ada.get_by_label("Ask my teacher for feedback").focus()
    ada.keyboard.press("Space")
    expect(ada.get_by_label("Ask my teacher for feedback")).to_be_checked()
    checked(ada, "ada-effort-form")
    press(ada, "button", "Save my effort")
    expect(ada.locator(".messages")).to_contain_text("Your teacher will give you feedback.")
    effort = Effort.objects.get(plan_goal=chosen[PLANT])
    assert effort.is_waiting
    expect(ada.locator(".levels-beside")).to_contain_text("Secure")
    expect(ada.locator(".levels-beside")).to_contain_text("not yet")
    checked(ada, "ada-effort-saved")

    # 3. Ms. Rivera answers from the feedback queue, with the keyboard (htmx swaps the item).
    rivera.goto(f"{url}/goals/staff/queue/")
    expect(rivera.locator(f"#item-effort-{effort.pk}")).to_contain_text(DID)
    checked(rivera, "rivera-queue")
    type_into(rivera, rivera.locator(f"#id_effort-{effort.pk}-comment"), COMMENT)
    rivera.keyboard.press("Tab")  # the first level: "No level", checked
    rivera.keyboard.press("ArrowDown")  # Beginning
    rivera.keyboard.press("ArrowDown")  # Developing
    rivera.locator(f"#item-effort-{effort.pk} button[type=submit]").focus()
    rivera.keyboard.press("Enter")
    status = rivera.locator(f"#item-effort-{effort.pk} [role=status]")
    expect(status).to_contain_text("Your feedback is sent to Ada Okoye.")
    expect(status).to_be_focused()
    # Ada's plan and Leo's still wait for approval
    expect(rivera.locator("#queue-count")).to_have_text(
        "0 efforts wait for feedback · 2 plans wait for approval"
    )
    feedback = EffortFeedback.objects.get(effort=effort)
    assert feedback.comment == COMMENT
    assert feedback.assessment is not None
    assert feedback.assessment.scores.get().level.title == "Developing"  # type: ignore[union-attr]
    checked(rivera, "rivera-queue-answered")

    # 4. Sam, in Spanish, on Ada's page, then on her plan: she encourages Ada on the effort.
    sam = phones.open("sam", f"/family/children/{people.ada.pk}/")
    section = sam.locator("section.gf-family")
    expect(section.get_by_role("heading", name="Metas de aprendizaje")).to_be_visible()
    title = section.locator(".gf-set-title")
    expect(title).to_have_text(SET)
    expect(title).to_have_attribute("lang", "en")  # the teacher's words, in her language
    expect(section.get_by_role("img")).to_have_attribute(
        "aria-label", "0 de 4 metas cumplidas; En curso: 1; Elegida: 3"
    )
    enter(sam, title.get_by_role("link"))
    expect(sam.get_by_role("heading", level=1)).to_contain_text("Plan de Ada")
    card = sam.locator(f"#goal-{chosen[PLANT].pk}")
    expect(card).to_contain_text(DID)
    expect(card).to_contain_text(COMMENT)
    expect(card.locator(".gf-feedback")).to_contain_text("Developing")
    expect(card.locator(".gf-feedback .fam-comment")).to_have_attribute("lang", "en")
    checked(sam, "sam-plan")
    card.locator("summary", has_text="Animar a Ada").focus()
    sam.keyboard.press("Enter")
    about = card.get_by_label("Sobre:", exact=True)
    about.focus()
    sam.keyboard.press("ArrowDown")  # from the goal as a whole to the effort
    expect(about).to_have_value(str(effort.pk))
    type_into(sam, card.get_by_label("Sus palabras de ánimo"), CHEER)
    checked(sam, "sam-encourage-form")
    press(sam, "button", "Enviar las palabras de ánimo")
    expect(sam.locator(".messages")).to_contain_text("Enviado")
    expect(sam.locator(f"#effort-{effort.pk}")).to_contain_text(CHEER)
    checked(sam, "sam-encouraged")
    cheer = Encouragement.objects.get(plan_goal=chosen[PLANT])
    assert (cheer.language, cheer.effort_id, cheer.author_id) == ("es", effort.pk, people.sam.pk)

    # 5. Ada sees her progress, the encouragement, and Ms. Rivera's level beside her own.
    ada.goto(f"{url}/goals/")
    expect(ada.locator("main")).to_contain_text("0 of 4 goals met")
    checked(ada, "ada-goals-progress")
    ada.goto(f"{url}/goals/mine/goals/{chosen[PLANT].pk}/")
    mine = ada.locator(f"#effort-{effort.pk}")
    expect(mine.locator("blockquote[lang=es]")).to_have_text(CHEER)
    expect(mine.locator(".effort-feedback")).to_contain_text(COMMENT)
    expect(mine.locator(".level-mine")).to_contain_text("Secure")
    expect(mine.locator(".level-teacher")).to_contain_text("Developing")
    checked(ada, "ada-encouraged")

    # 6. Jordan (classwork only, now) sees nothing of Leo's goals.
    jordan = phones.open("jordan", "/")
    assert science.title not in main_text(jordan)  # nothing on his home page either
    jordan.goto(f"{url}/family/children/{people.leo.pk}/")
    assert jordan.locator("section.gf-family").count() == 0
    assert "Learning goals" not in main_text(jordan)
    assert science.title not in main_text(jordan)
    checked(jordan, "jordan-child-leo")
    leo = people.leo.pk
    paths = ["/goals/family/", f"/goals/family/{leo}/", f"/goals/family/{leo}/sets/{science.pk}/"]
    not_found(jordan, url, paths, "jordan", (science.title,))

    # 7. Eve, at another district, sees nothing of the set, of Ada or of her plan.
    eve = phones.open("eve", "/")
    assert "Ada" not in main_text(eve)
    paths = [
        f"/goals/family/{people.ada.pk}/",
        f"/goals/family/{people.ada.pk}/sets/{goal_set.pk}/",
        f"/goals/sets/{goal_set.pk}/",
        f"/goals/mine/goals/{chosen[PLANT].pk}/",
        "/goals/staff/",
        f"/goals/staff/sets/{goal_set.pk}/",
        f"/goals/staff/sets/{goal_set.pk}/overview/",
        f"/goals/staff/plans/{plan.pk}/",
        f"/goals/staff/efforts/{effort.pk}/feedback/",
        "/goals/staff/queue/",
    ]
    not_found(eve, url, paths, "eve", (SET, "Ada", PLANT, COMMENT, CHEER))

    assert phones.errors == []
