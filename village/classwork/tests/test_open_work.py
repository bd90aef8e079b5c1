"""``open_work``: the work a student has neither handed in nor been graded on or excused from,
exactly the missing and not-yet-due rows of ``work_items``, read without the work that is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.classwork.selectors.work import current_classes, open_work, work_items
from village.classwork.status import WorkStatus
from village.classwork.tests.factories import assignment, feedback, hand_in
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

OPEN = (WorkStatus.MISSING, WorkStatus.NOT_YET_DUE)


def test_open_work_is_the_missing_and_coming_work_of_work_items(personas: Personas) -> None:
    p = personas
    assignment(p.homeroom5, "Missing", due_in_days=-1)
    assignment(p.homeroom5, "Coming", due_in_days=3)
    assignment(p.homeroom5, "Hidden", due_in_days=2, visible_to_families=False)
    assignment(p.homeroom5, "No due date", due_in_days=None)
    assignment(p.homeroom5, "Not yet published", due_in_days=5, assigned_days_ago=-1)
    handed = assignment(p.homeroom5, "Handed in", due_in_days=-2)
    hand_in(handed, p.ada, days_ago=3)
    graded = assignment(p.homeroom5, "Graded without a hand-in", due_in_days=-2)
    feedback(graded, p.ada)
    excused = assignment(p.homeroom5, "Excused", due_in_days=-2)
    feedback(excused, p.ada, excused=True, returned=False)
    draft = assignment(p.homeroom5, "Draft feedback only", due_in_days=-2)
    feedback(draft, p.ada, returned=False)
    assignment(p.science8, "Lab", due_in_days=-1)
    assignment(p.math8, "Equations", due_in_days=4)
    now = timezone.now()
    window = {"due_after": now - dt.timedelta(weeks=6), "due_before": now + dt.timedelta(days=7)}
    classes = current_classes([p.ada.pk, p.maya.pk, p.leo.pk])
    for families_only in (True, False):
        expected = {
            (item.student_id, item.assignment_id, item.status)
            for item in work_items(
                classes, viewer_id=None, families_only=families_only, now=now, **window
            )
            if item.status in OPEN
        }
        found = open_work(
            classes,
            families_only=families_only,
            now=now,
            due_after=window["due_after"],
            due_before=window["due_before"],
        )
        assert {(w.student_id, w.assignment_id, w.status) for w in found} == expected
        titles = {(w.student_id, w.title) for w in found}
        assert (p.ada.pk, "Draft feedback only") in titles  # drafts are the teacher's own
        assert ((p.ada.pk, "Hidden") in titles) == (not families_only)
    # a teacher's preview reads only some classes of a student
    only_math = open_work(
        {p.leo.pk: [(p.math8.pk, "Grade 8 Math")]},
        now=now,
        due_after=window["due_after"],
        due_before=window["due_before"],
    )
    assert [w.title for w in only_math] == ["Equations"]


def test_open_work_takes_two_queries_whatever_the_number_of_students(personas) -> None:
    p = personas
    for day in range(-5, 5):
        assignment(p.homeroom5, f"Work {day}", due_in_days=day)
    now = timezone.now()
    window = {"due_after": now - dt.timedelta(weeks=6), "due_before": now + dt.timedelta(days=7)}
    classes = current_classes([p.ada.pk, p.maya.pk, p.leo.pk])
    with CaptureQueriesContext(connection) as queries:
        found = open_work(
            classes, now=now, due_after=window["due_after"], due_before=window["due_before"]
        )
    assert len(queries) == 2
    assert {w.status for w in found} == set(OPEN)
