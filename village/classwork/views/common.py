"""What the teacher's pages share: the signed-in user, the class to change, the audit of
students shown, and the question before deleting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork import policies
from village.community.models import SchoolClass
from village.core.audit import Viewed, audit_views
from village.core.confirm import delete_asked
from village.core.models import AuditAction

GET_POST = ["GET", "POST"]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every view here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def class_to_manage(user: User, class_id: int) -> SchoolClass:
    """A class the user teaches; 404 if they do not see it as staff, 403 if they only view it."""
    message = _("Only the class's teachers change its work.")
    return policies.class_for_editor(user, class_id, message)


def audit_students(
    request: HttpRequest, user: User, school_class: SchoolClass, student_ids: list[int]
) -> None:
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(student_id=student_id, organisation_id=school_class.school_id)
            for student_id in student_ids
        ],
        request=request,
    )


def confirm_delete(
    request: HttpRequest,
    school_class: SchoolClass,
    title: str,
    delete: Callable[[], None],
    template: str,
    context: dict[str, Any],
    *,
    done: str | None = None,
) -> HttpResponse:
    """GET shows the question (changing nothing); POST deletes and returns to the class (or to
    ``done``). A deletion the service refuses shows the question again, with the reason."""
    back = done or reverse("classwork:class_stream", args=[school_class.pk])
    answer, errors = delete_asked(request, delete, title, back)
    if answer is not None:
        return answer
    return render(
        request,
        template,
        {"school_class": school_class, "manage": True, "errors": errors, **context},
    )
