"""The teacher's weekly note for one student, from the gradebook: a one-line form that htmx
opens in the gradebook's cell (without JavaScript, a page of its own)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from village.accounts.models import User
from village.classwork import policies
from village.classwork.forms.notes import WeeklyNoteForm
from village.classwork.models import WeeklyNote
from village.classwork.selectors.notes import note_week
from village.classwork.services.notes import weekly_note_save
from village.classwork.views.common import GET_POST, audit_students, viewer
from village.community.models import SchoolClass


def _in_cell(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


@login_required
@require_http_methods(GET_POST)
def weekly_note(request: HttpRequest, class_id: int, student_id: int) -> HttpResponse:
    """GET: the form (or, with ``cancel``, the cell as it was); POST: save, then the cell (htmx)
    or back to the gradebook."""
    user = viewer(request)
    school_class = policies.class_for_note_writer(user, class_id)
    student = policies.class_student_for_viewer(school_class.pk, student_id)
    week = note_week()
    note = WeeklyNote.objects.filter(
        school_class=school_class, student=student, week_start=week
    ).first()
    text = note.text if note else ""
    if request.method == "GET" and "cancel" in request.GET:
        return _cell(request, school_class, student, text)
    form = WeeklyNoteForm(
        request.POST if request.method == "POST" else None, initial={"text": text}
    )
    if request.method == "POST" and form.is_valid() and _save(form, school_class, student, user):
        saved = form.cleaned_data["text"].strip()
        if _in_cell(request):
            return _cell(request, school_class, student, saved)
        messages.success(request, _("Note saved.") if saved else _("Note removed."))
        gradebook = reverse("classwork:gradebook", args=[school_class.pk])
        return redirect(f"{gradebook}#note-{student.pk}")
    audit_students(request, user, school_class, [student.pk])
    context = {"school_class": school_class, "student": student, "form": form, "week": week}
    template = "_weekly_note_form.html" if _in_cell(request) else "weekly_note.html"
    response = render(request, f"classwork/teacher/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _save(form: WeeklyNoteForm, school_class: SchoolClass, student: User, author: User) -> bool:
    try:
        weekly_note_save(
            school_class=school_class,
            student=student,
            author=author,
            text=form.cleaned_data["text"],
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    return True


def _cell(
    request: HttpRequest, school_class: SchoolClass, student: User, text: str
) -> HttpResponse:
    """The cell's link again, showing the note as it is now."""
    context = {
        "href": reverse("classwork:weekly_note", args=[school_class.pk, student.pk]),
        "name": student.display_name,
        "text": text,
        "has_note": bool(text),
    }
    response = render(request, "classwork/teacher/_weekly_note_cell.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
