"""Adding, changing and deleting a class's events."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from village.classwork import policies
from village.classwork.forms.events import EventForm, event_initial
from village.classwork.models import ClassEvent
from village.classwork.services.events import (
    class_event_create,
    class_event_delete,
    class_event_update,
)
from village.classwork.views.common import GET_POST, class_to_manage, confirm_delete, viewer
from village.community.models import SchoolClass


@login_required
@require_http_methods(GET_POST)
def event_new(request: HttpRequest, class_id: int) -> HttpResponse:
    return _event_form(request, class_id, None)


@login_required
@require_http_methods(GET_POST)
def event_edit(request: HttpRequest, class_id: int, event_id: int) -> HttpResponse:
    return _event_form(request, class_id, event_id)


def _event_form(request: HttpRequest, class_id: int, event_id: int | None) -> HttpResponse:
    user = viewer(request)
    school_class = class_to_manage(user, class_id)
    event = policies.event_for_editor(school_class, event_id) if event_id else None
    form = EventForm(
        request.POST if request.method == "POST" else None,
        initial=event_initial(event) if event else None,
    )
    if request.method == "POST" and form.is_valid() and _save_event(form, school_class, event):
        if event is None:
            messages.success(request, _("Event added to the class calendar."))
        else:
            messages.success(request, _("Event saved."))
        return redirect("classwork:class_stream", school_class.pk)
    context = {"school_class": school_class, "form": form, "event": event, "manage": True}
    return render(request, "classwork/teacher/event_form.html", context)


def _save_event(form: EventForm, school_class: SchoolClass, event: ClassEvent | None) -> bool:
    try:
        if event is None:
            class_event_create(school_class=school_class, **form.cleaned_data)
        else:
            class_event_update(event=event, **form.cleaned_data)
    except ValidationError as error:
        if event is not None:
            event.refresh_from_db()
        form.add_service_errors(error)
        return False
    return True


@login_required
@require_http_methods(GET_POST)
def event_delete(request: HttpRequest, class_id: int, event_id: int) -> HttpResponse:
    """Ask before deleting (GET shows the question, changing nothing); POST deletes."""
    school_class = class_to_manage(viewer(request), class_id)
    event = policies.event_for_editor(school_class, event_id)
    return confirm_delete(
        request,
        school_class,
        event.title,
        lambda: class_event_delete(event=event),
        "classwork/teacher/event_delete.html",
        {"event": event},
    )
