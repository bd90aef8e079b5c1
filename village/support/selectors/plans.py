"""Reads of support plans for pages and the API, each in a constant number of queries: a
student's plans, one plan with everything its page shows (content of the current version, the
parties' answers, progress notes, home actions done, comments), its versions, and a child's
plans as the family's child page shows them.

A plan's content is always read from a version's snapshot (``PlanVersion.content``), the
current one or an earlier one, so a page shows a version exactly as it was agreed
(``plan_content``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, pgettext

from village.accounts.models import User
from village.community.policies import AnyUser, today
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.support import plan_policies, schedule
from village.support.models import (
    Agreement,
    Decision,
    HomeActionLog,
    PartyRole,
    PlanComment,
    PlanState,
    PlanVersion,
    ProgressNote,
    SupportPlan,
)
from village.support.plan_policies import PlanAccess
from village.support.selectors.plan_content import (
    ActionRow,
    ContentView,
    GoalView,
    changes_in_words,
    content_view,
)

#: What the audit log calls a view of a plan.
PLAN_OBJECT = "support_plan"
#: Home actions done shown under each action (the rest are counted).
RECENT_LOGS = 5


# --- the parties' answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    """Who answered the current version, and who still must for the plan to be agreed."""

    answers: list[Agreement]
    #: Guardians who may confirm and the student, who have not agreed yet.
    waiting: list[User]
    staff_signed: bool

    @property
    def complete(self) -> bool:
        return self.staff_signed and not self.waiting


def parties(plan: SupportPlan) -> Parties:
    """The answers to the plan's current version, and who must still agree (three queries)."""
    answers = list(
        Agreement.objects.filter(plan=plan, version__number=plan.version)
        .select_related("party")
        .order_by("at", "pk")
    )
    agreed = {answer.party_id for answer in answers if answer.decision == Decision.AGREE}
    required = [*plan_policies.confirming_guardians(plan.student_id)]
    student = User.objects.filter(pk=plan.student_id, is_active=True).first()
    if student is not None:
        required.append(student)
    staff_signed = any(
        answer.role == PartyRole.STAFF and answer.decision == Decision.AGREE for answer in answers
    )
    waiting = [person for person in required if person.pk not in agreed]
    return Parties(answers=answers, waiting=waiting, staff_signed=staff_signed)


# --- a student's plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """A plan in a list: its next progress check (plans in force), and whether it waits for
    the viewer's answer."""

    plan: SupportPlan
    check: schedule.Check | None
    waits_on_viewer: bool


def _with_progress(plans: QuerySet[SupportPlan], viewer: AnyUser) -> QuerySet[SupportPlan]:
    answered = Agreement.objects.filter(
        plan_id=OuterRef("pk"), version__number=OuterRef("version"), party_id=viewer.pk or 0
    )
    return plans.annotate(last_noted_on=Max("progress_notes__noted_on"), answered=Exists(answered))


def _row(plan: SupportPlan, day: dt.date) -> PlanRow:
    check = schedule.next_check(
        state=plan.state,
        agreed_on=plan.agreed_on,
        last_noted_on=plan.last_noted_on,  # type: ignore[attr-defined]
        check_every_days=plan.check_every_days,
        today=day,
    )
    waits = plan.state == PlanState.PROPOSED and not plan.answered  # type: ignore[attr-defined]
    return PlanRow(plan=plan, check=check, waits_on_viewer=waits)


def student_plans(viewer: AnyUser, student_id: int, *, day: dt.date | None = None) -> list[PlanRow]:
    """The student's plans ``viewer`` may read, newest first (one query)."""
    plans = _with_progress(
        plan_policies.visible_plans(viewer).filter(student_id=student_id), viewer
    ).order_by("-created_at", "-pk")
    return [_row(plan, day or today()) for plan in plans]


def child_plans(guardian: User, child_id: int, *, day: dt.date) -> list[PlanRow]:
    """The child's plans not closed that ``guardian`` may read, newest first (one query): the
    family's child page."""
    plans = (
        plan_policies.visible_plans(guardian)
        .filter(student_id=child_id)
        .exclude(state=PlanState.CLOSED)
        .select_related("student")
    )
    return [_row(plan, day) for plan in _with_progress(plans, guardian).order_by("-created_at")]


# --- one plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """How a page names the plan's people to its viewer: a guardian never reads another
    guardian's name (as the community's pages never show one guardian another), only "another
    of the child's guardians"; the student and the staff read every name."""

    viewer_id: int
    hide_guardians: bool

    def hidden(self, user: User, *, guardian: bool) -> bool:
        """Is ``user`` (a guardian, if ``guardian``) unnamed to the viewer?"""
        return guardian and self.hide_guardians and user.pk != self.viewer_id

    def of(self, user: User, *, guardian: bool) -> str:
        if self.hidden(user, guardian=guardian):
            return gettext("Another of the child's guardians")
        return user.display_name


def names_for(viewer: User, access: PlanAccess) -> Names:
    return Names(viewer_id=viewer.pk, hide_guardians=access.role == PartyRole.GUARDIAN)


@dataclass
class PlanPage:
    """Everything the page of one plan shows ``viewer``."""

    plan: SupportPlan
    access: PlanAccess
    version: PlanVersion
    content: ContentView
    parties: Parties
    check: schedule.Check | None
    notes: dict[int, list[ProgressNote]] = field(default_factory=dict)
    logs: dict[int, list[HomeActionLog]] = field(default_factory=dict)
    log_counts: dict[int, int] = field(default_factory=dict)
    comments: list[PlanComment] = field(default_factory=list)
    viewer_id: int = 0

    @property
    def names(self) -> Names:
        return Names(self.viewer_id, self.access.role == PartyRole.GUARDIAN)

    @property
    def answer_rows(self) -> list[tuple[Agreement, str]]:
        """Each answer to the current version with its party's name as the viewer reads it."""
        return [
            (answer, self.names.of(answer.party, guardian=answer.role == PartyRole.GUARDIAN))
            for answer in self.parties.answers
        ]

    @property
    def comment_rows(self) -> list[tuple[PlanComment, str]]:
        return [
            (comment, self.names.of(comment.author, guardian=comment.role == PartyRole.GUARDIAN))
            for comment in self.comments
        ]

    @property
    def waiting_names(self) -> list[str]:
        """Whose answer the plan waits for, the reader named as "you"."""
        student = self.plan.student_id
        return [
            (
                (pgettext("student", "you") if person.pk == student else gettext("you"))
                if person.pk == self.viewer_id
                else self.names.of(person, guardian=person.pk != student)
            )
            for person in self.parties.waiting
        ]

    @property
    def own_answer(self) -> Agreement | None:
        return self.answer_of(self.viewer_id)

    def answer_of(self, user_id: int) -> Agreement | None:
        return next((a for a in self.parties.answers if a.party_id == user_id), None)

    @property
    def staff_answers(self) -> list[Agreement]:
        return [a for a in self.parties.answers if a.role == PartyRole.STAFF]

    @property
    def disagreements(self) -> list[Agreement]:
        return [a for a in self.parties.answers if a.decision == Decision.DISAGREE]

    @property
    def changes(self) -> list[str]:
        return changes_in_words(self.version.changes)

    @property
    def goal_rows(self) -> list[tuple[GoalView, list[ProgressNote]]]:
        """Each goal with its progress notes, newest first."""
        return [(goal, self.notes.get(goal.id, [])) for goal in self.content.goals]

    @property
    def school_rows(self) -> list[ActionRow]:
        return [ActionRow(action, [], 0) for action in self.content.school_actions]

    @property
    def home_rows(self) -> list[ActionRow]:
        """Each home action with the latest times it was done, and how many in all."""
        student = self.plan.student_id
        return [
            ActionRow(
                action,
                [
                    (log, self.names.of(log.by, guardian=log.by_id != student))
                    for log in self.logs.get(action.id, [])
                ],
                self.log_counts.get(action.id, 0),
            )
            for action in self.content.home_actions
        ]


def current_version(plan: SupportPlan) -> PlanVersion:
    return PlanVersion.objects.select_related("changed_by").get(plan=plan, number=plan.version)


def plan_page(
    viewer: User, plan: SupportPlan, *, request: HttpRequest | None = None, channel: str = "web"
) -> PlanPage:
    """The page of ``plan`` (loaded through ``plan_policies.plan_for_viewer``) as ``viewer``
    sees it; the view is audited. A constant number of queries however long the plan and its
    record."""
    access = plan_policies.plan_access(viewer, plan)
    version = current_version(plan)
    notes = list(
        ProgressNote.objects.filter(plan=plan).select_related("author").order_by("-noted_on", "-pk")
    )
    by_goal: dict[int, list[ProgressNote]] = {}
    for note in notes:
        by_goal.setdefault(note.goal_id, []).append(note)
    page = PlanPage(
        plan=plan,
        access=access,
        version=version,
        content=content_view(version.content),
        parties=parties(plan),
        check=schedule.next_check(
            state=plan.state,
            agreed_on=plan.agreed_on,
            last_noted_on=max((note.noted_on for note in notes), default=None),
            check_every_days=plan.check_every_days,
            today=today(),
        ),
        notes=by_goal,
        comments=list(
            PlanComment.objects.filter(plan=plan).select_related("author").order_by("created_at")
        ),
        viewer_id=viewer.pk,
    )
    _add_logs(page)
    plan_viewed(viewer, plan, request=request, channel=channel)
    return page


def _add_logs(page: PlanPage) -> None:
    logs = HomeActionLog.objects.filter(action__plan=page.plan).select_related("by")
    for log in logs.order_by("-done_on", "-pk"):
        page.log_counts[log.action_id] = page.log_counts.get(log.action_id, 0) + 1
        shown = page.logs.setdefault(log.action_id, [])
        if len(shown) < RECENT_LOGS:
            shown.append(log)


def plan_viewed(
    viewer: User, plan: SupportPlan, *, request: HttpRequest | None, channel: str = "web"
) -> None:
    """Write to the audit log that ``viewer`` saw the plan (its page, its history, a version)."""
    audit_views(
        actor_id=viewer.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(plan.student_id, plan.school_id, PLAN_OBJECT, str(plan.pk))],
        request=request,
        channel=channel,
    )


# --- versions -----------------------------------------------------------------------------------


def plan_versions(plan: SupportPlan) -> list[PlanVersion]:
    """The plan's versions, newest first, each with who made it and the parties' answers to it
    (two queries)."""
    answers = Prefetch(
        "agreements", queryset=Agreement.objects.select_related("party").order_by("at", "pk")
    )
    return list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("changed_by")
        .prefetch_related(answers)
        .order_by("-number")
    )
