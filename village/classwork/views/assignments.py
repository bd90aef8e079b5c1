"""Posting and changing work, and its page for the class's staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from village.accounts.models import User
from village.classwork import policies, richtext, student_notes
from village.classwork.forms.assignments import AssignmentForm, assignment_initial
from village.classwork.models import Assignment
from village.classwork.selectors.grading import assignment_page
from village.classwork.services.assignments import assignment_create, assignment_update
from village.classwork.views.common import GET_POST, audit_students, class_to_manage, viewer
from village.community.models import SchoolClass


@login_required
@require_http_methods(GET_POST)
def assignment_new(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = class_to_manage(user, class_id)
    return _assignment_form(request, user, school_class, None)


@login_required
@require_http_methods(GET_POST)
def assignment_edit(request: HttpRequest, class_id: int, assignment_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = class_to_manage(user, class_id)
    work = policies.class_assignment_for_viewer(school_class, assignment_id)
    return _assignment_form(request, user, school_class, work)


def _assignment_form(
    request: HttpRequest, user: User, school_class: SchoolClass, work: Assignment | None
) -> HttpResponse:
    posted = request.method == "POST"
    initial = assignment_initial(work) if work else {"assign_at": timezone.now()}
    form = AssignmentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        school_class=school_class,
        assignment=work,
        initial=initial,
    )
    # "Preview" and "More criteria" show the form again; only "Save" writes.
    saving = posted and not ({"preview", "more_criteria"} & set(request.POST))
    if saving and form.is_valid():
        saved = _save_assignment(form, user, school_class, work)
        if saved is not None:
            _tell_about_sanitising(request, form.cleaned_data.get("instructions") or "")
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("classwork:assignment_manage", school_class.pk, saved.pk)
    context = {
        "school_class": school_class,
        "form": form,
        "assignment": work,
        "manage": True,
        "preview": (
            richtext.render_instructions(request.POST.get("instructions", "")) if posted else None
        ),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "classwork/teacher/assignment_form.html", context)


def _save_assignment(
    form: AssignmentForm, user: User, school_class: SchoolClass, work: Assignment | None
) -> Assignment | None:
    """Create or update the work with its rubric and materials in one transaction; on bad input
    put the errors on the form and save nothing."""
    try:
        if work is None:
            return assignment_create(
                school_class=school_class,
                created_by=user,
                new_rubric=form.new_rubric(),
                materials=form.new_materials(),
                **form.fields_for_service(),
            )
        return assignment_update(
            assignment=work,
            new_rubric=form.new_rubric(),
            add_materials=form.new_materials(),
            remove_materials=form.removed_materials(),
            **form.fields_for_service(),
        )
    except ValidationError as error:
        if work is not None:
            work.refresh_from_db()
        form.add_service_errors(error)
        return None


def _tell_about_sanitising(request: HttpRequest, written: str) -> None:
    if richtext.is_html(written) and richtext.sanitise(written) != written.strip():
        messages.info(
            request,
            _(
                "Some formatting in the instructions is not kept (only simple formatting is). "
                "Check the instructions below as students and families will see them."
            ),
        )


@login_required
@require_GET
def assignment_manage(request: HttpRequest, class_id: int, assignment_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policies.class_for_staff(user, class_id)
    work = policies.class_assignment_for_viewer(school_class, assignment_id)
    page = assignment_page(work, now=timezone.now())
    shown = [row.student.id for row in page.rows]
    audit_students(request, user, school_class, shown)
    notes = student_notes.notes_for(user, shown)
    context = {
        "school_class": school_class,
        "page": page,
        # each student's row with their notes from other apps (accommodations)
        "rows": [(row, notes.get(row.student.id, [])) for row in page.rows],
        "manage": policies.teaches_class(user, school_class),
    }
    return render(request, "classwork/teacher/assignment_manage.html", context)
