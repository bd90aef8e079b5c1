"""What the parties do on a support plan, each a form on the plan's page that posts here (and,
after an error or without the page, a page of its own): proposing it, answering it (agree, or
disagree with a note), commenting or proposing a change, starting the review, closing it, a
progress check (staff) and a home action done (the family and the student).

What a viewer may not read is a 404; what they read but may not do, a 403 (the services'
``PermissionDenied``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from village.accounts.models import User
from village.support import plan_policies
from village.support.forms_plan_steps import (
    AnswerForm,
    CommentForm,
    HomeDoneForm,
    progress_editor,
)
from village.support.models import Decision, PartyRole, PlanState, SupportPlan
from village.support.plan_translations import Wanted
from village.support.selectors.plan_content import content_view
from village.support.selectors.plans import PlanPage, current_version
from village.support.services import plans as plan_services
from village.support.services import progress as progress_services
from village.support.views.common import GET_POST, viewer


def _plan_url(plan_id: int, anchor: str = "") -> str:
    url = reverse("support:plan", args=[plan_id])
    return f"{url}#{anchor}" if anchor else url


def _student(user: User, plan: SupportPlan) -> bool:
    return plan_policies.party_role(user, plan) == PartyRole.STUDENT


def _titled(user: User, plan: SupportPlan, *texts: str) -> dict[str, Any]:
    """What a step's page shows of the plan's own words (its title, and ``texts`` of the
    staff's) in the reader's language: ``translations`` and ``place`` for its templates."""
    shown = Wanted(plan).staff(plan.title, *texts).shown_to(user)
    return {"translations": shown, "place": plan.school_id}


def forms_for(page: PlanPage) -> dict[str, Any]:
    """The forms the plan's page shows its viewer (none they may not use)."""
    student = page.access.role == PartyRole.STUDENT
    found: dict[str, Any] = {}
    if page.access.respond:
        own = page.own_answer
        initial: dict[str, Any] = {"version": page.plan.version}
        if own is not None:
            initial |= {"decision": own.decision, "note": own.note}
        found["answer_form"] = AnswerForm(initial=initial, student=student)
    if page.access.comment:
        found["comment_form"] = CommentForm(student=student)
    return found


# --- the agreement ------------------------------------------------------------------------------


@login_required
@require_POST
def plan_propose(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    try:
        plan_services.plan_propose(actor=user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Proposed: the family and the student can read it and answer now.")
        )
    return redirect(_plan_url(plan.pk))


def _answered(request: HttpRequest, answer: Decision, agreed: bool, student: bool) -> None:
    if agreed:
        messages.success(request, _("Everyone has agreed: the plan is in force."))
    elif answer == Decision.AGREE:
        if student:
            messages.success(request, pgettext("student", "Thank you: your answer is saved."))
        else:
            messages.success(request, _("Thank you: your answer is saved."))
    elif student:
        messages.success(request, pgettext("student", "Your disagreement is noted."))
    else:
        messages.success(request, _("Your disagreement is noted."))


@login_required
@require_http_methods(GET_POST)
def plan_answer(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Answer the proposed version: agree, or disagree saying why."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    access = plan_policies.plan_access(user, plan)
    plan_policies.require(access.respond, _("This plan is not waiting for your answer."))
    student = access.role == PartyRole.STUDENT
    data = request.POST if request.method == "POST" else None
    form = AnswerForm(data, initial={"version": plan.version}, student=student)
    if form.is_bound and form.is_valid():
        decision = Decision(form.cleaned_data["decision"])
        write = (
            plan_services.plan_confirm
            if decision == Decision.AGREE
            else plan_services.plan_disagree
        )
        try:
            write(
                party=user,
                plan=plan,
                version=form.cleaned_data.get("version"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            plan.refresh_from_db()
            _answered(request, decision, plan.state == PlanState.AGREED, student)
            return redirect(_plan_url(plan.pk, "answers"))
    context = {"plan": plan, "form": form, "as_student": student, **_titled(user, plan)}
    return render(
        request, "support/plans/answer.html", context, status=400 if form.is_bound else 200
    )


@login_required
@require_POST
def plan_review(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    plan_services.plan_review_start(actor=user, plan=plan)
    messages.success(request, _("Review started: the plan stays in force while you change it."))
    return redirect(_plan_url(plan.pk))


@login_required
@require_http_methods(GET_POST)
def plan_close(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Ask, then close the plan (staff)."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    access = plan_policies.plan_access(user, plan)
    plan_policies.require(access.close, _("Only the student's staff close a plan."))
    if request.method == "POST":
        plan_services.plan_close(actor=user, plan=plan)
        messages.success(request, _("Plan closed. It stays on record."))
        return redirect(_plan_url(plan.pk))
    return render(request, "support/plans/close.html", {"plan": plan, **_titled(user, plan)})


# --- comments -----------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def plan_comment(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Comment on the plan, or propose a change, in one's own language."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    access = plan_policies.plan_access(user, plan)
    plan_policies.require(access.comment, _("Comments on this plan are closed."))
    student = access.role == PartyRole.STUDENT
    form = CommentForm(request.POST if request.method == "POST" else None, student=student)
    if form.is_bound and form.is_valid():
        try:
            comment = plan_services.comment_add(
                author=user,
                plan=plan,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            sent = pgettext("student", "Sent.") if student else _("Sent.")
            messages.success(request, sent)
            return redirect(_plan_url(plan.pk, f"comment-{comment.pk}"))
    context = {"plan": plan, "form": form, "as_student": student, **_titled(user, plan)}
    return render(
        request, "support/plans/comment.html", context, status=400 if form.is_bound else 200
    )


# --- carrying the plan out ----------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def progress_check(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A progress check: a note on each goal (staff, while the plan is in force)."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    access = plan_policies.plan_access(user, plan)
    plan_policies.require(
        access.note_progress, _("Only the student's staff note progress on a plan in force.")
    )
    content = content_view(current_version(plan).content)
    editor = progress_editor(request.POST if request.method == "POST" else None, content.goals)
    if request.method == "POST" and editor.is_valid():
        try:
            progress_services.progress_check_record(
                author=user,
                plan=plan,
                notes=editor.notes(),
                noted_on=editor.check.cleaned_data["noted_on"],
            )
        except ValidationError as error:
            editor.add_service_errors(error)
        else:
            messages.success(request, _("Progress noted."))
            return redirect(_plan_url(plan.pk, "goals"))
    context = {"plan": plan, "editor": editor, "content": content, **_titled(user, plan)}
    status = 400 if request.method == "POST" else 200
    return render(request, "support/plans/progress.html", context, status=status)


@login_required
@require_http_methods(GET_POST)
def home_done(request: HttpRequest, action_id: int) -> HttpResponse:
    """Mark a home action done (a guardian or the student, while the plan is in force)."""
    user = viewer(request)
    action = plan_policies.home_action_for_logger(user, action_id)
    plan = action.plan
    student = _student(user, plan)
    form = HomeDoneForm(request.POST if request.method == "POST" else None, student=student)
    if form.is_bound and form.is_valid():
        try:
            progress_services.home_action_done(
                by=user,
                action=action,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            done = pgettext("student", "Marked done. Well done!") if student else _("Marked done.")
            messages.success(request, done)
            return redirect(_plan_url(plan.pk, f"action-{action.pk}"))
    context = {
        "plan": plan,
        "action": action,
        "form": form,
        "as_student": student,
        "today": timezone.localdate(),
        **_titled(user, plan, action.what),
    }
    return render(
        request, "support/plans/home_done.html", context, status=400 if form.is_bound else 200
    )


urlpatterns: list[URLPattern] = [
    path("plans/<int:plan_id>/propose/", plan_propose, name="plan_propose"),
    path("plans/<int:plan_id>/answer/", plan_answer, name="plan_answer"),
    path("plans/<int:plan_id>/review/", plan_review, name="plan_review"),
    path("plans/<int:plan_id>/close/", plan_close, name="plan_close"),
    path("plans/<int:plan_id>/comments/", plan_comment, name="plan_comment"),
    path("plans/<int:plan_id>/progress/", progress_check, name="plan_progress"),
    path("actions/<int:action_id>/done/", home_done, name="home_done"),
]
