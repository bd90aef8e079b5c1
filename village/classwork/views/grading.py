"""The grading flow: one student's work with the feedback form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from village.accounts.models import User
from village.classwork import policies, student_notes
from village.classwork.forms.grading import FeedbackForm, feedback_initial
from village.classwork.models import Assignment
from village.classwork.selectors.grading import GradingPage, grading_page
from village.classwork.services.feedback import feedback_draft_discard, feedback_save
from village.classwork.views.common import GET_POST, audit_students, viewer


@login_required
@require_http_methods(GET_POST)
def grade(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    """One student's work with the feedback form; "Return to student" saves and returns in one
    action, then moves on to the next student with work to grade."""
    user = viewer(request)
    work = policies.staff_assignment_for_viewer(user, assignment_id)
    school_class = work.school_class
    manage = policies.teaches_class(user, school_class)
    if request.method == "POST" and not manage:
        raise PermissionDenied(_("Only the class's teachers grade its work."))
    student = policies.class_student_for_viewer(school_class.pk, student_id)
    page = grading_page(work, student, now=timezone.now())
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        criteria=page.criteria,
        points=work.points,
        initial=feedback_initial(page.feedback, page.chosen_levels),
    )
    if request.method == "POST" and request.POST.get("action") == "discard":
        feedback_draft_discard(assignment=work, student=page.student)
        messages.success(request, _("Your changes were discarded."))
        return redirect("classwork:grade", work.pk, page.student.pk)
    if request.method == "POST" and form.is_valid():
        returning = request.POST.get("action") == "return"
        if _save_feedback(form, work, page.student, user, returning=returning):
            return _after_feedback(request, work, page, returning=returning)
    audit_students(request, user, school_class, [page.student.pk])
    context = {
        "school_class": school_class,
        "page": page,
        "student_notes": student_notes.notes_for(user, [page.student.pk]).get(page.student.pk, []),
        "form": form,
        "manage": manage,
    }
    return render(request, "classwork/teacher/grade.html", context)


def _save_feedback(
    form: FeedbackForm, work: Assignment, student: User, user: User, *, returning: bool
) -> bool:
    data = form.cleaned_data
    try:
        feedback_save(
            assignment=work,
            student=student,
            graded_by=user,
            score=None if form.criteria else data.get("score"),
            comment=data.get("comment") or "",
            rubric_levels=form.rubric_levels(),
            excused=bool(data.get("excused")),
            return_to_student=returning,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    return True


def _after_feedback(
    request: HttpRequest,
    work: Assignment,
    page: GradingPage,
    *,
    returning: bool,
) -> HttpResponse:
    name = page.student.display_name
    if not returning and page.feedback is not None and page.feedback.returned_at is not None:
        messages.success(
            request,
            _(
                "Changes saved for %(name)s. They still see the feedback you returned until you "
                "return it again."
            )
            % {"name": name},
        )
        return redirect("classwork:grade", work.pk, page.student.pk)
    if not returning:
        messages.success(request, _("Draft saved for %(name)s.") % {"name": name})
        return redirect("classwork:grade", work.pk, page.student.pk)
    messages.success(request, _("Returned to %(name)s.") % {"name": name})
    if page.next_ungraded_id is not None:
        return redirect("classwork:grade", work.pk, page.next_ungraded_id)
    messages.info(request, _("Every piece of work handed in has feedback now."))
    return redirect(reverse("classwork:assignment_manage", args=[work.school_class_id, work.pk]))
