"""The student's own view in their support plan: Ada writes it in her words (tú on her pages),
it becomes part of the plan as a new version that everyone answers again, the version history
says what changed, Sam reads it in Spanish with Ada's English one tap away; nobody else writes
it, not in a draft, nor in a plan agreed or closed; bad input changes nothing."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from village.support.models import TEXT_MAX, PlanState, PlanVersion, SupportPlan
from village.support.selectors.plan_content import changes_in_words, content_view
from village.support.services.plan_voice import plan_student_view
from village.support.services.plans import plan_change, plan_confirm, plan_review_start
from village.support.tests.conftest import Support
from village.support.tests.plan_helpers import agreed, client_for, draft, plan_fields, proposed

pytestmark = pytest.mark.django_db

VIEW = "I want to read aloud without being rushed. Short texts help me."


def test_adas_view_is_a_new_version_that_everyone_answers_again(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    plan_confirm(party=people.sam, plan=plan, version=1)
    version = plan_student_view(student=people.ada, plan=plan, text=f"  {VIEW}  ")
    assert version is not None
    assert version.number == 2
    assert version.changed_by == people.ada
    assert version.content["student_view"] == {"text": VIEW, "language": "en"}
    assert changes_in_words(version.changes) == ["Changed: the student's view."]
    plan.refresh_from_db()
    assert plan.state == PlanState.PROPOSED
    assert (plan.student_view, plan.student_view_language) == (VIEW, "en")
    # Sam's answer was to version 1: version 2 waits for everyone again.
    assert content_view(version.content).student_view == VIEW
    assert plan_student_view(student=people.ada, plan=plan, text=VIEW) is None  # nothing new


def test_staff_changes_keep_the_students_words(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    plan_student_view(student=people.ada, plan=plan, text=VIEW)
    version = plan_change(editor=people.rivera, plan=plan, fields=plan_fields(title="Reading"))
    assert version is not None
    assert version.content["student_view"]["text"] == VIEW
    assert "student_view" not in version.changes


@pytest.mark.parametrize("name", ["sam", "rivera", "nguyen", "maya", "leo", "kim", "eve"])
def test_only_the_plans_student_writes_it(support: Support, name: str) -> None:
    plan = proposed(support)
    writer = getattr(support, name, None) or getattr(support.people, name)
    with pytest.raises(PermissionDenied):
        plan_student_view(student=writer, plan=plan, text=VIEW)
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    assert SupportPlan.objects.get(pk=plan.pk).student_view == ""


def test_not_in_a_draft_nor_an_agreed_plan_but_again_in_review(support: Support) -> None:
    people = support.people
    with pytest.raises(PermissionDenied):  # a draft is the staff's: Ada does not see it
        plan_student_view(student=people.ada, plan=draft(support), text=VIEW)
    plan = agreed(support)
    with pytest.raises(PermissionDenied):
        plan_student_view(student=people.ada, plan=plan, text=VIEW)
    plan = plan_review_start(actor=people.rivera, plan=plan)
    assert plan_student_view(student=people.ada, plan=plan, text=VIEW) is not None


def test_too_long_or_an_unknown_language_changes_nothing(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    with pytest.raises(ValidationError) as raised:
        plan_student_view(student=people.ada, plan=plan, text="x" * (TEXT_MAX + 1))
    assert set(raised.value.message_dict) == {"text"}
    with pytest.raises(ValidationError) as raised:
        plan_student_view(student=people.ada, plan=plan, text=VIEW, language="not a language")
    assert set(raised.value.message_dict) == {"language"}
    assert PlanVersion.objects.filter(plan=plan).count() == 1


def test_ada_writes_it_on_her_page_and_sam_reads_it_on_the_plan(support: Support) -> None:
    people = support.people
    plan = proposed(support)
    url = reverse("support:plan_student_view", args=[plan.pk])
    ada = client_for(people.ada)
    page = ada.get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "In my words" in page
    assert f'href="{url}"' in page
    assert ada.get(url).status_code == 200
    too_long = ada.post(url, {"text": "x" * (TEXT_MAX + 1)})
    assert too_long.status_code == 400
    assert SupportPlan.objects.get(pk=plan.pk).version == 1
    response = ada.post(url, {"text": VIEW})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/support/plans/{plan.pk}/#student-view")
    sam_page = client_for(people.sam).get(reverse("support:plan", args=[plan.pk]))
    html = sam_page.content.decode()
    assert "En palabras de Ada" in html
    assert VIEW in html  # as written until its translation is made, its language marked
    assert f'href="{url}"' not in html
    history = client_for(people.rivera).get(reverse("support:plan_versions", args=[plan.pk]))
    assert "Changed: the student's view." in unescape(history.content.decode())


@pytest.mark.parametrize("name", ["sam", "rivera", "nguyen"])
def test_the_page_refuses_everyone_but_the_student(support: Support, name: str) -> None:
    plan = proposed(support)
    url = reverse("support:plan_student_view", args=[plan.pk])
    client = client_for(getattr(support.people, name))
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": VIEW}).status_code == 403
    assert SupportPlan.objects.get(pk=plan.pk).version == 1


@pytest.mark.parametrize("name", ["eve", "jordan", "chen", "kim", "maya"])
def test_the_page_is_not_found_by_those_who_do_not_see_the_plan(
    support: Support, name: str
) -> None:
    plan = proposed(support)
    url = reverse("support:plan_student_view", args=[plan.pk])
    client = client_for(getattr(support, name, None) or getattr(support.people, name))
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": VIEW}).status_code == 404
