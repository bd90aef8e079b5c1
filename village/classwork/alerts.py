"""Classwork's alerts: what it tells guardians, students and teachers, and when.

Kinds (registered with ``village.notifications``):

- guardians, per child, each guardian their own (Canvas Parent's set, with its crossing rule):
  work missing; an assignment's grade below / above N %; the course grade below / above N %;
  new feedback returned; and beyond it, **a falling grade** (the course grade down by N points
  or more over the last K weeks) and **worth a conversation** (two or more pieces missing in one
  class within 14 days, or missing work while the grade falls): one alert that names the class
  and its teacher, with the teacher's contact and a conversation starter;
- students, their own reminders: work due tomorrow, work now missing, feedback returned;
- teachers: a daily "to grade / newly missing" summary (off unless they turn it on).

When: a change to a student's work (feedback saved, returned, excused) records an alert check in
the same transaction (``notifications.services.alerts.record_change``); the worker runs
:func:`check` for those students once the hold is over (a teacher who corrects a slip within it
causes no alert). Work that turns missing at its due time is found by :func:`missing_sweep`,
which looks at the work that fell due since its last run, for the whole district in a fixed
number of queries, and records checks for those students.

Scope: a guardian hears nothing of a child whose link is not active or says no access, nothing
about grades without the grades scope, and no email when the link does not receive
communications (the notification stays in Village).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.classwork.family.starters import WorkFact, conversation_starters
from village.classwork.family.work import grade_moves
from village.classwork.grades import percent
from village.classwork.models import Assignment, Feedback, Submission, published_q
from village.classwork.selectors.work import WorkItem, current_classes, work_items
from village.classwork.status import WorkStatus
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    SchoolClass,
    Scope,
)
from village.notifications import registry
from village.notifications.models import EmailMode, UserSettings
from village.notifications.registry import Alert, AlertKind, Audience, CheckRequest, Threshold
from village.notifications.services import alerts as engine
from village.notifications.services.notify import Pending, notify, user_zone
from village.notifications.services.rules import Rule, effective_rules
from village.notifications.text import teacher

SOURCE = "classwork"

MISSING = "missing_work"
ASSIGNMENT_BELOW = "assignment_grade_below"
ASSIGNMENT_ABOVE = "assignment_grade_above"
COURSE_BELOW = "course_grade_below"
COURSE_ABOVE = "course_grade_above"
FEEDBACK = "new_feedback"
TREND = "grade_falling"
CONVERSATION = "worth_a_conversation"
STUDENT_DUE = "my_work_due_tomorrow"
STUDENT_MISSING = "my_work_missing"
STUDENT_FEEDBACK = "my_feedback"
TEACHER_DAILY = "teacher_daily_summary"

#: Missing work and feedback are alerted about while this recent (older: already known).
RECENT = dt.timedelta(days=3)
#: Work looked at for grades and "worth a conversation".
WINDOW = dt.timedelta(days=14)
#: "Worth a conversation": this many pieces missing in one class within ``WINDOW``.
MISSING_TOGETHER = 2
#: Weeks a falling grade is measured over when the guardian has not said.
DEFAULT_TREND_WEEKS = 3
#: How far back the missing-work sweep looks the first time it runs.
FIRST_SWEEP = dt.timedelta(days=1)


def register() -> None:
    kinds = [
        AlertKind(
            MISSING,
            _("Work is missing"),
            Audience.GUARDIAN,
            Scope.CLASSWORK,
            per_child=True,
            help=_("When a piece of work is past its due time and nothing was handed in."),
            order=20,
        ),
        AlertKind(
            ASSIGNMENT_BELOW,
            _("An assignment's grade is below"),
            Audience.GUARDIAN,
            Scope.GRADES,
            per_child=True,
            default_on=False,
            threshold=Threshold.BELOW,
            default_threshold=Decimal(60),
            order=30,
        ),
        AlertKind(
            ASSIGNMENT_ABOVE,
            _("An assignment's grade is above"),
            Audience.GUARDIAN,
            Scope.GRADES,
            per_child=True,
            default_on=False,
            threshold=Threshold.ABOVE,
            default_threshold=Decimal(90),
            default_email=EmailMode.WEEKLY,
            order=31,
        ),
        AlertKind(
            COURSE_BELOW,
            _("A course grade falls below"),
            Audience.GUARDIAN,
            Scope.GRADES,
            per_child=True,
            threshold=Threshold.BELOW,
            default_threshold=Decimal(70),
            sms=True,
            order=40,
        ),
        AlertKind(
            COURSE_ABOVE,
            _("A course grade rises above"),
            Audience.GUARDIAN,
            Scope.GRADES,
            per_child=True,
            default_on=False,
            threshold=Threshold.ABOVE,
            default_threshold=Decimal(90),
            default_email=EmailMode.WEEKLY,
            order=41,
        ),
        AlertKind(
            FEEDBACK,
            _("New feedback from a teacher"),
            Audience.GUARDIAN,
            Scope.CLASSWORK,
            per_child=True,
            default_email=EmailMode.DAILY,
            budgeted=False,
            order=50,
        ),
        AlertKind(
            TREND,
            _("A course grade is falling"),
            Audience.GUARDIAN,
            Scope.GRADES,
            per_child=True,
            threshold=Threshold.DROP,
            default_threshold=Decimal(5),
            default_weeks=3,
            help=_("When a course grade falls by this many points or more over these weeks."),
            order=42,
        ),
        AlertKind(
            CONVERSATION,
            _("Worth a conversation"),
            Audience.GUARDIAN,
            Scope.CLASSWORK,
            per_child=True,
            sms=True,
            help=_(
                "When two or more pieces of work are missing in one class within two weeks, "
                "or work is missing while the grade falls: with the teacher's contact and a "
                "question to ask."
            ),
            order=10,
        ),
        AlertKind(
            STUDENT_DUE,
            _("My work due tomorrow"),
            Audience.STUDENT,
            Scope.CLASSWORK,
            default_email=EmailMode.OFF,
            budgeted=False,
            order=10,
        ),
        AlertKind(
            STUDENT_MISSING,
            _("My work is missing"),
            Audience.STUDENT,
            Scope.CLASSWORK,
            default_email=EmailMode.OFF,
            budgeted=False,
            order=20,
        ),
        AlertKind(
            STUDENT_FEEDBACK,
            _("Feedback returned to me"),
            Audience.STUDENT,
            Scope.CLASSWORK,
            default_email=EmailMode.OFF,
            budgeted=False,
            order=30,
        ),
        AlertKind(
            TEACHER_DAILY,
            _("Daily summary: work to grade and newly missing"),
            Audience.TEACHER,
            Scope.CLASSWORK,
            default_email=EmailMode.IMMEDIATE,
            budgeted=False,
            order=10,
        ),
    ]
    for kind in kinds:
        registry.register_kind(kind)
    registry.register_checker(SOURCE, check)
    registry.register_sweep("classwork.missing", missing_sweep)
    registry.register_sweep("classwork.due_tomorrow", due_tomorrow_sweep)
    registry.register_sweep("classwork.teacher_daily", teacher_daily_sweep)


def record_change(student_ids: Sequence[int], subject: str) -> None:
    """Call from a service that changes students' work, in its transaction."""
    engine.record_change(student_ids, SOURCE, subject)


# --- the checker -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    guardian: User
    student_id: int
    grades: bool
    email: bool


@dataclass(frozen=True, slots=True)
class _Class:
    title: str
    school_id: int
    teacher: str
    teacher_email: str


def _links(student_ids: Sequence[int]) -> list[_Link]:
    rows = (
        GuardianLink.objects.filter(
            student_id__in=student_ids,
            status=LinkStatus.ACTIVE,
            no_access=False,
            scope_classwork=True,
            guardian__is_active=True,
        )
        .select_related("guardian")
        .order_by("student_id", "guardian_id")
    )
    return [
        _Link(row.guardian, row.student_id, row.scope_grades, row.receives_communications)
        for row in rows
    ]


def _classes(class_ids: set[int]) -> dict[int, _Class]:
    if not class_ids:
        return {}
    teachers: dict[int, tuple[str, str]] = {}
    rows = (
        Enrollment.objects.current(timezone.localdate())
        .filter(school_class_id__in=class_ids, role=EnrollmentRole.TEACHER)
        .select_related("user")
        .order_by("school_class_id", "id")
    )
    for row in rows:
        teachers.setdefault(row.school_class_id, (row.user.display_name, row.user.email))
    return {
        pk: _Class(title, school_id, *teachers.get(pk, ("", "")))
        for pk, title, school_id in SchoolClass.objects.filter(pk__in=class_ids).values_list(
            "pk", "title", "school_id"
        )
    }


def _pct(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=0 if value == value.to_integral() else 1)


class _Returned(NamedTuple):
    """Feedback returned to a student recently, on work families see."""

    student_id: int
    feedback_id: int
    assignment_id: int
    title: str
    class_id: int
    class_title: str
    score: Decimal | None
    points: Decimal | None
    comment: str
    returned_at: dt.datetime

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.points:
            return None
        return percent(self.score, self.points)


def _recent_feedback(
    classes: dict[int, list[tuple[int, str]]], now: dt.datetime
) -> dict[int, list[_Returned]]:
    """Feedback returned in the last ``RECENT`` on published work families see, in the
    students' current classes (one query)."""
    class_ids = {pk for pairs in classes.values() for pk, _t in pairs}
    found: dict[int, list[_Returned]] = defaultdict(list)
    if not class_ids:
        return found
    rows = (
        Feedback.objects.filter(
            published_q(now, through="assignment__"),
            student_id__in=list(classes),
            assignment__school_class_id__in=list(class_ids),
            assignment__visible_to_families=True,
            returned_at__gte=now - RECENT,
            returned_at__lte=now,
            excused=False,
        )
        .order_by("returned_at", "id")
        .values_list(
            "student_id",
            "pk",
            "assignment_id",
            "assignment__title",
            "assignment__school_class_id",
            "assignment__school_class__title",
            "score",
            "assignment__points",
            "comment",
            "returned_at",
        )
    )
    for row in rows:
        student_id, pk, work_id, title, class_id, class_title, score, points, comment, at = row
        assert at is not None  # filtered above
        found[student_id].append(
            _Returned(
                student_id, pk, work_id, title, class_id, class_title, score, points, comment, at
            )
        )
    return found


#: Per class: the course grade now, and as it stood some weeks ago (by number of weeks).
Grades = dict[int, tuple[Decimal | None, dict[int, Decimal | None]]]


def _grades(
    classes: dict[int, list[tuple[int, str]]], weeks: set[int], now: dt.datetime
) -> dict[int, Grades]:
    """Each student's course grade per class now and ``weeks`` ago (one query per number of
    weeks asked for; one when nobody asked for a trend)."""
    result: dict[int, Grades] = {student_id: {} for student_id in classes}
    for span in sorted(weeks) or [0]:
        moves = grade_moves(classes, now=now, then=now - dt.timedelta(weeks=span))
        for (student_id, class_id), move in moves.items():
            _now, before = result[student_id].setdefault(class_id, (move.now, {}))
            if span:
                before[span] = move.then
    return result


def check(asked: CheckRequest) -> list[Alert]:
    """Every classwork alert's condition, now, for these students' guardians and themselves
    (a fixed number of queries for all of them)."""
    now = asked.now
    student_ids = list(asked.student_ids)
    classes = current_classes(student_ids)
    class_info = _classes({pk for pairs in classes.values() for pk, _t in pairs})
    items = work_items(
        classes,
        viewer_id=None,
        families_only=True,
        due_after=now - WINDOW,
        due_before=now,
        now=now,
    )
    fresh_feedback = _recent_feedback(classes, now)
    students = {user.pk: user for user in User.objects.filter(pk__in=student_ids)}
    work: dict[int, list[WorkItem]] = defaultdict(list)
    for item in items:
        work[item.student_id].append(item)

    links = _links(student_ids)
    school_of = {
        student_id: next((class_info[pk].school_id for pk, _t in pairs if pk in class_info), None)
        for student_id, pairs in classes.items()
    }
    rules = effective_rules({(link.guardian.pk, link.student_id) for link in links}, school_of)
    # Grades only of children some guardian may see the grades of, and trends over the
    # numbers of weeks guardians asked for.
    graded = {link.student_id for link in links if link.grades}
    weeks = set()
    for link in links:
        trend = rules.get((link.guardian.pk, link.student_id), {}).get(TREND)
        if link.grades and trend is not None and trend.enabled:
            weeks.add(trend.weeks or DEFAULT_TREND_WEEKS)
    grades = _grades({pk: classes[pk] for pk in graded if pk in classes}, weeks, now)
    found: list[Alert] = []
    for link in links:
        child = students.get(link.student_id)
        if child is None:
            continue
        found += _guardian_alerts(
            link,
            child,
            rules.get((link.guardian.pk, link.student_id), {}),
            work[child.pk],
            fresh_feedback.get(child.pk, []),
            grades.get(child.pk, {}),
            [pk for pk, _t in classes.get(child.pk, [])],
            class_info,
            school_of.get(child.pk),
            now,
        )
    reminders_off = set(
        UserSettings.objects.filter(user_id__in=student_ids, student_reminders=False).values_list(
            "user_id", flat=True
        )
    )
    for student in students.values():
        if student.pk not in reminders_off and student.is_active:
            found += _student_alerts(
                student, work[student.pk], fresh_feedback.get(student.pk, []), now
            )
    return found


def _child_link(child: User) -> str:
    return reverse("families:child", args=[child.pk])


def _guardian_alerts(
    link: _Link,
    child: User,
    rules: dict[str, Rule],
    work: list[WorkItem],
    feedback: list[_Returned],
    grades: Grades,
    class_ids: list[int],
    class_info: dict[int, _Class],
    school_id: int | None,
    now: dt.datetime,
) -> list[Alert]:
    guardian = link.guardian
    name = child.short_name
    page = _child_link(child)
    found: list[Alert] = []

    def alert(
        kind: str, subject: str, active: bool, compose: Callable[[], tuple[str, str]]
    ) -> None:
        rule = rules.get(kind)
        if rule is None or not rule.enabled:
            return
        found.append(
            Alert(
                recipient=guardian,
                child_id=child.pk,
                kind=kind,
                subject=subject,
                active=active,
                compose=compose,
                link=page,
                school_id=school_id,
                email=link.email,
            )
        )

    def threshold(kind: str) -> Decimal | None:
        rule = rules.get(kind)
        return None if rule is None or rule.threshold is None else rule.threshold

    # Missing work (only recently due: older work is already known).
    missing_by_class: dict[int, list[WorkItem]] = defaultdict(list)
    for item in work:
        missing = item.status == WorkStatus.MISSING
        if missing:
            missing_by_class[item.class_id].append(item)
        if item.due_at is None or item.due_at < now - RECENT:
            continue
        alert(
            MISSING,
            f"assignment:{item.assignment_id}",
            missing,
            _compose_missing(name, item),
        )
    # An assignment's grade, on feedback returned recently.
    if link.grades:
        for back in feedback:
            value = back.percent
            if value is None:
                continue
            subject = f"assignment:{back.assignment_id}"
            below, above = threshold(ASSIGNMENT_BELOW), threshold(ASSIGNMENT_ABOVE)
            if below is not None:
                alert(
                    ASSIGNMENT_BELOW,
                    subject,
                    value < below,
                    _compose_assignment(name, back, value, below, low=True),
                )
            if above is not None:
                alert(
                    ASSIGNMENT_ABOVE,
                    subject,
                    value > above,
                    _compose_assignment(name, back, value, above, low=False),
                )
    # New feedback: each return (returned again: new again).
    for back in feedback:
        alert(
            FEEDBACK,
            f"feedback:{back.feedback_id}:{int(back.returned_at.timestamp())}",
            True,
            _compose_feedback(name, back, grades=link.grades),
        )
    # Course grades, their trend, and "worth a conversation".
    today = timezone.localtime(now, user_zone(guardian)).date()
    for class_id in class_ids:
        info = class_info.get(class_id)
        if info is None:
            continue
        subject = f"class:{class_id}"
        value, before = grades.get(class_id, (None, {}))
        falling = False
        if link.grades and value is not None:
            below, above = threshold(COURSE_BELOW), threshold(COURSE_ABOVE)
            if below is not None:
                alert(
                    COURSE_BELOW,
                    subject,
                    value < below,
                    _compose_course(name, info, value, below, low=True),
                )
            if above is not None:
                alert(
                    COURSE_ABOVE,
                    subject,
                    value > above,
                    _compose_course(name, info, value, above, low=False),
                )
            trend = rules.get(TREND)
            if trend is not None and trend.threshold is not None:
                span = trend.weeks or DEFAULT_TREND_WEEKS
                then = before.get(span)
                drop = None if then is None else then - value
                falling = drop is not None and drop >= trend.threshold
                alert(TREND, subject, falling, _compose_trend(name, info, value, drop, span))
        missed = missing_by_class.get(class_id, [])
        worth = len(missed) >= MISSING_TOGETHER or (bool(missed) and falling)
        alert(
            CONVERSATION,
            subject,
            worth,
            _compose_conversation(name, child.pk, info, missed, falling, today),
        )
    return found


def _student_alerts(
    student: User, work: list[WorkItem], feedback: list[_Returned], now: dt.datetime
) -> list[Alert]:
    found = []
    for item in work:
        if item.due_at is None or item.due_at < now - RECENT:
            continue
        found.append(
            Alert(
                recipient=student,
                child_id=None,
                kind=STUDENT_MISSING,
                subject=f"assignment:{item.assignment_id}",
                active=item.status == WorkStatus.MISSING,
                compose=_compose_my_missing(item),
                link=reverse("classwork:assignment", args=[item.assignment_id]),
            )
        )
    for back in feedback:
        found.append(
            Alert(
                recipient=student,
                child_id=None,
                kind=STUDENT_FEEDBACK,
                subject=f"feedback:{back.feedback_id}:{int(back.returned_at.timestamp())}",
                active=True,
                compose=_compose_my_feedback(back),
                link=reverse("classwork:assignment", args=[back.assignment_id]),
            )
        )
    return found


# --- the words: each called in the recipient's language -----------------------------------------


def _compose_missing(name: str, item: WorkItem) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        title = gettext("%(name)s: “%(work)s” is missing") % {
            "name": name,
            "work": teacher(item.title),
        }
        due = formats.date_format(timezone.localtime(item.due_at), "DATETIME_FORMAT")
        body = gettext("%(class)s · it was due %(due)s and nothing has been handed in.") % {
            "class": teacher(item.class_title),
            "due": due,
        }
        return title, body

    return compose


def _compose_assignment(
    name: str, item: _Returned, value: Decimal, limit: Decimal, *, low: bool
) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        values = {
            "name": name,
            "work": teacher(item.title),
            "grade": _pct(value),
            "limit": _pct(limit),
        }
        if low:
            title = gettext("%(name)s: %(grade)s%% on “%(work)s”, below %(limit)s%%") % values
        else:
            title = gettext("%(name)s: %(grade)s%% on “%(work)s”, above %(limit)s%%") % values
        body = teacher(item.class_title)
        if item.comment:
            body += "\n" + gettext("The teacher wrote: “%(comment)s”") % {
                "comment": teacher(item.comment)
            }
        return title, body

    return compose


def _compose_feedback(name: str, item: _Returned, *, grades: bool) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        title = gettext("%(name)s has new feedback on “%(work)s”") % {
            "name": name,
            "work": teacher(item.title),
        }
        lines = [teacher(item.class_title)]
        if item.comment:
            lines.append(
                gettext("The teacher wrote: “%(comment)s”") % {"comment": teacher(item.comment)}
            )
        if grades and item.percent is not None:
            lines.append(gettext("Grade: %(grade)s%%") % {"grade": _pct(item.percent)})
        return title, "\n".join(lines)

    return compose


def _compose_course(
    name: str, info: _Class, value: Decimal, limit: Decimal, *, low: bool
) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        values = {
            "name": name,
            "class": teacher(info.title),
            "grade": _pct(value),
            "limit": _pct(limit),
        }
        if low:
            title = gettext("%(name)s's grade in %(class)s fell below %(limit)s%%") % values
        else:
            title = gettext("%(name)s's grade in %(class)s rose above %(limit)s%%") % values
        body = gettext("The course grade is now %(grade)s%%.") % values
        if low and info.teacher:
            body += " " + gettext("%(teacher)s teaches the class: %(email)s") % {
                "teacher": info.teacher,
                "email": info.teacher_email,
            }
        return title, body

    return compose


def _compose_trend(
    name: str, info: _Class, value: Decimal, drop: Decimal | None, weeks: int
) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        values = {
            "name": name,
            "class": teacher(info.title),
            "grade": _pct(value),
            "drop": _pct(drop or Decimal(0)),
            "weeks": weeks,
        }
        title = gettext("%(name)s's grade in %(class)s is falling") % values
        body = (
            gettext("Down %(drop)s points over the last %(weeks)s weeks, to %(grade)s%%.") % values
        )
        return title, body

    return compose


def _compose_conversation(
    name: str,
    child_id: int,
    info: _Class,
    missing: list[WorkItem],
    falling: bool,
    today: dt.date,
) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        values = {"name": name, "class": teacher(info.title), "count": len(missing)}
        title = gettext("Worth a conversation: %(name)s in %(class)s") % values
        if falling:
            what = gettext("Work is missing in %(class)s and the grade is falling.") % values
        else:
            what = (
                ngettext(
                    "%(count)s piece of work is missing in %(class)s.",
                    "%(count)s pieces of work are missing in %(class)s.",
                    len(missing),
                )
                % values
            )
        lines = [what]
        titles = ", ".join(f"“{teacher(item.title)}”" for item in missing[:3])
        if titles:
            lines.append(gettext("Missing: %(titles)s") % {"titles": titles})
        if info.teacher:
            lines.append(
                gettext("%(teacher)s teaches the class: %(email)s")
                % {"teacher": info.teacher, "email": info.teacher_email}
            )
        starters = conversation_starters(
            name=name,
            child_id=child_id,
            today=today,
            missing=[WorkFact(item.title, item.class_title, info.teacher) for item in missing],
            limit=1,
        )
        if starters:
            lines.append(gettext("A question to ask: %(starter)s") % {"starter": starters[0].text})
        return title, "\n".join(lines)

    return compose


def _compose_my_missing(item: WorkItem) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        title = gettext("“%(work)s” is missing") % {"work": teacher(item.title)}
        body = gettext("%(class)s · you can still hand it in.") % {
            "class": teacher(item.class_title)
        }
        return title, body

    return compose


def _compose_my_feedback(item: _Returned) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        title = gettext("New feedback on “%(work)s”") % {"work": teacher(item.title)}
        return title, teacher(item.comment or item.class_title)

    return compose


# --- sweeps ------------------------------------------------------------------------------------


def _fell_into(
    since: dt.datetime,
    until: dt.datetime,
    *,
    last_run: dt.datetime,
    now: dt.datetime,
    start: dt.datetime,
) -> Q:
    """Work whose due time entered the window (``since`` to ``until``) since the last run: it
    reached it by the clock, or it was posted, published or moved into the window (from
    ``start``) after the last run."""
    moved = Q(updated_at__gt=last_run) | Q(assign_at__gt=last_run, assign_at__lte=now)
    return Q(due_at__gt=since, due_at__lte=until) | (moved & Q(due_at__gt=start, due_at__lte=until))


def _open_work(
    work: QuerySet[Assignment], today: dt.date, *fields: str
) -> QuerySet[Enrollment, tuple[Any, ...]]:
    """``fields`` (of an enrolment, and ``work_id``) of each current student of the classes of
    ``work`` paired with each piece of it they have handed nothing in for and that is neither
    excused nor graded (what ``village.classwork.status`` calls missing once it is due): one
    query, the database pairing each student with each piece of their class's work."""
    pairs = (
        Enrollment.objects.current(today)
        .filter(role=EnrollmentRole.STUDENT)
        .annotate(work_id=F("school_class__assignments__id"))
        .filter(work_id__in=work.values("pk"))
    )
    handed_in = Submission.objects.filter(
        assignment_id=OuterRef("work_id"), student_id=OuterRef("user_id")
    )
    settled = Feedback.objects.filter(
        Q(excused=True) | Q(returned_at__isnull=False),
        assignment_id=OuterRef("work_id"),
        student_id=OuterRef("user_id"),
    )
    return pairs.filter(~Exists(handed_in), ~Exists(settled)).order_by().values_list(*fields)


def missing_sweep(now: dt.datetime) -> int:
    """Record alert checks for the students whose work turned missing since the last sweep (a
    fixed number of queries, whatever the number of schools). Returns the students recorded."""
    from village.notifications.services.sweeps import watermark

    hold = engine.hold()
    with watermark("classwork.missing", now - hold, first=now - hold - FIRST_SWEEP) as (
        since,
        until,
    ):
        fell_due = (
            Assignment.objects.published(now)
            .filter(_fell_into(since, until, last_run=since + hold, now=now, start=now - RECENT))
            .filter(visible_to_families=True)
        )
        today = timezone.localdate(now)
        students = {pk for (pk,) in _open_work(fell_due, today, "user_id").distinct()}
        engine.record_change(students, SOURCE, "missing", now=now, wait=dt.timedelta(0))
        return len(students)


def due_tomorrow_sweep(now: dt.datetime) -> int:
    """Remind students of work due tomorrow that they have not handed in (once per piece)."""
    from village.notifications.services.sweeps import watermark

    ahead = dt.timedelta(days=1)
    with watermark("classwork.due_tomorrow", now + ahead, first=now) as (since, until):
        due = Assignment.objects.published(now).filter(
            _fell_into(since, until, last_run=since - ahead, now=now, start=now)
        )
        details = {
            pk: (title, class_title, due_at)
            for pk, title, class_title, due_at in due.values_list(
                "pk", "title", "school_class__title", "due_at"
            )
        }
        if not details:
            return 0
        pairs = list(_open_work(due, timezone.localdate(now), "user_id", "work_id"))
        students = {pk for pk, _work in pairs}
        off = set(
            UserSettings.objects.filter(user_id__in=students, student_reminders=False).values_list(
                "user_id", flat=True
            )
        )
        people = User.objects.filter(is_active=True).in_bulk(students - off)
        pending = []
        for student_id, work_id in pairs:
            if student_id not in people:
                continue
            title, class_title, due_at = details[work_id]
            assert due_at is not None  # filtered above
            pending.append(
                Pending(
                    recipient=people[student_id],
                    kind=STUDENT_DUE,
                    key=f"assignment:{work_id}",
                    compose=_compose_due(title, class_title, due_at),
                    link=reverse("classwork:assignment", args=[work_id]),
                )
            )
        return len(notify(pending, now=now))


def _compose_due(
    title: str, class_title: str, due_at: dt.datetime
) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        when = formats.date_format(timezone.localtime(due_at), "DATETIME_FORMAT")
        return (
            gettext("“%(work)s” is due tomorrow") % {"work": teacher(title)},
            gettext("%(class)s · due %(when)s") % {"class": teacher(class_title), "when": when},
        )

    return compose


#: The teacher's daily summary goes out once a day from this hour (their time zone).
DAILY_HOUR = 15


def teacher_daily_sweep(now: dt.datetime) -> int:
    """Each teacher who asked for it: one summary a day of work to grade and newly missing."""
    wanted = list(
        UserSettings.objects.filter(teacher_daily=True, user__is_active=True).select_related("user")
    )
    due = []
    for row in wanted:
        local = timezone.localtime(now, user_zone(row.user))
        if local.hour >= DAILY_HOUR:
            due.append((row.user, local.date()))
    if not due:
        return 0
    teachers = {user.pk: user for user, _d in due}
    taught: dict[int, set[int]] = defaultdict(set)
    for user_id, class_id in (
        Enrollment.objects.current(timezone.localdate(now))
        .filter(user_id__in=list(teachers), role__in=[EnrollmentRole.TEACHER, EnrollmentRole.AIDE])
        .values_list("user_id", "school_class_id")
    ):
        taught[user_id].add(class_id)
    class_ids = {pk for pks in taught.values() for pk in pks}
    to_grade, newly_missing = _teacher_counts(class_ids, now)
    pending = []
    for user, day in due:
        grading = sum(to_grade.get(pk, 0) for pk in taught[user.pk])
        missing = sum(newly_missing.get(pk, 0) for pk in taught[user.pk])
        if not grading and not missing:
            continue  # nothing new: nothing sent
        pending.append(
            Pending(
                recipient=user,
                kind=TEACHER_DAILY,
                key=day.isoformat(),
                compose=_compose_daily(grading, missing),
                link=reverse("community:home"),
            )
        )
    return len(notify(pending, now=now))


def _teacher_counts(class_ids: set[int], now: dt.datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Per class: work handed in and awaiting feedback, and work that fell due in the last day
    and is missing (three queries for every class at once)."""
    to_grade: dict[int, int] = defaultdict(int)
    missing: dict[int, int] = defaultdict(int)
    if not class_ids:
        return to_grade, missing
    returned = {
        (assignment_id, student_id): returned_at
        for assignment_id, student_id, returned_at in Feedback.objects.filter(
            assignment__school_class_id__in=class_ids, returned_at__isnull=False
        ).values_list("assignment_id", "student_id", "returned_at")
    }
    handed_in = (
        Submission.objects.filter(assignment__school_class_id__in=class_ids)
        .values("assignment_id", "student_id", "assignment__school_class_id")
        .annotate(latest=Max("submitted_at"))
        .values_list("assignment_id", "student_id", "assignment__school_class_id", "latest")
        .order_by()
    )
    for work_id, student_id, class_id, latest in handed_in:
        back = returned.get((work_id, student_id))
        if back is None or back < latest:
            to_grade[class_id] += 1
    fell_due = Assignment.objects.published(now).filter(
        school_class_id__in=class_ids, due_at__gt=now - dt.timedelta(days=1), due_at__lte=now
    )
    for (class_id,) in _open_work(fell_due, timezone.localdate(now), "school_class_id"):
        missing[class_id] += 1
    return to_grade, missing


def _compose_daily(grading: int, missing: int) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        title = gettext("Today: %(grading)s to grade, %(missing)s newly missing") % {
            "grading": grading,
            "missing": missing,
        }
        return title, ""

    return compose
