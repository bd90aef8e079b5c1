"""The teacher's pages for goal sets (``staff/…``): the sets of their classes, a new set (written,
or read from a file), the builder's page of one set, its settings, publishing, copying,
exporting and deleting it. The groups and goals inside a set have their own pages
(``village.goals.views.builder``).

Admins of the school see every page that shows a set and change nothing (403). Each change is
one POST to one service; a refusal shows on the field it names and changes nothing. Every page
works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.community.models import SchoolClass
from village.community.policies import today
from village.core.confirm import delete_asked
from village.core.policies import require_page
from village.goals import policies
from village.goals.forms.sets import CopyForm, ImportForm, PublishForm, SetForm, set_initial
from village.goals.models import GoalSet
from village.goals.selectors.sets import set_outline, staff_sets
from village.goals.services import exchange, sets
from village.goals.views.common import GET_POST, viewer

TEMPLATES = "goals/staff/sets/"


# --- what the set pages share (the builder's pages too) ----------------------------------------


def to_builder(goal_set: GoalSet, anchor: str = "") -> HttpResponse:
    url = reverse("goals:set", args=[goal_set.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def saved(form: Any, write: Callable[[], object], refresh: Any = None) -> bool:
    """Run the service; when it refuses, put its reasons on the form (and read ``refresh``
    again, which the service may have changed in memory)."""
    try:
        write()
    except ValidationError as error:
        if refresh is not None:
            refresh.refresh_from_db()
        form.add_service_errors(error)
        return False
    return True


def set_page(request: HttpRequest, name: str, goal_set: GoalSet, **context: Any) -> HttpResponse:
    return render(request, TEMPLATES + name, {"goal_set": goal_set, **context})


def confirm_delete(
    request: HttpRequest,
    goal_set: GoalSet,
    title: str,
    delete: Callable[[], None],
    done: str,
    consequence: str,
) -> HttpResponse:
    """GET asks (changing nothing); POST deletes and goes to ``done``. A deletion the service
    refuses shows the question again, with the reason."""
    answer, errors = delete_asked(request, delete, title, done)
    if answer is not None:
        return answer
    back = reverse("goals:set", args=[goal_set.pk])
    context = {"title": title, "consequence": consequence, "errors": errors, "back": back}
    return set_page(request, "delete.html", goal_set, **context)


# --- the sets ---------------------------------------------------------------------------------


@login_required
@require_safe
def staff(request: HttpRequest) -> HttpResponse:
    """The sets of every class the user sees as staff, by class; "new set" where they teach."""
    user = viewer(request)
    require_page(policies.may_see_staff_pages(user))
    return render(request, TEMPLATES + "index.html", {"classes": staff_sets(user)})


@login_required
@require_http_methods(GET_POST)
def set_new(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policies.class_for_goal_editor(user, class_id)
    day = today()
    initial = {"opens_on": day, "closes_on": day + dt.timedelta(days=28)}
    form = SetForm(request.POST or None, school_class=school_class, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = sets.goal_set_create(
                school_class=school_class, author=user, fields=form.set_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The goal set is made: now add its groups and goals."))
            return to_builder(made)
    context = {"form": form, "school_class": school_class, "goal_set": None}
    return render(request, TEMPLATES + "set_form.html", context)


@login_required
@require_safe
def set_detail(request: HttpRequest, set_id: int) -> HttpResponse:
    """The builder: the set, its groups and goals as a tree, and what each goal needs."""
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    outline = set_outline(goal_set)
    may_edit = policies.may_edit_class(user, goal_set.school_class_id)
    return set_page(request, "set.html", goal_set, outline=outline, may_edit=may_edit)


@login_required
@require_http_methods(GET_POST)
def set_edit(request: HttpRequest, set_id: int) -> HttpResponse:
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    form = SetForm(
        request.POST or None,
        school_class=goal_set.school_class,
        initial=set_initial(goal_set),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.set_fields()
        if saved(form, lambda: sets.goal_set_update(goal_set=goal_set, fields=fields), goal_set):
            messages.success(request, _("“%(title)s” is saved.") % {"title": goal_set.title})
            return to_builder(goal_set)
    context = {"form": form, "school_class": goal_set.school_class}
    return set_page(request, "set_form.html", goal_set, **context)


@login_required
@require_http_methods(GET_POST)
def set_delete(request: HttpRequest, set_id: int) -> HttpResponse:
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    return confirm_delete(
        request,
        goal_set,
        goal_set.title,
        lambda: sets.goal_set_delete(goal_set=goal_set),
        reverse("goals:staff"),
        _("Students and families no longer see it, and the plans students made for it go too."),
    )


@login_required
@require_POST
def set_publish(request: HttpRequest, set_id: int) -> HttpResponse:
    """Show the set to students and families (or hide it again); a set that is not ready yet
    says why on the builder."""
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        shown = form.cleaned_data["published"]
        try:
            sets.goal_set_publish(goal_set=goal_set, published=shown)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = (
                _("Students and families see “%(title)s” now.")
                if shown
                else _("Students and families no longer see “%(title)s”.")
            )
            messages.success(request, done % {"title": goal_set.title})
    return to_builder(goal_set)


@login_required
@require_http_methods(GET_POST)
def set_copy(request: HttpRequest, set_id: int) -> HttpResponse:
    """Copy the set to a class the user teaches (this one for next year, or another)."""
    user = viewer(request)
    goal_set = policies.goal_set_for_copier(user, set_id)
    classes = policies.editable_classes(user).order_by("title", "pk")
    initial = {"opens_on": goal_set.opens_on, "school_class": goal_set.school_class_id}
    form = CopyForm(request.POST or None, classes=classes, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = policies.class_for_goal_editor(user, form.cleaned_data["school_class"].pk)
        try:
            made = exchange.goal_set_copy(
                goal_set=goal_set,
                school_class=target,
                author=user,
                opens_on=form.cleaned_data["opens_on"],
            )
        except ValidationError as error:
            form.add_error("opens_on" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(
                request,
                _("The copy is in %(class)s, hidden from students until you publish it.")
                % {"class": target.title},
            )
            return to_builder(made)
    return set_page(request, "copy.html", goal_set, form=form)


@login_required
@require_safe
def set_export(request: HttpRequest, set_id: int) -> HttpResponse:
    """The set as a JSON file to keep, share, or import into another class."""
    goal_set = policies.goal_set_for_staff(viewer(request), set_id)
    response = JsonResponse(
        exchange.goal_set_export(goal_set), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    name = slugify(goal_set.title) or "goal-set"
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@login_required
@require_http_methods(GET_POST)
def set_import(request: HttpRequest, class_id: int) -> HttpResponse:
    """A new set for the class from an exported file: checked through before anything is
    written; each problem is listed with its place in the file."""
    user = viewer(request)
    school_class = policies.class_for_goal_editor(user, class_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        made = _import(form, school_class, user)
        if made is not None:
            messages.success(
                request, _("The goal set is read: check it, then publish it when it is ready.")
            )
            return to_builder(made)
    return render(request, TEMPLATES + "import.html", {"form": form, "school_class": school_class})


def _import(form: ImportForm, school_class: SchoolClass, user: User) -> GoalSet | None:
    try:
        data = json.loads(form.cleaned_data["file"].read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        form.add_error("file", _("The file is not JSON: export it from Village again."))
        return None
    try:
        return exchange.goal_set_import(
            school_class=school_class,
            author=user,
            data=data,
            opens_on=form.cleaned_data["opens_on"],
        )
    except ValidationError as error:
        place = "opens_on" if getattr(error, "error_dict", {}).keys() == {"opens_on"} else "file"
        form.add_error(place, error.messages)
        return None


urlpatterns: list[URLPattern] = [
    path("staff/", staff, name="staff"),
    path("staff/classes/<int:class_id>/sets/new/", set_new, name="set_new"),
    path("staff/classes/<int:class_id>/sets/import/", set_import, name="set_import"),
    path("staff/sets/<int:set_id>/", set_detail, name="set"),
    path("staff/sets/<int:set_id>/edit/", set_edit, name="set_edit"),
    path("staff/sets/<int:set_id>/delete/", set_delete, name="set_delete"),
    path("staff/sets/<int:set_id>/publish/", set_publish, name="set_publish"),
    path("staff/sets/<int:set_id>/copy/", set_copy, name="set_copy"),
    path("staff/sets/<int:set_id>/export/", set_export, name="set_export"),
]
