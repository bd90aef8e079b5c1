"""The student's own view of their support plan: what they want from it and what helps them, in
their words and their language, part of the plan like the staff's words.

The student writes it once the plan has been proposed to them (a draft is the staff's) and
while it may change (proposed or in review). Writing it makes a new version of the plan, as a
change by the staff does: everyone answers the plan again, with the student's words in it. The
text is asked for in the languages of the plan's readers as it is saved.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import pgettext

from village.accounts.models import User
from village.support import plan_policies
from village.support import plan_translations as words
from village.support.models import TEXT_MAX, PartyRole, PlanState, PlanVersion, SupportPlan
from village.support.services.checks import Errors
from village.support.services.plans import _current_content, _locked, record_change

#: The states in which the student's view may change.
OPEN_TO_THE_STUDENT = (PlanState.PROPOSED, PlanState.IN_REVIEW)


@transaction.atomic
def plan_student_view(
    *, student: User, plan: SupportPlan, text: str, language: str | None = None
) -> PlanVersion | None:
    """Write (or change, or with an empty ``text`` remove) the student's view of ``plan`` as a
    new version; ``language`` defaults to the student's preferred one. ``None`` when nothing
    changed. ``PermissionDenied`` for anyone but the plan's student, or a plan that cannot
    change now; a ``ValidationError`` on ``text`` or ``language``."""
    plan = _locked(plan)
    plan_policies.require(
        plan_policies.party_role(student, plan) == PartyRole.STUDENT,
        pgettext("student", "Only the student writes their own view of the plan."),
    )
    plan_policies.require(
        plan.state in OPEN_TO_THE_STUDENT,
        pgettext(
            "student", "You can write your view while the plan is proposed or being reviewed."
        ),
    )
    errors = Errors()
    text = errors.text(text, "text", limit=TEXT_MAX, required=False)
    language = errors.language(language or student.preferred_language, "language")
    errors.raise_any()
    before = _current_content(plan)
    plan.student_view, plan.student_view_language = text, (language if text else "")
    plan.save(update_fields=["student_view", "student_view_language", "updated_at"])
    version = record_change(plan, student, before, "")
    if version is not None:
        words.ask(plan, [text], language)
    return version
