"""Reminders of support plans in force (a ``village.notifications`` sweep): before a review, and
when a progress check is due (``schedule``).

- **A review near**: from ``schedule.REVIEW_NOTICE`` (seven days) before the plan's review date,
  the plan's staff (``plan_notices.plan_staff``) and its family (guardians whose link allows the
  support plan) are told once per review date: a date moved is told again.
- **A progress check due**: on the day the next check falls due (or the first sweep after), the
  plan's staff and family are told once per due date; a progress note moves the next check, which
  is told in its turn.

Plans not in force (drafts, proposals, closed plans) remind nobody. The sweep looks at most once
an hour (``EVERY``), set-based: a fixed number of queries however many plans are due, then the
notifications' own writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from village.community.models import Scope
from village.notifications import registry
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import Pending, notify
from village.support import schedule
from village.support.models import IN_FORCE, SupportPlan
from village.support.plan_notices import family_links, plan_link, plan_staff

REVIEW_FAMILY = "support_plan_review_family"
REVIEW_STAFF = "support_plan_review_staff"
CHECK_FAMILY = "support_progress_check_family"
CHECK_STAFF = "support_progress_check_staff"
SWEEP = "support.plan_reminders"
#: The sweep looks again after this long (what it finds is a matter of days).
EVERY = dt.timedelta(hours=1)
NEXT_LOOK = "support:plan-reminders:next-look"

REVIEW = "review"
CHECK = "check"


def register() -> None:
    family = (Audience.GUARDIAN, Scope.SUPPORT_PLAN)
    for kind in [
        AlertKind(
            REVIEW_FAMILY,
            _("My child's support plan is reviewed soon"),
            *family,
            per_child=True,
            budgeted=False,
            help=_("A week before the review."),
            order=81,
        ),
        AlertKind(
            CHECK_FAMILY,
            _("A progress check on my child's support plan is due"),
            *family,
            per_child=True,
            default_email=EmailMode.WEEKLY,
            order=82,
        ),
        AlertKind(
            REVIEW_STAFF,
            _("A support plan I work on is reviewed soon"),
            Audience.TEACHER,
            Scope.SUPPORT_PLAN,
            budgeted=False,
            help=_("A week before the review."),
            order=81,
        ),
        AlertKind(
            CHECK_STAFF,
            _("A progress check on a support plan I work on is due"),
            Audience.TEACHER,
            Scope.SUPPORT_PLAN,
            budgeted=False,
            order=82,
        ),
    ]:
        registry.register_kind(kind)
    registry.register_sweep(SWEEP, sweep)


def kind_names() -> list[str]:
    return [REVIEW_FAMILY, REVIEW_STAFF, CHECK_FAMILY, CHECK_STAFF]


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder a plan calls for: a review near, or a progress check due, on ``on``."""

    plan: SupportPlan
    what: str
    on: dt.date

    @property
    def key(self) -> str:
        return f"{self.what}:{self.plan.pk}:{self.on.isoformat()}"


def due_reminders(now: dt.datetime) -> list[Due]:
    """The reminders the plans in force call for at ``now`` (one query)."""
    today = timezone.localdate(now)
    plans = (
        SupportPlan.objects.filter(state__in=IN_FORCE, student__is_active=True)
        .annotate(last_noted_on=Max("progress_notes__noted_on"))
        .select_related("student")
        .order_by("pk")
    )
    found: list[Due] = []
    for plan in plans:
        if schedule.review_near(state=plan.state, review_on=plan.review_on, today=today):
            found.append(Due(plan, REVIEW, plan.review_on))
        check = schedule.next_check(
            state=plan.state,
            agreed_on=plan.agreed_on,
            last_noted_on=plan.last_noted_on,
            check_every_days=plan.check_every_days,
            today=today,
        )
        if check is not None and check.due_on <= today:
            found.append(Due(plan, CHECK, check.due_on))
    return found


def tell(now: dt.datetime) -> int:
    """Tell the staff and the family of each plan what its reminders say, once per date."""
    due = due_reminders(now)
    if not due:
        return 0
    plans = list({one.plan.pk: one.plan for one in due}.values())
    staff = plan_staff(plans)
    links = defaultdict(list)
    for link in family_links(plan.student_id for plan in plans):
        links[link.student_id].append(link)
    pending: list[Pending] = []
    for one in due:
        plan = one.plan
        staff_kind, family_kind = (
            (REVIEW_STAFF, REVIEW_FAMILY) if one.what == REVIEW else (CHECK_STAFF, CHECK_FAMILY)
        )
        pending += [
            Pending(
                recipient=person,
                kind=staff_kind,
                key=one.key,
                compose=_staff_words(one),
                link=plan_link(plan),
                school_id=plan.school_id,
            )
            for person in staff.get(plan.pk, [])
        ]
        pending += [
            Pending(
                recipient=link.guardian,
                kind=family_kind,
                key=one.key,
                compose=_family_words(one),
                link=plan_link(plan),
                child_id=plan.student_id,
                school_id=plan.school_id,
                email=link.receives_communications,
            )
            for link in links[plan.student_id]
        ]
    return len(notify(pending, now=now))


def _names(one: Due) -> dict[str, str]:
    student = one.plan.student
    return {
        "child": student.short_name,
        "student": student.display_name,
        "title": one.plan.title,
        "date": formats.date_format(one.on, "DATE_FORMAT"),
    }


def _staff_words(one: Due) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        names = _names(one)
        if one.what == REVIEW:
            return (
                gettext("%(student)s's support plan is reviewed on %(date)s") % names,
                gettext(
                    "“%(title)s”: start the review, and propose the changes to the family and "
                    "the student."
                )
                % names,
            )
        return (
            gettext("A progress check on %(student)s's support plan is due (%(date)s)") % names,
            gettext("Write a progress note on each goal of “%(title)s”.") % names,
        )

    return compose


def _family_words(one: Due) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        names = _names(one)
        if one.what == REVIEW:
            return (
                gettext("%(child)s's support plan is reviewed on %(date)s") % names,
                gettext(
                    "“%(title)s”: think about what has worked at home and what you would "
                    "change; you can comment on the plan before the review."
                )
                % names,
            )
        return (
            gettext("A progress check on %(child)s's support plan is due (%(date)s)") % names,
            gettext(
                "The school writes a note on each goal of “%(title)s”: you will find it on the "
                "plan."
            )
            % names,
        )

    return compose


def sweep(now: dt.datetime) -> int:
    """The worker's sweep: the plans' reminders, looked at once an hour."""
    wait = cache.get(NEXT_LOOK)
    if wait is not None and now < wait:
        return 0
    told = tell(now)
    cache.set(NEXT_LOOK, now + EVERY, timeout=int(EVERY.total_seconds()) * 2)
    return told
