"""Support plans: writing one and changing it (each change a new version), proposing it, each
party's confirmation or disagreement, the review, closing it, and comments.

Every function is atomic and keyword-only; it raises ``PermissionDenied`` when the user may not
do it (``plan_policies``) and a ``ValidationError`` naming each field in error when the input is
wrong, having changed nothing. Fields of goals and actions are named by their place in the
list given: ``goals.0.text``, ``actions.2.who``.

The content itself (what is given, checked and written, the snapshot of a version) is
``plan_content``'s; its types are imported from here too.

The plan is agreed when, on its current version, the student has agreed, every guardian who may
confirm (``plan_policies.confirming_guardians``) has confirmed, and at least one of the staff has
signed. A party who disagrees says why; the plan then stays proposed (a guardian's or the
student's disagreement holds it back; a member of staff's is noted beside the others'
signatures) until the staff change it, which makes a new version for everyone to answer.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.policies import student_schools, today
from village.support import plan_notices, plan_policies, versions
from village.support import plan_translations as words
from village.support.models import (
    EDITABLE,
    LINE_MAX,
    TEXT_MAX,
    Agreement,
    CommentKind,
    Decision,
    PartyRole,
    PlanComment,
    PlanState,
    PlanVersion,
    SupportGoal,
    SupportPlan,
)
from village.support.selectors.plans import parties
from village.support.services.checks import Errors
from village.support.services.plan_content import (
    ActionFields,
    GoalFields,
    PlanFields,
    checked,
    content_changes,
    plan_content,
    single_line_text,
    write_actions,
    write_goals,
)

__all__ = [
    "ActionFields",
    "GoalFields",
    "PlanFields",
    "comment_add",
    "plan_change",
    "plan_close",
    "plan_confirm",
    "plan_create",
    "plan_disagree",
    "plan_propose",
    "plan_review_start",
]


def _new_version(
    plan: SupportPlan, editor: User, content: dict[str, Any], changes: list[str], note: str
) -> PlanVersion:
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    version = PlanVersion.objects.create(
        plan=plan, number=plan.version, content=content, changes=changes, note=note,
        changed_by=editor,
    )  # fmt: skip
    written = [*words.content_texts(content), note]
    words.ask(plan, written, words.staff_language())
    return version


def _family_changed(plan: SupportPlan) -> None:
    """A new version of the family's pages of the student, when the family sees the plan."""
    if plan.shared:
        versions.children_changed([plan.student_id])


def _require_staff(user: User, plan: SupportPlan) -> None:
    plan_policies.require(
        plan_policies.is_plan_staff(user, plan),
        _("Only the student's staff change a support plan."),
    )


@transaction.atomic
def plan_create(*, author: User, student: User, fields: PlanFields, note: str = "") -> SupportPlan:
    """Write a new plan for ``student``, a draft, as its first version; ``author`` is one of
    the student's current staff (else ``PermissionDenied``)."""
    plan_policies.require(
        plan_policies.may_create_plan(author, student.pk),
        _("Only the student's staff write a support plan for them."),
    )
    school = student_schools([student.pk]).get(student.pk)
    plan_policies.require(school is not None, _("The student is at no school now."))
    assert school is not None
    given = checked(fields, None, student.pk)
    accommodations = given.pop("accommodations")
    plan = SupportPlan.objects.create(
        student=student, school=school, created_by=author, language=words.staff_language(),
        **given,
    )  # fmt: skip
    goals = write_goals(plan, fields.goals)
    write_actions(plan, fields.actions, goals)
    plan.accommodations.set(accommodations)
    _new_version(plan, author, plan_content(plan), ["created"], _note(note))
    return plan


def _note(note: str) -> str:
    errors = Errors()
    note = single_line_text(errors, note, "note", limit=LINE_MAX, required=False)
    errors.raise_any()
    return note


def _locked(plan: SupportPlan) -> SupportPlan:
    """The plan's row, read again under a lock (two writers take turns)."""
    found = SupportPlan.objects.select_for_update().select_related("student").get(pk=plan.pk)
    return found


@transaction.atomic
def plan_change(
    *, editor: User, plan: SupportPlan, fields: PlanFields, note: str = ""
) -> PlanVersion | None:
    """Change the plan's content (in draft, proposed or in review) as a new version, with
    ``note`` saying what changed (the changes themselves are noted in any case). A proposed plan
    stays proposed: the new version waits for every party's answer. ``None`` when nothing
    changed (no version is made)."""
    _require_staff(editor, plan)
    plan = _locked(plan)
    plan_policies.require(
        plan.state in EDITABLE, _("This plan cannot change now: start a review first.")
    )
    given = checked(fields, plan, plan.student_id)
    note = _note(note)
    before = _current_content(plan)
    accommodations = given.pop("accommodations")
    for name, value in given.items():
        setattr(plan, name, value)
    plan.save()
    goals = write_goals(plan, fields.goals)
    write_actions(plan, fields.actions, goals)
    plan.accommodations.set(accommodations)
    return record_change(plan, editor, before, note)


def record_change(
    plan: SupportPlan, editor: User, before: dict[str, Any] | None, note: str
) -> PlanVersion | None:
    """After ``editor`` wrote a change on the plan's rows: a new version when its content differs
    from ``before`` (the current version's), the family's pages told, and a proposed plan's new
    version sent for everyone's answer; ``None`` when nothing changed."""
    after = plan_content(plan)
    changes = content_changes(before, after)
    if not changes:
        return None
    version = _new_version(plan, editor, after, changes, note)
    _family_changed(plan)
    if plan.state == PlanState.PROPOSED:
        plan_notices.proposed(plan, version)
    return version


def _current_content(plan: SupportPlan) -> dict[str, Any] | None:
    content = (
        PlanVersion.objects.filter(plan=plan, number=plan.version)
        .values_list("content", flat=True)
        .first()
    )
    return content


# --- the agreement ------------------------------------------------------------------------------


@transaction.atomic
def plan_propose(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """Propose the plan (a draft, or a plan in review) to the family and the student for
    everyone's agreement. A version answered before (an agreed plan now reviewed) is proposed as
    a new version, so that everyone answers again."""
    _require_staff(actor, plan)
    plan = _locked(plan)
    plan_policies.require(
        plan.state in (PlanState.DRAFT, PlanState.IN_REVIEW),
        _("Only a draft or a plan in review is proposed."),
    )
    errors = Errors()
    errors.require(
        SupportGoal.objects.filter(plan=plan, in_plan=True).exists(),
        "goals",
        _("Give the plan at least one goal before proposing it."),
    )
    errors.raise_any()
    if Agreement.objects.filter(plan=plan, version__number=plan.version).exists():
        _new_version(plan, actor, plan_content(plan), ["renewed"], "")
    plan.state = PlanState.PROPOSED
    plan.shared_at = plan.shared_at or timezone.now()
    plan.save(update_fields=["state", "shared_at", "updated_at"])
    _family_changed(plan)
    plan_notices.proposed(plan, PlanVersion.objects.get(plan=plan, number=plan.version))
    return plan


def _respond(
    party: User, plan: SupportPlan, version: int | None, decision: Decision, note: str
) -> Agreement:
    plan = _locked(plan)
    role = plan_policies.party_role(party, plan)
    plan_policies.require(role is not None, _("Only the plan's parties answer it."))
    assert role is not None
    plan_policies.require(
        plan.state == PlanState.PROPOSED, _("This plan is not waiting for answers now.")
    )
    errors = Errors()
    errors.require(
        version == plan.version,
        "version",
        _("The plan has changed: version %(number)s is the current one.")
        % {"number": plan.version},
    )
    note = errors.text(note, "note", limit=TEXT_MAX, required=decision == Decision.DISAGREE)
    errors.raise_any()
    current = PlanVersion.objects.get(plan=plan, number=plan.version)
    language = words.staff_language() if role == PartyRole.STAFF else words.written_in(party)
    answer, _created = Agreement.objects.update_or_create(
        version=current,
        party=party,
        defaults={"plan": plan, "role": role, "decision": decision, "note": note,
                  "language": language, "at": timezone.now()},
    )  # fmt: skip
    words.ask(plan, [note], language)
    if parties(plan).complete:
        plan.state, plan.agreed_on = PlanState.AGREED, today()
        plan.save(update_fields=["state", "agreed_on", "updated_at"])
        plan_notices.agreed(plan)
    elif decision == Decision.DISAGREE:
        plan_notices.disagreed(plan, answer)
    _family_changed(plan)
    return answer


@transaction.atomic
def plan_confirm(
    *, party: User, plan: SupportPlan, version: int | None, note: str = ""
) -> Agreement:
    """``party`` confirms the proposed plan's ``version`` (the one they read; refused with an
    error on ``version`` when the plan has changed since): staff sign, a guardian confirms, the
    student agrees. The plan is agreed once every required party has (see the module)."""
    return _respond(party, plan, version, Decision.AGREE, note)


@transaction.atomic
def plan_disagree(*, party: User, plan: SupportPlan, version: int | None, note: str) -> Agreement:
    """``party`` records their disagreement with the proposed plan's ``version``, saying why
    (``note``, required)."""
    return _respond(party, plan, version, Decision.DISAGREE, note)


@transaction.atomic
def plan_review_start(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """Start the review of an agreed plan: it stays in force while the staff change it, then
    it is proposed again."""
    _require_staff(actor, plan)
    plan = _locked(plan)
    plan_policies.require(plan.state == PlanState.AGREED, _("Only an agreed plan is reviewed."))
    plan.state = PlanState.IN_REVIEW
    plan.save(update_fields=["state", "updated_at"])
    _family_changed(plan)
    return plan


@transaction.atomic
def plan_close(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """Close the plan: it stays on record, read-only."""
    _require_staff(actor, plan)
    plan = _locked(plan)
    plan_policies.require(plan.state != PlanState.CLOSED, _("This plan is closed already."))
    plan.state, plan.closed_at = PlanState.CLOSED, timezone.now()
    plan.save(update_fields=["state", "closed_at", "updated_at"])
    _family_changed(plan)
    return plan


# --- comments -----------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, author: User, plan: SupportPlan, text: str, kind: CommentKind | str = CommentKind.COMMENT
) -> PlanComment:
    """A party's comment on the plan, or a change they propose, in their language (staff write
    in the staff's), on the version they read; until the plan is closed."""
    plan = _locked(plan)
    role = plan_policies.party_role(author, plan)
    plan_policies.require(role is not None, _("Only the plan's parties comment on it."))
    assert role is not None
    plan_policies.require(plan.state != PlanState.CLOSED, _("This plan is closed."))
    errors = Errors()
    chosen = errors.choice(CommentKind, kind, "kind")
    text = errors.text(text, "text", limit=TEXT_MAX)
    errors.raise_any()
    assert chosen is not None
    language = words.staff_language() if role == PartyRole.STAFF else words.written_in(author)
    comment = PlanComment.objects.create(
        plan=plan, author=author, role=role, kind=chosen, text=text, language=language,
        on_version=plan.version,
    )  # fmt: skip
    words.ask(plan, [text], language)
    _family_changed(plan)
    if role != PartyRole.STAFF:
        plan_notices.family_wrote(plan, comment)
    return comment
