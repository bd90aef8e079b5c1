"""The class's rubrics: the list, the rubric editor, and deleting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from village.classwork import policies
from village.classwork.forms.rubrics import RubricForm
from village.classwork.models import Assignment, Rubric
from village.classwork.selectors.rubrics import class_rubrics
from village.classwork.services import rubrics as rubric_services
from village.classwork.services.rubrics import rubric_create, rubric_is_scored, rubric_update
from village.classwork.views.common import GET_POST, class_to_manage, confirm_delete, viewer
from village.community.models import SchoolClass


def _rubric_uses(rubric: Rubric) -> int:
    """How many pieces of work are graded with the rubric."""
    return Assignment.objects.filter(rubric=rubric).count()


@login_required
@require_GET
def rubrics(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's rubrics, with their criteria, levels and points, and the work they grade."""
    school_class = class_to_manage(viewer(request), class_id)
    context = {
        "school_class": school_class,
        "rubrics": class_rubrics(school_class),
        "manage": True,
    }
    return render(request, "classwork/teacher/rubrics.html", context)


@login_required
@require_http_methods(GET_POST)
def rubric_new(request: HttpRequest, class_id: int) -> HttpResponse:
    return _rubric_form(request, class_id, None)


@login_required
@require_http_methods(GET_POST)
def rubric_edit(request: HttpRequest, class_id: int, rubric_id: int) -> HttpResponse:
    return _rubric_form(request, class_id, rubric_id)


def _rubric_form(request: HttpRequest, class_id: int, rubric_id: int | None) -> HttpResponse:
    """Write or edit a rubric. Once work was scored on it, only its title changes: the page
    shows its criteria without fields, and sends the title alone."""
    school_class = class_to_manage(viewer(request), class_id)
    rubric = policies.rubric_for_editor(school_class, rubric_id) if rubric_id else None
    posted = request.method == "POST"
    form = RubricForm(request.POST if posted else None, rubric=rubric)
    # "More criteria" and "More levels" show the form again; only "Save" writes.
    saving = posted and not ({"more_criteria", "more_levels"} & set(request.POST))
    if saving and form.is_valid():
        saved = _save_rubric(form, school_class, rubric)
        if saved is not None:
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("classwork:rubrics", school_class.pk)
    context = {
        "school_class": school_class,
        "form": form,
        "rubric": rubric,
        "scored": rubric is not None and rubric_is_scored(rubric),
        "uses": _rubric_uses(rubric) if rubric is not None else 0,
        "manage": True,
    }
    return render(request, "classwork/teacher/rubric_form.html", context)


def _save_rubric(
    form: RubricForm, school_class: SchoolClass, rubric: Rubric | None
) -> Rubric | None:
    """Create or update the rubric; on bad input put the errors on the form and save nothing."""
    title = form.cleaned_data["title"]
    try:
        if rubric is None:
            return rubric_create(
                school_class=school_class, title=title, criteria=form.new_criteria()
            )
        return rubric_update(rubric=rubric, title=title, criteria=form.criteria())
    except ValidationError as error:
        if rubric is not None:
            rubric.refresh_from_db()
        form.add_service_errors(error)
        return None


@login_required
@require_http_methods(GET_POST)
def rubric_delete(request: HttpRequest, class_id: int, rubric_id: int) -> HttpResponse:
    """Ask before deleting (GET shows the question, changing nothing); POST deletes, unless work
    is graded with the rubric."""
    school_class = class_to_manage(viewer(request), class_id)
    rubric = policies.rubric_for_editor(school_class, rubric_id)
    return confirm_delete(
        request,
        school_class,
        rubric.title,
        lambda: rubric_services.rubric_delete(rubric=rubric),
        "classwork/teacher/rubric_delete.html",
        {"rubric": rubric, "uses": _rubric_uses(rubric)},
        done=reverse("classwork:rubrics", args=[school_class.pk]),
    )
