"""The student's goal pages: their goal sets, their plan for one set (choosing optional goals,
putting goals in order with buttons or by dragging, proposing activities, sending the plan), one
goal (efforts with self-reports, the teacher's feedback, the family's encouragement and help at
home), and the evidence files of efforts.

Views are thin: they load through ``village.goals.policies`` (what a user may not see is a 404),
read through ``village.goals.selectors`` and write through ``village.goals.services``. Staff and
families have their own pages (``staff/…``, ``family/…``); the goals home sends them there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.classwork import downloads
from village.classwork.services.submissions import accepted_extensions
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import one_or_404, require_page
from village.goals import policies, rules
from village.goals.forms.student import (
    ActivityForm,
    ChooseForm,
    EffortForm,
    HelpForm,
    group_field,
)
from village.goals.models import GoalSet, Plan, PlanGoal, PlanState
from village.goals.parts import SetProgress, goal_progress
from village.goals.progress import GoalState
from village.goals.selectors.plans import EffortView, GoalView, GroupView, LevelView, plan_view
from village.goals.services import efforts as effort_services
from village.goals.services import family as family_services
from village.goals.services import plans as plan_services

GET_POST = ["GET", "POST"]


def _viewer(request: HttpRequest) -> User:
    """The signed-in user (every page here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _first_message(error: ValidationError) -> str:
    return " ".join(_messages(error))


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for found in error.message_dict.values() for message in found]
    return list(error.messages)


def _plan_url(goal_set_id: int, fragment: str = "", query: str = "") -> str:
    url = reverse("goals:plan", args=[goal_set_id])
    return f"{url}{'?' + query if query else ''}{'#' + fragment if fragment else ''}"


def _require_choosing(goal_set: GoalSet) -> None:
    """The plan changes only while the set is open for choosing: a page left open after it
    closed gets a 403 (the student sees the set but may no longer change the plan)."""
    if not policies.choosing_open(goal_set):
        raise PermissionDenied(_("This goal set is closed: your plan can no longer change."))


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


def _overview(student: User) -> list[SetRow]:
    """The sets the student works on, newest first, with their plan's goals by state (three
    queries however many sets, goals and efforts)."""
    sets = list(policies.student_goal_sets(student).select_related("school_class"))
    plans = {
        plan.goal_set_id: plan
        for plan in Plan.objects.filter(student=student, goal_set__in=[s.pk for s in sets])
    }
    for goal_set in sets:
        if goal_set.pk in plans:
            plans[goal_set.pk].goal_set = goal_set
    progress = goal_progress(list(plans.values()), today=timezone.localdate())
    return [
        SetRow(
            SetProgress(
                goal_set=goal_set,
                child_id=student.pk,
                plan=plans.get(goal_set.pk),
                total=0,
                goals=progress.get(plans[goal_set.pk].pk, []) if goal_set.pk in plans else [],
            ),
            policies.choosing_open(goal_set),
        )
        for goal_set in sets
    ]


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """A student's goal sets; staff and families have their own goal pages."""
    user = _viewer(request)
    home = policies.goals_home(user)
    if home is policies.GoalsHome.STAFF:
        return redirect("goals:staff")
    if home is policies.GoalsHome.FAMILY:
        return redirect("goals:family")
    student = policies.student_of(user)
    return render(request, "goals/student/index.html", {"rows": _overview(student)})


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class PlanItem:
    """A goal of the plan as its group's list shows it; ``focus`` names the move button
    ("earlier", "later") that takes the focus when the page loads after a move."""

    view: GoalView
    form: ActivityForm
    first: bool
    last: bool
    focus: str = ""

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
) -> list[PlanGroup]:
    laid_out = []
    for group in groups:
        items = []
        for index, view in enumerate(group.chosen):
            assert view.plan_goal is not None
            pk = view.plan_goal.pk
            form = bound[1] if bound and bound[0] == pk else ActivityForm(prefix=f"activity-{pk}")
            item = PlanItem(view, form, index == 0, index == len(group.chosen) - 1)
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
    moved = request.GET.get("moved", "")
    step = -1 if request.GET.get("step") == "-1" else 1
    return (int(moved) if moved.isdigit() else None), step


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
    plan = (
        _started(goal_set, student)
        if choosing
        else Plan.objects.filter(goal_set=goal_set, student=student).first()
    )
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
        "groups": _plan_groups(view.groups, problems, bound, _moved(request)),
        "problems": _named(problems, view.groups),
        "met": view.counts().get(GoalState.MET, 0),
        "choosing": choosing,
        "has_errors": bool(send_errors) or bound is not None,
        "send_errors": send_errors or [],
    }
    return render(request, "goals/student/plan.html", context, status=status)


@login_required
@require_safe
def plan(request: HttpRequest, set_id: int) -> HttpResponse:
    """The student's plan for a set, group by group in their order; started on the first visit
    while the set is open."""
    user = _viewer(request)
    return _plan_page(request, user, policies.own_goal_set(user, set_id))


@login_required
@require_http_methods(GET_POST)
def choose(request: HttpRequest, set_id: int) -> HttpResponse:
    """Checkboxes of the optional goals, group by group (core goals are always in)."""
    user = _viewer(request)
    goal_set = policies.own_goal_set(user, set_id)
    if request.method == "POST":
        _require_choosing(goal_set)
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
    user = _viewer(request)
    plan_goal = policies.own_plan_goal(user, plan_goal_id)
    goal_set = plan_goal.plan.goal_set
    _require_choosing(goal_set)
    step = -1 if request.POST.get("step") == "-1" else 1
    try:
        plan_services.plan_move(plan_goal=plan_goal, step=step)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _place_message(plan_goal.plan, plan_goal.goal))
    # No fragment: a page with a target element ignores autofocus, which brings the focus (and
    # the view) back to the goal's button.
    return redirect(_plan_url(goal_set.pk, query=f"moved={plan_goal.pk}&step={step}"))


def _place_message(plan: Plan, goal: Any) -> str:
    order = plan_services.plan_order(plan).get(goal.group_id, [])
    return _("“%(goal)s” is now number %(place)s of %(count)s in “%(group)s”.") % {
        "goal": goal.title,
        "place": order.index(goal.pk) + 1,
        "count": len(order),
        "group": goal.group.title,
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def reorder(request: HttpRequest, set_id: int, group_id: int) -> HttpResponse:
    """A new order of one group's goals (``goal``: every goal id of the group, in order), sent
    by dragging a goal on the plan page; ``moved`` names the goal dragged, for the answer that
    is read out. Scripts get JSON; a form gets the plan page again."""
    user = _viewer(request)
    goal_set = policies.own_goal_set(user, set_id)
    _require_choosing(goal_set)
    current = _started(goal_set, user)
    require_page(group_id in plan_services.plan_order(current))
    goal_ids = [int(value) for value in request.POST.getlist("goal") if value.isdigit()]
    try:
        plan_services.plan_reorder(plan=current, group_id=group_id, goal_ids=goal_ids)
    except ValidationError as error:
        message, status = _first_message(error), 400
    else:
        message, status = _reordered_message(current, request.POST.get("moved", "")), 200
    if _wants_json(request):
        return JsonResponse({"message": message}, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(_plan_url(goal_set.pk, f"group-{group_id}"))


def _reordered_message(plan: Plan, moved: str) -> str:
    chosen = plan.chosen.select_related("goal__group")
    found = chosen.filter(goal_id=int(moved)).first() if moved.isdigit() else None
    if found is None:
        return _("The new order is saved.")
    return _place_message(plan, found.goal)


@login_required
@require_POST
def send(request: HttpRequest, set_id: int) -> HttpResponse:
    """Send the plan to the teacher (approved at once when the set approves by itself)."""
    user = _viewer(request)
    goal_set = policies.own_goal_set(user, set_id)
    _require_choosing(goal_set)
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
    user = _viewer(request)
    plan_goal = policies.own_plan_goal(user, plan_goal_id)
    goal_set = plan_goal.plan.goal_set
    _require_choosing(goal_set)
    form = ActivityForm(request.POST, prefix=f"activity-{plan_goal.pk}")
    if form.is_valid():
        try:
            plan_services.activity_add(plan_goal=plan_goal, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("Activity added to “%(goal)s”.") % {"goal": plan_goal.goal.title}
            )
            return redirect(_plan_url(goal_set.pk, f"goal-{plan_goal.pk}"))
    return _plan_page(request, user, goal_set, bound=(plan_goal.pk, form), status=400)


@login_required
@require_POST
def activity_remove(request: HttpRequest, plan_goal_id: int, activity_id: int) -> HttpResponse:
    user = _viewer(request)
    plan_goal = policies.own_plan_goal(user, plan_goal_id)
    goal_set = plan_goal.plan.goal_set
    _require_choosing(goal_set)
    activity = one_or_404(plan_goal.activities.filter(pk=activity_id), "No such activity.")
    activity.plan_goal = plan_goal
    plan_services.activity_remove(activity=activity)
    messages.success(
        request, _("Activity removed from “%(goal)s”.") % {"goal": plan_goal.goal.title}
    )
    return redirect(_plan_url(goal_set.pk, f"goal-{plan_goal.pk}"))


# --- one goal: efforts and help at home -------------------------------------------------------


@dataclass(frozen=True)
class LevelRow:
    """One criterion of an effort: the student's level and the teacher's, side by side."""

    criterion: str
    mine: LevelView | None
    teachers: LevelView | None


def _beside(effort: EffortView) -> list[LevelRow]:
    """The student's levels beside the teacher's latest (never averaged)."""
    theirs = next((fb.assessed for fb in reversed(effort.feedback) if fb.assessed), None)
    mine = {level.criterion: level for level in effort.assessed.levels} if effort.assessed else {}
    teachers = {level.criterion: level for level in theirs.levels} if theirs else {}
    names = list(dict.fromkeys([*mine, *teachers]))
    return [LevelRow(name, mine.get(name), teachers.get(name)) for name in names]


def _effort_form(request: HttpRequest | None, goal_set: GoalSet) -> EffortForm:
    criteria = goal_set.rubric.criteria.prefetch_related("levels")
    return EffortForm(
        request.POST if request else None,
        request.FILES if request else None,
        criteria=list(criteria),
        max_mb=settings.VILLAGE_UPLOAD_MAX_MB,
        extensions=accepted_extensions(),
    )


def _goal_page(
    request: HttpRequest,
    plan_goal: PlanGoal,
    *,
    effort_form: EffortForm | None = None,
    help_form: HelpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan, goal_set = plan_goal.plan, plan_goal.plan.goal_set
    view = plan_view(goal_set, plan)
    goal = next(v for v in view.goals() if v.plan_goal and v.plan_goal.pk == plan_goal.pk)
    context = {
        "goal_set": goal_set,
        "plan": plan,
        "goal": goal,
        "group": plan_goal.goal.group,
        "efforts": [(effort, _beside(effort)) for effort in reversed(goal.efforts)],
        "effort_form": effort_form or _effort_form(None, goal_set),
        "help_form": help_form or HelpForm(prefix="help"),
        "working": policies.working_open(goal_set),
    }
    return render(request, "goals/student/goal.html", context, status=status)


@login_required
@require_safe
def goal(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """One goal of the student's plan: what it asks, their efforts with the teacher's feedback
    and the family's encouragement, the effort form and help at home."""
    user = _viewer(request)
    return _goal_page(request, policies.own_plan_goal(user, plan_goal_id))


@login_required
@require_POST
def effort_record(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Record an effort and the student's report on it."""
    user = _viewer(request)
    plan_goal = policies.own_plan_goal(user, plan_goal_id)
    form = _effort_form(request, plan_goal.plan.goal_set)
    if form.is_valid():
        data = form.cleaned_data
        try:
            effort_services.effort_record(
                plan_goal=plan_goal,
                levels=form.levels(),
                done=data["done"],
                went_well=data["went_well"],
                next_step=data["next_step"],
                link=data["link"],
                file=data["file"],
                ask_feedback=data["ask_feedback"],
                think_met=data["think_met"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _recorded_message(data))
            return redirect(reverse("goals:goal", args=[plan_goal.pk]) + "#efforts")
    return _goal_page(request, plan_goal, effort_form=form, status=400)


def _recorded_message(data: dict[str, Any]) -> str:
    if data["think_met"]:
        return _("Your effort is saved. Your teacher will look at whether you have met the goal.")
    if data["ask_feedback"]:
        return _("Your effort is saved. Your teacher will give you feedback.")
    return _("Your effort is saved. Keep going!")


@login_required
@require_POST
def help_ask(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Ask the family for help at home with a goal."""
    user = _viewer(request)
    plan_goal = policies.own_plan_goal(user, plan_goal_id)
    if not policies.working_open(plan_goal.plan.goal_set):
        raise PermissionDenied(_("This goal set is closed."))
    form = HelpForm(request.POST, prefix="help")
    if form.is_valid():
        try:
            family_services.help_ask(plan_goal=plan_goal, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your request is sent to your family."))
            return redirect(reverse("goals:goal", args=[plan_goal.pk]) + "#help")
    return _goal_page(request, plan_goal, help_form=form, status=400)


# --- evidence files ---------------------------------------------------------------------------


@login_required
@require_safe
def effort_file(request: HttpRequest, effort_id: int) -> FileResponse:
    """An effort's evidence file, as a download (never shown inline). Anyone's but the
    student's is a view of the student's record, so it is audited."""
    user = _viewer(request)
    effort = policies.effort_file_for_viewer(user, effort_id)
    name = effort.file_name or PurePosixPath(effort.file.name or "").name
    response = downloads.attachment(effort.file, name, effort.content_type)
    plan_of = effort.plan_goal.plan
    if plan_of.student_id != user.pk:
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=[
                Viewed(
                    student_id=plan_of.student_id,
                    organisation_id=plan_of.goal_set.school_class.school_id,
                )
            ],
            request=request,
        )
    return response


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("sets/<int:set_id>/", plan, name="plan"),
    path("sets/<int:set_id>/choose/", choose, name="choose"),
    path("sets/<int:set_id>/send/", send, name="send"),
    path("sets/<int:set_id>/groups/<int:group_id>/order/", reorder, name="reorder"),
    path("mine/goals/<int:plan_goal_id>/", goal, name="goal"),
    path("mine/goals/<int:plan_goal_id>/move/", move, name="move"),
    path("mine/goals/<int:plan_goal_id>/activities/", activity_add, name="activity_add"),
    path(
        "mine/goals/<int:plan_goal_id>/activities/<int:activity_id>/remove/",
        activity_remove,
        name="activity_remove",
    ),
    path("mine/goals/<int:plan_goal_id>/efforts/", effort_record, name="effort_record"),
    path("mine/goals/<int:plan_goal_id>/help/", help_ask, name="help_ask"),
    path("efforts/<int:effort_id>/file/", effort_file, name="effort_file"),
]
