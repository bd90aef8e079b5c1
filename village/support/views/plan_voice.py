"""The student writes their own view into their support plan (``services.plan_voice``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods

from village.core.forms import ServiceErrors
from village.support import plan_policies
from village.support.models import TEXT_MAX, PartyRole
from village.support.services.plan_voice import OPEN_TO_THE_STUDENT, plan_student_view
from village.support.views.common import GET_POST, viewer
from village.support.views.plan_steps import _titled


class StudentViewForm(ServiceErrors, forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("student", "Your view of the plan"),
        help_text=pgettext_lazy(
            "student",
            "What you want from this plan, what helps you, what you would like your teachers "
            "and family to know. Leave it empty to take your view out.",
        ),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@login_required
@require_http_methods(GET_POST)
def student_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's student writes or changes their view, while the plan is proposed or in
    review; anyone else who may see the plan is refused, anyone who may not gets a 404."""
    user = viewer(request)
    plan = plan_policies.plan_for_viewer(user, plan_id)
    plan_policies.require(
        plan_policies.party_role(user, plan) == PartyRole.STUDENT
        and plan.state in OPEN_TO_THE_STUDENT,
        pgettext(
            "student", "You can write your view while the plan is proposed or being reviewed."
        ),
    )
    initial: dict[str, Any] = {"text": plan.student_view}
    form = StudentViewForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            plan_student_view(student=user, plan=plan, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, pgettext("student", "Your view is in the plan."))
            return redirect(reverse("support:plan", args=[plan.pk]) + "#student-view")
    status = 400 if form.is_bound else 200
    context = {"plan": plan, "form": form, **_titled(user, plan)}
    return render(request, "support/plans/student_view.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("plans/<int:plan_id>/my-view/", student_view, name="plan_student_view"),
]
