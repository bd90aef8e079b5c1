"""The student's page of one goal of their plan: what it asks, their efforts with their levels on
the set's rubric beside the teacher's, the teacher's feedback and the family's encouragement,
the form to report an effort and the request for help at home; and the evidence files of
efforts, which the student, the class's staff and the family open.

Views are thin: they load through ``village.goals.policies`` (a goal of another plan is a
404), read through ``village.goals.selectors`` and write through ``village.goals.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from village.classwork import downloads
from village.classwork.services.submissions import accepted_extensions
from village.goals import policies
from village.goals.forms.student import EffortForm, HelpForm
from village.goals.models import GoalSet, HelpRequest, PlanGoal
from village.goals.selectors.plans import EffortView, LevelView, plan_view
from village.goals.services import efforts as effort_services
from village.goals.services import family as family_services
from village.goals.translations import written_in
from village.goals.views.common import lang_of, students_shown, viewer

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


def _answered(asks: list[HelpRequest]) -> list[tuple[HelpRequest, SafeString]]:
    """Each request for help with the ``lang`` of its answer, written in the language of the
    person who answered (read with the request)."""
    return [
        (ask, lang_of(written_in(ask.answered_by)) if ask.answered_by else SafeString(""))
        for ask in asks
    ]


def _goal_page(
    request: HttpRequest,
    plan_goal: PlanGoal,
    *,
    effort_form: EffortForm | None = None,
    help_form: HelpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan, goal_set = plan_goal.plan, plan_goal.plan.goal_set
    view = plan_view(goal_set, plan, work=True)
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
        "written": lang_of(written_in(viewer(request))),
        "help_requests": _answered(goal.help_requests),
    }
    return render(request, "goals/student/goal.html", context, status=status)


@login_required
@require_safe
def goal(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """One goal of the student's plan: what it asks, their efforts with the teacher's feedback
    and the family's encouragement, the effort form and help at home."""
    user = viewer(request)
    return _goal_page(request, policies.own_plan_goal(user, plan_goal_id))


@login_required
@require_POST
def effort_record(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Record an effort and the student's report on it."""
    user = viewer(request)
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
    user = viewer(request)
    plan_goal = policies.own_plan_goal_for_editor(user, plan_goal_id, _("This goal set is closed."))
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
    user = viewer(request)
    effort = policies.effort_file_for_viewer(user, effort_id)
    name = effort.file_name or PurePosixPath(effort.file.name or "").name
    response = downloads.attachment(effort.file, name, effort.content_type)
    plan = effort.plan_goal.plan
    # The student's own opening is not audited (``audit_views`` skips a user's own record).
    students_shown(request, user, [(plan.student_id, plan.goal_set.school_class.school_id)])
    return response


urlpatterns: list[URLPattern] = [
    path("mine/goals/<int:plan_goal_id>/", goal, name="goal"),
    path("mine/goals/<int:plan_goal_id>/efforts/", effort_record, name="effort_record"),
    path("mine/goals/<int:plan_goal_id>/help/", help_ask, name="help_ask"),
    path("efforts/<int:effort_id>/file/", effort_file, name="effort_file"),
]
