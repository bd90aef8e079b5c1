"""The teacher's review pages: the feedback queue (answered with and without htmx), the class
overview (picture, table, filters, printout), one student's plan, and the answers (feedback,
a plan's decision, a goal met, an encouragement hidden). Bad input is refused naming the
field and changes nothing; every student shown is audited in one insert; the queue, the
overview and the plan page read a fixed number of queries whatever the class's size."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import ModuleData, each_test
from tests.authorization import client_for
from village.classwork.models import AssessmentKind, RubricLevel
from village.community import services as community
from village.community.models import Enrollment, EnrollmentRole
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.goals.models import Effort, EffortFeedback, Encouragement, Plan, PlanState
from village.goals.services import efforts, family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set
from village.goals.tests.test_overview import more_students

pytestmark = pytest.mark.django_db


def _build(personas: Personas) -> tuple[Goals, Plan]:
    goals = Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))
    return goals, ada_plan(personas, goals.weather)


@pytest.fixture(scope="module")
def _world(module_data: ModuleData | None) -> tuple[Goals, Plan] | None:
    """Ms. Rivera's set and Ada's plan, sent, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def world(personas: Personas, _world: tuple[Goals, Plan] | None) -> tuple[Goals, Plan]:
    return each_test(_world, personas, _build)


@pytest.fixture
def goals(world: tuple[Goals, Plan]) -> Goals:
    """The goals tests' set (``village.goals.tests.conftest``), shared by the module's tests."""
    return world[0]


@pytest.fixture
def ada(world: tuple[Goals, Plan]) -> Plan:
    """Ada's plan, sent (``village.goals.tests.conftest``), shared by the module's tests."""
    return world[1]


HTMX = {"HX-Request": "true"}


def _asked(goals: Goals, plan: Plan, name: str = "cycle", **kwargs: Any) -> Effort:
    """An effort of Ada's on the goal ``name``, asking for feedback."""
    return efforts.effort_record(
        plan_goal=plan_goal(plan, goals.weather.goals[name]),
        levels=levels(plan.goal_set),
        done=f"Worked on {name}",
        ask_feedback=True,
        **kwargs,
    )


def _maya_sends(goals: Goals) -> Plan:
    plan = plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.maya)
    plans.plan_choose(
        plan=plan,
        order=goals.weather.order(
            "measure", "thermometer", "record", "wind", "cycle", "rain", "present"
        ),
    )
    plans.plan_submit(plan=plan)
    return plan


def _level(plan: Plan, title: str) -> RubricLevel:
    return RubricLevel.objects.get(criterion__rubric=plan.goal_set.rubric, title=title)


def _feedback_data(effort: Effort, **fields: str) -> dict[str, str]:
    return {f"effort-{effort.pk}-{name}": value for name, value in fields.items()}


def text_of(html: str) -> str:
    """The page's words, without tags and with spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_lists_efforts_and_plans_waiting_the_oldest_first(
    goals: Goals, ada: Plan
) -> None:
    effort = _asked(goals, ada)
    maya = _maya_sends(goals)
    html = client_for(goals.people.rivera).get("/goals/staff/queue/").content.decode()
    assert "1 effort waits for feedback · 2 plans wait for approval" in text_of(html)
    places = [
        html.index(f'id="item-plan-{ada.pk}"'),
        html.index(f'id="item-effort-{effort.pk}"'),
        html.index(f'id="item-plan-{maya.pk}"'),
    ]
    assert places == sorted(places)
    assert f'name="effort-{effort.pk}-comment"' in html
    assert f'name="plan-{maya.pk}-decision" value="approve"' in html


def test_answering_from_the_queue_keeps_the_teachers_level_beside_the_students(
    goals: Goals, ada: Plan
) -> None:
    effort = _asked(goals, ada)
    developing = _level(ada, "Developing")
    data = _feedback_data(
        effort,
        comment="Label the arrows.",
        back="queue",
        **{f"criterion_{developing.criterion_id}": str(developing.pk)},
    )
    client = client_for(goals.people.rivera)
    response = client.post(f"/goals/staff/efforts/{effort.pk}/feedback/", data)
    assert response.status_code == 302
    assert response["Location"] == "/goals/staff/queue/"
    feedback = EffortFeedback.objects.get(effort=effort)
    assert feedback.comment == "Label the arrows."
    assert feedback.assessment is not None
    assert feedback.assessment.kind == AssessmentKind.TEACHER
    assert feedback.assessment.scores.get().level == developing
    effort.refresh_from_db()
    assert effort.answered_at is not None
    assert effort.self_assessment.scores.get().level.title == "Beginning"  # type: ignore[union-attr]
    assert f"item-effort-{effort.pk}" not in client.get("/goals/staff/queue/").content.decode()


def test_an_answer_sent_with_htmx_replaces_the_item_and_takes_the_focus(
    goals: Goals, ada: Plan
) -> None:
    effort = _asked(goals, ada)
    response = client_for(goals.people.rivera).post(
        f"/goals/staff/efforts/{effort.pk}/feedback/",
        _feedback_data(effort, comment="Well done.", back="queue"),
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li class="queue-item" id="item-effort-{effort.pk}">' in html
    assert 'role="status" tabindex="-1" autofocus' in html
    assert "Your feedback is sent to Ada Okoye." in html
    assert 'id="queue-count" hx-swap-oob="true"' in html
    assert "0 efforts wait for feedback" in text_of(html)


def test_feedback_without_a_comment_is_refused_naming_the_field(goals: Goals, ada: Plan) -> None:
    effort = _asked(goals, ada)
    response = client_for(goals.people.rivera).post(
        f"/goals/staff/efforts/{effort.pk}/feedback/",
        _feedback_data(effort, comment="   ", back="queue"),
    )
    assert response.status_code == 200
    summary = text_of(response.content.decode())
    assert "There is a problem" in summary
    assert "Your feedback: Write your feedback." in summary
    assert not EffortFeedback.objects.exists()
    effort.refresh_from_db()
    assert effort.is_waiting


def test_a_level_not_on_the_rubric_is_refused_naming_the_criterion(goals: Goals, ada: Plan) -> None:
    effort = _asked(goals, ada)
    criterion = ada.goal_set.rubric.criteria.get()
    other = goals.weather.goal_set  # another set's rubric: a level that is not this one's
    foreign = RubricLevel.objects.exclude(criterion__rubric=other.rubric).first()
    for level in [str(foreign.pk) if foreign else "987654", "987654", "not-a-level"]:
        response = client_for(goals.people.rivera).post(
            f"/goals/staff/efforts/{effort.pk}/feedback/",
            _feedback_data(effort, comment="Good.", **{f"criterion_{criterion.pk}": level}),
            headers=HTMX,
        )
        html = text_of(response.content.decode())
        assert "Your level: Progress: Choose one of the levels of “Progress”." in html, level
    assert not EffortFeedback.objects.exists()


def test_feedback_may_confirm_the_goal_met(goals: Goals, ada: Plan) -> None:
    effort = _asked(goals, ada, think_met=True)
    client_for(goals.people.rivera).post(
        f"/goals/staff/efforts/{effort.pk}/feedback/",
        _feedback_data(effort, comment="Met!", confirms_met="on", back="plan"),
    )
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    assert cycle.met_at is not None
    assert cycle.met_by == goals.people.rivera


def test_the_feedback_page_shows_the_effort_and_the_family(goals: Goals, ada: Plan) -> None:
    effort = _asked(goals, ada)
    family.encouragement_add(
        plan_goal=effort.plan_goal,
        guardian=goals.people.sam,
        text="¡Muy bien!",
        language="es",
        effort=effort,
    )
    html = client_for(goals.people.rivera).get(f"/goals/staff/efforts/{effort.pk}/feedback/")
    page = html.content.decode()
    assert "Worked on cycle" in page
    assert '<li id="encouragement-' in page
    assert 'lang="es"' in page
    assert "¡Muy bien!" in page


# --- plans ------------------------------------------------------------------------------------


def test_approving_a_plan_from_the_queue(goals: Goals, ada: Plan) -> None:
    response = client_for(goals.people.rivera).post(
        f"/goals/staff/plans/{ada.pk}/decide/",
        {f"plan-{ada.pk}-decision": "approve", f"plan-{ada.pk}-back": "queue"},
        headers=HTMX,
    )
    assert "Ada Okoye's plan is approved." in text_of(response.content.decode())
    ada.refresh_from_db()
    assert ada.state == PlanState.APPROVED
    assert ada.decided_by == goals.people.rivera


def test_asking_for_a_change_needs_a_note_and_changes_nothing_without_one(
    goals: Goals, ada: Plan
) -> None:
    client = client_for(goals.people.rivera)
    path = f"/goals/staff/plans/{ada.pk}/decide/"
    response = client.post(path, {f"plan-{ada.pk}-decision": "change"})
    assert response.status_code == 200
    assert "Note to the student: Say what to change." in text_of(response.content.decode())
    ada.refresh_from_db()
    assert ada.state == PlanState.SUBMITTED
    response = client.post(
        path,
        {
            f"plan-{ada.pk}-decision": "change",
            f"plan-{ada.pk}-note": "Add one goal about rain.",
            f"plan-{ada.pk}-back": "plan",
        },
    )
    assert response["Location"] == f"/goals/staff/plans/{ada.pk}/"
    ada.refresh_from_db()
    assert (ada.state, ada.teacher_note) == (PlanState.CHANGES, "Add one goal about rain.")


def test_a_draft_cannot_be_decided(goals: Goals) -> None:
    plan = plans.plan_start(goal_set=goals.weather.goal_set, student=goals.people.maya)
    response = client_for(goals.people.rivera).post(
        f"/goals/staff/plans/{plan.pk}/decide/", {f"plan-{plan.pk}-decision": "approve"}
    )
    assert "The student has not sent this plan yet." in response.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_the_plan_page_shows_the_path_the_efforts_and_the_forms(goals: Goals, ada: Plan) -> None:
    effort = _asked(goals, ada)
    html = client_for(goals.people.rivera).get(f"/goals/staff/plans/{ada.pk}/").content.decode()
    assert f'aria-labelledby="path-{ada.pk}-title path-{ada.pk}-desc"' in html
    assert 'role="region" aria-labelledby="path-heading" tabindex="0"' in html
    assert f'name="effort-{effort.pk}-comment"' in html
    assert "Confirm the goal met" in html
    assert f'name="plan-{ada.pk}-decision"' in html


def test_the_evidence_file_is_offered_as_a_download(
    goals: Goals, ada: Plan, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    effort = _asked(
        goals, ada, file=SimpleUploadedFile("cycle.pdf", pdf, content_type="application/pdf")
    )
    page = client_for(goals.people.rivera).get(f"/goals/staff/plans/{ada.pk}/").content.decode()
    assert f'<a href="/goals/efforts/{effort.pk}/file/" download>cycle.pdf</a>' in page


def test_confirming_a_goal_met_and_taking_it_back(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    client = client_for(goals.people.rivera)
    path = f"/goals/staff/plan-goals/{cycle.pk}/met/"
    response = client.post(path, {"on": "1"})
    assert response["Location"] == f"/goals/staff/plans/{ada.pk}/#goal-{cycle.pk}"
    cycle.refresh_from_db()
    assert cycle.met_at is not None
    client.post(path, {"on": "0"})
    cycle.refresh_from_db()
    assert cycle.met_at is None
    assert client.get(path).status_code == 405


def test_a_hidden_encouragement_stays_visible_to_staff_marked(goals: Goals, ada: Plan) -> None:
    cycle = plan_goal(ada, goals.weather.goals["cycle"])
    note = family.encouragement_add(
        plan_goal=cycle, guardian=goals.people.sam, text="Try harder!!", language="en"
    )
    client = client_for(goals.people.rivera)
    client.post(f"/goals/staff/encouragements/{note.pk}/hide/", {"on": "1", "back": "plan"})
    note.refresh_from_db()
    assert note.hidden_at is not None
    assert note.hidden_by == goals.people.rivera
    page = client.get(f"/goals/staff/plans/{ada.pk}/").content.decode()
    assert "Try harder!!" in page
    assert "Hidden from the student and family" in page
    assert "Show it again" in page
    client.post(f"/goals/staff/encouragements/{note.pk}/hide/", {"on": "0"})
    assert Encouragement.objects.get(pk=note.pk).hidden_at is None


def test_a_teacher_answers_in_every_class_she_teaches_whatever_its_id(goals: Goals) -> None:
    """A class's id and its teachers' enrolments are numbered apart: only the class taught
    decides who answers."""
    people = goals.people
    reading = community.class_create(
        course=people.homeroom5.course,
        school=people.school,
        title="Grade 5 Reading",
        terms=[people.term],
    )
    for student in (people.ada, people.maya, people.leo):
        community.enrollment_add(user=student, school_class=reading, role=EnrollmentRole.STUDENT)
    community.enrollment_add(user=people.rivera, school_class=reading, role=EnrollmentRole.TEACHER)
    teaching = Enrollment.objects.get(user=people.rivera, school_class=reading)
    assert teaching.pk != reading.pk
    unit = weather_set(reading, people.rivera)
    plan = ada_plan(people, unit)
    effort = efforts.effort_record(
        plan_goal=plan_goal(plan, unit.goals["cycle"]),
        levels=levels(plan.goal_set),
        done="Read about clouds",
        ask_feedback=True,
    )
    client = client_for(people.rivera)
    response = client.post(
        f"/goals/staff/efforts/{effort.pk}/feedback/", _feedback_data(effort, comment="Good.")
    )
    assert response.status_code == 302
    response = client.post(
        f"/goals/staff/plans/{plan.pk}/decide/", {f"plan-{plan.pk}-decision": "approve"}
    )
    assert response.status_code == 302
    assert client_for(people.chen).get(f"/goals/staff/plans/{plan.pk}/").status_code == 404


# --- the overview -----------------------------------------------------------------------------


def test_the_overview_is_a_picture_with_a_text_alternative_for_a_phone_and_a_wide_screen(
    goals: Goals, ada: Plan
) -> None:
    _asked(goals, ada)
    html = (
        client_for(goals.people.rivera)
        .get(f"/goals/staff/sets/{ada.goal_set_id}/overview/")
        .content.decode()
    )
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="goal-picture" role="img"' in html
    assert 'aria-labelledby="overview-title overview-desc"' in html
    assert 'aria-labelledby="overview-phone-title overview-phone-desc"' in html
    assert 'role="region" aria-labelledby="grid-heading"' not in html  # it never scrolls
    assert "1 student has not chosen yet: Maya Lopez." in html
    assert f'href="/goals/staff/plans/{ada.pk}/">Ada Okoye</a>' in html


def test_the_table_view_is_a_table_with_headers(goals: Goals, ada: Plan) -> None:
    _asked(goals, ada)
    html = (
        client_for(goals.people.rivera)
        .get(f"/goals/staff/sets/{ada.goal_set_id}/overview/?view=table")
        .content.decode()
    )
    assert "<svg xmlns" not in html
    assert "<caption" in html
    assert html.count('<th scope="col" class="goal-column">') == 10
    assert html.count('<th scope="colgroup"') == 3
    assert html.count('<th scope="row"') == 2
    assert '<span class="visually-hidden">Asked for feedback</span>' in html
    assert 'role="region" aria-labelledby="overview-caption" tabindex="0"' in html


def test_the_filters_swap_in_the_results_only_with_htmx(goals: Goals, ada: Plan) -> None:
    _asked(goals, ada)
    water = goals.weather.groups["water"].pk
    path = f"/goals/staff/sets/{ada.goal_set_id}/overview/?state=asked&group={water}&view=table"
    client = client_for(goals.people.rivera)
    html = client.get(path, headers=HTMX).content.decode()
    assert "<html" not in html
    assert 'id="overview-status"' in html
    assert 'hx-swap-oob="true"' in html
    assert "1 student shown." in html
    assert html.count('<th scope="row"') == 1
    assert html.count('<th scope="col" class="goal-column">') == 3
    full = client.get(path).content.decode()
    assert "<html" in full
    assert 'value="asked" selected' in full


def test_a_bad_filter_shows_everything(goals: Goals, ada: Plan) -> None:
    path = f"/goals/staff/sets/{ada.goal_set_id}/overview/?state=sleepy&group=abc"
    html = client_for(goals.people.rivera).get(path).content.decode()
    assert "2 of 2 students shown, 10 goals." in html


def test_the_printout_holds_the_picture_sized_to_the_page(goals: Goals, ada: Plan) -> None:
    html = (
        client_for(goals.people.rivera)
        .get(f"/goals/staff/sets/{ada.goal_set_id}/overview/print/")
        .content.decode()
    )
    assert 'class="goal-picture" role="img"' in html
    assert "data-print hidden" in html
    assert "Printed" in html


# --- the audit ----------------------------------------------------------------------------------


def test_every_student_shown_is_audited_in_one_insert(goals: Goals, ada: Plan) -> None:
    _asked(goals, ada)
    client = client_for(goals.people.rivera)
    cases = {
        f"/goals/staff/sets/{ada.goal_set_id}/overview/": {goals.people.ada, goals.people.maya},
        "/goals/staff/queue/": {goals.people.ada},
        f"/goals/staff/plans/{ada.pk}/": {goals.people.ada},
    }
    for path, students in cases.items():
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        inserts = [q for q in captured.captured_queries if "INSERT" in q["sql"].upper()]
        inserts = [q for q in inserts if "audit" in q["sql"].lower()]
        assert len(inserts) == 1, path
        events = AuditEvent.objects.filter(pk__gt=before)
        assert {e.student_id for e in events} == {s.pk for s in students}, path
        assert {e.organisation_id for e in events} == {goals.people.school.pk}


# --- admins see, and answer nothing -------------------------------------------------------------


def test_an_admin_sees_the_queue_without_forms(goals: Goals, ada: Plan) -> None:
    effort = _asked(goals, ada)
    html = client_for(goals.people.nguyen).get("/goals/staff/queue/").content.decode()
    assert f'id="item-effort-{effort.pk}"' in html
    assert "Only the class\u2019s teachers answer." in html
    assert "<textarea" not in html
    plan_page = client_for(goals.people.nguyen).get(f"/goals/staff/plans/{ada.pk}/")
    assert "<textarea" not in plan_page.content.decode()
    assert "Confirm the goal met" not in plan_page.content.decode()


# --- a fixed number of queries ------------------------------------------------------------------


def assert_queries_do_not_grow(client: Client, path: str, grow: Callable[[], None]) -> None:
    """``path`` answers 200 with as many queries after ``grow()`` as before (each counted on a
    second look, once anything kept from the first is there)."""
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    baseline = len(few.captured_queries)
    grow()
    client.get(path)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many.captured_queries) == baseline, [q["sql"][:160] for q in many.captured_queries]


@pytest.mark.parametrize("view", ["", "?view=table"])
def test_the_overview_reads_as_many_queries_for_a_bigger_class(
    goals: Goals, ada: Plan, view: str
) -> None:
    _asked(goals, ada)
    path = f"/goals/staff/sets/{ada.goal_set_id}/overview/{view}"
    assert_queries_do_not_grow(
        client_for(goals.people.rivera),
        path,
        lambda: more_students(goals, 3, efforts_each=2),
    )


def test_the_queue_reads_as_many_queries_for_more_requests(goals: Goals, ada: Plan) -> None:
    _asked(goals, ada)
    _maya_sends(goals)
    assert_queries_do_not_grow(
        client_for(goals.people.rivera),
        "/goals/staff/queue/",
        lambda: more_students(goals, 3, efforts_each=2),
    )


def test_the_plan_page_reads_as_many_queries_for_more_efforts(goals: Goals, ada: Plan) -> None:
    first = _asked(goals, ada)

    def grow() -> None:
        efforts.feedback_give(
            effort=first,
            teacher=goals.people.rivera,
            comment="Good",
            levels=levels(ada.goal_set, best=True),
        )
        for name in ["cycle", "measure", "clouds", "present"]:
            effort = _asked(goals, ada, name)
            family.encouragement_add(
                plan_goal=effort.plan_goal,
                guardian=goals.people.sam,
                text="¡Ánimo!",
                language="es",
                effort=effort,
            )
            family.help_ask(plan_goal=effort.plan_goal, text="Need a ruler")

    assert_queries_do_not_grow(
        client_for(goals.people.rivera), f"/goals/staff/plans/{ada.pk}/", grow
    )
