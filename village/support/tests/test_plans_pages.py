"""The support plan's pages for every persona: who opens which (others get a 404 and never the
plan's words; those who read but may not act a 403), writing a plan with rows added and removed
without script, the errors on the fields they name with nothing written, the parties' answers,
comments, progress checks and home actions through the pages, the printed plan, and a constant
number of queries however long the plan and its record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.community import services as community
from village.community.models import Role
from village.community.policies import today
from village.core.models import AuditEvent
from village.support.models import (
    ActionSide,
    HomeActionLog,
    PlanComment,
    PlanState,
    ProgressNote,
    ProgressStatus,
    SupportPlan,
)
from village.support.selectors.plans import PLAN_OBJECT
from village.support.services.plans import (
    ActionFields,
    GoalFields,
    comment_add,
    plan_change,
    plan_confirm,
    plan_create,
    plan_propose,
)
from village.support.services.progress import home_action_done, progress_note_add
from village.support.tests.conftest import Support
from village.support.tests.plan_helpers import (
    READING,
    agreed,
    client_for,
    draft,
    person,
    plan_fields,
    proposed,
)

pytestmark = pytest.mark.django_db


def _paths(plan: SupportPlan) -> dict[str, str]:
    home = plan.actions.get(side=ActionSide.HOME)
    return {
        "list": reverse("support:plans", args=[plan.student_id]),
        "plan": reverse("support:plan", args=[plan.pk]),
        "versions": reverse("support:plan_versions", args=[plan.pk]),
        "version": reverse("support:plan_version", args=[plan.pk, 1]),
        "print": reverse("support:plan_print", args=[plan.pk]),
        "progress": reverse("support:plan_progress", args=[plan.pk]),
        "done": reverse("support:home_done", args=[home.pk]),
    }


#: persona -> status of (list, plan, versions, version, print, progress, home done) on Ada's
#: agreed plan.
READ = (200, 200, 200, 200, 200)
NOTHING = (404,) * 7
MATRIX: dict[str, tuple[int, ...]] = {
    "ada": (*READ, 403, 200),
    "sam": (*READ, 403, 200),
    "kim": NOTHING,  # a link without the support plan
    "lou": NOTHING,  # a link that ended
    "rex": NOTHING,  # no_access
    "jordan": NOTHING,  # another child's guardian
    "rivera": (*READ, 200, 403),
    "diaz": (*READ, 200, 403),  # an aide of her homeroom
    "ortiz": (*READ, 200, 403),  # a counsellor of the school
    "nguyen": (*READ, 200, 403),
    "vance": NOTHING,  # her teacher until yesterday
    "chen": NOTHING,  # a teacher of another class
    "park": NOTHING,  # a teacher of a sister school
    "maya": NOTHING,  # a classmate
    "eve": NOTHING,
    "library": NOTHING,
}


@pytest.mark.parametrize("name", list(MATRIX))
def test_who_opens_which_page_of_a_plan(support: Support, name: str) -> None:
    plan = agreed(support)
    client = client_for(person(support, name))
    found = []
    for path in _paths(plan).values():
        response = client.get(path)
        found.append(response.status_code)
        if response.status_code != 200:
            assert b"Reading with confidence" not in response.content
    assert tuple(found) == MATRIX[name]


def test_a_draft_is_the_staffs_until_proposed(support: Support) -> None:
    plan = draft(support)
    path = reverse("support:plan", args=[plan.pk])
    for name in ("sam", "ada"):
        assert client_for(person(support, name)).get(path).status_code == 404
        listed = client_for(person(support, name)).get(_paths(plan)["list"])
        assert b"Reading with confidence" not in listed.content
    assert client_for(support.people.rivera).get(path).status_code == 200
    plan_propose(actor=support.people.rivera, plan=plan)
    assert client_for(support.people.sam).get(path).status_code == 200


def test_a_plan_page_is_audited(support: Support) -> None:
    plan = agreed(support)
    client_for(support.people.rivera).get(reverse("support:plan", args=[plan.pk]))
    seen = AuditEvent.objects.get(object_type=PLAN_OBJECT)
    assert (seen.actor, seen.student, seen.object_id) == (
        support.people.rivera,
        support.people.ada,
        str(plan.pk),
    )


def test_the_family_reads_but_may_not_change_or_close(support: Support) -> None:
    plan = proposed(support)
    sam = client_for(support.people.sam)
    assert sam.get(reverse("support:plan_edit", args=[plan.pk])).status_code == 403
    assert sam.post(reverse("support:plan_close", args=[plan.pk])).status_code == 403
    assert sam.post(reverse("support:plan_propose", args=[plan.pk])).status_code == 403
    assert sam.post(reverse("support:plan_review", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.PROPOSED


# --- writing a plan ---------------------------------------------------------------------------


def _management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "40",
    }


def _new_plan_data(**changes: Any) -> dict[str, str]:
    data = {
        "title": "Reading with confidence",
        "concern": "Ada avoids reading aloud.",
        "present_level": "62 words a minute.",
        "review_on": (today() + dt.timedelta(days=60)).isoformat(),
        "check_every_days": "14",
        **_management("goals", 1),
        **_management("school", 1),
        **_management("home", 1),
        "goals-0-text": READING.text,
        "goals-0-target": READING.target,
        "school-0-who": "Ms. Rivera",
        "school-0-what": "Guided reading",
        "school-0-goal": "1",
        "home-0-who": "Sam and Ada",
        "home-0-what": "Read together",
        "home-0-how_often": "Each evening",
        "home-0-goal": "1",
    }
    data.update(changes)
    return data


def test_ms_rivera_writes_a_plan_adding_rows_without_script(support: Support) -> None:
    people = support.people
    client = client_for(people.rivera)
    path = reverse("support:plan_new", args=[people.ada.pk])
    page = client.get(path)
    assert page.status_code == 200
    assert b'name="goals-0-text"' in page.content
    assert b'name="home-0-who"' in page.content
    added = client.post(path, _new_plan_data(add="home"))
    assert added.status_code == 200
    assert not SupportPlan.objects.exists()
    html = added.content.decode()
    assert 'name="home-1-who"' in html
    assert '<input type="text" name="home-1-who" maxlength="200" autofocus' in html
    assert "Sam and Ada" in html  # what was typed stays
    more = {"home-TOTAL_FORMS": "2", "home-1-who": "Ada", "home-1-what": "Log it"}
    saved = client.post(path, _new_plan_data(**more))
    plan = SupportPlan.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("support:plan", args=[plan.pk])
    assert plan.state == PlanState.DRAFT
    assert [a.who for a in plan.actions.filter(side=ActionSide.HOME)] == ["Sam and Ada", "Ada"]
    assert plan.actions.get(who="Ms. Rivera").goal == plan.goals.get()


def test_errors_are_named_on_their_fields_and_nothing_is_written(support: Support) -> None:
    client = client_for(support.people.rivera)
    path = reverse("support:plan_new", args=[support.people.ada.pk])
    bad = _new_plan_data(
        title="", check_every_days="0", **{"goals-0-text": "", "goals-0-target": "90"}
    )
    response = client.post(path, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_title"' in html
    assert 'href="#id_goals-0-text"' in html
    assert "Goal 1, Goal: This field cannot be empty." in html
    assert not SupportPlan.objects.exists()


def test_a_row_removed_makes_a_version_saying_so(support: Support) -> None:
    plan = draft(support)
    client = client_for(support.people.rivera)
    path = reverse("support:plan_edit", args=[plan.pk])
    page = client.get(path).content.decode()
    assert "Read a grade-5 passage aloud" in page
    assert 'name="home-0-remove"' in page
    goal, school, home = (
        plan.goals.get(),
        plan.actions.get(side="school"),
        plan.actions.get(side="home"),
    )
    data = _new_plan_data(
        note="Reading at home moved to the weekend",
        **{
            "goals-INITIAL_FORMS": "1",
            "goals-0-id": str(goal.pk),
            "goals-0-text": goal.text,
            "goals-0-baseline": goal.baseline,
            "goals-0-target": goal.target,
            "goals-0-measure": goal.measure,
            "school-INITIAL_FORMS": "1",
            "school-0-id": str(school.pk),
            "school-0-who": school.who,
            "school-0-what": school.what,
            "school-0-how_often": school.how_often,
            "home-INITIAL_FORMS": "1",
            "home-0-id": str(home.pk),
            "home-0-remove": "on",
        },
    )
    data["title"], data["concern"] = plan.title, plan.concern
    data["present_level"], data["review_on"] = plan.present_level, plan.review_on.isoformat()
    response = client.post(path, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2
    history = client.get(reverse("support:plan_versions", args=[plan.pk])).content.decode()
    assert "1 home action removed" in history
    assert "Reading at home moved to the weekend" in history
    assert "Changed: the present level." not in history


# --- answering, commenting, carrying it out -------------------------------------------------------


def test_everyone_agrees_through_the_page(support: Support) -> None:
    people = support.people
    plan = draft(support)
    rivera = client_for(people.rivera)
    rivera.post(reverse("support:plan_propose", args=[plan.pk]))
    answer = reverse("support:plan_answer", args=[plan.pk])
    for who in (people.sam, people.ada, people.rivera):
        response = client_for(who).post(answer, {"version": "1", "decision": "agree"})
        assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.AGREED
    page = rivera.get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "Agreed" in page
    assert "Sam Okoye" in page
    assert "Ada Okoye" in page


def test_an_answer_to_an_old_version_or_a_silent_disagreement_is_refused(
    support: Support,
) -> None:
    people = support.people
    plan = proposed(support)
    plan_change(editor=people.rivera, plan=plan, fields=plan_fields(check_every_days=28))
    rivera = client_for(people.rivera)
    answer = reverse("support:plan_answer", args=[plan.pk])
    old = rivera.post(answer, {"version": "1", "decision": "agree"})
    assert old.status_code == 400
    assert b"The plan has changed: version 2 is the current one." in old.content
    silent = rivera.post(answer, {"version": "2", "decision": "disagree", "note": ""})
    assert silent.status_code == 400
    assert b'href="#id_note"' in silent.content
    assert not plan.agreements.exists()


def test_a_student_answers_and_comments_only_as_themself(support: Support) -> None:
    people = support.people
    leos = plan_create(author=people.rivera, student=people.leo, fields=plan_fields())
    plan_propose(actor=people.rivera, plan=leos)
    ada = client_for(people.ada)
    answer = reverse("support:plan_answer", args=[leos.pk])
    assert (
        ada.post(answer, {"version": "1", "decision": "agree", "party": people.leo.pk}).status_code
        == 404
    )
    comment = reverse("support:plan_comment", args=[leos.pk])
    assert ada.post(comment, {"kind": "comment", "text": "Hi"}).status_code == 404
    assert not leos.agreements.exists()
    assert not PlanComment.objects.exists()


def test_sam_proposes_a_change_in_spanish_kept_as_written(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    response = client_for(people.sam).post(
        reverse("support:plan_comment", args=[plan.pk]),
        {"kind": "change", "text": "Leer por la mañana, antes de la escuela."},
    )
    comment = PlanComment.objects.get()
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client_for(people.rivera).get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert 'lang="es">Leer por la mañana, antes de la escuela.' in page
    assert "Written in Spanish" in page
    assert "Proposed change" in page


def test_a_progress_check_and_a_late_one_shown(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    SupportPlan.objects.filter(pk=plan.pk).update(agreed_on=today() - dt.timedelta(days=20))
    rivera = client_for(people.rivera)
    page = rivera.get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "Progress check late" in page
    assert reverse("support:plan_progress", args=[plan.pk]) in page
    goal = plan.goals.get()
    path = reverse("support:plan_progress", args=[plan.pk])
    data = {
        "noted_on": (today() + dt.timedelta(days=1)).isoformat(),
        **_management("notes", 1),
        "notes-INITIAL_FORMS": "1",
        "notes-0-goal_id": str(goal.pk),
        "notes-0-status": ProgressStatus.SOME_PROGRESS,
        "notes-0-measured": "71 words a minute",
    }
    refused = rivera.post(path, data)
    assert refused.status_code == 400
    assert b'href="#id_noted_on"' in refused.content
    assert not ProgressNote.objects.exists()
    data["noted_on"] = today().isoformat()
    assert rivera.post(path, data).status_code == 302
    page = rivera.get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "Progress check late" not in page
    assert "71 words a minute" in page


def test_the_family_marks_a_home_action_done(support: Support) -> None:
    people = support.people
    plan = agreed(support)
    home = plan.actions.get(side=ActionSide.HOME)
    path = reverse("support:home_done", args=[home.pk])
    assert (
        client_for(people.sam)
        .post(path, {"done_on": today().isoformat(), "note": "Bien"})
        .status_code
        == 302
    )
    again = client_for(people.sam).post(path, {"done_on": today().isoformat()})
    assert again.status_code == 400
    assert b'href="#id_done_on"' in again.content
    assert client_for(people.ada).post(path, {"done_on": today().isoformat()}).status_code == 302
    assert client_for(people.rivera).post(path, {"done_on": today().isoformat()}).status_code == 403
    assert HomeActionLog.objects.count() == 2
    page = client_for(people.rivera).get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "Done 2 times:" in page


def test_the_printed_plan_has_the_goals_actions_and_answers(support: Support) -> None:
    plan = agreed(support)
    html = client_for(support.people.rivera).get(reverse("support:plan_print", args=[plan.pk]))
    text = html.content.decode()
    assert "Support plan for Ada Okoye, Riverside K-8 School" in text
    assert "Read a grade-5 passage aloud" in text
    assert "Fifteen minutes each evening" in text
    assert "Answers to version 1" in text
    assert "Sam Okoye" in text
    assert "data-print" in text
    assert "<form" not in text.split('class="pl-print"')[1]


def test_a_versions_page_shows_who_changed_what(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    plan_change(
        editor=people.rivera, plan=plan, fields=plan_fields(check_every_days=28), note="Less often"
    )
    client = client_for(people.sam)
    history = client.get(reverse("support:plan_versions", args=[plan.pk])).content.decode()
    assert "Elena Rivera" in history
    assert "Less often" in history
    first = client.get(reverse("support:plan_version", args=[plan.pk, 1])).content.decode()
    assert "14" in first
    assert client.get(reverse("support:plan_version", args=[plan.pk, 3])).status_code == 404


# --- queries ----------------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as found:
        assert client.get(path).status_code == 200
    return len(found)


def _grow(support: Support, plan: SupportPlan) -> None:
    """More of everything the plan's page shows: goals, actions, notes, logs, comments."""
    people = support.people
    SupportPlan.objects.filter(pk=plan.pk).update(state=PlanState.IN_REVIEW)
    plan.refresh_from_db()
    goals = [READING, GoalFields(text="Write about a book"), GoalFields(text="Read aloud")]
    goals = [GoalFields(**{**goals[0].__dict__, "id": plan.goals.get().pk}), *goals[1:]]
    actions = [
        ActionFields(side=ActionSide.HOME, who=f"Sam {n}", what="Read", goal=n % 3 + 1)
        for n in range(4)
    ]
    plan_change(editor=people.rivera, plan=plan, fields=plan_fields(goals=goals, actions=actions))
    SupportPlan.objects.filter(pk=plan.pk).update(state=PlanState.AGREED)
    plan.refresh_from_db()
    for goal in plan.goals.all():
        progress_note_add(
            author=people.rivera, goal=goal, status=ProgressStatus.ON_TRACK, note="Ok"
        )
    for action in plan.actions.filter(in_plan=True):
        home_action_done(by=people.sam, action=action, note="Hecho")
        home_action_done(by=people.ada, action=action)
    comment_add(author=people.sam, plan=plan, text="Gracias")
    comment_add(author=support.ortiz, plan=plan, text="Thanks")


def test_the_plan_and_list_pages_read_as_many_queries_for_a_longer_plan(
    support: Support,
) -> None:
    plan = agreed(support)
    people = support.people
    # one text in Spanish already: Ms. Rivera's pages look translations up in both states
    comment_add(author=people.sam, plan=plan, text="Empezamos esta semana")
    pages = [
        reverse("support:plan", args=[plan.pk]),
        reverse("support:plans", args=[people.ada.pk]),
        reverse("support:plan_print", args=[plan.pk]),
        reverse("support:plan_versions", args=[plan.pk]),
    ]
    clients = [client_for(people.rivera), client_for(people.sam)]
    for client in clients:  # translations asked for once, the first time
        for path in pages:
            client.get(path)
    before = [_queries(client, path) for client in clients for path in pages]
    _grow(support, plan)
    draft(support)  # another plan in the list
    for client in clients:
        for path in pages:
            client.get(path)
    assert [_queries(client, path) for client in clients for path in pages] == before


def test_a_guardian_never_reads_another_guardians_name(support: Support) -> None:
    people = support.people
    robin = community.person_create(
        username="robin", first_name="Robin", last_name="Hale", role=Role.GUARDIAN,
        organisation=people.school,
    )  # fmt: skip
    community.guardian_link(guardian=robin, student=people.ada, lives_with=False)
    plan = proposed(support)
    comment_add(author=robin, plan=plan, text="I would like a copy for my house.")
    plan_confirm(party=robin, plan=plan, version=1)
    path = reverse("support:plan", args=[plan.pk])
    for reader in (people.sam, robin):
        html = client_for(reader).get(path).content.decode()
        assert ("Robin Hale" in html) == (reader == robin)
        assert "I would like a copy for my house." in html
    sam_sees = client_for(people.sam).get(path).content.decode()
    assert sam_sees.count("Otro tutor o tutora del niño o la niña") == 2  # answer, comment
    for reader in (people.rivera, people.ada):
        assert "Robin Hale" in client_for(reader).get(path).content.decode()
    history = client_for(people.sam).get(reverse("support:plan_versions", args=[plan.pk]))
    assert b"Robin Hale" not in history.content
