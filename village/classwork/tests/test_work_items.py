"""``work_items``: one row per student and published assignment, with its computed status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.classwork.models import FeedbackSeen
from village.classwork.selectors.work import WorkItem, current_classes, work_items
from village.classwork.status import WorkStatus
from village.classwork.tests.factories import assignment, feedback, hand_in
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def by_title(items: list[WorkItem]) -> dict[str, WorkItem]:
    return {item.title: item for item in items}


def test_each_student_gets_the_work_of_their_own_classes_with_its_status(
    personas: Personas,
) -> None:
    p = personas
    missing = assignment(p.homeroom5, "Fractions worksheet", due_in_days=-1)
    upcoming = assignment(p.homeroom5, "Book report", due_in_days=4)
    graded = assignment(p.homeroom5, "Spelling", due_in_days=-3)
    lab = assignment(p.science8, "Lab report", due_in_days=-2)
    hand_in(graded, p.ada, days_ago=4)
    feedback(graded, p.ada, score=7, comment="Check the double letters.")
    hand_in(lab, p.leo, days_ago=1)  # a day after the due time

    classes = current_classes([p.ada.pk, p.leo.pk])
    items = work_items(classes, viewer_id=p.sam.pk)
    ada = by_title([item for item in items if item.student_id == p.ada.pk])
    leo = by_title([item for item in items if item.student_id == p.leo.pk])

    assert set(ada) == {"Fractions worksheet", "Book report", "Spelling"}
    assert set(leo) == {"Lab report"}
    assert ada["Fractions worksheet"].status == WorkStatus.MISSING
    assert ada["Book report"].status == WorkStatus.NOT_YET_DUE
    spelling = ada["Spelling"]
    assert spelling.status == WorkStatus.GRADED
    assert spelling.percent == Decimal("70.0")
    assert spelling.comment == "Check the double letters."
    assert spelling.seen is False
    assert leo["Lab report"].status == WorkStatus.LATE
    assert leo["Lab report"].attempts == 1
    assert {missing.pk, upcoming.pk, graded.pk, lab.pk} == {item.assignment_id for item in items}


def test_unpublished_inactive_and_family_hidden_work_is_left_out_as_asked(
    personas: Personas,
) -> None:
    p = personas
    assignment(p.homeroom5, "Scheduled", assigned_days_ago=-2, due_in_days=5)
    assignment(p.homeroom5, "Withdrawn", status="inactive")
    assignment(p.homeroom5, "Class only", visible_to_families=False)
    assignment(p.homeroom5, "For everyone")
    classes = current_classes([p.ada.pk])

    student_view = {item.title for item in work_items(classes, viewer_id=p.ada.pk)}
    family_view = {
        item.title for item in work_items(classes, viewer_id=p.sam.pk, families_only=True)
    }
    assert student_view == {"Class only", "For everyone"}
    assert family_view == {"For everyone"}


def test_draft_feedback_is_not_shown_and_seen_is_per_viewer(personas: Personas) -> None:
    p = personas
    draft_work = assignment(p.homeroom5, "Draft marked", due_in_days=-1)
    returned_work = assignment(p.homeroom5, "Returned", due_in_days=-1)
    hand_in(draft_work, p.ada, days_ago=2)
    hand_in(returned_work, p.ada, days_ago=2)
    feedback(draft_work, p.ada, returned=False, comment="Not finished yet")
    returned = feedback(returned_work, p.ada, comment="Lovely.")
    FeedbackSeen.objects.create(feedback=returned, user=p.ada)

    classes = current_classes([p.ada.pk])
    as_ada = by_title(work_items(classes, viewer_id=p.ada.pk))
    as_sam = by_title(work_items(classes, viewer_id=p.sam.pk))
    draft = as_ada["Draft marked"]
    assert draft.status == WorkStatus.SUBMITTED
    assert draft.comment == ""
    assert draft.score is None
    assert draft.feedback_id is None
    assert as_ada["Returned"].seen is True
    assert as_sam["Returned"].seen is False


def test_excused_work_counts_nowhere(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Excused quiz", due_in_days=-5)
    feedback(work, p.ada, score=None, comment="", returned=False, excused=True)
    (item,) = work_items(current_classes([p.ada.pk]), viewer_id=p.ada.pk)
    assert item.status == WorkStatus.EXCUSED
    assert item.scored() is None


def test_due_window(personas: Personas) -> None:
    p = personas
    assignment(p.homeroom5, "Past", due_in_days=-10, assigned_days_ago=12)
    assignment(p.homeroom5, "This week", due_in_days=2)
    assignment(p.homeroom5, "Later", due_in_days=20)
    assignment(p.homeroom5, "Whenever", due_in_days=None)
    now = timezone.now()
    items = work_items(
        current_classes([p.ada.pk]),
        viewer_id=p.ada.pk,
        due_after=now,
        due_before=now + dt.timedelta(days=7),
    )
    assert [item.title for item in items] == ["This week"]


def test_query_count_does_not_grow_with_students_classes_or_work(personas: Personas) -> None:
    p = personas

    def count() -> int:
        classes = current_classes([p.ada.pk, p.leo.pk, p.maya.pk])
        with CaptureQueriesContext(connection) as queries:
            work_items(classes, viewer_id=p.sam.pk)
        return len(queries)

    assignment(p.homeroom5, "One")
    few = count()
    for index in range(12):
        work = assignment(p.science8 if index % 2 else p.math8, f"Work {index}", due_in_days=-1)
        hand_in(work, p.leo, days_ago=2)
        feedback(work, p.leo)
    assert count() == few == 3
