"""Feedback on a student's work: comment, rubric levels, grade, excused, returned.

Changes to returned feedback wait as a draft, unseen by the student and family, until it is
returned again. Grades follow the one score rule of ``village.classwork.scores``: between 0 and
the assignment's points, no extra credit, and on rubric-scored work the sum of the levels chosen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork import alerts, translations, versions
from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.models import (
    AssessmentKind,
    Assignment,
    Feedback,
    FeedbackSeen,
    RubricAssessment,
    RubricLevel,
    RubricScore,
)
from village.classwork.policies import student_class_ids
from village.classwork.scores import check_score, rubric_total
from village.classwork.selectors.rubrics import assessment_levels
from village.classwork.services.checks import require
from village.classwork.services.rubrics import RubricChoice, assessment_save, rubric_choice


def _check_student(assignment: Assignment, student: User) -> None:
    enrolled = student_class_ids([student.pk]).filter(school_class_id=assignment.school_class_id)
    require(enrolled.exists(), "student", _("This student is not in the class."))


def _check_comment(comment: str) -> None:
    require(
        len(comment) <= LONG_TEXT_MAX,
        "comment",
        _("A comment is at most %(limit)s characters. Shorten it, or attach a file.")
        % {"limit": f"{LONG_TEXT_MAX:,}"},
    )


def _feedback_for(assignment: Assignment, student: User, graded_by: User | None) -> Feedback:
    feedback = (
        Feedback.objects.select_for_update().filter(assignment=assignment, student=student).first()
    )
    if feedback is None:
        feedback = Feedback(assignment=assignment, student=student)
    feedback.graded_by = graded_by or feedback.graded_by
    return feedback


def _rubric_choice(
    assignment: Assignment, levels: Mapping[int, int | None], *, complete: bool
) -> RubricChoice:
    """The chosen level of each criterion, checked against the work's rubric, and their sum."""
    assert assignment.rubric_id is not None
    return rubric_choice(
        rubric_id=assignment.rubric_id,
        levels=levels,
        complete=complete,
        kind=AssessmentKind.TEACHER,
    )


def _keep_scores(feedback: Feedback, chosen: dict[int, RubricLevel]) -> None:
    """Make ``chosen`` the rubric scores of ``feedback`` (its teacher assessment); with none
    chosen, the feedback has no assessment. The caller saves the feedback."""
    if not chosen:
        if feedback.assessment_id is not None:
            RubricAssessment.objects.filter(pk=feedback.assessment_id).delete()
            feedback.assessment = None
        return
    assert feedback.assignment.rubric is not None
    feedback.assessment = assessment_save(
        rubric=feedback.assignment.rubric,
        student=feedback.student,
        assessor=feedback.graded_by,
        kind=AssessmentKind.TEACHER,
        levels={criterion: level.pk for criterion, level in chosen.items()},
        complete=False,
        assessment=feedback.assessment,
    )


def _saved_rubric_total(feedback: Feedback) -> Decimal | None:
    """The sum of the levels already chosen on ``feedback`` (``None`` when none is)."""
    if feedback.assessment_id is None:
        return None
    return rubric_total(
        RubricScore.objects.filter(
            assessment_id=feedback.assessment_id, level__isnull=False
        ).values_list("points", flat=True)
    )


@transaction.atomic
def feedback_save(
    *,
    assignment: Assignment,
    student: User,
    graded_by: User | None,
    score: Decimal | None = None,
    comment: str = "",
    rubric_levels: Mapping[int, int | None] | None = None,
    excused: bool | None = None,
    return_to_student: bool = False,
    now: dt.datetime | None = None,
) -> Feedback:
    """Save the teacher's feedback on one student's work, and return it if asked.

    With a rubric, ``rubric_levels`` maps criterion id to the chosen level id (``None`` clears
    it; left out, the levels already chosen stay, those of the kept changes if there are any)
    and the grade is the sum of the chosen levels; a ``score`` given as well must match it
    (``village.classwork.scores``). ``excused`` left out stays as it is, kept changes included.
    Returning with a rubric needs a level for every criterion (or none, for a comment alone).
    Until returned, feedback is a draft only the teacher sees. Feedback already returned keeps
    showing its returned version: changes saved without returning them are kept as a draft
    (``draft_*``) that replaces it when returned again, which marks it new for the student and
    family.
    """
    _check_student(assignment, student)
    _check_comment(comment)
    feedback = _feedback_for(assignment, student, graded_by)
    chosen: dict[int, RubricLevel] | None = None
    rubric = assignment.rubric_id is not None
    if feedback.has_draft:
        # What is left out stays as the teacher left it: as in the changes kept.
        rubric_levels = feedback.draft_levels if rubric_levels is None else rubric_levels
        excused = feedback.draft_excused if excused is None else excused
    total: Decimal | None = None
    if rubric and rubric_levels is not None:
        choice = _rubric_choice(assignment, rubric_levels, complete=return_to_student)
        chosen, total = choice.levels, choice.total
    elif rubric:
        total = _saved_rubric_total(feedback)
    check_score(score, points=assignment.points, rubric=rubric, rubric_total=total)
    if rubric:
        score = total
    if feedback.returned_at is not None and not return_to_student:
        _save_draft(feedback, score, comment, chosen, excused, now or timezone.now())
        return feedback
    feedback.score = score
    feedback.comment = comment.strip()
    if excused is not None:
        feedback.excused = excused
    _clear_draft(feedback)
    if chosen is not None:
        _keep_scores(feedback, chosen)
    feedback.save()
    if return_to_student:
        _return(feedback, now or timezone.now())
        alerts.record_change([student.pk], f"assignment:{assignment.pk}")
    versions.students_changed([student.pk])
    return feedback


def _save_draft(
    feedback: Feedback,
    score: Decimal | None,
    comment: str,
    chosen: dict[int, RubricLevel] | None,
    excused: bool | None,
    now: dt.datetime,
) -> None:
    """Keep changes to returned feedback aside: the student and family still see what was
    returned. Nothing they see changes, so their work versions stay as they are."""
    if not feedback.has_draft:
        feedback.draft_excused = feedback.excused
        feedback.draft_rubric = {
            str(criterion): level for criterion, level in _returned_levels(feedback).items()
        }
    feedback.draft_saved_at = now
    feedback.draft_score = score
    feedback.draft_comment = comment.strip()
    if excused is not None:
        feedback.draft_excused = excused
    if chosen is not None:
        feedback.draft_rubric = {str(criterion): level.pk for criterion, level in chosen.items()}
    if _same_as_returned(feedback):
        _clear_draft(feedback)  # nothing changed: nothing waits to be returned
    feedback.save()


def _same_as_returned(feedback: Feedback) -> bool:
    returned_levels = {
        str(criterion): level for criterion, level in _returned_levels(feedback).items()
    }
    return (
        feedback.draft_score == feedback.score
        and feedback.draft_comment == feedback.comment
        and feedback.draft_excused == feedback.excused
        and feedback.draft_rubric == returned_levels
    )


def _returned_levels(feedback: Feedback) -> dict[int, int]:
    return assessment_levels(feedback.assessment_id)


def _clear_draft(feedback: Feedback) -> None:
    feedback.draft_saved_at = None
    feedback.draft_score = None
    feedback.draft_comment = ""
    feedback.draft_excused = False
    feedback.draft_rubric = {}


def _apply_draft(feedback: Feedback) -> None:
    """Make the kept changes the feedback's version, checked again as when returning them."""
    assignment = feedback.assignment
    score = feedback.draft_score
    rubric = assignment.rubric_id is not None
    total: Decimal | None = None
    if rubric:
        choice = _rubric_choice(assignment, feedback.draft_levels, complete=True)
        _keep_scores(feedback, choice.levels)
        total = choice.total
        score = total if choice.levels else score
    check_score(score, points=assignment.points, rubric=rubric, rubric_total=total)
    feedback.score = score
    feedback.comment = feedback.draft_comment
    feedback.excused = feedback.draft_excused
    _clear_draft(feedback)
    feedback.save()


@transaction.atomic
def feedback_draft_discard(*, assignment: Assignment, student: User) -> Feedback | None:
    """Forget the changes kept for returned feedback: its returned version stays."""
    feedback = (
        Feedback.objects.select_for_update().filter(assignment=assignment, student=student).first()
    )
    if feedback is not None and feedback.draft_saved_at is not None:
        _clear_draft(feedback)
        feedback.save()
    return feedback


def _return(feedback: Feedback, now: dt.datetime) -> None:
    feedback.returned_at = now
    feedback.save(update_fields=["returned_at", "updated_at"])
    translations.feedback_returned(feedback)
    # Returned again (after a resubmission, or with changes): new for the student and family.
    FeedbackSeen.objects.filter(feedback=feedback).delete()


@transaction.atomic
def feedback_return(
    *, assignment: Assignment, student: User, graded_by: User | None, now: dt.datetime | None = None
) -> Feedback:
    """Return the saved feedback (draft or already returned, with any changes kept since) to the
    student: it becomes visible to them and their family and counts toward the grade."""
    _check_student(assignment, student)
    feedback = _feedback_for(assignment, student, graded_by)
    require(
        feedback.pk is not None,
        "feedback",
        _("There is no feedback to return yet: write a comment or a grade first."),
    )
    if feedback.has_draft:
        _apply_draft(feedback)
    _return(feedback, now or timezone.now())
    alerts.record_change([student.pk], f"assignment:{assignment.pk}")
    versions.students_changed([student.pk])
    return feedback


@transaction.atomic
def work_excuse(*, assignment: Assignment, student: User, graded_by: User | None) -> Feedback:
    """Excuse the student from the work: it is neither missing nor counted in the grade."""
    return _set_excused(assignment, student, graded_by, excused=True)


@transaction.atomic
def work_unexcuse(*, assignment: Assignment, student: User, graded_by: User | None) -> Feedback:
    return _set_excused(assignment, student, graded_by, excused=False)


def _set_excused(
    assignment: Assignment, student: User, graded_by: User | None, *, excused: bool
) -> Feedback:
    _check_student(assignment, student)
    feedback = _feedback_for(assignment, student, graded_by)
    feedback.excused = excused
    # Excusing is seen at once; changes kept for later must not undo it when returned.
    feedback.draft_excused = excused
    feedback.save()
    alerts.record_change([student.pk], f"assignment:{assignment.pk}")
    versions.students_changed([student.pk])
    return feedback


def feedback_mark_seen(*, user_id: int, feedback_ids: Iterable[int]) -> None:
    """Record that ``user_id`` has seen this returned feedback; already seen is fine. Only
    feedback new to them is written, and only then does their feedback-seen version change."""
    ids = set(feedback_ids)
    if not ids:
        return
    ids -= set(
        FeedbackSeen.objects.filter(user_id=user_id, feedback_id__in=ids).values_list(
            "feedback_id", flat=True
        )
    )
    if ids:
        with transaction.atomic():
            FeedbackSeen.objects.bulk_create(
                [FeedbackSeen(feedback_id=pk, user_id=user_id) for pk in sorted(ids)],
                ignore_conflicts=True,
            )
            versions.feedback_seen_changed(user_id)
