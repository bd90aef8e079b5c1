"""The classwork services of feedback: grades, rubric levels, comments, drafts, excusing.

Each use case is all or nothing: bad input raises ``ValidationError`` naming the field and
leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import (
    Assignment,
    Feedback,
    FeedbackSeen,
    RubricScore,
)
from village.classwork.services.assignments import assignment_create
from village.classwork.services.feedback import (
    feedback_return,
    feedback_save,
    work_excuse,
    work_unexcuse,
)
from village.classwork.tests.factories import assignment, field_of, hand_in, water_rubric
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

D = Decimal


# --- feedback --------------------------------------------------------------------------------


def rubric_work(p: Personas) -> tuple[Assignment, dict[str, dict[str, int]]]:
    """Lab work graded on the two-criterion rubric; level ids by criterion and level title."""
    rubric = water_rubric(p)
    work = assignment_create(
        school_class=p.science8, title="Lab", created_by=p.rivera, rubric=rubric
    )
    ids = {
        c.title: {lv.title: lv.pk for lv in c.levels.all()} | {"id": c.pk}
        for c in rubric.criteria.all()
    }
    return work, ids


def test_the_grade_is_the_sum_of_the_rubric_levels_chosen(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    feedback = feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        comment="Clear hypothesis; cite your measurements.",
        rubric_levels={
            ids["Hypothesis"]["id"]: ids["Hypothesis"]["Good"],
            ids["Evidence"]["id"]: ids["Evidence"]["Developing"],
        },
        return_to_student=True,
    )
    assert feedback.score == D(5)
    assert feedback.returned_at is not None
    assert sorted(RubricScore.objects.values_list("points", flat=True)) == [D(2), D(3)]

    # Changing one level of returned feedback is kept as a change, not yet seen: the returned
    # grade and levels stay until it is returned again.
    feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        rubric_levels={
            ids["Hypothesis"]["id"]: ids["Hypothesis"]["Excellent"],
            ids["Evidence"]["id"]: ids["Evidence"]["Developing"],
        },
    )
    kept = Feedback.objects.get()
    assert (kept.score, kept.draft_score) == (D(5), D(6))
    assert sorted(RubricScore.objects.values_list("points", flat=True)) == [D(2), D(3)]

    # Returned again: the sum and the stored row change, not a second row.
    feedback_return(assignment=work, student=p.leo, graded_by=p.rivera)
    assert Feedback.objects.get().score == D(6)
    assert sorted(RubricScore.objects.values_list("points", flat=True)) == [D(2), D(4)]


def test_returning_needs_a_level_for_every_criterion(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    partial = {ids["Hypothesis"]["id"]: ids["Hypothesis"]["Good"]}
    with pytest.raises(ValidationError) as refused:
        feedback_save(
            assignment=work,
            student=p.leo,
            graded_by=p.rivera,
            rubric_levels=partial,
            return_to_student=True,
        )
    assert field_of(refused) == {"rubric"}
    assert "Evidence" in refused.value.message_dict["rubric"][0]
    assert not Feedback.objects.exists()
    # As a draft, a partly scored rubric is fine.
    draft = feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, rubric_levels=partial)
    assert (draft.score, draft.returned_at) == (D(3), None)


def test_a_level_of_another_criterion_is_refused(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    with pytest.raises(ValidationError) as refused:
        feedback_save(
            assignment=work,
            student=p.leo,
            graded_by=p.rivera,
            rubric_levels={ids["Hypothesis"]["id"]: ids["Evidence"]["Good"]},
        )
    assert field_of(refused) == {"rubric"}


def test_a_grade_given_directly_on_rubric_work_must_be_the_rubric_sum(personas: Personas) -> None:
    p = personas
    work, ids = rubric_work(p)
    with pytest.raises(ValidationError) as refused:
        feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(4))
    assert field_of(refused) == {"score"}
    assert "rubric" in refused.value.message_dict["score"][0]
    assert not Feedback.objects.exists()

    levels = {
        ids["Hypothesis"]["id"]: ids["Hypothesis"]["Good"],
        ids["Evidence"]["id"]: ids["Evidence"]["Developing"],
    }
    feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, rubric_levels=levels)
    with pytest.raises(ValidationError) as mismatch:
        feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(6))
    assert "sum of the levels chosen, 5" in mismatch.value.message_dict["score"][0]
    assert Feedback.objects.get().score == D(5)

    # The sum itself, or no grade at all, keeps the levels chosen and their sum.
    same = feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, score=D(5), comment="Good."
    )
    assert (same.score, same.comment) == (D(5), "Good.")
    comment_only = feedback_save(
        assignment=work, student=p.leo, graded_by=p.rivera, comment="Better."
    )
    assert comment_only.score == D(5)
    assert RubricScore.objects.filter(assessment__feedback=comment_only).count() == 2


@pytest.mark.parametrize("score", [D(11), D("10.01")])
def test_no_extra_credit_a_grade_above_the_points_is_refused(personas, score) -> None:
    work = assignment(personas.science8, points=10)
    with pytest.raises(ValidationError) as refused:
        feedback_save(assignment=work, student=personas.leo, graded_by=personas.rivera, score=score)
    assert field_of(refused) == {"score"}
    assert "between 0 and 10" in refused.value.message_dict["score"][0]
    assert not Feedback.objects.exists()


def test_work_without_points_takes_a_comment_but_no_grade(personas: Personas) -> None:
    work = assignment(personas.science8, points=None)
    with pytest.raises(ValidationError):
        feedback_save(assignment=work, student=personas.leo, graded_by=personas.rivera, score=D(1))
    feedback = feedback_save(
        assignment=work, student=personas.leo, graded_by=personas.rivera, comment="Lovely."
    )
    assert (feedback.score, feedback.comment) == (None, "Lovely.")


def test_feedback_for_a_student_not_in_the_class_is_refused(personas: Personas) -> None:
    work = assignment(personas.science8)
    with pytest.raises(ValidationError) as refused:
        feedback_save(assignment=work, student=personas.ada, graded_by=personas.rivera, score=D(5))
    assert field_of(refused) == {"student"}


def test_returning_after_a_resubmission_updates_the_returned_time(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, points=10)
    hand_in(work, p.leo, days_ago=2)
    first_return = timezone.now() - dt.timedelta(days=1)
    feedback = feedback_save(
        assignment=work,
        student=p.leo,
        graded_by=p.rivera,
        score=D(6),
        comment="Add units.",
        return_to_student=True,
        now=first_return,
    )
    FeedbackSeen.objects.create(feedback=feedback, user=p.leo)
    hand_in(work, p.leo, days_ago=0, attempt=2)
    returned = feedback_return(assignment=work, student=p.leo, graded_by=p.rivera)
    assert returned.returned_at is not None
    assert returned.returned_at > first_return
    # Returned again: new to read for the student and family.
    assert not FeedbackSeen.objects.exists()


def test_a_draft_is_not_returned_and_saving_a_draft_keeps_a_return(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, points=10)
    draft = feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(7))
    assert draft.returned_at is None
    returned = feedback_return(assignment=work, student=p.leo, graded_by=p.rivera)
    stamp = returned.returned_at
    again = feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, score=D(8))
    # The returned version stays what the student sees; the change waits to be returned.
    assert (again.score, again.returned_at, again.draft_score) == (D(7), stamp, D(8))
    assert again.has_draft


def test_returning_without_feedback_is_refused(personas: Personas) -> None:
    work = assignment(personas.science8)
    with pytest.raises(ValidationError) as refused:
        feedback_return(assignment=work, student=personas.leo, graded_by=personas.rivera)
    assert field_of(refused) == {"feedback"}
    assert not Feedback.objects.exists()


def test_excusing_and_unexcusing_keep_the_rest_of_the_feedback(personas: Personas) -> None:
    p = personas
    work = assignment(p.science8, points=10)
    feedback_save(assignment=work, student=p.leo, graded_by=p.rivera, comment="Ill.")
    assert work_excuse(assignment=work, student=p.leo, graded_by=p.rivera).excused
    feedback = work_unexcuse(assignment=work, student=p.leo, graded_by=p.rivera)
    assert (feedback.excused, feedback.comment) == (False, "Ill.")
    assert Feedback.objects.count() == 1


def test_a_comment_has_the_same_limit_as_a_written_answer(personas: Personas) -> None:
    p = personas
    work = assignment(p.homeroom5, "Essay", due_in_days=-1, points=10)
    longest = "a" * LONG_TEXT_MAX
    feedback_save(assignment=work, student=p.ada, graded_by=p.rivera, comment=longest)
    with pytest.raises(ValidationError) as refused:
        feedback_save(
            assignment=work, student=p.ada, graded_by=p.rivera, comment=longest + "a", score=D(5)
        )
    assert field_of(refused) == {"comment"}
    assert "50,000" in refused.value.message_dict["comment"][0]
