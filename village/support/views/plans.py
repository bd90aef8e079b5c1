"""Support plan pages under ``/support/``: a student's plans (from the profile), a new plan and
its changes (goals, school and home actions added and removed as rows, without script), one
plan with everything its parties do on it, its versions, and the plan printed for a meeting.
Answering, commenting, the review, closing, progress checks and home actions done are
``plan_steps``' (their paths are listed here too).

Views are thin: they load through ``plan_policies`` (what a viewer may not read is a 404, what
they read but may not do a 403), read through ``selectors.plans`` and write through
``services.plans``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from village.accounts.models import User
from village.support import plan_policies, policies
from village.support.forms_plans import PlanEditor, plan_editor
from village.support.models import PartyRole, SupportPlan
from village.support.plan_translations import Wanted, page_translations
from village.support.selectors.plan_content import bare_rows, changes_in_words, content_view
from village.support.selectors.plans import (
    PlanPage,
    current_version,
    names_for,
    plan_page,
    plan_versions,
    plan_viewed,
    student_plans,
)
from village.support.services.plans import plan_change, plan_create
from village.support.views import plan_steps
from village.support.views.common import GET_POST, viewer


def plan_url(plan_id: int, anchor: str = "") -> str:
    url = reverse("support:plan", args=[plan_id])
    return f"{url}#{anchor}" if anchor else url


def _as_student(page_or_role: PlanPage | PartyRole | None) -> bool:
    role = page_or_role.access.role if isinstance(page_or_role, PlanPage) else page_or_role
    return role == PartyRole.STUDENT


# --- a student's plans --------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student's plans the viewer may read (a 404 for those who may not open the
    profile)."""
    user = viewer(request)
    student = policies.profile_student_for_viewer(user, student_id)
    rows = student_plans(user, student.pk)
    context = {
        "student": student,
        "own": user.pk == student.pk,
        "rows": rows,
        **_titles(user, rows),
        "may_create": plan_policies.may_create_plan(user, student.pk),
    }
    return render(request, "support/plans/list.html", context)


def _titles(user: User, rows: list[Any]) -> dict[str, Any]:
    """The plans' titles in the reader's language (the plans of one student, at one school)."""
    if not rows:
        return {}
    wanted = Wanted(rows[0].plan).staff(*(row.plan.title for row in rows))
    return {"translations": wanted.shown_to(user), "place": rows[0].plan.school_id}


# --- writing and changing a plan ----------------------------------------------------------------


def _editor(request: HttpRequest, student_id: int, plan: SupportPlan | None) -> PlanEditor:
    content = content_view(current_version(plan).content) if plan is not None else None
    return plan_editor(
        request.POST if request.method == "POST" else None,
        content=content,
        accommodations=plan_policies.plan_accommodation_choices(student_id, plan),
        learning_goals=plan_policies.linkable_learning_goals(student_id),
    )


def _saved(editor: PlanEditor, write: Any) -> bool:
    """Check the editor, write what it gives through ``write``; ``False`` when it is to be
    shown again (errors, or a row added)."""
    if editor.add or not editor.is_valid():
        return False
    fields = editor.fields_given()
    if fields is None:
        return False
    try:
        write(fields)
    except ValidationError as error:
        editor.add_service_errors(error)
        return False
    return True


def _editor_page(request: HttpRequest, editor: PlanEditor, context: dict[str, Any]) -> HttpResponse:
    status = 400 if editor.has_errors else 200
    context = {**context, "editor": editor, "errors": editor.error_links()}
    return render(request, "support/plans/edit.html", context, status=status)


@login_required
@require_http_methods(GET_POST)
def plan_new(request: HttpRequest, student_id: int) -> HttpResponse:
    """Write a new plan for the student, as a draft (the student's staff; a 403 for others who
    open the profile)."""
    user = viewer(request)
    student = policies.profile_student_for_viewer(user, student_id)
    if not plan_policies.may_create_plan(user, student.pk):
        raise PermissionDenied
    editor = _editor(request, student.pk, None)
    created: list[SupportPlan] = []

    def write(fields: Any) -> None:
        created.append(plan_create(author=user, student=student, fields=fields))

    if request.method == "POST" and _saved(editor, write):
        messages.success(request, _("Plan saved as a draft: only the staff see it."))
        return redirect(plan_url(created[0].pk))
    return _editor_page(request, editor, {"student": student, "plan": None})


@login_required
@require_http_methods(GET_POST)
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Change the plan's content: a new version (the student's staff, while it may change)."""
    user = viewer(request)
    plan = plan_policies.plan_for_editor(user, plan_id)
    editor = _editor(request, plan.student_id, plan)
    made: list[object] = []

    def write(fields: Any) -> None:
        note = editor.plan.cleaned_data.get("note") or ""
        made.append(plan_change(editor=user, plan=plan, fields=fields, note=note))

    if request.method == "POST" and _saved(editor, write):
        if made[0] is None:
            messages.info(request, _("Nothing changed."))
        else:
            plan.refresh_from_db()
            messages.success(request, _("Saved as version %(number)s.") % {"number": plan.version})
        return redirect(plan_url(plan.pk))
    return _editor_page(request, editor, {"student": plan.student, "plan": plan})


# --- one plan -----------------------------------------------------------------------------------


@login_required
@require_safe
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan as the viewer may see it, with what they may do on it; audited."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    page = plan_page(user, plan, request=request)
    context = {
        "plan": plan,
        "page": page,
        "content": page.content,
        "access": page.access,
        "as_student": _as_student(page),
        "translations": page_translations(user, page),
        "place": plan.school_id,
        "today": timezone.localdate(),
        **plan_steps.forms_for(page),
    }
    return render(request, "support/plans/plan.html", context)


@login_required
@require_safe
def plan_print(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan on one or two printed pages, for a meeting; audited."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    page = plan_page(user, plan, request=request)
    context = {
        "plan": plan,
        "page": page,
        "content": page.content,
        "translations": page_translations(user, page),
        "place": plan.school_id,
        "printed_at": timezone.localtime(),
    }
    return render(request, "support/plans/print.html", context)


@login_required
@require_safe
def plan_history(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's versions, newest first: who changed what and when, and each party's answer."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    found = plan_versions(plan)
    plan_viewed(user, plan, request=request)
    wanted = Wanted(plan).staff(plan.title)
    for version in found:
        wanted.staff(version.note)
        for answer in version.agreements.all():
            wanted.add([answer.note], answer.language)
    access = plan_policies.plan_access(user, plan)
    names = names_for(user, access)
    rows = [
        (
            version,
            changes_in_words(version.changes),
            [
                (answer, names.of(answer.party, guardian=answer.role == PartyRole.GUARDIAN))
                for answer in version.agreements.all()
            ],
        )
        for version in found
    ]
    context = {
        "plan": plan,
        "rows": rows,
        "translations": wanted.shown_to(user),
        "place": plan.school_id,
        "as_student": access.role == PartyRole.STUDENT,
    }
    return render(request, "support/plans/history.html", context)


@login_required
@require_safe
def plan_version(request: HttpRequest, plan_id: int, number: int) -> HttpResponse:
    """One version of the plan as it was."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    version = plan_policies.version_for_viewer(plan, number)
    plan_viewed(user, plan, request=request)
    content = content_view(version.content)
    wanted = Wanted(plan).staff(*content.texts(), version.note)
    wanted.add([content.student_view], content.student_view_language)
    context = {
        "plan": plan,
        "version": version,
        "content": content,
        "changes": changes_in_words(version.changes),
        "translations": wanted.shown_to(user),
        "place": plan.school_id,
        "as_student": plan_policies.party_role(user, plan) == PartyRole.STUDENT,
        **bare_rows(content),
    }
    return render(request, "support/plans/version.html", context)


urlpatterns: list[URLPattern] = [
    path("students/<int:student_id>/plans/", plan_list, name="plans"),
    path("students/<int:student_id>/plans/new/", plan_new, name="plan_new"),
    path("plans/<int:plan_id>/", plan_detail, name="plan"),
    path("plans/<int:plan_id>/edit/", plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/print/", plan_print, name="plan_print"),
    path("plans/<int:plan_id>/versions/", plan_history, name="plan_versions"),
    path("plans/<int:plan_id>/versions/<int:number>/", plan_version, name="plan_version"),
    *plan_steps.urlpatterns,
]
