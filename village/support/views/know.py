"""A class's "know your students": one screen for its teachers and aides and the admins of its
school (a 404 for anyone else, a teacher of another class included); every student shown is
written to the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from village.classwork.policies import class_for_staff
from village.community.policies import teaches_class
from village.core.audit import students_shown
from village.support.selectors.know import know_your_students
from village.support.views.common import viewer


@login_required
@require_safe
def know(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = class_for_staff(user, class_id)
    students = know_your_students(user, school_class)
    school_id = school_class.school_id
    students_shown(request, user, [(known.student.pk, school_id) for known in students])
    context = {
        "school_class": school_class,
        "students": students,
        "manage": teaches_class(user, school_class),
    }
    return render(request, "support/know.html", context)


urlpatterns: list[URLPattern] = [
    path("classes/<int:class_id>/", know, name="know"),
]
