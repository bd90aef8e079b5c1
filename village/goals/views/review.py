"""The teacher's review of students' goals, under ``/goals/staff/``:

- ``staff/queue/``: what students wait for in every class the user sees as staff, the oldest
  first: efforts with a request for feedback, plans waiting for approval. Each answered in
  place (htmx swaps the item; without JavaScript the form posts and the queue comes back).
- ``staff/plans/<id>/``: one student's plan: the path picture, every goal with its efforts,
  the feedback given, the family's encouragement; the forms to answer.
- the answers: ``staff/plans/<id>/decide/``, ``staff/efforts/<id>/feedback/``,
  ``staff/plan-goals/<id>/met/``, ``staff/encouragements/<id>/hide/``.

The class overview has its own pages (``village.goals.views.overview``). Admins of the school
(or district) see the pages and answer nothing (403). Every student record shown is audited:
one entry per student, in one insert.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.classwork.models import RubricCriterion
from village.core.policies import require_page
from village.goals import pictures, policies
from village.goals.forms.teacher import DecideForm, FeedbackForm, SwitchForm
from village.goals.models import Effort, Plan, PlanState
from village.goals.selectors.plans import EffortView, GoalView, PlanView, plan_view
from village.goals.selectors.queue import (
    EffortItem,
    PlanItem,
    effort_item,
    feedback_queue,
    plan_item,
    queue_counts,
    rubric_criteria,
)
from village.goals.services.efforts import feedback_give, goal_confirm_met
from village.goals.services.family import encouragement_hide
from village.goals.services.plans import plan_decide
from village.goals.views.common import GET_POST, htmx, state_key, students_shown, viewer

TEMPLATES = "goals/staff/review"

# --- the feedback queue -----------------------------------------------------------------------


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    require_page(policies.may_see_staff_pages(user))
    found = feedback_queue(user)
    students_shown(request, user, found.student_schools())
    context = {"queue": found, "items": [_queue_item(item) for item in found.items]}
    return render(request, f"{TEMPLATES}/queue.html", context)


@dataclass
class _Item:
    """A queue item as the page shows it: an effort with its form, or a plan with its form."""

    kind: str
    item: EffortItem | PlanItem
    form: FeedbackForm | DecideForm | None


def _queue_item(
    item: EffortItem | PlanItem, form: FeedbackForm | DecideForm | None = None
) -> _Item:
    """The item with its form (a new one, unless ``form`` is given); none for admins."""
    if isinstance(item, EffortItem):
        if form is None and item.may_answer:
            form = _feedback_form(item.effort, item.criteria, back="queue")
        return _Item("effort", item, form)
    if form is None and item.may_answer:
        form = DecideForm(prefix=f"plan-{item.plan.pk}", initial={"back": "queue"})
    return _Item("plan", item, form)


def _feedback_form(
    effort: Effort,
    criteria: list[RubricCriterion],
    *,
    back: str,
    data: QueryDict | None = None,
) -> FeedbackForm:
    return FeedbackForm(
        data,
        criteria=criteria,
        prefix=f"effort-{effort.pk}",
        initial={"back": back},
    )


# --- one student's plan -----------------------------------------------------------------------


@dataclass
class _EffortPanel:
    view: EffortView
    form: FeedbackForm | None


@dataclass
class _GoalPanel:
    view: GoalView
    number: int
    icon: SafeString
    efforts: list[_EffortPanel] = field(default_factory=list)


@dataclass
class _GroupPanel:
    title: str
    goals: list[_GoalPanel]
    not_chosen: list[GoalView]


def _panels(view: PlanView, criteria: list[RubricCriterion], answers: bool) -> list[_GroupPanel]:
    icons = {state: icon for state, icon, _label in state_key()}
    groups, number = [], 0
    for group in view.groups:
        goals = []
        for goal in group.chosen:
            number += 1
            efforts = [
                _EffortPanel(
                    effort,
                    _feedback_form(effort.effort, criteria, back="plan")
                    if answers and effort.effort.is_waiting
                    else None,
                )
                for effort in goal.efforts
            ]
            goals.append(_GoalPanel(goal, number, icons[goal.state], efforts))
        groups.append(_GroupPanel(group.group.title, goals, group.not_chosen))
    return groups


def _plan_page(request: HttpRequest, user: User, plan: Plan) -> HttpResponse:
    goal_set = plan.goal_set
    view = plan_view(goal_set, plan, staff=True, work=True)
    answers = policies.may_edit_class(user, goal_set.school_class_id)
    criteria = rubric_criteria({goal_set.rubric_id}).get(goal_set.rubric_id, [])
    students_shown(request, user, [(plan.student_id, goal_set.school_class.school_id)])
    key, counts = state_key(chosen_only=True), view.counts()
    decide = None
    if answers and plan.state != PlanState.DRAFT:
        decide = DecideForm(prefix=f"plan-{plan.pk}", initial={"back": "plan"})
    context = {
        "plan": plan,
        "student": plan.student,
        "goal_set": goal_set,
        "school_class": goal_set.school_class,
        "may_answer": answers,
        "picture": pictures.path_picture(
            view,
            id_prefix=f"path-{plan.pk}",
            title=_("%(name)s's path through “%(set)s”")
            % {"name": plan.student.display_name, "set": goal_set.title},
        ),
        "groups": _panels(view, criteria, answers),
        "counts": [(icon, label, counts.get(state, 0)) for state, icon, label in key],
        "decide": decide,
        "path_key": [(icon, label) for _state, icon, label in key],
    }
    return render(request, f"{TEMPLATES}/plan.html", context)


@login_required
@require_safe
def staff_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = viewer(request)
    plan = policies.plan_for_staff(user, plan_id)
    return _plan_page(request, user, plan)


def _back(back: str, plan_id: int, anchor: str = "") -> HttpResponseRedirect:
    if back == "plan":
        return redirect(reverse("goals:staff_plan", args=[plan_id]) + anchor)
    return redirect("goals:queue")


@login_required
@require_http_methods(GET_POST)
def plan_decide_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET shows the decision's form alone; POST approves the plan or asks for a change."""
    user = viewer(request)
    plan = policies.plan_for_reviewer(user, plan_id)
    form = DecideForm(request.POST or None, prefix=f"plan-{plan.pk}", initial={"back": "plan"})
    if request.method == "POST" and form.is_valid():
        try:
            plan_decide(
                plan=plan, teacher=user, approve=form.approve, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            plan.refresh_from_db()
            form.add_service_errors(error)
        else:
            done = _decided(plan)
            if htmx(request):
                return _answered(request, user, f"item-plan-{plan.pk}", done)
            messages.success(request, done)
            return _back(form.back_to, plan.pk)
    if htmx(request):
        item = _queue_item(plan_item(plan, may_answer=True), form)
        return render(request, f"{TEMPLATES}/_queue_item.html", {"entry": item})
    students_shown(request, user, [(plan.student_id, plan.goal_set.school_class.school_id)])
    context = {"plan": plan, "student": plan.student, "goal_set": plan.goal_set, "form": form}
    return render(request, f"{TEMPLATES}/decide.html", context)


def _decided(plan: Plan) -> str:
    values = {"name": plan.student.display_name}
    if plan.state == PlanState.APPROVED:
        return _("%(name)s's plan is approved.") % values
    return _("%(name)s is asked to change their plan.") % values


def _answered(request: HttpRequest, user: User, item_id: str, text: str) -> HttpResponse:
    """What replaces an answered item of the queue: the answer said, with the focus on it, and
    the queue's new count."""
    context = {"item_id": item_id, "text": text, "queue": queue_counts(user)}
    return render(request, f"{TEMPLATES}/_answered.html", context)


@login_required
@require_http_methods(GET_POST)
def effort_feedback(request: HttpRequest, effort_id: int) -> HttpResponse:
    """GET shows the effort and the feedback form alone; POST sends the feedback."""
    user = viewer(request)
    effort = policies.effort_for_reviewer(user, effort_id)
    item = effort_item(effort, may_answer=True)
    back = "plan" if request.GET.get("back") == "plan" else "queue"
    form = _feedback_form(effort, item.criteria, back=back, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_give(
                effort=effort,
                teacher=user,
                comment=form.cleaned_data["comment"],
                levels=form.levels(),
                confirms_met=form.cleaned_data["confirms_met"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            done = _("Your feedback is sent to %(name)s.") % {
                "name": item.plan.student.display_name
            }
            if htmx(request):
                return _answered(request, user, f"item-effort-{effort.pk}", done)
            messages.success(request, done)
            return _back(form.back_to, item.plan.pk, f"#effort-{effort.pk}")
    if htmx(request):
        entry = _queue_item(item, form)
        return render(request, f"{TEMPLATES}/_queue_item.html", {"entry": entry})
    plan = item.plan
    students_shown(request, user, [(plan.student_id, plan.goal_set.school_class.school_id)])
    context = {"entry": _queue_item(item, form), "plan": plan, "form": form}
    return render(request, f"{TEMPLATES}/feedback.html", context)


@login_required
@require_POST
def goal_met(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Confirm the goal met (``on=1``), or take the confirmation back (``on=0``)."""
    user = viewer(request)
    plan_goal = policies.plan_goal_for_reviewer(user, plan_goal_id)
    form = SwitchForm(request.POST)
    if form.is_valid():
        goal_confirm_met(plan_goal=plan_goal, teacher=user, met=form.value)
        values = {"goal": plan_goal.goal.title}
        done = (
            _("“%(goal)s” is confirmed met.") if form.value else _("“%(goal)s” is not met yet.")
        ) % values
        messages.success(request, done)
    return _back("plan", plan_goal.plan_id, f"#goal-{plan_goal.pk}")


@login_required
@require_POST
def encouragement_hide_view(request: HttpRequest, encouragement_id: int) -> HttpResponse:
    """Hide a family's encouragement from the student and the family (``on=1``), or show it
    again (``on=0``); staff keep seeing it, marked hidden."""
    user = viewer(request)
    found = policies.encouragement_for_moderator(user, encouragement_id)
    form = SwitchForm(request.POST)
    if form.is_valid():
        encouragement_hide(encouragement=found, teacher=user, hidden=form.value)
        messages.success(
            request,
            _("The encouragement is hidden.") if form.value else _("The encouragement is shown."),
        )
    anchor = f"#encouragement-{found.pk}"
    if form.is_valid() and form.back_to == "queue":
        return redirect(reverse("goals:queue") + anchor)
    return _back("plan", found.plan_goal.plan_id, anchor)


urlpatterns: list[URLPattern] = [
    path("staff/queue/", queue, name="queue"),
    path("staff/plans/<int:plan_id>/", staff_plan, name="staff_plan"),
    path("staff/plans/<int:plan_id>/decide/", plan_decide_view, name="staff_plan_decide"),
    path("staff/efforts/<int:effort_id>/feedback/", effort_feedback, name="staff_effort_feedback"),
    path("staff/plan-goals/<int:plan_goal_id>/met/", goal_met, name="staff_goal_met"),
    path(
        "staff/encouragements/<int:encouragement_id>/hide/",
        encouragement_hide_view,
        name="staff_encouragement_hide",
    ),
]
