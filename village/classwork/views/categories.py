"""The class's settings: its grading categories and their weights."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from village.classwork.forms.categories import category_formset
from village.classwork.selectors.categories import category_weights
from village.classwork.services.categories import categories_save
from village.classwork.views.common import GET_POST, class_to_manage, viewer


@login_required
@require_http_methods(GET_POST)
def class_settings(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's grading categories and their weights."""
    user = viewer(request)
    school_class = class_to_manage(user, class_id)
    formset = category_formset(school_class, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        changes = [change for form in formset.forms if (change := form.change()) is not None]
        try:
            categories_save(school_class=school_class, changes=changes)
        except ValidationError as error:
            errors = [message for found in error.message_dict.values() for message in found]
        else:
            messages.success(request, _("Grading categories saved."))
            return redirect("classwork:class_settings", school_class.pk)
    context = {
        "school_class": school_class,
        "formset": formset,
        "errors": errors,
        "weights": category_weights(school_class),
        "manage": True,
    }
    return render(request, "classwork/teacher/class_settings.html", context)
