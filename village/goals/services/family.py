"""The family's part: encouragement on a goal or an effort ("extra motives"), and answers to the
student's requests for help at home. A teacher may hide an encouragement (it stays on record,
shown to nobody but staff)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from village.accounts.models import User
from village.goals import notices, translations, versions
from village.goals.models import NOTE_MAX, Effort, Encouragement, HelpRequest, PlanGoal
from village.goals.policies import working_open
from village.goals.services.checks import require

#: Open requests for help a student may have on one goal at once.
MAX_OPEN_REQUESTS = 3


def _short(text: str, field: str, empty: str, *, student: bool = False) -> str:
    """``text`` stripped, refused (on ``field``) when empty, with ``empty``, or longer than a
    note; a ``student`` is told in their own words ("tú" in Spanish, a guardian "usted")."""
    text = text.strip()
    require(bool(text), field, empty)
    if student:
        too_long = pgettext("student", "Keep this under %(limit)s characters.")
    else:
        too_long = _("Keep this under %(limit)s characters.")
    require(len(text) <= NOTE_MAX, field, too_long % {"limit": f"{NOTE_MAX:,}"})
    return text


@transaction.atomic
def encouragement_add(
    *,
    plan_goal: PlanGoal,
    guardian: User,
    text: str,
    language: str,
    effort: Effort | None = None,
) -> Encouragement:
    """A guardian's encouragement on a goal of the child's plan, or on one of its efforts, in
    the guardian's language (``language``); asked for in its readers' languages."""
    text = _short(text, "text", _("Write a few words of encouragement."))
    require(
        effort is None or effort.plan_goal_id == plan_goal.pk,
        "effort",
        _("This effort is not on this goal."),
    )
    found = Encouragement.objects.create(
        plan_goal=plan_goal, effort=effort, author=guardian, text=text, language=language[:16]
    )
    translations.encouragement_added(found)
    versions.children_changed([plan_goal.plan.student_id])
    notices.encouraged(found)
    return found


@transaction.atomic
def encouragement_hide(*, encouragement: Encouragement, teacher: User, hidden: bool = True) -> None:
    encouragement.hidden_at = timezone.now() if hidden else None
    encouragement.hidden_by = teacher if hidden else None
    encouragement.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
    versions.children_changed([encouragement.plan_goal.plan.student_id])


@transaction.atomic
def help_ask(*, plan_goal: PlanGoal, text: str) -> HelpRequest:
    """The student asks their family for help at home with a goal; the request is asked for in
    its readers' languages."""
    goal_set = plan_goal.plan.goal_set
    require(
        working_open(goal_set),
        "text",
        _("The work on these goals ended on %(day)s.") % {"day": goal_set.closes_on.isoformat()},
    )
    text = _short(text, "text", _("Say what you need help with."), student=True)
    open_requests = HelpRequest.objects.filter(plan_goal=plan_goal, answered_at__isnull=True)
    require(
        open_requests.count() < MAX_OPEN_REQUESTS,
        "text",
        _("Wait for an answer to your earlier requests on this goal."),
    )
    found = HelpRequest.objects.create(plan_goal=plan_goal, text=text)
    translations.help_asked(found)
    versions.children_changed([plan_goal.plan.student_id])
    notices.help_asked(found)
    return found


@transaction.atomic
def help_answer(*, request: HelpRequest, guardian: User, answer: str) -> HelpRequest:
    """A guardian answers the child's request (the first answer closes it; a later one
    replaces it); the answer is asked for in its readers' languages."""
    request.answer = _short(answer, "answer", _("Write your answer."))
    request.answered_at, request.answered_by = timezone.now(), guardian
    request.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    translations.help_answered(request, guardian)
    versions.children_changed([request.plan_goal.plan.student_id])
    return request
