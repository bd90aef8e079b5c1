"""The builder's pages inside one goal set (``staff/sets/<id>/…``): its groups and goals
(added, changed, moved up or down with a button, deleted), sub-goals, what each goal needs
first, and the class's work that counts as evidence for it.

Only the class's teachers change a set: an admin who sees it gets a 403, anyone else a 404;
a group or goal of another set in a set's address is a 404. Moves and removals are small forms
that come back to the builder at the goal or group they changed (no JavaScript needed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from village.goals import policies
from village.goals.forms.sets import (
    GoalForm,
    GroupForm,
    MoveForm,
    NeedsForm,
    WorkForm,
    goal_initial,
    group_initial,
)
from village.goals.models import Goal, GoalGroup, GoalSet
from village.goals.selectors.sets import linked_work, needs_choices, sibling_step, work_to_link
from village.goals.services import sets
from village.goals.views.common import GET_POST, given_id, viewer
from village.goals.views.sets import confirm_delete, saved, set_page, to_builder


def editor_goal(request: HttpRequest, set_id: int, goal_id: int) -> tuple[GoalSet, Goal]:
    """A goal of a set the user may change (404, or 403 for those who only see the set)."""
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    return goal_set, policies.goal_for_editor(goal_set, goal_id)


# --- groups -----------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def group_new(request: HttpRequest, set_id: int) -> HttpResponse:
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    return _group_form(request, goal_set, None)


@login_required
@require_http_methods(GET_POST)
def group_edit(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    return _group_form(request, goal_set, policies.group_for_editor(goal_set, group_id))


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

    if request.method == "POST" and form.is_valid() and saved(form, write, refresh=group):
        messages.success(request, _("“%(title)s” is saved.") % {"title": made[0].title})
        return to_builder(goal_set, f"group-{made[0].pk}")
    return set_page(request, "group_form.html", goal_set, form=form, group=group)


@login_required
@require_http_methods(GET_POST)
def group_delete(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    group = policies.group_for_editor(goal_set, group_id)
    return confirm_delete(
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
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    group = policies.group_for_editor(goal_set, group_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        sets.group_move(group=group, step=form.cleaned_data["step"])
    return to_builder(goal_set, f"group-{group.pk}")


@login_required
@require_http_methods(GET_POST)
def goal_new(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    """A goal of the group; ``?parent=`` makes it a sub-goal of that goal."""
    goal_set = policies.goal_set_for_editor(viewer(request), set_id)
    group = policies.group_for_editor(goal_set, group_id)
    parent = given_id(request.GET.get("parent"))
    initial = {"parent": parent} if parent is not None else None
    return _goal_form(request, goal_set, group, None, initial)


@login_required
@require_http_methods(GET_POST)
def goal_edit(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    goal_set, goal = editor_goal(request, set_id, goal_id)
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

    if request.method == "POST" and form.is_valid() and saved(form, write, refresh=goal):
        messages.success(request, _("“%(title)s” is saved.") % {"title": made[0].title})
        return to_builder(goal_set, f"goal-{made[0].pk}")
    context = {"form": form, "group": group, "goal": goal}
    return set_page(request, "goal_form.html", goal_set, **context)


@login_required
@require_http_methods(GET_POST)
def goal_delete(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    goal_set, goal = editor_goal(request, set_id, goal_id)
    return confirm_delete(
        request,
        goal_set,
        goal.title,
        lambda: sets.goal_delete(goal=goal),
        reverse("goals:set", args=[goal_set.pk]) + f"#group-{goal.group_id}",
        _("Its sub-goals go too, and leave the plans of students who chose them."),
    )


@login_required
@require_POST
def goal_move(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    goal_set, goal = editor_goal(request, set_id, goal_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        step = sibling_step(goal, form.cleaned_data["step"])
        if step:
            sets.goal_move(goal=goal, step=step)
    return to_builder(goal_set, f"goal-{goal.pk}")


@login_required
@require_http_methods(GET_POST)
def goal_needs(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    """What the goal needs first: the list (each with a button to remove it) and a form to add
    another goal of the set. A prerequisite that would make a circle is refused."""
    goal_set, goal = editor_goal(request, set_id, goal_id)
    found = needs_choices(goal_set, goal)
    form = NeedsForm(request.POST or None, goals=found.others, groups=found.groups)
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
    context = {"goal": goal, "needed": found.needed, "form": form}
    return set_page(request, "goal_needs.html", goal_set, **context)


@login_required
@require_POST
def goal_needs_remove(
    request: HttpRequest, set_id: int, goal_id: int, needs_id: int
) -> HttpResponse:
    goal_set, goal = editor_goal(request, set_id, goal_id)
    needed = policies.goal_for_editor(goal_set, needs_id)
    sets.prerequisite_remove(goal=goal, needs=needed)
    messages.success(
        request,
        _("“%(goal)s” no longer needs “%(needs)s” first.")
        % {"goal": goal.title, "needs": needed.title},
    )
    return redirect("goals:goal_needs", goal_set.pk, goal.pk)


@login_required
@require_http_methods(GET_POST)
def goal_work(request: HttpRequest, set_id: int, goal_id: int) -> HttpResponse:
    """The class's work that counts as evidence for the goal: the list and a form to add."""
    goal_set, goal = editor_goal(request, set_id, goal_id)
    form = WorkForm(request.POST or None, work=work_to_link(goal_set, goal))
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
    context = {"goal": goal, "linked": linked_work(goal_set, goal), "form": form}
    return set_page(request, "goal_work.html", goal_set, **context)


@login_required
@require_POST
def goal_work_remove(
    request: HttpRequest, set_id: int, goal_id: int, assignment_id: int
) -> HttpResponse:
    goal_set, goal = editor_goal(request, set_id, goal_id)
    link = policies.work_link_for_editor(goal, assignment_id)
    sets.assignment_unlink(goal=goal, assignment_id=link.assignment_id)
    messages.success(request, _("The work no longer counts for “%(goal)s”.") % {"goal": goal.title})
    return redirect("goals:goal_work", goal_set.pk, goal.pk)


urlpatterns: list[URLPattern] = [
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
