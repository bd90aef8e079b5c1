"""Adding and ending a student's accommodations: the admins of the student's school and its
support team."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from village.support import policies
from village.support.forms import AccommodationForm
from village.support.services.accommodations import (
    AccommodationFields,
    accommodation_add,
    accommodation_end,
)
from village.support.views.common import GET_POST, profile_url, viewer


@login_required
@require_http_methods(GET_POST)
def accommodation_new(request: HttpRequest, student_id: int) -> HttpResponse:
    """Add an accommodation (a 403 for those who see the profile but may not set them)."""
    user = viewer(request)
    student = policies.profile_student_for_viewer(user, student_id)
    if not policies.may_manage_accommodations(user, student.pk):
        raise PermissionDenied
    form = AccommodationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            accommodation_add(
                author=user, student=student, fields=AccommodationFields(**form.cleaned_data)
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Accommodation added."))
            return redirect(profile_url(student.pk, "accommodations"))
    context = {"student": student, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "support/accommodation_form.html", context, status=status)


@login_required
@require_POST
def accommodation_stop(request: HttpRequest, accommodation_id: int) -> HttpResponse:
    """End an accommodation today; it stays on record."""
    user = viewer(request)
    accommodation = policies.accommodation_for_editor(user, accommodation_id)
    try:
        accommodation_end(editor=user, accommodation=accommodation)
    except ValidationError as error:
        # one that has not started yet cannot end today
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Accommodation ended."))
    return redirect(profile_url(accommodation.student_id, "accommodations"))


urlpatterns: list[URLPattern] = [
    path(
        "students/<int:student_id>/accommodations/new/",
        accommodation_new,
        name="accommodation_new",
    ),
    path(
        "accommodations/<int:accommodation_id>/end/",
        accommodation_stop,
        name="accommodation_end",
    ),
]
