"""Support plans through the API: a student's plans as the caller may see them; one plan as its
page shows it (the current version's content, the parties' answers, comments, progress notes,
home actions done), each text as written with its translation into the caller's language, each
person named as the caller may read them; a plan written and changed by the student's staff,
each change a new version; proposed, confirmed or disagreed with by each party, reviewed,
closed; comments; the student's own view. Its versions, progress and home actions done are
``plan_record``'s.

Everything through ``plan_policies``, as on the pages: a plan the caller may not see answers 404
(a draft is the staff's until proposed), and so does everything on it; what the caller sees but
may not do answers 403, the state of the plan included (the services' ``PermissionDenied``: an
agreed plan is reviewed before it changes, a closed one is read-only). Bad input answers 422
naming where the bad value is in the body (``goals.0.text`` is ``["body", "payload", "goals",
0, "text"]``) and changes nothing. Every answer that shows a plan is written to the audit log
(channel ``api``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.accounts.models import User
from village.core.api import (
    READ,
    WRITE,
    ErrorOut,
    Id,
    InputSchema,
    PageIn,
    Ref,
    SingleLine,
    Text,
    ValidationErrorOut,
)
from village.support import plan_policies, policies
from village.support.api.common import MAX_PAGE_SIZE, audit
from village.support.api.plan_shapes import (
    Shaper,
    SupportPlanCommentOut,
    SupportPlanOut,
    SupportPlanRowOut,
    invalid_at,
    own_names,
    rows_out,
)
from village.support.models import (
    CHECK_EVERY_MAX,
    CHECK_EVERY_MIN,
    LINE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActionSide,
    CommentKind,
    PlanComment,
)
from village.support.plan_translations import Wanted, page_translations
from village.support.selectors.plans import plan_page, student_plans
from village.support.services import plans as plan_services
from village.support.services.plan_content import MAX_ACTIONS, MAX_GOALS
from village.support.services.plan_voice import plan_student_view

router = Router()

#: Error answers of a step on a plan that takes no body (422: a bad id, or a step the plan's
#: content refuses).
STEP: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


# --- input --------------------------------------------------------------------------------------


class SupportPlanGoalIn(InputSchema):
    id: Ref | None = Field(
        None, description="One of the plan's goals, kept with its progress notes; null: new."
    )
    text: Text = Field(max_length=TEXT_MAX)
    baseline: Text = Field("", max_length=TEXT_MAX)
    target: Text = Field("", max_length=TEXT_MAX)
    measure: Text = Field("", max_length=TEXT_MAX, description="How progress is measured.")
    learning_goal_id: Ref | None = Field(
        None, description="A learning goal of a published set of one of the student's classes."
    )


class SupportPlanActionIn(InputSchema):
    id: Ref | None = Field(None, description="One of the plan's actions, kept; null: new.")
    side: ActionSide = Field(description="school or home.")
    who: SingleLine = Field(max_length=LINE_MAX)
    what: Text = Field(max_length=TEXT_MAX)
    how_often: SingleLine = Field("", max_length=LINE_MAX)
    goal: int | None = Field(
        None,
        ge=1,
        le=MAX_GOALS,
        description="The number (from 1) of the goal it serves in ``goals``; null: the plan.",
    )


class SupportPlanIn(InputSchema):
    title: SingleLine = Field(max_length=TITLE_MAX)
    concern: Text = Field(max_length=TEXT_MAX, description="The concern, in plain words.")
    present_level: Text = Field("", max_length=TEXT_MAX)
    review_on: dt.date = Field(description="After today (a date kept as it was may stay).")
    check_every_days: int = Field(
        ge=CHECK_EVERY_MIN, le=CHECK_EVERY_MAX, description="How often progress is checked."
    )
    goals: list[SupportPlanGoalIn] = Field(default_factory=list, max_length=MAX_GOALS)
    actions: list[SupportPlanActionIn] = Field(default_factory=list, max_length=MAX_ACTIONS)
    accommodation_ids: list[Ref] = Field(
        default_factory=list,
        max_length=MAX_ACTIONS,
        description="Accommodations of the student not ended (or listed already).",
    )
    note: SingleLine = Field("", max_length=LINE_MAX, description="What changed, in a line.")


class SupportPlanConfirmIn(InputSchema):
    version: Ref = Field(description="The number of the version the caller read.")
    note: Text = Field("", max_length=TEXT_MAX)


class SupportPlanDisagreeIn(InputSchema):
    version: Ref = Field(description="The number of the version the caller read.")
    note: Text = Field(max_length=TEXT_MAX, description="Why (required).")


class SupportPlanCommentIn(InputSchema):
    text: Text = Field(max_length=TEXT_MAX, description="In the caller's language.")
    kind: CommentKind = Field(CommentKind.COMMENT, description="comment, or change (proposed).")


class SupportStudentViewIn(InputSchema):
    text: Text = Field(max_length=TEXT_MAX, description="In the student's words; empty: out.")
    language: str | None = Field(
        None, max_length=16, description="By default the student's preferred language."
    )


# --- pages --------------------------------------------------------------------------------------


class SupportPlansPage(Schema):
    items: list[SupportPlanRowOut]
    count: int = Field(description="How many plans there are in all.")


# --- helpers ------------------------------------------------------------------------------------


def _plan_out(request: HttpRequest, user: User, plan_id: int) -> SupportPlanOut:
    """The plan as its page shows ``user`` (audited)."""
    plan = plan_policies.plan_for_viewer(user, plan_id)
    page = plan_page(user, plan, request=request, channel="api")
    return Shaper(plan, page_translations(user, page), page.names).plan(page)


def _fields(payload: SupportPlanIn) -> plan_services.PlanFields:
    return plan_services.PlanFields(
        title=payload.title,
        concern=payload.concern,
        present_level=payload.present_level,
        review_on=payload.review_on,
        check_every_days=payload.check_every_days,
        goals=[plan_services.GoalFields(**goal.model_dump()) for goal in payload.goals],
        actions=[plan_services.ActionFields(**action.model_dump()) for action in payload.actions],
        accommodation_ids=payload.accommodation_ids,
    )


# --- a student's plans --------------------------------------------------------------------------


@router.get(
    "/students/{student_id}/plans",
    response={200: SupportPlansPage, **READ},
    operation_id="support_plan_list",
    summary="A student's support plans",
    description=(
        "The student's plans the caller may see, newest first: all of them for the student's "
        "staff (drafts too), those proposed to the family for the student and their guardians "
        "(where the link allows the support plan), closed ones included. Each with its title "
        "(in the caller's language once translated), state, review date, next progress check "
        "(and whether it is late) while in force, and whether its current version waits for "
        "the caller's answer; ``limit`` (at most 200) after the first ``offset``. The view is "
        "written to the audit log. 404 for a student whose profile the caller may not open."
    ),
)
def plan_list(request: HttpRequest, student_id: Id, page: Query[PageIn]) -> SupportPlansPage:
    user = api_caller(request)
    student = policies.profile_student_for_viewer(user, student_id)
    rows = student_plans(user, student.pk)
    limit = min(page.limit, MAX_PAGE_SIZE)
    audit(request, user, [student.pk])
    shown = rows[page.offset : page.offset + limit]
    return SupportPlansPage(items=rows_out(user, shown), count=len(rows))


@router.post(
    "/students/{student_id}/plans",
    response={201: SupportPlanOut, **WRITE},
    operation_id="support_plan_create",
    summary="Write a new support plan",
    description=(
        "Writes a plan for the student as a draft, its first version; only the student's "
        "staff see it until it is proposed. The student's current staff write plans. Goals "
        "and actions are given in order; an action names the goal it serves by its number. "
        "The answer is the plan as ``support_plan_get`` shows it. Bad input answers 422 "
        "naming the field (``goals.0.text``, ``actions.1.goal``, ``review_on``...). 403 for "
        "those who open the student's profile but do not write plans (the family); 404 for a "
        "student whose profile the caller may not open."
    ),
)
def plan_create(request: HttpRequest, student_id: Id, payload: SupportPlanIn) -> Status[Any]:
    user = api_caller(request)
    student = policies.profile_student_for_viewer(user, student_id)
    try:
        plan = plan_services.plan_create(
            author=user, student=student, fields=_fields(payload), note=payload.note
        )
    except ValidationError as error:
        return invalid_at(error)
    return Status(201, _plan_out(request, user, plan.pk))


# --- one plan -----------------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}",
    response={200: SupportPlanOut, **READ},
    operation_id="support_plan_get",
    summary="A support plan",
    description=(
        "The plan as its page shows the caller: the current version's content (read from its "
        "snapshot), who changed it and what changed, the parties' answers to it and who must "
        "still agree, the next progress check, each goal's progress notes, the home actions "
        "done, the comments, and what the caller may do now. Every text is given as written, "
        "with its translation into the caller's language once ready; a guardian reads another "
        'guardian as "Another of the child\'s guardians", without an id. The view is written '
        "to the audit log. 404 for a plan the caller may not see."
    ),
)
def plan_get(request: HttpRequest, plan_id: Id) -> SupportPlanOut:
    return _plan_out(request, api_caller(request), plan_id)


@router.put(
    "/plans/{plan_id}",
    response={200: SupportPlanOut, **WRITE},
    operation_id="support_plan_change",
    summary="Change a support plan",
    description=(
        "Replaces the plan's content (as ``support_plan_create`` takes it: goals and actions "
        "sent with their ``id`` are kept, with their progress notes and home actions done; "
        "those left out are taken out) as a new version, ``note`` saying what changed; "
        "nothing changed makes no version. A proposed plan stays proposed: the new version "
        "waits for everyone's answer. The student's staff change a draft, a proposed plan or "
        "one in review. 403 for the family, and for a plan agreed (start a review first) or "
        "closed; 422 naming the field; 404 for a plan the caller may not see."
    ),
)
def plan_change(request: HttpRequest, plan_id: Id, payload: SupportPlanIn) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_editor(user, plan_id)
    try:
        fields = _fields(payload)
        plan_services.plan_change(editor=user, plan=plan, fields=fields, note=payload.note)
    except ValidationError as error:
        return invalid_at(error)
    return Status(200, _plan_out(request, user, plan.pk))


@router.put(
    "/plans/{plan_id}/student-view",
    response={200: SupportPlanOut, **WRITE},
    operation_id="support_plan_student_view_put",
    summary="Write the student's own view of the plan",
    description=(
        "The plan's student writes, changes or (with empty text) takes out their view of the "
        "plan, in their words and language, while it is proposed or in review: a new version "
        "everyone answers again. 403 for anyone else who sees the plan, or another state; 422 "
        "naming the field; 404 for a plan the caller may not see."
    ),
)
def student_view_put(
    request: HttpRequest, plan_id: Id, payload: SupportStudentViewIn
) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    try:
        plan_student_view(student=user, plan=plan, text=payload.text, language=payload.language)
    except ValidationError as error:
        return invalid_at(error)
    return Status(200, _plan_out(request, user, plan.pk))


# --- the agreement ------------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/propose",
    response={200: SupportPlanOut, **STEP},
    operation_id="support_plan_propose",
    summary="Propose a support plan to the family and the student",
    description=(
        "The student's staff propose a draft, or a plan in review, for everyone's answer (an "
        "agreed version reviewed is proposed as a new version). 422 naming ``goals`` for a "
        "plan without goals; 403 for the family, or a plan in another state; 404 for a plan "
        "the caller may not see."
    ),
)
def plan_propose(request: HttpRequest, plan_id: Id) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    try:
        plan_services.plan_propose(actor=user, plan=plan)
    except ValidationError as error:
        return invalid_at(error)
    return Status(200, _plan_out(request, user, plan.pk))


@router.post(
    "/plans/{plan_id}/confirm",
    response={200: SupportPlanOut, **WRITE},
    operation_id="support_plan_confirm",
    summary="Confirm a proposed support plan",
    description=(
        "A party confirms the version they read (staff sign, a guardian confirms, the student "
        "agrees), or changes their answer to it. The plan is agreed once the student, every "
        "guardian who confirms and one of the staff have. 422 naming ``version`` when the "
        "plan has changed since (the answer names the current one); 403 for a plan not "
        "waiting for answers; 404 for a plan the caller may not see."
    ),
)
def plan_confirm(request: HttpRequest, plan_id: Id, payload: SupportPlanConfirmIn) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    try:
        plan_services.plan_confirm(
            party=user, plan=plan, version=payload.version, note=payload.note
        )
    except ValidationError as error:
        return invalid_at(error)
    return Status(200, _plan_out(request, user, plan.pk))


@router.post(
    "/plans/{plan_id}/disagree",
    response={200: SupportPlanOut, **WRITE},
    operation_id="support_plan_disagree",
    summary="Disagree with a proposed support plan",
    description=(
        "A party records their disagreement with the version they read, saying why in "
        "``note``; a guardian's or the student's holds the plan back until the staff change "
        "it. 422 naming ``note`` or ``version``; 403 for a plan not waiting for answers; 404 "
        "for a plan the caller may not see."
    ),
)
def plan_disagree(request: HttpRequest, plan_id: Id, payload: SupportPlanDisagreeIn) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    try:
        plan_services.plan_disagree(
            party=user, plan=plan, version=payload.version, note=payload.note
        )
    except ValidationError as error:
        return invalid_at(error)
    return Status(200, _plan_out(request, user, plan.pk))


@router.post(
    "/plans/{plan_id}/review",
    response={200: SupportPlanOut, **STEP},
    operation_id="support_plan_review",
    summary="Start the review of an agreed support plan",
    description=(
        "The student's staff start the review of an agreed plan: it stays in force while they "
        "change it, then it is proposed again. 403 for the family, or a plan not agreed; 404 "
        "for a plan the caller may not see."
    ),
)
def plan_review(request: HttpRequest, plan_id: Id) -> SupportPlanOut:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    plan_services.plan_review_start(actor=user, plan=plan)
    return _plan_out(request, user, plan.pk)


@router.post(
    "/plans/{plan_id}/close",
    response={200: SupportPlanOut, **STEP},
    operation_id="support_plan_close",
    summary="Close a support plan",
    description=(
        "The student's staff close the plan: it stays on record, read-only (a draft closed "
        "without being proposed stays the staff's). 403 for the family, or a plan closed "
        "already; 404 for a plan the caller may not see."
    ),
)
def plan_close(request: HttpRequest, plan_id: Id) -> SupportPlanOut:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    plan_services.plan_close(actor=user, plan=plan)
    return _plan_out(request, user, plan.pk)


@router.post(
    "/plans/{plan_id}/comments",
    response={201: SupportPlanCommentOut, **WRITE},
    operation_id="support_plan_comment_add",
    summary="Comment on a support plan, or propose a change",
    description=(
        "Any party comments, or proposes a change, in their own language (the others read it "
        "in theirs, the original kept), until the plan is closed. 403 for a closed plan; 422 "
        "naming the field; 404 for a plan the caller may not see."
    ),
)
def comment_add(request: HttpRequest, plan_id: Id, payload: SupportPlanCommentIn) -> Status[Any]:
    user = api_caller(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    try:
        comment: PlanComment = plan_services.comment_add(
            author=user, plan=plan, text=payload.text, kind=payload.kind
        )
    except ValidationError as error:
        return invalid_at(error)
    translations = Wanted(plan).add([comment.text], comment.language).shown_to(user)
    return Status(201, Shaper(plan, translations, own_names(user, comment.role)).comment(comment))
