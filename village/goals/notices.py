"""What learning goals tell people (``village.notifications``), and when.

- **students**: the teacher answered an effort (and whether the goal is now met); the teacher
  approved their plan or asked for a change; their family encouraged them;
- **guardians** (links allowing ``goals``, per child): the child asks for help at home; the
  child met a goal (in the weekly digest by default);
- **teachers** (of the set's class): a student asks for feedback or thinks a goal is met, and a
  plan waits for approval (in the daily summary by default).

Each is written in the service's transaction, keyed by the object (and the moment, for what
can happen again to the same object), so a retried write never tells anyone twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, Scope
from village.community.policies import today, usable_link_q
from village.goals.models import (
    Effort,
    EffortFeedback,
    Encouragement,
    HelpRequest,
    Plan,
    PlanGoal,
    PlanState,
)
from village.notifications import registry
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import Pending, notify

FEEDBACK = "goal_feedback"
PLAN_DECIDED = "goal_plan_decided"
ENCOURAGED = "goal_encouraged"
HELP_ASKED = "goal_help_asked"
MET = "goal_met"
FEEDBACK_ASKED = "goal_feedback_asked"
PLAN_SENT = "goal_plan_sent"


def register() -> None:
    for kind in [
        AlertKind(FEEDBACK, _("Feedback on my goals"), Audience.STUDENT, Scope.GOALS, order=40),
        AlertKind(
            PLAN_DECIDED,
            _("My goal plan approved or a change asked"),
            Audience.STUDENT,
            Scope.GOALS,
            order=41,
        ),
        AlertKind(
            ENCOURAGED, _("Encouragement from home"), Audience.STUDENT, Scope.GOALS, order=42
        ),
        AlertKind(
            HELP_ASKED,
            _("My child asks for help at home with a goal"),
            Audience.GUARDIAN,
            Scope.GOALS,
            per_child=True,
            order=60,
        ),
        AlertKind(
            MET,
            _("My child met a learning goal"),
            Audience.GUARDIAN,
            Scope.GOALS,
            per_child=True,
            default_email=EmailMode.WEEKLY,
            order=61,
        ),
        AlertKind(
            FEEDBACK_ASKED,
            _("A student asks for feedback on a goal"),
            Audience.TEACHER,
            Scope.GOALS,
            default_email=EmailMode.DAILY,
            budgeted=False,
            order=40,
        ),
        AlertKind(
            PLAN_SENT,
            _("A student's goal plan waits for approval"),
            Audience.TEACHER,
            Scope.GOALS,
            default_email=EmailMode.DAILY,
            budgeted=False,
            order=41,
        ),
    ]:
        registry.register_kind(kind)


def kind_names() -> list[str]:
    return [FEEDBACK, PLAN_DECIDED, ENCOURAGED, HELP_ASKED, MET, FEEDBACK_ASKED, PLAN_SENT]


# --- who ------------------------------------------------------------------------------------


def _teachers(class_id: int) -> list[User]:
    """The class's teachers now (aides are not asked for feedback)."""
    ids = Enrollment.objects.current(today()).filter(
        school_class_id=class_id, role=EnrollmentRole.TEACHER
    )
    return list(User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("pk"))


def _guardian_links(student_id: int) -> list[GuardianLink]:
    """The child's guardians whose links allow goals (usable, active accounts)."""
    return list(
        GuardianLink.objects.filter(
            usable_link_q(Scope.GOALS), student_id=student_id, guardian__is_active=True
        )
        .select_related("guardian")
        .order_by("guardian_id")
    )


def _school(plan: Plan) -> int:
    return plan.goal_set.school_class.school_id


Words = Callable[[], tuple[str, str]]


def _tell(people: Iterable[User], plan: Plan, kind: str, key: str, words: Words, link: str) -> None:
    """One notification of ``kind`` to each of ``people`` (students, teachers) about ``plan``,
    keyed by ``key``; its title and body come from ``words``, in each one's language."""
    notify(
        [
            Pending(
                recipient=person,
                kind=kind,
                key=key,
                compose=words,
                link=link,
                school_id=_school(plan),
            )
            for person in people
        ]
    )


# --- links ----------------------------------------------------------------------------------


def _student_goal(plan_goal: PlanGoal) -> str:
    return reverse("goals:goal", args=[plan_goal.pk])


def _student_plan(plan: Plan) -> str:
    return reverse("goals:plan", args=[plan.goal_set_id])


def _family_plan(plan: Plan) -> str:
    return reverse("goals:family_plan", args=[plan.student_id, plan.goal_set_id])


# --- students -------------------------------------------------------------------------------


def feedback_given(feedback: EffortFeedback) -> None:
    """Tell the student the teacher answered their effort."""
    plan_goal = feedback.effort.plan_goal
    plan = plan_goal.plan
    teacher = feedback.author.display_name if feedback.author else ""
    goal = plan_goal.goal.title

    def words() -> tuple[str, str]:
        names = {"teacher": teacher, "goal": goal}
        if feedback.confirms_met:
            title = gettext("%(teacher)s confirmed you met “%(goal)s”") % names
        else:
            title = gettext("%(teacher)s answered your effort on “%(goal)s”") % names
        return title, feedback.comment

    key = f"feedback:{feedback.pk}"
    _tell([plan.student], plan, FEEDBACK, key, words, _student_goal(plan_goal))


def plan_decided(plan: Plan) -> None:
    teacher = plan.decided_by.display_name if plan.decided_by else ""
    approved = plan.state == PlanState.APPROVED

    def words() -> tuple[str, str]:
        names = {"teacher": teacher, "set": plan.goal_set.title}
        if approved:
            return gettext("%(teacher)s approved your plan for “%(set)s”") % names, ""
        title = gettext("%(teacher)s asks for a change to your plan for “%(set)s”") % names
        return title, plan.teacher_note

    stamp = plan.decided_at.timestamp() if plan.decided_at else 0
    key = f"plan:{plan.pk}:{stamp:.0f}"
    _tell([plan.student], plan, PLAN_DECIDED, key, words, _student_plan(plan))


def encouraged(encouragement: Encouragement) -> None:
    plan_goal = encouragement.plan_goal
    plan = plan_goal.plan
    author = encouragement.author.display_name

    def words() -> tuple[str, str]:
        names = {"name": author, "goal": plan_goal.goal.title}
        return gettext("%(name)s encouraged you on “%(goal)s”") % names, encouragement.text

    key = f"encouragement:{encouragement.pk}"
    _tell([plan.student], plan, ENCOURAGED, key, words, _student_goal(plan_goal))


# --- families -------------------------------------------------------------------------------


def _family(plan: Plan, kind: str, key: str, words: Words, links: Iterable[GuardianLink]) -> None:
    notify(
        [
            Pending(
                recipient=link.guardian,
                kind=kind,
                key=key,
                compose=words,
                link=_family_plan(plan),
                child_id=plan.student_id,
                school_id=_school(plan),
                email=link.receives_communications,
            )
            for link in links
        ]
    )


def help_asked(request: HelpRequest) -> None:
    plan_goal = request.plan_goal
    plan = plan_goal.plan
    child = plan.student.short_name

    def words() -> tuple[str, str]:
        names = {"child": child, "goal": plan_goal.goal.title}
        return gettext("%(child)s asks for help at home with “%(goal)s”") % names, request.text

    _family(plan, HELP_ASKED, f"help:{request.pk}", words, _guardian_links(plan.student_id))


def goal_met(plan_goal: PlanGoal) -> None:
    plan = plan_goal.plan
    child = plan.student.short_name
    stamp = plan_goal.met_at.timestamp() if plan_goal.met_at else 0

    def words() -> tuple[str, str]:
        names = {"child": child, "goal": plan_goal.goal.title}
        return gettext("%(child)s met the goal “%(goal)s”") % names, ""

    links = _guardian_links(plan.student_id)
    _family(plan, MET, f"met:{plan_goal.pk}:{stamp:.0f}", words, links)


# --- teachers -------------------------------------------------------------------------------


def feedback_asked(effort: Effort) -> None:
    plan_goal = effort.plan_goal
    plan = plan_goal.plan
    student = plan.student.display_name
    met = plan_goal.met_asked_at is not None

    def words() -> tuple[str, str]:
        names = {"student": student, "goal": plan_goal.goal.title}
        if met:
            return gettext("%(student)s thinks they met “%(goal)s”") % names, effort.done
        return gettext("%(student)s asks for feedback on “%(goal)s”") % names, effort.done

    teachers = _teachers(plan.goal_set.school_class_id)
    _tell(teachers, plan, FEEDBACK_ASKED, f"effort:{effort.pk}", words, reverse("goals:queue"))


def plan_sent(plan: Plan) -> None:
    student = plan.student.display_name
    stamp = plan.submitted_at.timestamp() if plan.submitted_at else 0

    def words() -> tuple[str, str]:
        names = {"student": student, "set": plan.goal_set.title}
        return gettext("%(student)s sent a plan for “%(set)s”") % names, ""

    link = reverse("goals:staff_plan", args=[plan.pk])
    teachers = _teachers(plan.goal_set.school_class_id)
    _tell(teachers, plan, PLAN_SENT, f"plan-sent:{plan.pk}:{stamp:.0f}", words, link)
