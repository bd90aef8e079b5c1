"""Efforts towards a goal and the teacher's feedback on them.

After every effort the student reports what they did, their level on the set's rubric (a
self-assessment, on every criterion), a reflection and optional evidence (a link, or a file
checked as hand-ins are); they may ask for feedback, and say they think the goal is met. Only a
teacher marks a goal met: the student's word is a request. The teacher's feedback has a comment,
optionally their own level on the rubric (kept beside the student's, never averaged with it),
and may confirm the goal met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from village.accounts.models import User
from village.classwork.models import AssessmentKind
from village.classwork.services.rubrics import assessment_save
from village.classwork.services.submissions import CheckedFile, check_upload
from village.goals import notices, translations, versions
from village.goals.models import (
    LINK_MAX,
    NOTE_MAX,
    TEXT_MAX,
    Effort,
    EffortFeedback,
    PlanGoal,
    PlanState,
)
from village.goals.policies import working_open
from village.goals.services.checks import require


def _check_link(link: str, errors: dict[str, str]) -> None:
    """The effort's link, if any. An effort is the student's: they are told in their own words
    ("tú" in Spanish, where a hand-in's link check says "usted")."""
    if not link:
        return
    try:
        require(len(link) <= LINK_MAX, "link", _("This link is too long."))
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        errors["link"] = pgettext(
            "student", "Enter a full web address that starts with https:// or http://."
        )


def _check_lengths(values: Mapping[str, tuple[str, int]], errors: dict[str, str]) -> None:
    """Each field's text at most its limit, said to the student in their own words."""
    for field, (text, limit) in values.items():
        if len(text) > limit:
            too_long = pgettext("student", "Keep this under %(limit)s characters.")
            errors[field] = too_long % {"limit": f"{limit:,}"}


def _check_effort(
    *, done: str, went_well: str, next_step: str, link: str, file: UploadedFile | None
) -> CheckedFile | None:
    errors: dict[str, str] = {}
    if not done:
        errors["done"] = _("Say what you did.")
    _check_lengths(
        {
            "done": (done, TEXT_MAX),
            "went_well": (went_well, NOTE_MAX),
            "next_step": (next_step, NOTE_MAX),
        },
        errors,
    )
    _check_link(link, errors)
    checked = None
    if file is not None:
        try:
            checked = check_upload(file)
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return checked


@transaction.atomic
def effort_record(
    *,
    plan_goal: PlanGoal,
    levels: Mapping[int, int | None],
    done: str,
    went_well: str = "",
    next_step: str = "",
    link: str = "",
    file: UploadedFile | None = None,
    ask_feedback: bool = False,
    think_met: bool = False,
    now: dt.datetime | None = None,
) -> Effort:
    """Record the student's effort on a goal of their plan, with their level on the rubric
    (every criterion), asked for in its readers' languages. Bad input raises
    ``ValidationError`` naming the field; nothing is written."""
    plan = plan_goal.plan
    goal_set = plan.goal_set
    now = now or timezone.now()
    require(
        working_open(goal_set, timezone.localdate(now)),
        "done",
        _("The work on these goals ended on %(day)s.") % {"day": goal_set.closes_on.isoformat()},
    )
    require(
        plan.state != PlanState.DRAFT,
        "done",
        _("Send your plan to your teacher first, then report your efforts."),
    )
    require(plan_goal.met_at is None, "done", _("Your teacher has confirmed this goal met."))
    done, went_well, next_step, link = (
        done.strip(),
        went_well.strip(),
        next_step.strip(),
        link.strip(),
    )
    checked = _check_effort(
        done=done, went_well=went_well, next_step=next_step, link=link, file=file
    )
    assessment = assessment_save(
        rubric=goal_set.rubric,
        student=plan.student,
        assessor=plan.student,
        kind=AssessmentKind.SELF,
        levels=levels,
    )
    effort = Effort(
        plan_goal=plan_goal,
        done=done,
        went_well=went_well,
        next_step=next_step,
        link=link,
        self_assessment=assessment,
        feedback_asked_at=now if (ask_feedback or think_met) else None,
    )
    if checked is not None:
        effort.file = checked.upload
        effort.file_name, effort.file_size = checked.original_name, checked.size
        effort.content_type = checked.content_type
    with _storage_kept_clean(effort):
        effort.save()
        translations.effort_recorded(effort)
        if think_met:
            plan_goal.met_asked_at = now
            plan_goal.save(update_fields=["met_asked_at"])
        versions.children_changed([plan.student_id])
        if effort.feedback_asked_at is not None:
            notices.feedback_asked(effort)
    return effort


@contextmanager
def _storage_kept_clean(effort: Effort) -> Iterator[None]:
    """The evidence file stored with the effort goes again when anything after it fails: the
    database rolls the effort back, the storage would keep the file."""
    try:
        yield
    except BaseException:
        if effort.file and getattr(effort.file, "_committed", False):
            effort.file.storage.delete(effort.file.name)
        raise


@transaction.atomic
def feedback_give(
    *,
    effort: Effort,
    teacher: User,
    comment: str,
    levels: Mapping[int, int | None] | None = None,
    confirms_met: bool = False,
    now: dt.datetime | None = None,
) -> EffortFeedback:
    """The teacher's answer to an effort: a comment, their own level on the rubric if they give
    one, and the goal confirmed met if they say so. It answers the request for feedback; the
    comment is asked for in its readers' languages."""
    comment = comment.strip()
    require(bool(comment), "comment", _("Write your feedback."))
    require(len(comment) <= TEXT_MAX, "comment", _("Keep this under 5,000 characters."))
    plan = effort.plan_goal.plan
    assessment = None
    if levels and any(level is not None for level in levels.values()):
        assessment = assessment_save(
            rubric=plan.goal_set.rubric,
            student=plan.student,
            assessor=teacher,
            kind=AssessmentKind.TEACHER,
            levels=levels,
            complete=False,
        )
    now = now or timezone.now()
    feedback = EffortFeedback.objects.create(
        effort=effort,
        author=teacher,
        comment=comment,
        assessment=assessment,
        confirms_met=confirms_met,
    )
    translations.feedback_given(feedback)
    effort.answered_at = now
    effort.save(update_fields=["answered_at", "updated_at"])
    if confirms_met:
        goal_confirm_met(plan_goal=effort.plan_goal, teacher=teacher, met=True, now=now)
    elif effort.plan_goal.met_asked_at is not None:
        # The student's "I think I met it" is answered: not yet.
        effort.plan_goal.met_asked_at = None
        effort.plan_goal.save(update_fields=["met_asked_at"])
    versions.children_changed([plan.student_id])
    notices.feedback_given(feedback)
    return feedback


@transaction.atomic
def goal_confirm_met(
    *, plan_goal: PlanGoal, teacher: User, met: bool, now: dt.datetime | None = None
) -> PlanGoal:
    """Mark the goal met in the student's plan (or not met again)."""
    if met:
        plan_goal.met_at, plan_goal.met_by = now or timezone.now(), teacher
    else:
        plan_goal.met_at, plan_goal.met_by, plan_goal.met_asked_at = None, None, None
    plan_goal.save(update_fields=["met_at", "met_by", "met_asked_at"])
    versions.children_changed([plan_goal.plan.student_id])
    if met:
        notices.goal_met(plan_goal)
    return plan_goal
