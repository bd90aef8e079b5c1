"""Classwork written in bulk keeps classwork's rules: the score rule, due after assigned, a
class's own categories, drafts replaced by a grade from outside, and new work versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from village.classwork import bulk
from village.classwork.models import (
    AssessmentKind,
    Assignment,
    Feedback,
    FeedbackSeen,
    Rubric,
    RubricAssessment,
    RubricScore,
)
from village.classwork.tests.factories import version_tokens
from village.core.models import RosterStatus
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

NOW = timezone.now()
FEEDBACK = ("assignment_id", "student_id", "score", "excused", "returned_at")


def work(p: Personas, **fields: object) -> int:
    row = {
        "school_class_id": p.homeroom5.pk,
        "title": "Fractions",
        "assign_at": NOW - dt.timedelta(days=3),
        "due_at": NOW - dt.timedelta(days=1),
        "points": Decimal(10),
    }
    return bulk.assignments_create(rows=[{**row, **fields}])[0]


def test_grades_follow_the_score_rule(personas: Personas) -> None:
    p = personas
    pk = work(p)
    with pytest.raises(ValueError, match="between 0 and 10"):
        bulk.feedback_create(columns=FEEDBACK, rows=[(pk, p.ada.pk, 11, False, NOW)])
    with pytest.raises(ValueError, match="Excused work takes no grade"):
        bulk.feedback_create(columns=FEEDBACK, rows=[(pk, p.ada.pk, 5, True, NOW)])
    assert not Feedback.objects.exists()
    keys = bulk.feedback_create(
        columns=FEEDBACK, rows=[(pk, p.ada.pk, Decimal("9.5"), False, NOW)], keys=True
    )
    assert Feedback.objects.get(pk=keys[(pk, p.ada.pk)]).score == Decimal("9.5")


def test_work_is_due_after_it_is_assigned_and_uses_its_own_class_categories(
    personas: Personas,
) -> None:
    p = personas
    with pytest.raises(ValueError, match="due before it is assigned"):
        work(p, due_at=NOW - dt.timedelta(days=5))
    (other,) = bulk.categories_create(
        rows=[{"school_class_id": p.math8.pk, "name": "Homework", "weight": Decimal(50)}]
    )
    with pytest.raises(ValueError, match="is not of class"):
        work(p, category_id=other)
    with pytest.raises(ValueError, match="weight"):
        bulk.categories_create(
            rows=[{"school_class_id": p.math8.pk, "name": "Tests", "weight": Decimal(101)}]
        )
    assert not Assignment.objects.exists()


def test_a_rubric_grade_is_the_sum_of_its_levels(personas: Personas) -> None:
    p = personas
    (rubric,) = bulk.rubrics_create(rows=[{"school_class_id": p.homeroom5.pk, "title": "Writing"}])
    bulk.criteria_create(columns=("rubric_id", "title", "position"), rows=[(rubric, "Ideas", 0)])
    criterion = p.homeroom5.rubrics.get().criteria.get()
    bulk.levels_create(
        columns=("criterion_id", "title", "points", "position"),
        rows=[(criterion.pk, "Beginning", 1, 0), (criterion.pk, "Secure", 4, 1)],
    )
    with pytest.raises(ValueError, match="rubric"):
        work(p, rubric_id=rubric)  # worth 10, the rubric 4
    pk = work(p, rubric_id=rubric, points=Decimal(4))
    secure = criterion.levels.get(points=4)
    with pytest.raises(ValueError, match="sum of the levels"):
        bulk.feedback_create(
            columns=FEEDBACK,
            rows=[(pk, p.ada.pk, 3, False, NOW)],
            levels={(pk, p.ada.pk): [(criterion.pk, secure.pk, 4)]},
        )
    bulk.feedback_create(
        columns=FEEDBACK,
        rows=[(pk, p.ada.pk, 4, False, NOW)],
        levels={(pk, p.ada.pk): [(criterion.pk, secure.pk, 4)]},
    )
    assert RubricScore.objects.get().level == secure
    assessment = RubricAssessment.objects.get()  # the scores are a teacher's assessment
    assert (assessment.rubric_id, assessment.student, assessment.kind) == (
        rubric,
        p.ada,
        AssessmentKind.TEACHER,
    )
    assert Feedback.objects.get().assessment == assessment
    assert Rubric.objects.get().school_id == p.homeroom5.school_id


def test_a_grade_from_outside_replaces_the_teachers_unreturned_changes(
    personas: Personas,
) -> None:
    p = personas
    pk = work(p)
    keys = bulk.feedback_create(columns=FEEDBACK, rows=[(pk, p.ada.pk, 6, False, NOW)], keys=True)
    feedback = keys[(pk, p.ada.pk)]
    Feedback.objects.filter(pk=feedback).update(draft_saved_at=NOW, draft_score=8)
    with pytest.raises(ValueError, match="between 0 and 10"):
        bulk.feedback_update(changes=[(feedback, {"score": Decimal(12)})], now=NOW)
    bulk.feedback_update(changes=[(feedback, {"score": Decimal(7)})], now=NOW)
    saved = Feedback.objects.get(pk=feedback)
    assert (saved.score, saved.draft_saved_at, saved.draft_score) == (7, None, None)
    bulk.feedback_withdraw(ids=[feedback], now=NOW)
    saved.refresh_from_db()
    assert (saved.status, saved.returned_at) == (RosterStatus.INACTIVE, None)


def test_every_write_gives_the_students_and_readers_new_versions(personas: Personas) -> None:
    p = personas
    before = version_tokens([p.ada.pk, p.sam.pk])
    pk = work(p)
    after_work = version_tokens([p.ada.pk])
    assert after_work[p.ada.pk][0] != before[p.ada.pk][0]
    keys = bulk.feedback_create(columns=FEEDBACK, rows=[(pk, p.ada.pk, 6, False, NOW)], keys=True)
    assert version_tokens([p.ada.pk])[p.ada.pk][0] != after_work[p.ada.pk][0]
    bulk.feedback_seen_create(rows=[(keys[(pk, p.ada.pk)], p.sam.pk, NOW)])
    assert FeedbackSeen.objects.get().seen_at == NOW
    assert version_tokens([p.sam.pk])[p.sam.pk][1] != before[p.sam.pk][1]


def test_the_classwork_of_classes_is_removed_table_by_table(personas: Personas) -> None:
    p = personas
    pk = work(p)
    bulk.feedback_create(columns=FEEDBACK, rows=[(pk, p.ada.pk, 6, False, NOW)])
    work(p, school_class_id=p.math8.pk)
    deleted = bulk.classwork_delete(type(p.homeroom5).objects.filter(pk=p.homeroom5.pk))
    assert deleted == 2
    assert list(Assignment.objects.values_list("school_class_id", flat=True)) == [p.math8.pk]
