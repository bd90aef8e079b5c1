"""A plan gone quiet: worth a conversation at home (a ``village.notifications`` sweep).

A student's approved plan in an open, published set, with goals still to meet, goes *quiet* when
no effort has been recorded on any of its goals for the set's ``stalled_after_days`` (counted from
the last effort, or from the day the plan was approved when there is none yet), and nothing waits
on the teacher (no effort waiting for feedback, no goal the student thinks met): the student is
the one who has stopped, not the class.

Each guardian whose link allows goals is told once per quiet spell, per child: which goals, in
which class, for how many days, who teaches it, and something to ask the child rather than a bare
number. The key names the moment the spell began, so the next effort ends the spell and a later
one is told again. Nobody is told about a plan that is met, closed, unpublished or not approved.

The sweep runs at most once an hour (``EVERY``) and is set-based: three queries however many
plans are quiet, then the notifications' own writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, Scope
from village.community.policies import usable_link_q
from village.goals.models import Effort, Plan, PlanGoal, PlanState
from village.notifications import registry
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import Pending, notify

QUIET = "goal_plan_quiet"
SWEEP = "goals.quiet"
#: The sweep looks again after this long (the spells it finds are days long).
EVERY = dt.timedelta(hours=1)
NEXT_LOOK = "goals:quiet:next-look"


def register() -> None:
    registry.register_kind(
        AlertKind(
            QUIET,
            _("My child's goals have gone quiet (worth a conversation)"),
            Audience.GUARDIAN,
            Scope.GOALS,
            per_child=True,
            order=62,
        )
    )
    registry.register_sweep(SWEEP, sweep)


@dataclass(frozen=True, slots=True)
class QuietPlan:
    plan_id: int
    student_id: int
    set_id: int
    set_title: str
    class_id: int
    class_title: str
    school_id: int
    #: When the quiet spell began: the last effort, or the plan's approval.
    since: dt.datetime
    days: int


def quiet_plans(now: dt.datetime) -> list[QuietPlan]:
    """The approved plans of open, published sets that have gone quiet at ``now`` (one query)."""
    today = timezone.localdate(now)
    waiting = Effort.objects.filter(
        plan_goal__plan_id=OuterRef("pk"),
        feedback_asked_at__isnull=False,
        answered_at__isnull=True,
    )
    rows = (
        Plan.objects.filter(
            state=PlanState.APPROVED,
            goal_set__published=True,
            goal_set__opens_on__lte=today,
            goal_set__closes_on__gte=today,
            student__is_active=True,
        )
        .filter(Exists(PlanGoal.objects.filter(plan_id=OuterRef("pk"), met_at__isnull=True)))
        .exclude(
            Exists(
                PlanGoal.objects.filter(
                    plan_id=OuterRef("pk"), met_asked_at__isnull=False, met_at__isnull=True
                )
            )
        )
        .exclude(Exists(waiting))
        .annotate(last=Max("chosen__efforts__created_at"))
        .values_list(
            "pk",
            "student_id",
            "goal_set_id",
            "goal_set__title",
            "goal_set__school_class_id",
            "goal_set__school_class__title",
            "goal_set__school_class__school_id",
            "goal_set__stalled_after_days",
            "decided_at",
            "last",
        )
        .order_by("pk")
    )
    found = []
    for pk, student, set_id, title, class_id, class_title, school, days, decided, last in rows:
        since = last or decided
        if since is None:
            continue
        quiet = (today - timezone.localdate(since)).days
        if quiet > days:
            found.append(
                QuietPlan(pk, student, set_id, title, class_id, class_title, school, since, quiet)
            )
    return found


def _teachers(class_ids: set[int], today: dt.date) -> dict[int, list[str]]:
    """The names of each class's teachers now (one query)."""
    rows = (
        Enrollment.objects.current(today)
        .filter(school_class_id__in=sorted(class_ids), role=EnrollmentRole.TEACHER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for enrollment in rows:
        found[enrollment.school_class_id].append(enrollment.user.display_name)
    return found


def tell(now: dt.datetime) -> int:
    """Tell each guardian (links allowing goals) of each plan gone quiet, once per spell."""
    quiet = quiet_plans(now)
    if not quiet:
        return 0
    by_student: dict[int, list[QuietPlan]] = defaultdict(list)
    for plan in quiet:
        by_student[plan.student_id].append(plan)
    links = (
        GuardianLink.objects.filter(
            usable_link_q(Scope.GOALS),
            student_id__in=sorted(by_student),
            guardian__is_active=True,
        )
        .select_related("guardian", "student")
        .order_by("student_id", "guardian_id")
    )
    teachers = _teachers({plan.class_id for plan in quiet}, timezone.localdate(now))
    pending = [
        Pending(
            recipient=link.guardian,
            kind=QUIET,
            key=f"quiet:{plan.plan_id}:{plan.since.timestamp():.0f}",
            compose=_words(link.student, plan, teachers.get(plan.class_id, [])),
            link=reverse("goals:family_plan", args=[plan.student_id, plan.set_id]),
            child_id=plan.student_id,
            school_id=plan.school_id,
            email=link.receives_communications,
        )
        for link in links
        for plan in by_student[link.student_id]
    ]
    return len(notify(pending, now=now))


def _words(child: User, plan: QuietPlan, teachers: list[str]) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        names = {
            "child": child.short_name,
            "set": plan.set_title,
            "class": plan.class_title,
            "days": plan.days,
        }
        title = ngettext(
            "%(child)s's goals in %(class)s have been quiet for %(days)s day",
            "%(child)s's goals in %(class)s have been quiet for %(days)s days",
            plan.days,
        )
        body = [
            gettext(
                "Worth a conversation: ask %(child)s which goal of “%(set)s” comes next, "
                "and what would help at home."
            )
            % names
        ]
        if teachers:
            body.append(
                gettext("%(teachers)s teaches %(class)s and is glad to hear from you.")
                % {"teachers": ", ".join(teachers), "class": plan.class_title}
            )
        return title % names, " ".join(body)

    return compose


def sweep(now: dt.datetime) -> int:
    """The worker's sweep: plans gone quiet, looked at once an hour."""
    wait = cache.get(NEXT_LOOK)
    if wait is not None and now < wait:
        return 0
    told = tell(now)
    cache.set(NEXT_LOOK, now + EVERY, timeout=int(EVERY.total_seconds()) * 2)
    return told
