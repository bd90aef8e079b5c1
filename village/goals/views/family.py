"""The family's goal pages, under ``/goals/family/``: the children with their goal sets, one
child's sets, and one plan with its efforts, levels, the teacher's feedback, the family's
encouragement and the child's requests for help at home (encourage, answer).

Guardians only, for children whose link is usable and allows ``goals``
(``village.goals.policies``); anyone else gets a 404, as if the page did not exist. Every page
that shows a child writes one audit entry per child. What teachers, the child and the family
wrote shows in the reader's language where a translation is ready
(``village.goals.translations``), the original one tap away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from village.accounts.models import User
from village.community.policies import student_schools
from village.core.policies import require_page
from village.goals import policies
from village.goals import translations as goal_translations
from village.goals.forms.family import AnswerForm, EncourageForm, answer_prefix, encourage_prefix
from village.goals.models import HelpRequest, PlanGoal
from village.goals.pictures import state_icon
from village.goals.selectors.family import GoalProgress, SetProgress, children_progress
from village.goals.selectors.plans import GoalView, GroupView, PlanView, plan_view
from village.goals.services.family import encouragement_add, help_answer
from village.goals.views.common import students_shown, viewer

# --- the children, and one child ---------------------------------------------------------------


@login_required
@require_safe
def family(request: HttpRequest) -> HttpResponse:
    """Each child whose goals the guardian sees, with their goal sets at a glance."""
    user = viewer(request)
    children = policies.children_for_family(user)
    require_page(bool(children))
    found = children_progress(user, [child.id for child in children])
    schools = student_schools([child.id for child in children])
    students_shown(
        request, user, [(c.id, s.pk if (s := schools.get(c.id)) else None) for c in children]
    )
    context = {
        "children": [
            (child, [one for one in found if one.child_id == child.id]) for child in children
        ],
        "translations": goal_translations.progress_translations(user, found),
    }
    return render(request, "goals/family/index.html", context)


@login_required
@require_safe
def family_child(request: HttpRequest, child_id: int) -> HttpResponse:
    """One child's goal sets: per set the goals by state, requests for help, the plan's link."""
    user = viewer(request)
    child = policies.child_for_family(user, child_id)
    found = children_progress(user, [child.pk])
    school = student_schools([child.pk]).get(child.pk)
    students_shown(request, user, [(child.pk, school.pk if school else None)])
    context = {
        "child": child,
        "progress": found,
        "translations": goal_translations.progress_translations(user, found),
    }
    return render(request, "goals/family/child.html", context)


# --- one plan --------------------------------------------------------------------------------


@dataclass
class FamilyGoal:
    """A goal of the plan as the family's page shows it, with its forms."""

    view: GoalView
    encourage: EncourageForm | None
    #: Each request for help, its form, and who answered it (``None``: nobody yet).
    answers: list[tuple[HelpRequest, AnswerForm, User | None]] = field(default_factory=list)

    @property
    def icon(self) -> SafeString:
        """The mark of the goal's state, as every goals page draws it."""
        return state_icon(self.view.state, 14)


@dataclass
class FamilyGroup:
    group: GroupView
    goals: list[FamilyGoal]


@dataclass(frozen=True)
class Bound:
    """A form posted with an error, to show again in its place."""

    encourage: Mapping[int, EncourageForm] = field(default_factory=dict)
    answers: Mapping[int, AnswerForm] = field(default_factory=dict)


def _encourage_form(view: GoalView, bound: Bound) -> EncourageForm | None:
    if view.plan_goal is None:
        return None
    pk = view.plan_goal.pk
    if pk in bound.encourage:
        return bound.encourage[pk]
    efforts = [(e.effort.pk, e.effort.created_at) for e in view.efforts]
    return EncourageForm(prefix=encourage_prefix(pk), efforts=efforts)


def _answer_forms(
    view: GoalView, bound: Bound, people: Mapping[int, User]
) -> list[tuple[HelpRequest, AnswerForm, User | None]]:
    return [
        (
            ask,
            bound.answers.get(ask.pk)
            or AnswerForm(prefix=answer_prefix(ask.pk), initial={"answer": ask.answer}),
            people.get(ask.answered_by_id or 0),
        )
        for ask in view.help_requests
    ]


def _groups(view: PlanView, bound: Bound, people: Mapping[int, User]) -> list[FamilyGroup]:
    return [
        FamilyGroup(
            group,
            [
                FamilyGoal(goal, _encourage_form(goal, bound), _answer_forms(goal, bound, people))
                for goal in group.chosen
            ],
        )
        for group in view.groups
    ]


def _progress(view: PlanView, child: User) -> SetProgress:
    """The plan at a glance, from what the page read already."""
    return SetProgress(
        goal_set=view.goal_set,
        child_id=child.pk,
        plan=view.plan,
        total=sum(len(group.chosen) + len(group.not_chosen) for group in view.groups),
        goals=[
            GoalProgress(goal.plan_goal, goal.state, len(goal.efforts), None)
            for goal in view.goals()
            if goal.plan_goal is not None
        ],
    )


def _plan_page(
    request: HttpRequest,
    user: User,
    child: User,
    set_id: int,
    *,
    bound: Bound | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page, with the form posted with an error (``bound``) in its place."""
    bound = bound or Bound()
    goal_set = policies.goal_set_for_family(user, child, set_id)
    plan = policies.plan_for_family(user, child, goal_set)
    view = plan_view(goal_set, plan, work=policies.sees_classwork_of(user, child.pk))
    people = goal_translations.answerers(view)
    students_shown(request, user, [(child.pk, goal_set.school_class.school_id)])
    context = {
        "child": child,
        "goal_set": goal_set,
        "plan": plan,
        "groups": _groups(view, bound, people),
        "progress": _progress(view, child),
        "error_form": next(iter([*bound.encourage.values(), *bound.answers.values()]), None),
        "translations": goal_translations.plan_translations(user, view, child, people),
    }
    return render(request, "goals/family/plan.html", context, status=status)


@login_required
@require_safe
def family_plan(request: HttpRequest, child_id: int, set_id: int) -> HttpResponse:
    """The child's plan for one set: each chosen goal with its state, the child's activities
    and efforts (their levels), the teacher's feedback, encouragement and requests for help."""
    user = viewer(request)
    child = policies.child_for_family(user, child_id)
    return _plan_page(request, user, child, set_id)


def _back_to(plan_goal: PlanGoal, anchor: str) -> HttpResponse:
    plan = plan_goal.plan
    return redirect(reverse("goals:family_plan", args=[plan.student_id, plan.goal_set_id]) + anchor)


@login_required
@require_POST
def family_encourage(request: HttpRequest, plan_goal_id: int) -> HttpResponse:
    """Add the guardian's encouragement to a goal of the child's plan, or to one effort."""
    user = viewer(request)
    plan_goal = policies.plan_goal_for_family(user, plan_goal_id)
    efforts = list(plan_goal.efforts.order_by("created_at", "pk").values_list("pk", "created_at"))
    form = EncourageForm(request.POST, prefix=encourage_prefix(plan_goal.pk), efforts=efforts)
    if form.is_valid():
        effort = policies.effort_on(plan_goal, form.cleaned_data["effort"])
        try:
            encouragement_add(
                plan_goal=plan_goal,
                guardian=user,
                text=form.cleaned_data["text"],
                language=user.preferred_language,
                effort=effort,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            child = plan_goal.plan.student.short_name
            messages.success(
                request, _("Sent: %(name)s and the teacher will read it.") % {"name": child}
            )
            return _back_to(plan_goal, f"#goal-{plan_goal.pk}")
    bound = Bound(encourage={plan_goal.pk: form})
    plan = plan_goal.plan
    return _plan_page(request, user, plan.student, plan.goal_set_id, bound=bound, status=400)


@login_required
@require_POST
def family_help_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    """Answer the child's request for help at home (a later answer replaces the first)."""
    user = viewer(request)
    ask = policies.help_request_for_family(user, request_id)
    form = AnswerForm(request.POST, prefix=answer_prefix(ask.pk))
    if form.is_valid():
        try:
            help_answer(request=ask, guardian=user, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            child = ask.plan_goal.plan.student.short_name
            messages.success(request, _("Answered: %(name)s will see it.") % {"name": child})
            return _back_to(ask.plan_goal, f"#help-{ask.pk}")
    plan = ask.plan_goal.plan
    bound = Bound(answers={ask.pk: form})
    return _plan_page(request, user, plan.student, plan.goal_set_id, bound=bound, status=400)


urlpatterns: list[URLPattern] = [
    path("family/", family, name="family"),
    path("family/<int:child_id>/", family_child, name="family_child"),
    path("family/<int:child_id>/sets/<int:set_id>/", family_plan, name="family_plan"),
    path("family/goals/<int:plan_goal_id>/encourage/", family_encourage, name="family_encourage"),
    path("family/help/<int:request_id>/answer/", family_help_answer, name="family_help_answer"),
]
