"""Writing, changing and removing one's own entry of a student's profile: the student's *about
me*, a guardian's *from home*, staff's *school notes* (with who may read them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, register_converter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from village.accounts.models import User
from village.support import policies
from village.support.forms import EntryForm
from village.support.models import DEFAULT_VISIBILITY, Entry, Section, Topic, section_of
from village.support.selectors.writing import own_entry, reader_candidates
from village.support.services.entries import entry_remove, entry_save
from village.support.views.common import GET_POST, profile_url, viewer


class TopicConverter:
    """A topic of the profile in a path; anything else does not match (a 404)."""

    regex = "|".join(Topic.values)

    def to_python(self, value: str) -> Topic:
        return Topic(value)

    def to_url(self, value: Topic | str) -> str:
        return str(value)


register_converter(TopicConverter, "topic")


def _form(request: HttpRequest, student: User, topic: Topic, entry: Entry | None) -> EntryForm:
    section = section_of(topic)
    candidates = reader_candidates(student.pk) if section == Section.SCHOOL_NOTES else None
    initial: dict[str, object] = {"visibility": DEFAULT_VISIBILITY[section]}
    if entry is not None:
        initial = {
            "text": entry.text,
            "visibility": entry.visibility,
            "readers": entry.readers.all(),
        }
    data = request.POST if request.method == "POST" else None
    return EntryForm(
        data, initial=initial, section=section, label=str(topic.label), candidates=candidates
    )


def _saved(section: Section) -> str:
    if section == Section.ABOUT_ME:
        return pgettext("student", "Saved. Your family and your teachers can read it.")
    return _("Saved.")


@login_required
@require_http_methods(GET_POST)
def entry_write(request: HttpRequest, student_id: int, topic: Topic) -> HttpResponse:
    """Write the viewer's entry on ``topic``, or change it (one per author and topic)."""
    user = viewer(request)
    student = policies.profile_student_for_viewer(user, student_id)
    section = section_of(topic)
    if not policies.may_write_section(user, student.pk, section):
        raise PermissionDenied
    entry = own_entry(user, student.pk, topic)
    form = _form(request, student, topic, entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = entry_save(
                author=user,
                student=student,
                topic=topic,
                text=data["text"],
                language=entry.language if entry else None,
                visibility=data.get("visibility"),
                readers=data.get("readers") or (),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _saved(section))
            return redirect(profile_url(student.pk, f"entry-{saved.pk}"))
    context = {
        "student": student,
        "own": user.pk == student.pk,
        "topic": topic,
        "section": section,
        "entry": entry,
        "form": form,
    }
    status = 400 if form.is_bound else 200
    return render(request, "support/entry_form.html", context, status=status)


@login_required
@require_POST
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Remove one of the viewer's own entries."""
    user = viewer(request)
    entry = policies.entry_for_author(user, entry_id)
    student_id = entry.student_id
    entry_remove(author=user, entry=entry)
    if section_of(Topic(entry.topic)) == Section.ABOUT_ME:
        messages.success(request, pgettext("student", "Removed from your profile."))
    else:
        messages.success(request, _("Removed from the profile."))
    return redirect(profile_url(student_id, "sections"))


urlpatterns: list[URLPattern] = [
    path("students/<int:student_id>/write/<topic:topic>/", entry_write, name="entry_write"),
    path("entries/<int:entry_id>/remove/", entry_delete, name="entry_remove"),
]
