"""The teacher's pages for building goal sets (``staff/…``): the sets of their classes, a new
set (written, or read from a file), the builder (groups, goals, sub-goals, prerequisites,
linked work, each moved up or down with a button), publishing, copying and exporting.

Admins of the school see every page that shows a set and change nothing (403). Each change is
one POST to one service; a refusal shows on the field it names and changes nothing. Every page
works without JavaScript: moves and removals are small forms that come back to the builder at
the goal or group they changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.classwork.models import Assignment
from village.community.models import SchoolClass
from village.community.policies import today
from village.core.policies import require_page
from village.goals import policies
from village.goals.forms.sets import (
    CopyForm,
    GoalForm,
    GroupForm,
    ImportForm,
    MoveForm,
    NeedsForm,
    PublishForm,
    SetForm,
    WorkForm,
    goal_initial,
    group_initial,
    set_initial,
)
from village.goals.models import Goal, GoalAssignment, GoalGroup, GoalSet
from village.goals.services import exchange, sets

GET_POST = ["GET", "POST"]
T = "goals/staff/sets/"


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every page here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _editable_classes(user: User) -> QuerySet[SchoolClass]:
    return policies.editable_classes(user).order_by("title", "pk")


def _set_for_editor(user: User, set_id: int) -> GoalSet:
    return policies.goal_set_for_editor(user, set_id)


def _group_of(goal_set: GoalSet, group_id: int) -> GoalGroup:
    return policies.group_for_editor(goal_set, group_id)


def _goal_of(goal_set: GoalSet, goal_id: int) -> Goal:
    return policies.goal_for_editor(goal_set, goal_id)


def _editor_goal(request: HttpRequest, set_id: int, goal_id: int) -> tuple[GoalSet, Goal]:
    """A goal of a set the user may change (404, or 403 for those who only see the set)."""
    goal_set = _set_for_editor(viewer(request), set_id)
    return goal_set, _goal_of(goal_set, goal_id)


def _builder(goal_set: GoalSet, anchor: str = "") -> HttpResponse:
    url = reverse("goals:set", args=[goal_set.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _saved(form: Any, write: Callable[[], object], refresh: Any = None) -> bool:
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


def _page(request: HttpRequest, name: str, goal_set: GoalSet, **context: Any) -> HttpResponse:
    return render(request, T + name, {"goal_set": goal_set, **context})


# --- the sets ---------------------------------------------------------------------------------


@login_required
@require_safe
def staff(request: HttpRequest) -> HttpResponse:
    """The sets of every class the user sees as staff, by class; "new set" where they teach."""
    user = viewer(request)
    require_page(policies.may_see_staff_pages(user))
    found = (
        policies.staff_goal_sets(user)
        .select_related("school_class", "topic")
        .annotate(goal_count=Count("goals"))
        .order_by("school_class__title", "school_class_id", "-opens_on", "pk")
    )
    classes: dict[int, dict[str, Any]] = {}
    for school_class in _editable_classes(user):
        classes[school_class.pk] = {"school_class": school_class, "sets": [], "may_add": True}
    for goal_set in found:
        entry = classes.setdefault(
            goal_set.school_class_id,
            {"school_class": goal_set.school_class, "sets": [], "may_add": False},
        )
        entry["sets"].append(goal_set)
    ordered = sorted(
        classes.values(), key=lambda e: (e["school_class"].title, e["school_class"].pk)
    )
    return render(request, T + "index.html", {"classes": ordered})


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
            return _builder(made)
    context = {"form": form, "school_class": school_class, "goal_set": None}
    return render(request, T + "set_form.html", context)


@login_required
@require_safe
def set_detail(request: HttpRequest, set_id: int) -> HttpResponse:
    """The builder: the set, its groups and goals as a tree, and what each goal needs."""
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    outline = exchange.set_outline(goal_set)
    may_edit = policies.may_edit_class(user, goal_set.school_class_id)
    return _page(request, "set.html", goal_set, outline=outline, may_edit=may_edit)


@login_required
@require_http_methods(GET_POST)
def set_edit(request: HttpRequest, set_id: int) -> HttpResponse:
    goal_set = _set_for_editor(viewer(request), set_id)
    form = SetForm(
        request.POST or None,
        school_class=goal_set.school_class,
        initial=set_initial(goal_set),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.set_fields()
        if _saved(form, lambda: sets.goal_set_update(goal_set=goal_set, fields=fields), goal_set):
            messages.success(request, _("“%(title)s” is saved.") % {"title": goal_set.title})
            return _builder(goal_set)
    context = {"form": form, "school_class": goal_set.school_class}
    return _page(request, "set_form.html", goal_set, **context)


@login_required
@require_http_methods(GET_POST)
def set_delete(request: HttpRequest, set_id: int) -> HttpResponse:
    goal_set = _set_for_editor(viewer(request), set_id)
    return _confirm_delete(
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
    goal_set = _set_for_editor(viewer(request), set_id)
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
    return _builder(goal_set)


@login_required
@require_http_methods(GET_POST)
def set_copy(request: HttpRequest, set_id: int) -> HttpResponse:
    """Copy the set to a class the user teaches (this one for next year, or another)."""
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    classes = _editable_classes(user)
    if not classes.exists():
        raise PermissionDenied(_("Only teachers copy goal sets to their classes."))
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
            return _builder(made)
    return _page(request, "copy.html", goal_set, form=form)


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
            return _builder(made)
    return render(request, T + "import.html", {"form": form, "school_class": school_class})


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


# --- groups -----------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def group_new(request: HttpRequest, set_id: int) -> HttpResponse:
    goal_set = _set_for_editor(viewer(request), set_id)
    return _group_form(request, goal_set, None)


@login_required
@require_http_methods(GET_POST)
def group_edit(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    goal_set = _set_for_editor(viewer(request), set_id)
    return _group_form(request, goal_set, _group_of(goal_set, group_id))


def _group_form(request: HttpRequest, goal_set: GoalSet, group: GoalGroup | None) -> HttpResponse:
    initial = group_initial(group) if group else None
    form = GroupForm(request.POST or None, initial=initial)
    made: list[GoalGroup] = []

    def write() -> None:
        data = form.cleaned_data
        if group is None:
            made.append(sets.group_add(goal_set=goal_set, **data))
        else:
            made.append(sets.group_update(group=group, **data))

    if request.method == "POST" and form.is_valid() and _saved(form, write, refresh=group):
        messages.success(request, _("“%(title)s” is saved.") % {"title": made[0].title})
        return _builder(goal_set, f"group-{made[0].pk}")
    return _page(request, "group_form.html", goal_set, form=form, group=group)


@login_required
@require_http_methods(GET_POST)
def group_delete(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    goal_set = _set_for_editor(viewer(request), set_id)
    group = _group_of(goal_set, group_id)
    return _confirm_delete(
        request,
        goal_set,
        group.title,
        lambda: sets.group_delete(group=group),
        reverse("goals:set", args=[goal_set.pk]),
        _("Its goals go too, and leave the plans of students who chose them."),
    )


@login_required
@require_POST
def group_move(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    goal_set = _set_for_editor(viewer(request), set_id)
    group = _group_of(goal_set, group_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        sets.group_move(group=group, step=form.cleaned_data["step"])
    return _builder(goal_set, f"group-{group.pk}")


# --- goals ------------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def goal_new(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    """A goal of the group; ``?parent=`` makes it a sub-goal of that goal."""
    goal_set = _set_for_editor(viewer(request), set_id)
    group = _group_of(goal_set, group_id)
    parent = request.GET.get("parent", "")
    initial = {"parent": int(parent)} if parent.isdigit() and len(parent) < 12 else None
    return _goal_form(request, goal_set, group, None, initial)


@login_required
@require_http_methods(GET_POST)
def goal_edit(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    return _goal_form(request, goal_set, goal.group, goal, goal_initial(goal))


def _goal_form(
    request: HttpRequest,
    goal_set: GoalSet,
    group: GoalGroup,
    goal: Goal | None,
    initial: dict[str, Any] | None,
) -> HttpResponse:
    form = GoalForm(request.POST or None, group=group, goal=goal, initial=initial)
    made: list[Goal] = []

    def write() -> None:
        fields = form.goal_fields()
        if goal is None:
            made.append(sets.goal_add(group=group, fields=fields))
        else:
            made.append(sets.goal_update(goal=goal, fields=fields))

    if request.method == "POST" and form.is_valid() and _saved(form, write, refresh=goal):
        messages.success(request, _("“%(title)s” is saved.") % {"title": made[0].title})
        return _builder(goal_set, f"goal-{made[0].pk}")
    context = {"form": form, "group": group, "goal": goal}
    return _page(request, "goal_form.html", goal_set, **context)


@login_required
@require_http_methods(GET_POST)
def goal_delete(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    return _confirm_delete(
        request,
        goal_set,
        goal.title,
        lambda: sets.goal_delete(goal=goal),
        reverse("goals:set", args=[goal_set.pk]) + f"#group-{goal.group_id}",
        _("Its sub-goals go too, and leave the plans of students who chose them."),
    )


def _step_among_siblings(goal: Goal, step: int) -> int:
    """The step in the group's order (``sets.goal_move``) that moves ``goal`` past its
    previous (``step`` -1) or next (1) sibling: the goal with the same parent."""
    order = list(
        Goal.objects.filter(group_id=goal.group_id)
        .order_by("position", "pk")
        .values_list("pk", "parent_id")
    )
    places = [index for index, (_pk, parent) in enumerate(order) if parent == goal.parent_id]
    here = next(index for index, (pk, _parent) in enumerate(order) if pk == goal.pk)
    mine = places.index(here)
    target = mine + step
    if not 0 <= target < len(places):
        return 0
    return places[target] - here


@login_required
@require_POST
def goal_move(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        step = _step_among_siblings(goal, form.cleaned_data["step"])
        if step:
            sets.goal_move(goal=goal, step=step)
    return _builder(goal_set, f"goal-{goal.pk}")


# --- prerequisites and linked work --------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def goal_needs(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    """What the goal needs first: the list (each with a button to remove it) and a form to add
    another goal of the set. A prerequisite that would make a circle is refused."""
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    needed = list(Goal.objects.filter(needed_by__goal=goal).order_by("title", "pk"))
    others = (
        Goal.objects.filter(goal_set=goal_set)
        .exclude(pk__in=[goal.pk, *(g.pk for g in needed)])
        .order_by("position", "pk")
    )
    groups = list(GoalGroup.objects.filter(goal_set=goal_set).order_by("position", "pk"))
    form = NeedsForm(request.POST or None, goals=list(others), groups=groups)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        try:
            sets.prerequisite_add(goal=goal, needs=chosen)
        except ValidationError as error:
            form.add_error("needs", error.messages)
        else:
            messages.success(
                request,
                _("“%(goal)s” needs “%(needs)s” first.")
                % {"goal": goal.title, "needs": chosen.title},
            )
            return redirect("goals:goal_needs", goal_set.pk, goal.pk)
    context = {"goal": goal, "needed": needed, "form": form}
    return _page(request, "goal_needs.html", goal_set, **context)


@login_required
@require_POST
def goal_needs_remove(
    request: HttpRequest, set_id: int, goal_id: int, needs_id: int
) -> HttpResponse:
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    needed = _goal_of(goal_set, needs_id)
    sets.prerequisite_remove(goal=goal, needs=needed)
    messages.success(
        request,
        _("“%(goal)s” no longer needs “%(needs)s” first.")
        % {"goal": goal.title, "needs": needed.title},
    )
    return redirect("goals:goal_needs", goal_set.pk, goal.pk)


def _class_work(goal_set: GoalSet) -> QuerySet[Assignment]:
    return Assignment.objects.filter(school_class_id=goal_set.school_class_id, status="active")


@login_required
@require_http_methods(GET_POST)
def goal_work(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    """The class's work that counts as evidence for the goal: the list and a form to add."""
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    linked = _class_work(goal_set).filter(
        pk__in=GoalAssignment.objects.filter(goal=goal).values("assignment_id")
    )
    choices = _class_work(goal_set).exclude(pk__in=linked.values("pk")).order_by("-assign_at")
    form = WorkForm(request.POST or None, work=choices)
    if request.method == "POST" and form.is_valid():
        work = form.cleaned_data["assignment"]
        try:
            sets.assignment_link(goal=goal, assignment=work)
        except ValidationError as error:
            form.add_error("assignment", error.messages)
        else:
            messages.success(
                request,
                _("“%(work)s” counts for “%(goal)s”.") % {"work": work.title, "goal": goal.title},
            )
            return redirect("goals:goal_work", goal_set.pk, goal.pk)
    context = {"goal": goal, "linked": linked.order_by("-assign_at"), "form": form}
    return _page(request, "goal_work.html", goal_set, **context)


@login_required
@require_POST
def goal_work_remove(
    request: HttpRequest, set_id: int, goal_id: int, assignment_id: int
) -> HttpResponse:
    goal_set, goal = _editor_goal(request, set_id, goal_id)
    sets.assignment_unlink(goal=goal, assignment_id=assignment_id)
    messages.success(request, _("The work no longer counts for “%(goal)s”.") % {"goal": goal.title})
    return redirect("goals:goal_work", goal_set.pk, goal.pk)


# --- deleting ---------------------------------------------------------------------------------


def _confirm_delete(
    request: HttpRequest,
    goal_set: GoalSet,
    title: str,
    delete: Callable[[], None],
    done: str,
    consequence: str,
) -> HttpResponse:
    """GET asks (changing nothing); POST deletes and goes to ``done``. A deletion the service
    refuses shows the question again, with the reason."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            delete()
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": title})
            return redirect(done)
    back = reverse("goals:set", args=[goal_set.pk])
    context = {"title": title, "consequence": consequence, "errors": errors, "back": back}
    return _page(request, "delete.html", goal_set, **context)


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
    path("staff/sets/<int:set_id>/groups/new/", group_new, name="group_new"),
    path("staff/sets/<int:set_id>/groups/<int:group_id>/edit/", group_edit, name="group_edit"),
    path(
        "staff/sets/<int:set_id>/groups/<int:group_id>/delete/", group_delete, name="group_delete"
    ),
    path("staff/sets/<int:set_id>/groups/<int:group_id>/move/", group_move, name="group_move"),
    path("staff/sets/<int:set_id>/groups/<int:group_id>/goals/new/", goal_new, name="goal_new"),
    path("staff/sets/<int:set_id>/goals/<int:goal_id>/edit/", goal_edit, name="goal_edit"),
    path("staff/sets/<int:set_id>/goals/<int:goal_id>/delete/", goal_delete, name="goal_delete"),
    path("staff/sets/<int:set_id>/goals/<int:goal_id>/move/", goal_move, name="goal_move"),
    path("staff/sets/<int:set_id>/goals/<int:goal_id>/needs/", goal_needs, name="goal_needs"),
    path(
        "staff/sets/<int:set_id>/goals/<int:goal_id>/needs/<int:needs_id>/remove/",
        goal_needs_remove,
        name="goal_needs_remove",
    ),
    path("staff/sets/<int:set_id>/goals/<int:goal_id>/work/", goal_work, name="goal_work"),
    path(
        "staff/sets/<int:set_id>/goals/<int:goal_id>/work/<int:assignment_id>/remove/",
        goal_work_remove,
        name="goal_work_remove",
    ),
]
