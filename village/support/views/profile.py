"""A student's profile: its sections in order, each entry with its author, date and readers,
in the viewer's language where a machine translation is ready (``village.support.translations``,
the original one tap away), the accommodations in force, and what the viewer may write or set."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from village.accounts.models import User
from village.support import policies
from village.support import translations as support_translations
from village.support.models import TOPICS, Entry, Section, Topic
from village.support.selectors.profile import StudentProfile, student_profile
from village.support.views.common import viewer


@dataclass(frozen=True)
class SectionView:
    """One section as the page shows it: its entries, and the topics the viewer may still
    write (their own entries are changed from the entries themselves)."""

    section: Section
    entries: list[tuple[Entry, bool]]
    writable: bool
    to_write: list[Topic]


def _sections(user: User, profile: StudentProfile) -> list[SectionView]:
    found: list[SectionView] = []
    for section in Section:
        writable = policies.may_write_section(user, profile.student.pk, section)
        entries = profile.section(section)
        if not entries and not writable:
            continue
        own = {entry.topic for entry in entries if entry.author_id == user.pk}
        to_write = [topic for topic in TOPICS[section] if topic not in own] if writable else []
        rows = [(entry, writable and entry.author_id == user.pk) for entry in entries]
        found.append(SectionView(section, rows, writable, to_write))
    return found


@login_required
@require_safe
def profile(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student's profile as the viewer may see it (a 404 for anyone else); audited."""
    user = viewer(request)
    shown = student_profile(user, student_id, request=request)
    context = {
        "student": shown.student,
        "own": user.pk == shown.student.pk,
        "sections": _sections(user, shown),
        "translations": support_translations.profile_translations(user, shown),
        "place": support_translations.place(shown),
        "accommodations": shown.accommodations,
        "manages": policies.may_manage_accommodations(user, shown.student.pk),
    }
    return render(request, "support/profile.html", context)


urlpatterns: list[URLPattern] = [
    path("students/<int:student_id>/", profile, name="profile"),
]
