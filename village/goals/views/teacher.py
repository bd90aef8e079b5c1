"""The teacher's review of learning goals, under ``/goals/staff/``:

- ``staff/queue/``: what students wait for in every class the user sees as staff, the oldest
  first: efforts with a request for feedback, plans waiting for approval. Each answered in
  place (htmx swaps the item; without JavaScript the form posts and the queue comes back).
- ``staff/sets/<id>/overview/``: the class on a set, students x goals, as a picture or
  (``?view=table``) a table, filtered by state and group; ``…/print/`` to print it.
- ``staff/plans/<id>/``: one student's plan: the path picture, every goal with its efforts,
  the feedback given, the family's encouragement; the forms to answer.
- the answers: ``staff/plans/<id>/decide/``, ``staff/efforts/<id>/feedback/``,
  ``staff/plan-goals/<id>/met/``, ``staff/encouragements/<id>/hide/``.

Admins of the school (or district) see the pages and answer nothing (403). Every student
record shown is audited: one entry per student, in one insert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.classwork.models import RubricCriterion
from village.community.policies import roles_of
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import require_page
from village.goals import pictures, policies
from village.goals.forms.teacher import (
    VIEW_TABLE,
    DecideForm,
    FeedbackForm,
    OverviewFilterForm,
    SwitchForm,
)
from village.goals.models import Effort, GoalSet, Plan, PlanGoal, PlanState
from village.goals.progress import GoalState
from village.goals.selectors.overview import Overview, Row, class_overview
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

TEMPLATES = "goals/staff/review"
GET_POST = ["GET", "POST"]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every page here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _audit(request: HttpRequest, user: User, shown: Iterable[tuple[int, int | None]]) -> None:
    """One audit entry per student shown (``(student id, school id)``), in one insert."""
    viewed = {sid: Viewed(student_id=sid, organisation_id=school) for sid, school in shown}
    if viewed:
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=viewed.values(),
            request=request,
        )


def _htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _key(*, chosen_only: bool = False) -> list[tuple[GoalState, SafeString, str]]:
    """Each state (met first) with its mark and its name: the pictures' key."""
    return [
        (state, pictures.state_icon(state), str(state.label))
        for state in reversed(GoalState)
        if not (chosen_only and state == GoalState.NOT_CHOSEN)
    ]


# --- the feedback queue -----------------------------------------------------------------------


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    require_page(roles_of(user).is_staff_member)
    found = feedback_queue(user)
    _audit(request, user, found.student_schools())
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


# --- the class overview -----------------------------------------------------------------------


def _overview(request: HttpRequest, goal_set: GoalSet) -> tuple[Overview, OverviewFilterForm, str]:
    whole = class_overview(goal_set)
    groups = [(band.group_id, band.title) for band in whole.bands]
    form = OverviewFilterForm(request.GET, groups=groups)
    state, group_id, view = form.chosen()
    return whole.filtered(state=state, group_id=group_id), form, view


def _audit_overview(request: HttpRequest, user: User, shown: Overview) -> None:
    school = shown.goal_set.school_class.school_id
    rows = [*shown.rows, *shown.not_chosen_yet]
    _audit(request, user, [(row.student_id, school) for row in rows])


@login_required
@require_safe
def overview(request: HttpRequest, set_id: int) -> HttpResponse:
    """The class on the set, as a picture or a table; the filters swap in the results only
    (htmx), or load the page without JavaScript."""
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    shown, form, view = _overview(request, goal_set)
    _audit_overview(request, user, shown)
    context = _overview_context(shown, form, view)
    partial = _htmx(request)
    template = "_overview_results.html" if partial else "overview.html"
    response = render(request, f"{TEMPLATES}/{template}", {**context, "partial": partial})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _overview_context(
    shown: Overview, form: OverviewFilterForm, view: str, *, fit: bool = False
) -> dict[str, object]:
    table = view == VIEW_TABLE
    summary = pictures.overview_summary(shown)
    return {
        "goal_set": shown.goal_set,
        "school_class": shown.goal_set.school_class,
        "overview": shown,
        "form": form,
        "table": table,
        "picture": None if table else pictures.overview_picture(shown, fit=fit, desc=summary),
        "rows": _table_rows(shown) if table else [],
        "marks": pictures.state_marks() if table else "",
        "summary": summary,
        "students": [] if table else _student_lines(shown.rows),
        "waiting": _student_lines(shown.not_chosen_yet, counts=False),
        "key": [(icon, label) for _state, icon, label in _key()],
        "query": form.query(),
        "filtered": shown.state is not None or shown.group_id is not None,
    }


@login_required
@require_safe
def overview_print(request: HttpRequest, set_id: int) -> HttpResponse:
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    shown, form, _view = _overview(request, goal_set)
    _audit_overview(request, user, shown)
    context = {
        **_overview_context(shown, form, "picture", fit=True),
        "printed_at": timezone.localtime(),
    }
    return render(request, f"{TEMPLATES}/overview_print.html", context)


def _plan_href() -> Callable[[int | None], str]:
    """A student's plan page from its id (one reversed pattern for all of them)."""
    pattern = reverse("goals:staff_plan", args=[1111111111])
    return lambda plan_id: "" if plan_id is None else pattern.replace("1111111111", str(plan_id))


def _student_lines(rows: Iterable[Row], *, counts: bool = True) -> list[dict[str, str]]:
    """Each student, a link to their plan, and how many of their goals are in each state (the
    picture's rows in words)."""
    order = [GoalState.MET, GoalState.ASKED, GoalState.STALLED, GoalState.IN_PROGRESS]
    labels = {state: str(state.label) for state in order}
    href = _plan_href()
    lines = []
    for row in rows:
        found = Counter(row.states) if counts else Counter()
        words = " · ".join(f"{labels[s]}: {found[s]}" for s in order if found[s])
        lines.append(
            {
                "name": row.name,
                "href": href(row.plan_id),
                "note": pictures.plan_note(row),
                "counts": words,
            }
        )
    return lines


def _table_rows(shown: Overview) -> list[SafeString]:
    """The table's rows, written here: each distinct cell (one per state) is rendered once
    from ``_overview_cell.html`` and repeated (35 students x 30 goals are 1,050 cells)."""
    cells = {
        state: render_to_string(
            f"{TEMPLATES}/_overview_cell.html",
            {"icon": pictures.state_mark(state), "label": state.label, "state": state.value},
        ).strip()
        for state in GoalState
    }
    href = _plan_href()
    rows = []
    for row in shown.rows:
        note = pictures.plan_note(row)
        name = (
            format_html('<a href="{}">{}</a>', href(row.plan_id), row.name)
            if row.plan_id is not None
            else format_html("{}", row.name)
        )
        if note:
            name = format_html('{} <span class="muted">({})</span>', name, note)
        header = format_html('<th scope="row" class="gb-student">{}</th>', name)
        # Cells are the template's own output, rendered above with nothing from the row.
        rows.append(mark_safe(header + "".join(cells[state] for state in row.states)))  # noqa: S308
    return rows


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
    icons = {state: icon for state, icon, _label in _key()}
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
    view = plan_view(goal_set, plan, staff=True)
    answers = policies.may_edit_class(user, goal_set.school_class_id)
    criteria = rubric_criteria({goal_set.rubric_id}).get(goal_set.rubric_id, [])
    _audit(request, user, [(plan.student_id, goal_set.school_class.school_id)])
    key, counts = _key(chosen_only=True), view.counts()
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
            if _htmx(request):
                return _answered(request, user, f"item-plan-{plan.pk}", done)
            messages.success(request, done)
            return _back(form.back_to, plan.pk)
    if _htmx(request):
        item = _queue_item(plan_item(plan, may_answer=True), form)
        return render(request, f"{TEMPLATES}/_queue_item.html", {"entry": item})
    _audit(request, user, [(plan.student_id, plan.goal_set.school_class.school_id)])
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
            if _htmx(request):
                return _answered(request, user, f"item-effort-{effort.pk}", done)
            messages.success(request, done)
            return _back(form.back_to, item.plan.pk, f"#effort-{effort.pk}")
    if _htmx(request):
        entry = _queue_item(item, form)
        return render(request, f"{TEMPLATES}/_queue_item.html", {"entry": entry})
    plan = item.plan
    _audit(request, user, [(plan.student_id, plan.goal_set.school_class.school_id)])
    context = {"entry": _queue_item(item, form), "plan": plan, "form": form}
    return render(request, f"{TEMPLATES}/feedback.html", context)


def _plan_goal_for_reviewer(user: User, plan_goal_id: int) -> PlanGoal:
    """A goal of a plan ``user`` may answer: the plan through ``policies.plan_for_reviewer``
    (404 when not seen, 403 when only seen)."""
    plan_id = PlanGoal.objects.filter(pk=plan_goal_id).values_list("plan_id", flat=True)
    plan = policies.plan_for_reviewer(user, plan_id.first() or 0)
    found = plan.chosen.select_related("goal").get(pk=plan_goal_id)
    found.plan = plan
    return found


@login_required
@require_POST
def goal_met(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Confirm the goal met (``on=1``), or take the confirmation back (``on=0``)."""
    user = viewer(request)
    plan_goal = _plan_goal_for_reviewer(user, plan_goal_id)
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
    path("staff/sets/<int:set_id>/overview/", overview, name="overview"),
    path("staff/sets/<int:set_id>/overview/print/", overview_print, name="overview_print"),
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
