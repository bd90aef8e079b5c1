"""The student's plan pages: their goal sets (the goals home), their plan for one set (choosing
optional goals, putting goals in order with buttons or by dragging, sending the plan) and the
activities they propose. One goal of the plan, with its efforts, has its own page
(``village.goals.views.efforts``).

Views are thin: they load through ``village.goals.policies`` (what a user may not see is a 404;
a plan of a closed set, which the student sees but may no longer change, a 403), read through
``village.goals.selectors`` and write through ``village.goals.services``. Staff and families
have their own pages (``staff/…``, ``family/…``); the goals home sends them there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.goals import pictures, policies, rules
from village.goals.forms.student import ActivityForm, ChooseForm, group_field
from village.goals.models import Activity, GoalSet, Plan, PlanGoal, PlanState
from village.goals.progress import GoalState
from village.goals.selectors.family import SetProgress, own_progress
from village.goals.selectors.plans import GoalView, GroupView, PlanView, plan_view
from village.goals.services import plans as plan_services
from village.goals.translations import written_in
from village.goals.views.common import (
    GET_POST,
    given_id,
    in_language,
    lang_of,
    titled,
    viewer,
)


def _first_message(error: ValidationError) -> str:
    return " ".join(_messages(error))


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for found in error.message_dict.values() for message in found]
    return list(error.messages)


def _plan_url(goal_set_id: int, fragment: str = "", query: str = "") -> str:
    url = reverse("goals:plan", args=[goal_set_id])
    return f"{url}{'?' + query if query else ''}{'#' + fragment if fragment else ''}"


def _started(goal_set: GoalSet, student: User) -> Plan:
    plan = plan_services.plan_start(goal_set=goal_set, student=student)
    plan.goal_set = goal_set
    return plan


# --- the goals home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SetRow:
    """One goal set on the student's goals home: their plan and its goals by state."""

    progress: SetProgress
    open: bool


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """A student's goal sets; staff and families have their own goal pages."""
    user = viewer(request)
    home = policies.goals_home(user)
    if home is policies.GoalsHome.STAFF:
        return redirect("goals:staff")
    if home is policies.GoalsHome.FAMILY:
        return redirect("goals:family")
    student = policies.student_of(user)
    rows = [SetRow(one, policies.choosing_open(one.goal_set)) for one in own_progress(student)]
    return render(request, "goals/student/index.html", {"rows": rows})


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class PlanItem:
    """A goal of the plan as its group's list shows it; ``focus`` names the move button
    ("earlier", "later") that takes the focus when the page loads after a move; ``language``:
    the one the student writes in."""

    view: GoalView
    form: ActivityForm
    first: bool
    last: bool
    language: str
    focus: str = ""

    @property
    def activities(self) -> list[tuple[Activity, SafeString]]:
        """Each activity with its text marked with its language where the page's differs (for
        the hidden name of its button)."""
        return [(one, in_language(one.text, self.language)) for one in self.view.activities]

    @property
    def plan_goal(self) -> PlanGoal:
        assert self.view.plan_goal is not None
        return self.view.plan_goal


@dataclass
class PlanGroup:
    group: GroupView
    items: list[PlanItem]
    problems: list[str]


def _focus(item: PlanItem, step: int) -> str:
    """The button of the moved goal to focus: the one of the same direction while it can still
    move that way, else the other one."""
    can_earlier, can_later = not item.first, not item.last
    if step < 0:
        return "earlier" if can_earlier else "later" if can_later else ""
    return "later" if can_later else "earlier" if can_earlier else ""


def _plan_groups(
    groups: list[GroupView],
    problems: list[rules.Problem],
    bound: tuple[int, ActivityForm] | None,
    moved: tuple[int | None, int],
    language: str,
) -> list[PlanGroup]:
    laid_out = []
    for group in groups:
        items = []
        for index, view in enumerate(group.chosen):
            assert view.plan_goal is not None
            pk = view.plan_goal.pk
            form = bound[1] if bound and bound[0] == pk else ActivityForm(prefix=f"activity-{pk}")
            item = PlanItem(view, form, index == 0, index == len(group.chosen) - 1, language)
            if moved[0] == pk:
                item.focus = _focus(item, moved[1])
            items.append(item)
        mine = [p.message for p in problems if p.group == group.group.pk]
        laid_out.append(PlanGroup(group, items, mine))
    return laid_out


def _named(problems: list[rules.Problem], groups: list[GroupView]) -> list[tuple[str, str]]:
    """Each problem with the title of the group it is about."""
    titles = {group.group.pk: group.group.title for group in groups}
    return [(titles.get(problem.group, ""), problem.message) for problem in problems]


def _moved(request: HttpRequest) -> tuple[int | None, int]:
    """The goal just moved with a button, and the step it moved."""
    step = -1 if request.GET.get("step") == "-1" else 1
    return given_id(request.GET.get("moved")), step


def _plan_page(
    request: HttpRequest,
    student: User,
    goal_set: GoalSet,
    *,
    bound: tuple[int, ActivityForm] | None = None,
    send_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    choosing = policies.choosing_open(goal_set)
    plan = _started(goal_set, student) if choosing else policies.own_plan(student, goal_set)
    view = plan_view(goal_set, plan)
    problems = (
        rules.problems(plan_services.shape_of(goal_set), plan_services.plan_order(plan))
        if plan is not None
        else []
    )
    context = {
        "goal_set": goal_set,
        "plan": plan,
        "view": view,
        "groups": _plan_groups(view.groups, problems, bound, _moved(request), written_in(student)),
        "written": lang_of(written_in(student)),
        "problems": _named(problems, view.groups),
        "met": view.counts().get(GoalState.MET, 0),
        "choosing": choosing,
        "has_errors": bool(send_errors) or bound is not None,
        "send_errors": send_errors or [],
        "picture": _picture(view) if plan is not None and plan.state != "draft" else None,
    }
    return render(request, "goals/student/plan.html", context, status=status)


def _picture(view: PlanView) -> SafeString | None:
    """The student's path: their goals in their order, states and levels (no query)."""
    if not view.goals():
        return None
    title = _("Your path through “%(set)s”") % {"set": view.goal_set.title}
    return pictures.path_picture(view, id_prefix="path", title=title)


@login_required
@require_safe
def plan(request: HttpRequest, set_id: int) -> HttpResponse:
    """The student's plan for a set, group by group in their order; started on the first visit
    while the set is open."""
    user = viewer(request)
    return _plan_page(request, user, policies.own_goal_set(user, set_id))


@login_required
@require_http_methods(GET_POST)
def choose(request: HttpRequest, set_id: int) -> HttpResponse:
    """Checkboxes of the optional goals, group by group (core goals are always in)."""
    user = viewer(request)
    # A page left open after the set closed may no longer change the plan (403).
    load = policies.own_goal_set_for_editor if request.method == "POST" else policies.own_goal_set
    goal_set = load(user, set_id)
    choosing = policies.choosing_open(goal_set)
    current = _started(goal_set, user) if choosing else None
    view = plan_view(goal_set, current)
    form = ChooseForm(
        request.POST if request.method == "POST" else None,
        shape=plan_services.shape_of(goal_set),
        groups=view.groups,
        current=plan_services.plan_order(current) if current else {},
    )
    if request.method == "POST" and current is not None and form.is_valid():
        sent = current.submitted_at
        try:
            plan_services.plan_choose(plan=current, order=form.order())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _chosen_message(current, resent=current.submitted_at != sent))
            return redirect("goals:plan", goal_set.pk)
    context = {
        "goal_set": goal_set,
        "plan": current,
        "form": form,
        "groups": [
            (part.group, form[group_field(part.group.pk)], _core(part)) for part in view.groups
        ],
        "choosing": choosing,
    }
    return render(request, "goals/student/choose.html", context, status=400 if form.errors else 200)


def _core(group: GroupView) -> list[GoalView]:
    return [view for view in [*group.chosen, *group.not_chosen] if view.goal.is_core]


def _chosen_message(plan: Plan, *, resent: bool) -> str:
    if resent and plan.state == PlanState.SUBMITTED:
        return _("Your goals are saved. Your plan went back to your teacher to look at again.")
    return _("Your goals are saved. Now put them in the order you will work on them.")


@login_required
@require_POST
def move(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Move one goal a place earlier (step -1) or later (step 1) within its group: the keyboard's
    and the buttons' way of ordering. The focus comes back to the goal's button (autofocus)."""
    user = viewer(request)
    plan_goal = policies.own_plan_goal_for_editor(user, plan_goal_id)
    goal_set = plan_goal.plan.goal_set
    step = -1 if request.POST.get("step") == "-1" else 1
    try:
        plan_services.plan_move(plan_goal=plan_goal, step=step)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _place_message(plan_goal.plan, plan_goal.goal, marked=True))
    # No fragment: a page with a target element ignores autofocus, which brings the focus (and
    # the view) back to the goal's button.
    return redirect(_plan_url(goal_set.pk, query=f"moved={plan_goal.pk}&step={step}"))


def _place_message(plan: Plan, goal: Any, *, marked: bool = False) -> str:
    """Where the goal is now; ``marked``: its titles marked with their language, for a page
    (a script reads the message out as plain text)."""
    order = plan_services.plan_order(plan).get(goal.group_id, [])
    message = _("“%(goal)s” is now number %(place)s of %(count)s in “%(group)s”.")
    values: dict[str, str | int] = {
        "goal": goal.title,
        "place": order.index(goal.pk) + 1,
        "count": len(order),
        "group": goal.group.title,
    }
    return titled(message, **values) if marked else message % values


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def reorder(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    """A new order of one group's goals (``goal``: every goal id of the group, in order), sent
    by dragging a goal on the plan page; ``moved`` names the goal dragged, for the answer that
    is read out. Scripts get JSON; a form gets the plan page again."""
    user = viewer(request)
    goal_set = policies.own_goal_set_for_editor(user, set_id)
    group = policies.group_for_editor(goal_set, group_id)
    current = _started(goal_set, user)
    goal_ids = [pk for value in request.POST.getlist("goal") if (pk := given_id(value)) is not None]
    try:
        plan_services.plan_reorder(plan=current, group_id=group.pk, goal_ids=goal_ids)
    except ValidationError as error:
        message, status = _first_message(error), 400
    else:
        moved = request.POST.get("moved")
        message, status = _reordered_message(current, moved, marked=not _wants_json(request)), 200
    if _wants_json(request):
        return JsonResponse({"message": message}, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(_plan_url(goal_set.pk, f"group-{group_id}"))


def _reordered_message(plan: Plan, moved: str | None, *, marked: bool) -> str:
    goal_id = given_id(moved)
    chosen = plan.chosen.select_related("goal__group")
    found = chosen.filter(goal_id=goal_id).first() if goal_id is not None else None
    if found is None:
        return _("The new order is saved.")
    return _place_message(plan, found.goal, marked=marked)


@login_required
@require_POST
def send(request: HttpRequest, set_id: int) -> HttpResponse:
    """Send the plan to the teacher (approved at once when the set approves by itself)."""
    user = viewer(request)
    goal_set = policies.own_goal_set_for_editor(user, set_id)
    current = _started(goal_set, user)
    try:
        plan_services.plan_submit(plan=current)
    except ValidationError as error:
        return _plan_page(request, user, goal_set, send_errors=_messages(error), status=400)
    if current.state == PlanState.APPROVED:
        messages.success(request, _("Your plan is approved. Open a goal to start working on it."))
    else:
        messages.success(request, _("Your plan is sent to your teacher."))
    return redirect("goals:plan", goal_set.pk)


# --- activities -------------------------------------------------------------------------------


@login_required
@require_POST
def activity_add(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """An activity the student proposes for a goal of their plan."""
    user = viewer(request)
    plan_goal = policies.own_plan_goal_for_editor(user, plan_goal_id)
    goal_set = plan_goal.plan.goal_set
    form = ActivityForm(request.POST, prefix=f"activity-{plan_goal.pk}")
    if form.is_valid():
        try:
            plan_services.activity_add(plan_goal=plan_goal, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            added = _("Activity added to “%(goal)s”.")
            messages.success(request, titled(added, goal=plan_goal.goal.title))
            return redirect(_plan_url(goal_set.pk, f"goal-{plan_goal.pk}"))
    return _plan_page(request, user, goal_set, bound=(plan_goal.pk, form), status=400)


@login_required
@require_POST
def activity_remove(request: HttpRequest, plan_goal_id: int, activity_id: int) -> HttpResponse:
    user = viewer(request)
    plan_goal = policies.own_plan_goal_for_editor(user, plan_goal_id)
    goal_set = plan_goal.plan.goal_set
    activity = policies.activity_for_editor(plan_goal, activity_id)
    plan_services.activity_remove(activity=activity)
    removed = _("Activity removed from “%(goal)s”.")
    messages.success(request, titled(removed, goal=plan_goal.goal.title))
    return redirect(_plan_url(goal_set.pk, f"goal-{plan_goal.pk}"))


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("sets/<int:set_id>/", plan, name="plan"),
    path("sets/<int:set_id>/choose/", choose, name="choose"),
    path("sets/<int:set_id>/send/", send, name="send"),
    path("sets/<int:set_id>/groups/<int:group_id>/order/", reorder, name="reorder"),
    path("mine/goals/<int:plan_goal_id>/move/", move, name="move"),
    path("mine/goals/<int:plan_goal_id>/activities/", activity_add, name="activity_add"),
    path(
        "mine/goals/<int:plan_goal_id>/activities/<int:activity_id>/remove/",
        activity_remove,
        name="activity_remove",
    ),
]
