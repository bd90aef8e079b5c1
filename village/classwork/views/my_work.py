"""The student's pages (my work, handing in), the assignment page students and guardians share,
and the downloads of handed-in files and assignment materials.

Views are thin: they load through ``policies`` (what a user may not see is a 404), read through
``selectors`` and write through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from village.accounts.models import User
from village.classwork import downloads, policies
from village.classwork.family.translated import assignment_page
from village.classwork.forms.submissions import HandInForm
from village.classwork.models import Assignment
from village.classwork.selectors import my_work as my_work_reads
from village.classwork.selectors.my_work import (
    grade_visible_ids,
    materials,
    positions,
    school_ids,
    unseen_feedback_ids,
)
from village.classwork.selectors.rubrics import RubricRow, rubric_rows
from village.classwork.services.feedback import feedback_mark_seen
from village.classwork.services.submissions import (
    HandInRefusedError,
    accepted_extensions,
    is_late,
    submission_hand_in,
)
from village.classwork.views.common import viewer
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

# --- my work ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    policies.student_for_viewer(user, "No such page.")
    work = my_work_reads.my_work(user)
    return render(request, "classwork/student/my_work.html", {"work": work})


# --- one assignment --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """One assignment for a student of its class (with hand-in) or a guardian of one.

    Staff of the class manage it on the teacher's page instead.
    """
    user = viewer(request)
    work = policies.assignment_for_viewer(user, assignment_id)
    class_id = work.school_class_id
    if policies.sees_as_staff(user, class_id):
        return redirect("classwork:assignment_manage", class_id, work.pk)
    if policies.is_student_of(user, class_id):
        return _student_assignment(request, user, work)
    children = policies.children_for_viewer(user, class_id)
    if request.method == "POST":
        raise PermissionDenied
    return _guardian_assignment(request, user, work, children)


def _hand_in_form(request: HttpRequest) -> HandInForm:
    return HandInForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        max_mb=settings.VILLAGE_UPLOAD_MAX_MB,
        extensions=accepted_extensions(),
    )


def _student_assignment(request: HttpRequest, user: User, work: Assignment) -> HttpResponse:
    can_hand_in = policies.may_submit(user, work)
    form = _hand_in_form(request)
    if request.method == "POST":
        if not can_hand_in:
            raise PermissionDenied
        if form.is_valid() and _hand_in(request, user, work, form):
            return redirect("classwork:assignment", work.pk)
    rubric = rubric_rows(work)
    [position] = positions(
        work, [user], viewer=user, with_attempts=True, grades_for={user.pk}, rubric=rubric
    )
    feedback_mark_seen(user_id=user.pk, feedback_ids=unseen_feedback_ids([position]))
    context = _page_context(work, rubric) | {
        "position": position,
        "form": form,
        "can_hand_in": can_hand_in,
    }
    return render(request, "classwork/student/assignment.html", context)


def _hand_in(request: HttpRequest, user: User, work: Assignment, form: HandInForm) -> bool:
    """Hand in the form's answer; on bad input put the errors on the form's fields."""
    data = form.cleaned_data
    try:
        submission = submission_hand_in(
            student=user,
            assignment=work,
            text=data.get("text") or "",
            link=data.get("link") or "",
            file=data.get("file"),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except HandInRefusedError as error:
        raise PermissionDenied from error
    if is_late(submission, work):
        messages.warning(
            request, _("Handed in after the due time. Your teacher will see that it is late.")
        )
    else:
        messages.success(request, _("Handed in. Your teacher can see your work now."))
    return True


def _guardian_assignment(
    request: HttpRequest, user: User, work: Assignment, children: list[User]
) -> HttpResponse:
    """A guardian sees each of their children in the class: what they handed in, status and
    returned feedback, with scores only where the child's link allows grades. Seeing it is
    audited."""
    child_ids = [child.pk for child in children]
    grades_for = grade_visible_ids(user, child_ids)
    rubric = rubric_rows(work) if grades_for else []
    found = positions(
        work, children, viewer=user, with_attempts=True, grades_for=grades_for, rubric=rubric
    )
    schools = school_ids(child_ids)
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=pk, organisation_id=schools.get(pk)) for pk in child_ids],
        request=request,
    )
    feedback_mark_seen(user_id=user.pk, feedback_ids=unseen_feedback_ids(found))
    context = _page_context(work, rubric) | {
        "positions": found,
        "translations": assignment_page(user, work, found),
    }
    return render(request, "classwork/student/assignment_family.html", context)


def _page_context(work: Assignment, rubric: list[RubricRow]) -> dict[str, Any]:
    return {
        "assignment": work,
        "materials": materials(work),
        "rubric": rubric,
        "now": timezone.now(),
    }


# --- downloads -------------------------------------------------------------------------------


@login_required
@require_GET
def submission_file(request: HttpRequest, submission_id: int) -> FileResponse:
    """A handed-in file: for the student who handed it in, staff of the class and guardians
    who see the child's classwork. Anyone else's download is a view of the student's record,
    so it is audited."""
    user = viewer(request)
    response, submission = downloads.submission_download(user, submission_id)
    if submission.student_id != user.pk:
        school = school_ids([submission.student_id]).get(submission.student_id)
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=[Viewed(student_id=submission.student_id, organisation_id=school)],
            request=request,
        )
    return response


@login_required
@require_GET
def material_file(request: HttpRequest, material_id: int) -> FileResponse:
    """A file that goes with an assignment: for anyone who may see the assignment."""
    return downloads.material_download(viewer(request), material_id)
