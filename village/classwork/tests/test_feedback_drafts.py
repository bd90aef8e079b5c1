"""Changing feedback already returned: the student and family keep seeing the returned version
(on their pages and in the API) until the teacher returns the changes; the teacher sees both."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from village.classwork.models import Assignment, Feedback
from village.classwork.services.feedback import feedback_return, feedback_save, work_excuse
from village.classwork.tests.test_student_support import (
    DAY,
    api_client_for,
    assignment,
    client_for,
    hand_in,
)
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

RETURNED = "Well done: clear diagram."
CHANGED = "DRAFT - talk to counselor?"


def returned_then_changed(p: Personas) -> Assignment:
    work = assignment(p.homeroom5, "Water cycle poster", due_in=-DAY, points=Decimal(10))
    hand_in(p.ada, work)
    feedback_save(
        assignment=work,
        student=p.ada,
        graded_by=p.rivera,
        score=Decimal(8),
        comment=RETURNED,
        return_to_student=True,
    )
    grade_url = reverse("classwork:grade", args=[work.pk, p.ada.pk])
    response = client_for(p.rivera).post(
        grade_url, {"score": "5", "comment": CHANGED, "action": "draft"}
    )
    assert response.status_code == 302
    return work


def shown_to(user, work: Assignment) -> str:
    response = client_for(user).get(reverse("classwork:assignment", args=[work.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_saving_returned_feedback_keeps_the_returned_version_for_student_and_family(
    personas: Personas,
) -> None:
    p = personas
    work = returned_then_changed(p)
    for viewer in (p.ada, p.sam):
        html = shown_to(viewer, work)
        assert RETURNED in html, viewer
        assert "DRAFT" not in html, viewer
    assert "Grade: 8 out of 10" in shown_to(p.ada, work)
    body = api_client_for(p.ada).get(f"/api/v1/my-work/assignments/{work.pk}").json()
    assert body["feedback"]["comment"] == RETURNED
    assert Decimal(body["feedback"]["score"]) == Decimal(8)
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (Decimal(8), RETURNED)
    assert (feedback.draft_score, feedback.draft_comment) == (Decimal(5), CHANGED)


def test_returning_the_changes_shows_them_to_student_and_family(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    grade_url = reverse("classwork:grade", args=[work.pk, p.ada.pk])
    response = client_for(p.rivera).post(
        grade_url, {"score": "5", "comment": CHANGED, "action": "return"}
    )
    assert response.status_code == 302
    for viewer in (p.ada, p.sam):
        html = shown_to(viewer, work)
        assert CHANGED in html
        assert RETURNED not in html
    body = api_client_for(p.ada).get(f"/api/v1/my-work/assignments/{work.pk}").json()
    assert body["feedback"]["comment"] == CHANGED
    assert not Feedback.objects.get().has_draft


def test_returning_from_elsewhere_returns_the_kept_changes(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    feedback_return(assignment=work, student=p.ada, graded_by=p.rivera)
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment, feedback.has_draft) == (Decimal(5), CHANGED, False)


def test_the_teacher_sees_the_returned_version_and_the_changes(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    grade_url = reverse("classwork:grade", args=[work.pk, p.ada.pk])
    html = client_for(p.rivera).get(grade_url).content.decode()
    returned = re.search(r'<div class="returned-version".*?</div>\s*</div>', html, re.S)
    assert returned, "the returned version is shown"
    assert RETURNED in returned.group(0)
    assert "Changes not returned" in html
    # The form holds the changes, to go on with them.
    assert re.search(r"<textarea[^>]*>\s*DRAFT - talk to counselor\?</textarea>", html)
    assert re.search(r'name="score" value="5"', html)
    assert "Save changes as draft (not shown to the family)" in html
    assert "Return changes to student" in html


def test_discarding_the_changes_keeps_the_returned_version(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    grade_url = reverse("classwork:grade", args=[work.pk, p.ada.pk])
    response = client_for(p.rivera).post(grade_url, {"action": "discard"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment, feedback.has_draft) == (Decimal(8), RETURNED, False)
    html = client_for(p.rivera).get(grade_url).content.decode()
    assert re.search(r"<textarea[^>]*>\s*Well done: clear diagram.</textarea>", html)


def test_excusing_while_changes_wait_is_kept_when_they_are_returned(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    work_excuse(assignment=work, student=p.ada, graded_by=p.rivera)
    feedback_return(assignment=work, student=p.ada, graded_by=p.rivera)
    assert Feedback.objects.get().excused


def test_the_grade_box_shows_a_grade_as_written(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Poster", due_in=-DAY, points=Decimal(10))
    hand_in(p.ada, work)
    grade_url = reverse("classwork:grade", args=[work.pk, p.ada.pk])
    for score, shown in (("8", "8"), ("8.5", "8.5"), ("7.25", "7.25")):
        feedback_save(assignment=work, student=p.ada, graded_by=p.rivera, score=Decimal(score))
        html = client_for(p.rivera).get(grade_url).content.decode()
        assert re.search(rf'name="score" value="{re.escape(shown)}"', html), score


def test_the_gradebook_marks_returned_feedback_with_changes_waiting(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    html = client_for(p.rivera).get(reverse("classwork:gradebook", args=[p.homeroom5.pk]))
    cell = re.search(
        rf'<td class="gb-cell"><a href="/work/assignments/{work.pk}/grade/{p.ada.pk}/">(.*?)</a>',
        html.content.decode(),
    )
    assert cell
    assert cell.group(1) == (
        '8<span class="gb-draft" aria-hidden="true">*</span>'
        '<span class="visually-hidden"> (changes not returned)</span>'
    )
    feedback_return(assignment=work, student=p.ada, graded_by=p.rivera)
    html = client_for(p.rivera).get(reverse("classwork:gradebook", args=[p.homeroom5.pk]))
    assert f'<a href="/work/assignments/{work.pk}/grade/{p.ada.pk}/">5</a>' in html.content.decode()


def test_saving_the_returned_version_unchanged_leaves_nothing_waiting(personas: Personas) -> None:
    p = personas
    work = returned_then_changed(p)
    grade_url = reverse("classwork:grade", args=[work.pk, p.ada.pk])
    client_for(p.rivera).post(grade_url, {"score": "8", "comment": RETURNED, "action": "draft"})
    assert not Feedback.objects.get().has_draft
