"""A support plan's record through the API: its versions (each a snapshot as it was made, with
the parties' answers to it), its progress notes and progress checks (the student's staff, while
the plan is in force), and home actions marked done (the family and the student). Access, errors
and the audit as in ``plans``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.accounts.models import User
from village.core.api import READ, WRITE, Id, InputSchema, PageIn, Ref, SingleLine, Text
from village.support import plan_policies
from village.support.api.common import MAX_PAGE_SIZE
from village.support.api.plan_shapes import (
    Shaper,
    SupportHomeLogOut,
    SupportPlanVersionAnsweredOut,
    SupportPlanVersionDetailOut,
    SupportProgressNoteOut,
    invalid_at,
    own_names,
)
from village.support.models import (
    LINE_MAX,
    TEXT_MAX,
    Agreement,
    PartyRole,
    ProgressNote,
    ProgressStatus,
    SupportPlan,
)
from village.support.plan_translations import Wanted
from village.support.selectors.plan_content import content_view
from village.support.selectors.plans import names_for, plan_versions, plan_viewed
from village.support.services import progress as progress_services
from village.support.services.plan_content import MAX_GOALS

router = Router()


# --- input --------------------------------------------------------------------------------------


class SupportGoalProgressIn(InputSchema):
    goal_id: Ref = Field(description="A goal of the plan.")
    status: ProgressStatus
    measured: SingleLine = Field("", max_length=LINE_MAX)
    note: Text = Field("", max_length=TEXT_MAX)


class SupportProgressCheckIn(InputSchema):
    noted_on: dt.date | None = Field(
        None, description="The day of the check (today by default), since the plan was written."
    )
    notes: list[SupportGoalProgressIn] = Field(
        max_length=MAX_GOALS, description="A note on each goal checked (at least one)."
    )


class SupportHomeDoneIn(InputSchema):
    done_on: dt.date | None = Field(
        None, description="The day (today by default), since the plan was written."
    )
    note: SingleLine = Field("", max_length=LINE_MAX)


# --- pages --------------------------------------------------------------------------------------


class SupportPlanVersionsPage(Schema):
    items: list[SupportPlanVersionAnsweredOut] = Field(description="Newest first.")
    count: int = Field(description="How many versions there are in all.")


class SupportProgressNotesPage(Schema):
    items: list[SupportProgressNoteOut] = Field(description="Newest first.")
    count: int = Field(description="How many notes there are in all.")


# --- versions -----------------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/versions",
    response={200: SupportPlanVersionsPage, **READ},
    operation_id="support_plan_versions",
    summary="A support plan's versions",
    description=(
        "Newest first: who made each version and when, what changed, and each party's answer "
        "to it (named as ``support_plan_get`` names them); ``limit`` (at most 200) after the "
        "first ``offset``. The view is written to the audit log. 404 for a plan the caller "
        "may not see."
    ),
)
def plan_version_list(
    request: HttpRequest, plan_id: Id, page: Query[PageIn]
) -> SupportPlanVersionsPage:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    found = plan_versions(plan)
    shown = found[page.offset : page.offset + min(page.limit, MAX_PAGE_SIZE)]
    plan_viewed(user, plan, request=request, channel="api")
    wanted = Wanted(plan)
    for version in shown:
        wanted.staff(version.note)
        for answer in version.agreements.all():
            wanted.add([answer.note], answer.language)
    names = names_for(user, plan_policies.plan_access(user, plan))
    shaper = Shaper(plan, wanted.shown_to(user), names)
    return SupportPlanVersionsPage(
        items=[shaper.version_answered(version) for version in shown], count=len(found)
    )


@router.get(
    "/plans/{plan_id}/versions/{number}",
    response={200: SupportPlanVersionDetailOut, **READ},
    operation_id="support_plan_version_get",
    summary="One version of a support plan, as it was",
    description=(
        "The version's content exactly as it was made (a version never changes), who made it "
        "and what changed, and each party's answer to it. The view is written to the audit "
        "log. 404 for a plan the caller may not see, or a version it does not have."
    ),
)
def plan_version_get(request: HttpRequest, plan_id: Id, number: Id) -> SupportPlanVersionDetailOut:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    version = plan_policies.version_for_viewer(plan, number)
    answers = Agreement.objects.select_related("party").order_by("at", "pk")
    prefetch_related_objects([version], Prefetch("agreements", queryset=answers))
    plan_viewed(user, plan, request=request, channel="api")
    content = content_view(version.content)
    wanted = Wanted(plan).staff(*content.texts(), version.note)
    wanted.add([content.student_view], content.student_view_language)
    for answer in version.agreements.all():
        wanted.add([answer.note], answer.language)
    names = names_for(user, plan_policies.plan_access(user, plan))
    return Shaper(plan, wanted.shown_to(user), names).version_detail(version)


# --- carrying the plan out ----------------------------------------------------------------------


def _notes_page(
    user: User, plan: SupportPlan, notes: list[ProgressNote], count: int
) -> SupportProgressNotesPage:
    wanted = Wanted(plan)
    for note in notes:
        wanted.add([note.note, note.measured], note.language)
    shaper = Shaper(plan, wanted.shown_to(user), own_names(user, PartyRole.STAFF))
    return SupportProgressNotesPage(
        items=[shaper.progress_note(note) for note in notes], count=count
    )


@router.post(
    "/plans/{plan_id}/progress",
    response={201: SupportProgressNotesPage, **WRITE},
    operation_id="support_plan_progress_record",
    summary="Record a progress check",
    description=(
        "The student's staff note the progress of one or more goals of a plan in force "
        "(agreed, or in review) on ``noted_on``; the next check falls due the plan's number "
        "of days after it. The answer is the notes written. 422 naming the field "
        "(``notes.0.goal_id``, ``notes.1.status``, ``noted_on``); 403 for the family, or a "
        "plan not in force; 404 for a plan the caller may not see."
    ),
)
def progress_record(
    request: HttpRequest, plan_id: Id, payload: SupportProgressCheckIn
) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    notes = [progress_services.GoalProgress(**note.model_dump()) for note in payload.notes]
    try:
        written = progress_services.progress_check_record(
            author=user, plan=plan, notes=notes, noted_on=payload.noted_on
        )
    except ValidationError as error:
        return invalid_at(error)
    return Status(201, _notes_page(user, plan, written, len(written)))


@router.get(
    "/plans/{plan_id}/progress",
    response={200: SupportProgressNotesPage, **READ},
    operation_id="support_plan_progress_list",
    summary="A support plan's progress notes",
    description=(
        "Every progress note of the plan, the newest check first, goals since taken out of the "
        "plan included; ``limit`` (at most 200) after the first ``offset``. The view is "
        "written to the audit log. 404 for a plan the caller may not see."
    ),
)
def progress_list(
    request: HttpRequest, plan_id: Id, page: Query[PageIn]
) -> SupportProgressNotesPage:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    found = ProgressNote.objects.filter(plan=plan)
    limit = min(page.limit, MAX_PAGE_SIZE)
    notes = list(
        found.select_related("author").order_by("-noted_on", "-pk")[
            page.offset : page.offset + limit
        ]
    )
    plan_viewed(user, plan, request=request, channel="api")
    return _notes_page(user, plan, notes, found.count())


@router.post(
    "/plans/{plan_id}/home-actions/{action_id}/done",
    response={201: SupportHomeLogOut, **WRITE},
    operation_id="support_plan_home_action_done",
    summary="Mark a home action done",
    description=(
        "A guardian (whose link allows the support plan) or the student marks a home action "
        "of a plan in force done on ``done_on``, once a day each, with a note in their "
        "language. 422 naming the field (a day marked already, a day to come); 403 for the "
        "staff, or a plan not in force; 404 for a plan the caller may not see, or an action "
        "that is not one of its home actions."
    ),
)
def home_action_done(
    request: HttpRequest, plan_id: Id, action_id: Id, payload: SupportHomeDoneIn
) -> Status[Any]:
    user = api_caller(request)
    action = plan_policies.home_action_for_logger(user, action_id, plan_id=plan_id)
    try:
        log = progress_services.home_action_done(
            by=user, action=action, done_on=payload.done_on, note=payload.note
        )
    except ValidationError as error:
        return invalid_at(error)
    plan = action.plan
    translations = Wanted(plan).add([log.note], log.language).shown_to(user)
    role = PartyRole.STUDENT if user.pk == plan.student_id else PartyRole.GUARDIAN
    return Status(201, Shaper(plan, translations, own_names(user, role)).home_log(log))
