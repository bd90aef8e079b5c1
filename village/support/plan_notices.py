"""What support plans tell people (``village.notifications``), written in the service's
transaction, each keyed so that a retried write tells nobody twice:

- the **family** (guardians whose link allows the support plan, per child) and the **student**:
  a version of the plan waits for their answer (keyed by the version);
- the plan's **staff** (``plan_staff``: who wrote it and the staff who answered it, while they
  are still the student's staff): a guardian or the student disagreed, commented or proposed a
  change, and the plan is agreed.

Reminders before a review and when a progress check is due are ``reminders``'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import GuardianLink, Scope
from village.community.policies import usable_link_q
from village.notifications import registry
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import Pending, notify
from village.support import plan_policies
from village.support.models import (
    Agreement,
    CommentKind,
    PartyRole,
    PlanComment,
    PlanVersion,
    SupportPlan,
)

PROPOSED = "support_plan_proposed"
PROPOSED_STUDENT = "support_plan_proposed_student"
FAMILY_ANSWERED = "support_plan_family_answered"

Words = Callable[[], tuple[str, str]]


def register() -> None:
    for kind in [
        AlertKind(
            PROPOSED,
            _("My child's support plan waits for my answer"),
            Audience.GUARDIAN,
            Scope.SUPPORT_PLAN,
            per_child=True,
            budgeted=False,
            order=80,
        ),
        AlertKind(
            PROPOSED_STUDENT,
            _("My support plan waits for my answer"),
            Audience.STUDENT,
            Scope.SUPPORT_PLAN,
            budgeted=False,
            order=80,
        ),
        AlertKind(
            FAMILY_ANSWERED,
            _("A family answers or comments on a support plan"),
            Audience.TEACHER,
            Scope.SUPPORT_PLAN,
            default_email=EmailMode.DAILY,
            budgeted=False,
            order=80,
        ),
    ]:
        registry.register_kind(kind)


def kind_names() -> list[str]:
    return [PROPOSED, PROPOSED_STUDENT, FAMILY_ANSWERED]


def plan_link(plan: SupportPlan) -> str:
    return reverse("support:plan", args=[plan.pk])


# --- who ----------------------------------------------------------------------------------------


def family_links(student_ids: Iterable[int]) -> list[GuardianLink]:
    """The links of the guardians who see the students' plans (one query)."""
    return list(
        GuardianLink.objects.filter(
            usable_link_q(Scope.SUPPORT_PLAN),
            student_id__in=sorted(set(student_ids)),
            guardian__is_active=True,
        )
        .select_related("guardian", "student")
        .order_by("student_id", "guardian_id")
    )


def plan_staff(plans: Sequence[SupportPlan]) -> dict[int, list[User]]:
    """Each plan's staff: who wrote it and the staff who answered a version of it, while they
    are still the student's staff at the plan's school (six queries however many plans)."""
    if not plans:
        return {}
    by_plan: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        by_plan[plan.pk].add(plan.created_by_id)
    answered = Agreement.objects.filter(
        plan_id__in=[plan.pk for plan in plans], role=PartyRole.STAFF
    ).values_list("plan_id", "party_id")
    for plan_id, party_id in answered:
        by_plan[plan_id].add(party_id)
    where = {plan.pk: (plan.student_id, plan.school_id) for plan in plans}
    pairs = {(user, *where[plan_id]) for plan_id, users in by_plan.items() for user in users}
    staying = plan_policies.still_staff(pairs)
    people = User.objects.filter(
        pk__in=sorted({user for user, _student in staying}), is_active=True
    ).in_bulk()
    return {
        plan.pk: [
            people[user]
            for user in sorted(by_plan[plan.pk])
            if (user, plan.student_id) in staying and user in people
        ]
        for plan in plans
    }


# --- telling ------------------------------------------------------------------------------------


def _staff(plan: SupportPlan, key: str, words: Words, *, skip: int | None = None) -> None:
    people = [person for person in plan_staff([plan]).get(plan.pk, []) if person.pk != skip]
    notify(
        [
            Pending(
                recipient=person,
                kind=FAMILY_ANSWERED,
                key=key,
                compose=words,
                link=plan_link(plan),
                school_id=plan.school_id,
            )
            for person in people
        ]
    )


def proposed(plan: SupportPlan, version: PlanVersion) -> None:
    """Tell the family and the student that ``version`` waits for their answer."""
    student = plan.student
    title, number = plan.title, version.number

    def family_words() -> tuple[str, str]:
        names = {"child": student.short_name, "title": title, "number": number}
        return (
            gettext("%(child)s's support plan waits for your answer") % names,
            gettext(
                "“%(title)s”, version %(number)s: read it, then confirm it or say what you "
                "would change."
            )
            % names,
        )

    def student_words() -> tuple[str, str]:
        names = {"title": title, "number": number}
        return (
            pgettext("student", "Your support plan waits for your answer"),
            pgettext("student", "Read “%(title)s” (version %(number)s) and say if you agree.")
            % names,
        )

    key = f"plan:{plan.pk}:v{number}"
    pending = [
        Pending(
            recipient=link.guardian,
            kind=PROPOSED,
            key=key,
            compose=family_words,
            link=plan_link(plan),
            child_id=plan.student_id,
            school_id=plan.school_id,
            email=link.receives_communications,
        )
        for link in family_links([plan.student_id])
    ]
    if student.is_active:
        pending.append(
            Pending(
                recipient=student,
                kind=PROPOSED_STUDENT,
                key=key,
                compose=student_words,
                link=plan_link(plan),
                school_id=plan.school_id,
            )
        )
    notify(pending)


def agreed(plan: SupportPlan) -> None:
    """Tell the plan's staff that everyone agreed."""
    student, title = plan.student.display_name, plan.title

    def words() -> tuple[str, str]:
        names = {"student": student, "title": title}
        return gettext("%(student)s's support plan is agreed") % names, title

    _staff(plan, f"agreed:{plan.pk}:v{plan.version}", words)


def disagreed(plan: SupportPlan, answer: Agreement) -> None:
    """Tell the plan's staff that a party disagrees, and why."""
    student, name, note = plan.student.display_name, answer.party.display_name, answer.note

    def words() -> tuple[str, str]:
        names = {"student": student, "name": name}
        return gettext("%(name)s disagrees with %(student)s's support plan") % names, note

    _staff(plan, f"disagree:{answer.pk}:{answer.at.timestamp():.0f}", words, skip=answer.party_id)


def family_wrote(plan: SupportPlan, comment: PlanComment) -> None:
    """Tell the plan's staff that a guardian or the student commented or proposed a change."""
    student, name, text = plan.student.display_name, comment.author.display_name, comment.text
    change = comment.kind == CommentKind.CHANGE

    def words() -> tuple[str, str]:
        names = {"student": student, "name": name}
        if change:
            title = gettext("%(name)s proposes a change to %(student)s's support plan") % names
        else:
            title = gettext("%(name)s commented on %(student)s's support plan") % names
        return title, text

    _staff(plan, f"comment:{comment.pk}", words)
