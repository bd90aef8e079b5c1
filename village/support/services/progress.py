"""Carrying out a support plan in force: staff's progress notes on its goals (a progress check,
on the plan's schedule: ``village.support.schedule``), and the home actions the family and the
student mark done.

Each function is atomic and keyword-only; ``PermissionDenied`` when the user may not write
(``plan_policies``), a ``ValidationError`` naming each field in error otherwise, with nothing
changed. A check's notes are named by their place in the list given: ``notes.0.status``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.policies import today
from village.core.text import SINGLE_LINE_MESSAGE, single_line
from village.support import plan_policies, versions
from village.support import plan_translations as words
from village.support.models import (
    LINE_MAX,
    TEXT_MAX,
    ActionSide,
    HomeActionLog,
    ProgressNote,
    ProgressStatus,
    SupportAction,
    SupportGoal,
    SupportPlan,
)
from village.support.services.checks import Errors


@dataclass(frozen=True)
class GoalProgress:
    """A note on one goal of the plan (``goal_id``) at a progress check."""

    goal_id: int
    status: ProgressStatus | str
    measured: str = ""
    note: str = ""


def _line(errors: Errors, value: str, field: str) -> str:
    value = errors.text(value, field, limit=LINE_MAX, required=False)
    try:
        single_line(value)
    except ValidationError:
        errors.add(field, str(SINGLE_LINE_MESSAGE))
    return value


def _check_day(errors: Errors, day: dt.date, field: str, plan: SupportPlan) -> None:
    errors.require(day <= today(), field, _("Choose a day that has come."))
    written = timezone.localdate(plan.created_at)
    errors.require(
        day >= written,
        field,
        _("Choose a day since the plan was written (%(day)s).") % {"day": written.isoformat()},
    )


def _fresh(plan_id: int) -> SupportPlan:
    """The plan as it is now (the caller's copy may be older than a change of its state)."""
    return SupportPlan.objects.select_related("student").get(pk=plan_id)


def _require_note_taker(author: User, plan: SupportPlan) -> None:
    access = plan_policies.plan_access(author, plan)
    plan_policies.require(
        access.note_progress, _("Only the student's staff note progress on a plan in force.")
    )


@transaction.atomic
def progress_check_record(
    *,
    author: User,
    plan: SupportPlan,
    notes: Sequence[GoalProgress],
    noted_on: dt.date | None = None,
) -> list[ProgressNote]:
    """Staff's progress check of the plan on ``noted_on`` (today by default): a note on each
    goal of ``notes`` (at least one), each with a status and, optionally, what was measured
    and a note. The next check falls due ``check_every_days`` after it."""
    plan = _fresh(plan.pk)
    _require_note_taker(author, plan)
    day = noted_on or today()
    errors = Errors()
    _check_day(errors, day, "noted_on", plan)
    errors.require(bool(notes), "notes", _("Note the progress of at least one goal."))
    goals = set(SupportGoal.objects.filter(plan=plan, in_plan=True).values_list("pk", flat=True))
    written: list[ProgressNote] = []
    for index, given in enumerate(notes):
        name = f"notes.{index}"
        status = errors.choice(ProgressStatus, given.status, f"{name}.status")
        errors.require(given.goal_id in goals, f"{name}.goal_id", _("Choose a goal of the plan."))
        measured = _line(errors, given.measured, f"{name}.measured")
        note = errors.text(given.note, f"{name}.note", limit=TEXT_MAX, required=False)
        written.append(
            ProgressNote(
                plan=plan, goal_id=given.goal_id, author=author, status=status or "",
                measured=measured, note=note, language=words.staff_language(), noted_on=day,
            )
        )  # fmt: skip
    errors.raise_any()
    ProgressNote.objects.bulk_create(written)
    said = [note.note for note in written] + [note.measured for note in written]
    words.ask(plan, said, words.staff_language())
    versions.children_changed([plan.student_id])
    return written


def progress_note_add(
    *,
    author: User,
    goal: SupportGoal,
    status: ProgressStatus | str,
    noted_on: dt.date | None = None,
    measured: str = "",
    note: str = "",
) -> ProgressNote:
    """One goal's progress note: a check of that goal alone (``progress_check_record``)."""
    found = GoalProgress(goal_id=goal.pk, status=status, measured=measured, note=note)
    try:
        (written,) = progress_check_record(
            author=author, plan=goal.plan, notes=[found], noted_on=noted_on
        )
    except ValidationError as error:
        raise _one_goal(error) from None
    return written


def _one_goal(error: ValidationError) -> ValidationError:
    """The errors of a one-note check named as the note's own fields (``status``, not
    ``notes.0.status``)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {name.removeprefix("notes.0."): messages for name, messages in error.message_dict.items()}
    )


@transaction.atomic
def home_action_done(
    *, by: User, action: SupportAction, done_on: dt.date | None = None, note: str = ""
) -> HomeActionLog:
    """A guardian (whose link allows the support plan) or the student marks a home action of
    a plan in force done on ``done_on`` (today by default), once a day each, with an optional
    note in their language."""
    plan = _fresh(action.plan_id)
    access = plan_policies.plan_access(by, plan)
    plan_policies.require(
        access.log_home, _("The family marks home actions done while the plan is in force.")
    )
    home = action.side == ActionSide.HOME and action.in_plan
    plan_policies.require(home, _("Only a home action of the plan is marked."))
    day = done_on or today()
    errors = Errors()
    _check_day(errors, day, "done_on", plan)
    errors.require(
        not HomeActionLog.objects.filter(action=action, by=by, done_on=day).exists(),
        "done_on",
        _("Already marked done on that day."),
    )
    note = _line(errors, note, "note")
    errors.raise_any()
    language = words.written_in(by)
    log = HomeActionLog.objects.create(
        action=action, by=by, done_on=day, note=note, language=language
    )
    words.ask(plan, [note], language)
    versions.children_changed([plan.student_id])
    return log
