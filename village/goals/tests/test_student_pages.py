"""The student's goal pages as Ada uses them: her goal sets, choosing optional goals, putting
them in order with the buttons (the focus stays on the goal moved) or by dragging, proposing
activities, sending the plan, reporting efforts with her level on the rubric, reading Ms.
Rivera's feedback beside her own level and her family's encouragement, asking for help at home.

Bad input gets a message naming the field or the goal, and changes nothing. The three main
pages take the same number of queries however many goals and efforts there are.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import ModuleData, each_test
from tests.authorization import client_for
from village.accounts.models import User
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.classwork.tests.test_student_support import EXE, PDF, media_root, upload
from village.community.models import Enrollment
from village.demo.personas import Personas
from village.goals.models import Activity, Effort, GoalKind, HelpRequest, Plan, PlanState
from village.goals.services import efforts, family, plans, sets
from village.goals.services.sets import GoalFields, SetFields
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]


def english(user: User) -> User:
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def main_of(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def order_titles(plan: Plan, goals: Goals, group: str) -> list[str]:
    ids = plans.plan_order(plan)[goals.weather.groups[group].pk]
    titles = {goal.pk: name for name, goal in goals.weather.goals.items()}
    return [titles[goal_id] for goal_id in ids]


def body(response: Any) -> bytes:
    """A file download's content (a streaming answer)."""
    return b"".join(response.streaming_content)


def effort_post(goal_set: Any, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"done": "I measured the temperature at 8 and at 12."}
    data.update({f"criterion_{c}": level for c, level in levels(goal_set).items()})
    data.update(fields)
    return data


def _build(personas: Personas) -> Goals:
    return Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))


@pytest.fixture(scope="module")
def _goals(module_data: ModuleData | None) -> Goals | None:
    """Ms. Rivera's set, built once for the module (Ada's plan, ``ada``, is each test's own)."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def goals(personas: Personas, _goals: Goals | None) -> Goals:
    """The goals tests' set (``village.goals.tests.conftest``), shared by the module's tests."""
    return each_test(_goals, personas, _build)


@pytest.fixture
def ada_client(goals: Goals) -> Client:
    return client_for(english(goals.people.ada))


# --- the goals home ---------------------------------------------------------------------------


def test_ada_sees_her_classs_goal_set_before_she_starts(goals: Goals, ada_client: Client) -> None:
    response = ada_client.get("/goals/")
    assert response.status_code == 200
    html = main_of(response)
    assert "Weather and the water cycle" in html
    assert "Not started" in html
    assert f'href="/goals/sets/{goals.weather.goal_set.pk}/"' in html


def test_the_goals_home_counts_ada_s_goals_by_state(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    efforts.effort_record(
        plan_goal=cycle, levels=levels(ada.goal_set), done="Drew it", ask_feedback=True
    )
    effort = Effort.objects.get(plan_goal=cycle)
    efforts.feedback_give(
        effort=effort, teacher=goals.people.rivera, comment="Yes!", confirms_met=True
    )
    efforts.effort_record(
        plan_goal=plan_goal(ada, goals.weather.goals["measure"]),
        levels=levels(ada.goal_set),
        done="Measured",
        ask_feedback=True,
    )
    html = main_of(ada_client.get("/goals/"))
    assert "1 of 7 goals met" in html
    assert "Waiting for the teacher" in html
    assert 'role="img"' in html  # the goals drawn by state, labelled in words
    counts = re.sub(r"<[^>]+>", "", html[html.index('class="state-counts"') :])
    assert "Met: 1" in counts
    assert "Asked for feedback: 1" in counts
    assert "Chosen: 5" in counts


def test_a_student_who_left_the_class_no_longer_sees_its_set(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    Enrollment.objects.filter(user=goals.people.ada).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "Weather and the water cycle" not in main_of(ada_client.get("/goals/"))
    assert ada_client.get(f"/goals/sets/{ada.goal_set_id}/").status_code == 404
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    assert ada_client.get(f"/goals/mine/goals/{cycle.pk}/").status_code == 404


def test_staff_and_families_are_sent_to_their_own_goal_pages(goals: Goals) -> None:
    assert client_for(goals.people.rivera).get("/goals/")["Location"] == "/goals/staff/"
    assert client_for(goals.people.sam).get("/goals/")["Location"] == "/goals/family/"
    assert client_for(goals.people.library).get("/goals/").status_code == 404


# --- the plan ---------------------------------------------------------------------------------


def test_the_first_visit_starts_a_draft_with_every_core_goal_and_says_what_is_missing(
    goals: Goals, ada_client: Client
) -> None:
    response = ada_client.get(f"/goals/sets/{goals.weather.goal_set.pk}/")
    assert response.status_code == 200
    plan = Plan.objects.get(student=goals.people.ada)
    assert plan.state == PlanState.DRAFT
    assert order_titles(plan, goals, "observing") == ["measure", "thermometer", "record"]
    html = main_of(response)
    assert "Before you send your plan" in html
    rules = html[html.index("Before you send your plan") : html.index("Choose optional goals")]
    assert "<span>Observing weather</span>: Choose at least 1 optional goal in this group." in rules
    assert "<span>The water cycle</span>: Choose at least 1 optional goal in this group." in rules
    assert 'Move<span class="visually-hidden"> “Keep a weather log for two weeks”</span>' in html


def test_ada_chooses_optional_goals_and_they_come_after_what_they_need(
    goals: Goals, ada_client: Client
) -> None:
    url = f"/goals/sets/{goals.weather.goal_set.pk}/choose/"
    page = ada_client.get(url)
    assert page.status_code == 200
    assert "<legend" in main_of(page)
    g, groups = goals.weather.goals, goals.weather.groups
    response = ada_client.post(
        url,
        {
            f"group_{groups['observing'].pk}": [g["clouds"].pk],
            f"group_{groups['water'].pk}": [g["model"].pk],
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(student=goals.people.ada)
    assert order_titles(plan, goals, "observing") == ["measure", "thermometer", "record", "clouds"]
    assert order_titles(plan, goals, "water") == ["cycle", "model"]
    html = main_of(ada_client.get(response["Location"]))
    assert "Your plan has everything it needs" in html


def test_changing_the_goals_of_an_approved_plan_sends_it_back_to_the_teacher(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    plans.plan_decide(plan=ada, teacher=goals.people.rivera, approve=True)
    g, groups = goals.weather.goals, goals.weather.groups
    response = ada_client.post(
        f"/goals/sets/{ada.goal_set_id}/choose/",
        {
            f"group_{groups['observing'].pk}": [g["clouds"].pk, g["wind"].pk],
            f"group_{groups['water'].pk}": [g["model"].pk],
        },
    )
    assert messages_of(response) == [
        "Your goals are saved. Your plan went back to your teacher to look at again."
    ]
    ada.refresh_from_db()
    assert ada.state == PlanState.SUBMITTED
    html = main_of(ada_client.get(f"/goals/sets/{ada.goal_set_id}/"))
    assert "0 of 8 goals met" in html


def test_too_few_optional_goals_are_refused_naming_the_group_and_nothing_changes(
    goals: Goals, ada_client: Client
) -> None:
    g, groups = goals.weather.goals, goals.weather.groups
    url = f"/goals/sets/{goals.weather.goal_set.pk}/choose/"
    ada_client.post(
        url,
        {
            f"group_{groups['observing'].pk}": [g["clouds"].pk],
            f"group_{groups['water'].pk}": [g["rain"].pk],
        },
    )
    plan = Plan.objects.get(student=goals.people.ada)
    before = plans.plan_order(plan)
    response = ada_client.post(url, {f"group_{groups['water'].pk}": [g["rain"].pk]})
    assert response.status_code == 400
    html = main_of(response)
    assert "There is a problem" in html
    assert "Observing weather: Choose at least 1 optional goal in this group." in html
    assert plans.plan_order(plan) == before


def test_the_move_buttons_order_the_goals_and_the_focus_returns_to_the_goal(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    record = plan_goal(ada, goals.weather.goals["record"])
    response = ada_client.post(f"/goals/mine/goals/{record.pk}/move/", {"step": "-1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?moved={record.pk}&step=-1")
    assert order_titles(ada, goals, "observing") == ["measure", "record", "thermometer", "clouds"]
    assert messages_of(response) == [
        "“Keep a weather log for two weeks” is now number 2 of 4 in “Observing weather”."
    ]
    html = main_of(ada_client.get(response["Location"]))
    focused = re.findall(r"<button[^>]*autofocus[^>]*>.*?</button>", html, re.S)
    assert len(focused) == 1
    assert "move-earlier" in focused[0]
    assert "“Keep a weather log for two weeks”" in focused[0]


def test_the_focus_moves_to_the_other_button_when_a_goal_reaches_the_top(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    thermometer = plan_goal(ada, goals.weather.goals["thermometer"])
    response = ada_client.post(f"/goals/mine/goals/{thermometer.pk}/move/", {"step": "-1"})
    html = main_of(ada_client.get(response["Location"]))
    [focused] = re.findall(r"<button[^>]*autofocus[^>]*>", html)
    assert "move-later" in focused


def test_a_move_before_a_prerequisite_is_refused_naming_both_goals(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    model = plan_goal(ada, goals.weather.goals["model"])
    response = ada_client.post(f"/goals/mine/goals/{model.pk}/move/", {"step": "-1"})
    assert response.status_code == 302
    assert messages_of(response) == [
        "“Build a water-cycle model in a jar” needs “Explain the water cycle” first: put it later."
    ]
    assert order_titles(ada, goals, "water") == ["cycle", "model"]


def test_dragging_sends_the_groups_order_and_hears_where_the_goal_is_now(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    g = goals.weather.goals
    group = goals.weather.groups["observing"]
    url = f"/goals/sets/{ada.goal_set_id}/groups/{group.pk}/order/"
    wished = [g["clouds"], g["measure"], g["thermometer"], g["record"]]
    response = ada_client.post(
        url,
        {"goal": [goal.pk for goal in wished], "moved": g["clouds"].pk},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "message": "“Name the main kinds of cloud” is now number 1 of 4 in “Observing weather”."
    }
    assert order_titles(ada, goals, "observing") == ["clouds", "measure", "thermometer", "record"]


def test_a_dragged_order_breaking_a_rule_is_refused_and_put_back(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    g = goals.weather.goals
    group = goals.weather.groups["water"]
    url = f"/goals/sets/{ada.goal_set_id}/groups/{group.pk}/order/"
    response = ada_client.post(
        url, {"goal": [g["model"].pk, g["cycle"].pk]}, headers={"accept": "application/json"}
    )
    assert response.status_code == 400
    assert "needs “Explain the water cycle” first" in response.json()["message"]
    assert order_titles(ada, goals, "water") == ["cycle", "model"]
    missing = ada_client.post(
        url, {"goal": [g["cycle"].pk]}, headers={"accept": "application/json"}
    )
    assert missing.status_code == 400
    assert order_titles(ada, goals, "water") == ["cycle", "model"]


def test_an_order_sent_by_a_form_returns_to_the_plan(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    g = goals.weather.goals
    group = goals.weather.groups["sharing"]
    url = f"/goals/sets/{ada.goal_set_id}/groups/{group.pk}/order/"
    response = ada_client.post(url, {"goal": [g["present"].pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#group-{group.pk}")
    assert messages_of(response) == ["The new order is saved."]


def test_another_sets_group_cannot_be_ordered(goals: Goals, ada: Plan, ada_client: Client) -> None:
    other = weather_set(goals.people.other_class, goals.people.stone)
    group = other.groups["sharing"]
    url = f"/goals/sets/{ada.goal_set_id}/groups/{group.pk}/order/"
    assert ada_client.post(url, {"goal": []}).status_code == 404


def test_another_sets_group_starts_no_plan_before_it_is_refused(
    goals: Goals, ada_client: Client
) -> None:
    """A group of another set of her class in this set's address is a 404 that writes
    nothing: Ada has no plan for either set afterwards."""
    other = weather_set(goals.people.homeroom5, goals.people.rivera)
    group = other.groups["sharing"]
    url = f"/goals/sets/{goals.weather.goal_set.pk}/groups/{group.pk}/order/"
    assert ada_client.post(url, {"goal": [other.goals["present"].pk]}).status_code == 404
    assert not Plan.objects.filter(student=goals.people.ada).exists()


def test_ids_that_are_not_plain_digits_are_ignored_not_a_server_error(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    """ "²" is a digit to ``str.isdigit`` and no number to ``int``: typed into the address or a
    form, it counts as no id at all."""
    g = goals.weather.goals
    group = goals.weather.groups["sharing"]
    plan_page = f"/goals/sets/{ada.goal_set_id}/"
    assert ada_client.get(f"{plan_page}?moved=²&step=-1").status_code == 200
    url = f"{plan_page}groups/{group.pk}/order/"
    json = {"accept": "application/json"}
    ordered = ada_client.post(url, {"goal": ["²", g["present"].pk]}, headers=json)
    assert ordered.status_code == 200  # the "²" is left out: the group's one goal is in order
    saved = ada_client.post(url, {"goal": [g["present"].pk], "moved": "²"}, headers=json)
    assert saved.json() == {"message": "The new order is saved."}
    assert order_titles(ada, goals, "sharing") == ["present"]


def test_a_plan_missing_goals_is_not_sent_and_the_page_says_why(
    goals: Goals, ada_client: Client
) -> None:
    ada_client.get(f"/goals/sets/{goals.weather.goal_set.pk}/")
    response = ada_client.post(f"/goals/sets/{goals.weather.goal_set.pk}/send/")
    assert response.status_code == 400
    html = main_of(response)
    assert "Your plan was not sent" in html
    assert "Choose at least 1 optional goal in this group." in html
    assert Plan.objects.get(student=goals.people.ada).state == PlanState.DRAFT


def test_ada_sends_her_plan_and_reads_the_teachers_note_when_a_change_is_asked(
    goals: Goals, ada_client: Client
) -> None:
    plan = ada_plan(goals.people, goals.weather, send=False)
    response = ada_client.post(f"/goals/sets/{plan.goal_set_id}/send/")
    assert response.status_code == 302
    assert messages_of(response) == ["Your plan is sent to your teacher."]
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    plans.plan_decide(
        plan=plan, teacher=goals.people.rivera, approve=False, note="Add a goal on rain."
    )
    html = main_of(ada_client.get(f"/goals/sets/{plan.goal_set_id}/"))
    assert "Your teacher asks for a change" in html
    assert "Add a goal on rain." in html
    assert "Send my plan to my teacher" in html


def test_a_set_that_approves_by_itself_approves_the_plan_on_sending(goals: Goals) -> None:
    people = goals.people
    auto = weather_set(people.homeroom5, people.rivera, auto_approve=True)
    plan = plans.plan_start(goal_set=auto.goal_set, student=people.maya)
    plans.plan_choose(
        plan=plan,
        order=auto.order("measure", "thermometer", "record", "wind", "cycle", "rain", "present"),
    )
    response = client_for(english(people.maya)).post(f"/goals/sets/{auto.goal_set.pk}/send/")
    assert messages_of(response) == ["Your plan is approved. Open a goal to start working on it."]
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED


def test_when_the_set_is_closed_the_plan_shows_but_no_longer_changes(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    goal_set = ada.goal_set
    sets.goal_set_update(
        goal_set=goal_set,
        fields=SetFields(
            title=goal_set.title,
            opens_on=goal_set.opens_on,
            closes_on=timezone.localdate() - dt.timedelta(days=1),
        ),
    )
    html = main_of(ada_client.get(f"/goals/sets/{goal_set.pk}/"))
    assert "Explain the water cycle" in html
    assert "move-earlier" not in html
    assert "plan.js" not in html
    record = plan_goal(ada, goals.weather.goals["record"])
    assert (
        ada_client.post(f"/goals/mine/goals/{record.pk}/move/", {"step": "-1"}).status_code == 403
    )
    assert ada_client.post(f"/goals/sets/{goal_set.pk}/choose/", {}).status_code == 403


# --- activities -------------------------------------------------------------------------------


def test_ada_proposes_an_activity_and_removes_it(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    clouds = plan_goal(ada, goals.weather.goals["clouds"])
    prefix = f"activity-{clouds.pk}"
    response = ada_client.post(
        f"/goals/mine/goals/{clouds.pk}/activities/",
        {
            f"{prefix}-text": "Photograph the sky every morning",
            f"{prefix}-link": "example.org/clouds",
            f"{prefix}-ask": "family",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#goal-{clouds.pk}")
    activity = Activity.objects.get(plan_goal=clouds)
    assert (activity.text, activity.link, activity.ask) == (
        "Photograph the sky every morning",
        "https://example.org/clouds",
        "family",
    )
    html = main_of(ada_client.get(response["Location"]))
    assert "Photograph the sky every morning" in html
    assert "My family" in html
    removed = ada_client.post(f"/goals/mine/goals/{clouds.pk}/activities/{activity.pk}/remove/")
    assert removed.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_an_activity_without_words_is_refused_on_its_goal(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    clouds = plan_goal(ada, goals.weather.goals["clouds"])
    prefix = f"activity-{clouds.pk}"
    response = ada_client.post(
        f"/goals/mine/goals/{clouds.pk}/activities/",
        {f"{prefix}-text": "  ", f"{prefix}-ask": "myself"},
    )
    assert response.status_code == 400
    html = main_of(response)
    assert "What will you do?: Say what you will do." in html
    # the form shows open, inside the goal it is about
    goal_item = html[html.index(f'id="goal-{clouds.pk}"') :]
    assert goal_item.index("Say what you will do.") < goal_item.index("</li>")
    assert not Activity.objects.exists()


def test_another_students_activity_cannot_be_removed(goals: Goals, ada: Plan) -> None:
    clouds = plan_goal(ada, goals.weather.goals["clouds"])
    activity = plans.activity_add(plan_goal=clouds, text="Look up")
    maya = client_for(goals.people.maya)
    url = f"/goals/mine/goals/{clouds.pk}/activities/{activity.pk}/remove/"
    assert maya.post(url).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


# --- one goal: efforts, feedback, encouragement, help at home ---------------------------------


def test_ada_records_an_effort_with_her_level_and_asks_for_feedback(
    goals: Goals, ada: Plan, ada_client: Client, media_root: Path
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    page = ada_client.get(f"/goals/mine/goals/{cycle.pk}/")
    html = main_of(page)
    assert 'enctype="multipart/form-data"' in html
    assert "I can do it on my own." in html  # the level's description beside its radio button
    data = effort_post(ada.goal_set, ask_feedback="on", went_well="The drawing")
    data["file"] = upload("cycle.pdf", PDF)
    response = ada_client.post(f"/goals/mine/goals/{cycle.pk}/efforts/", data)
    assert response.status_code == 302
    assert messages_of(response) == ["Your effort is saved. Your teacher will give you feedback."]
    effort = Effort.objects.get(plan_goal=cycle)
    assert effort.is_waiting
    assert effort.file_name == "cycle.pdf"
    html = main_of(ada_client.get(f"/goals/mine/goals/{cycle.pk}/"))
    assert "Waiting for feedback" in html
    assert f'href="/goals/efforts/{effort.pk}/file/"' in html
    download = ada_client.get(f"/goals/efforts/{effort.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert body(download).startswith(b"%PDF")


def test_an_effort_without_a_level_is_refused_naming_the_criterion(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    data = effort_post(ada.goal_set)
    data = {key: value for key, value in data.items() if not key.startswith("criterion_")}
    response = ada_client.post(f"/goals/mine/goals/{cycle.pk}/efforts/", data)
    assert response.status_code == 400
    assert "Progress: Choose your level for “Progress”." in main_of(response)
    assert not Effort.objects.exists()


def test_a_bad_file_is_refused_naming_the_file_and_nothing_is_kept(
    goals: Goals, ada: Plan, ada_client: Client, media_root: Path
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    data = effort_post(ada.goal_set, file=upload("game.exe", EXE))
    response = ada_client.post(f"/goals/mine/goals/{cycle.pk}/efforts/", data)
    assert response.status_code == 400
    html = main_of(response)
    assert "File: " in html
    assert "If you had chosen a file, choose it again." not in html
    assert not Effort.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_an_effort_on_a_draft_plan_waits_until_the_plan_is_sent(
    goals: Goals, ada_client: Client
) -> None:
    plan = ada_plan(goals.people, goals.weather, send=False)
    cycle = plan_goal(plan, goals.weather.goals["cycle"])
    assert "Send your plan to your teacher first" in main_of(
        ada_client.get(f"/goals/mine/goals/{cycle.pk}/")
    )
    response = ada_client.post(f"/goals/mine/goals/{cycle.pk}/efforts/", effort_post(plan.goal_set))
    assert response.status_code == 400
    assert "Send your plan to your teacher first, then report your efforts." in main_of(response)
    assert not Effort.objects.exists()


def test_i_think_i_met_it_is_a_request_only_the_teacher_confirms(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    ada_client.post(
        f"/goals/mine/goals/{cycle.pk}/efforts/", effort_post(ada.goal_set, think_met="on")
    )
    cycle.refresh_from_db()
    assert cycle.met_asked_at is not None
    assert cycle.met_at is None
    html = main_of(ada_client.get(f"/goals/mine/goals/{cycle.pk}/"))
    assert "You said you think you have met this goal. Your teacher will decide." in html


def two_criteria(goals: Goals) -> None:
    """The set's self-reports on a rubric of two criteria (before any effort)."""
    goal_set = goals.weather.goal_set
    rubric = rubric_create(
        title="Science work",
        school_class=goals.people.homeroom5,
        criteria=[
            CriterionSpec(
                "Observing",
                [
                    LevelSpec("Careful", Decimal(2), "I notice small changes."),
                    LevelSpec("Starting", Decimal(1), "I notice big changes."),
                ],
            ),
            CriterionSpec(
                "Explaining",
                [
                    LevelSpec("Clear", Decimal(2), "Others understand me."),
                    LevelSpec("Unclear", Decimal(1), "I am not sure yet."),
                ],
            ),
        ],
    )
    sets.goal_set_update(
        goal_set=goal_set,
        fields=SetFields(
            title=goal_set.title,
            opens_on=goal_set.opens_on,
            closes_on=goal_set.closes_on,
            rubric=rubric,
        ),
    )


def test_the_teachers_level_shows_beside_ada_s_own_on_every_criterion(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    two_criteria(goals)
    ada.goal_set.refresh_from_db()
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    mine = levels(ada.goal_set, best=True)
    effort = efforts.effort_record(plan_goal=cycle, levels=mine, done="Drew it", ask_feedback=True)
    efforts.feedback_give(
        effort=effort,
        teacher=goals.people.rivera,
        comment="Label the arrows.",
        levels=levels(ada.goal_set),
    )
    html = main_of(ada_client.get(f"/goals/mine/goals/{cycle.pk}/"))
    beside = html[html.index('class="levels-beside"') :]
    beside = beside[: beside.index("</dl>")]
    rows = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd>(.*?)</dd>", beside, re.S)
    found = {criterion: re.sub(r"<[^>]+>|\s+", " ", cells).split() for criterion, cells in rows}
    assert found == {
        "Observing": ["You:", "Careful", "Your", "teacher:", "Starting"],
        "Explaining": ["You:", "Clear", "Your", "teacher:", "Unclear"],
    }
    assert "Label the arrows." in html
    assert "Feedback from Elena Rivera" in html


def test_family_encouragement_is_marked_with_its_language(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="¡Qué orgullo, Ada!", language="es"
    )
    hidden = family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="Hidden words", language="en"
    )
    family.encouragement_hide(encouragement=hidden, teacher=goals.people.rivera)
    html = main_of(ada_client.get(f"/goals/mine/goals/{cycle.pk}/"))
    assert '<blockquote lang="es"><p>¡Qué orgullo, Ada!</p></blockquote>' in html
    assert "Hidden words" not in html


def test_ada_asks_her_family_for_help_and_reads_the_answer(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    rain = plan_goal(ada, goals.weather.goals["model"])
    url = f"/goals/mine/goals/{rain.pk}/help/"
    empty = ada_client.post(url, {"help-text": " "})
    assert empty.status_code == 400
    assert "I need help at home with…: Say what you need help with." in main_of(empty)
    assert not HelpRequest.objects.exists()
    response = ada_client.post(url, {"help-text": "Finding a big glass jar"})
    assert response.status_code == 302
    assert response["Location"].endswith("#help")
    family.help_answer(
        request=HelpRequest.objects.get(), guardian=goals.people.sam, answer="Mañana buscamos uno."
    )
    html = main_of(ada_client.get(f"/goals/mine/goals/{rain.pk}/"))
    assert "Finding a big glass jar" in html
    assert "Mañana buscamos uno." in html


# --- Spanish ----------------------------------------------------------------------------------


def test_the_plan_page_reads_in_spanish_with_the_teachers_words_marked_english(
    goals: Goals, ada: Plan
) -> None:
    ada_user = goals.people.ada
    ada_user.preferred_language = "es"
    ada_user.save(update_fields=["preferred_language"])
    html = main_of(client_for(ada_user).get(f"/goals/sets/{ada.goal_set_id}/"))
    assert "Mis metas" in html
    assert "Esperando al maestro o la maestra" in html
    log = "Keep a weather log for two weeks"
    # The hidden name is Spanish; the teacher's title inside it is marked English.
    assert (
        f'Mover<span class="visually-hidden"> «<span lang="en">{log}</span>»</span> antes' in html
    )
    assert '<h1 class="page-title" lang="en">Weather and the water cycle</h1>' in html


# --- queries ----------------------------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def grow(goals: Goals, plan: Plan, names: tuple[str, ...], tries: int, extra: int = 0) -> None:
    """More goals (core: in every plan), activities, efforts with feedback, encouragement and
    requests for help."""
    for number in range(extra):
        sets.goal_add(
            group=goals.weather.groups["sharing"],
            fields=GoalFields(title=f"Extra goal {number}", kind=GoalKind.CORE),
        )
    for name in names:
        chosen = plan_goal(plan, goals.weather.goals[name])
        plans.activity_add(plan_goal=chosen, text=f"Practise {name}")
        family.help_ask(plan_goal=chosen, text="A ruler")
        for number in range(tries):
            effort = efforts.effort_record(
                plan_goal=chosen,
                levels=levels(plan.goal_set),
                done=f"Try {number}",
                ask_feedback=True,
            )
            efforts.feedback_give(
                effort=effort,
                teacher=goals.people.rivera,
                comment="Good",
                levels=levels(plan.goal_set, best=True),
            )
            family.encouragement_add(
                plan_goal=chosen, guardian=goals.people.sam, text="Bravo", language="es"
            )


def test_the_pages_take_the_same_queries_however_many_goals_and_efforts(
    goals: Goals, ada: Plan, ada_client: Client
) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    urls = ["/goals/", f"/goals/sets/{ada.goal_set_id}/", f"/goals/mine/goals/{cycle.pk}/"]
    grow(goals, ada, ("cycle",), tries=1)
    before = [count_queries(ada_client, url) for url in urls]
    grow(goals, ada, ("cycle", "measure", "clouds"), tries=3, extra=3)
    weather_set(goals.people.homeroom5, goals.people.rivera)  # a second set on the home page
    assert [count_queries(ada_client, url) for url in urls[1:]] == before[1:]
    assert count_queries(ada_client, urls[0]) == before[0]


def test_a_sent_plan_shows_the_students_path_as_a_picture_with_a_text_alternative(
    goals: Goals, ada: Plan
) -> None:
    response = client_for(goals.people.ada).get(f"/goals/sets/{ada.goal_set_id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in page
    assert "Your path through “Weather and the water cycle”" in page
    assert "Explain the water cycle" in page.split('role="img"', 1)[1]
