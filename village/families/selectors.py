"""Reads for the family view: what each child is working on, what is due or missing, what the
teachers said, and — where the guardian's link allows grades — how each class is going.

Everything starts from the guardian's own usable links (``policies.children_links``) and keeps
only children whose link allows ``classwork``; scores and course grades are filled in only for
children whose link also allows ``grades``. Each function runs a fixed number of SQL queries,
however many children, classes and assignments there are: time windows keep the rows few, and
statuses come from ``village.classwork.selectors.work.work_items``.

The building blocks (a child, a piece of work, feedback, grades, topics) are in
``selectors_work``. Nothing here writes: the caller audits the view (the home page already
audits every child card; the child page goes through ``policies.student_for_viewer``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.classwork.events import UpcomingEvent, upcoming_events
from village.classwork.grades import LOW_GRADE, CourseGrade
from village.classwork.selectors.work import current_classes, work_items
from village.classwork.status import WorkStatus, status_from_moments
from village.classwork.versions import UNCHANGED
from village.community import policies
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    Organisation,
    Scope,
)
from village.community.selectors import LinkedChild, guardian_links
from village.families import digest
from village.families.selectors_work import (
    Child,
    FamilyWork,
    TopicNow,
    course_grades,
    current_topics,
    family_work,
    graded_classes,
    returned_feedback,
)

#: Missing and late work on the home page: due within this window before now.
ATTENTION_WINDOW = dt.timedelta(weeks=6)
#: "Due this week" on the home page.
THIS_WEEK = dt.timedelta(days=7)
#: "Coming up" on a child's page and printable summary.
UPCOMING_WINDOW = dt.timedelta(days=14)
#: Feedback returned this recently is "recent feedback".
RECENT_FEEDBACK = dt.timedelta(days=14)
#: Feedback returned this recently and not yet opened by the guardian "needs attention".
UNSEEN_FEEDBACK = dt.timedelta(days=28)
#: How many recent pieces of feedback a page lists.
RECENT_FEEDBACK_LIMIT = 8
#: The home page lists this many items per child under "Needs attention" and counts the rest.
ATTENTION_PER_CHILD = 5


class AttentionKind(models.TextChoices):
    MISSING = "missing", _("Missing")
    LOW_GRADE = "low_grade", _("Low grade")
    NEW_FEEDBACK = "new_feedback", _("New feedback")
    LATE = "late", _("Handed in late")


_ATTENTION_ORDER = {kind: index for index, kind in enumerate(AttentionKind)}


@dataclass(frozen=True, slots=True)
class Attention:
    """Something a family should look at: a piece of work, or a class whose grade is low."""

    kind: AttentionKind
    child: Child
    class_id: int
    class_title: str
    work: FamilyWork | None = None
    grade: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AttentionMore:
    """How many more things need attention for one child than the home page lists."""

    child: Child
    count: int


@dataclass(frozen=True, slots=True)
class FamilyOverview:
    """The guardian's home panel: every child (with classwork scope) and every class at once."""

    children: list[Child]
    needs_attention: list[Attention]
    this_week: list[FamilyWork]
    recent_feedback: list[FamilyWork]
    #: Children with more to look at than ``needs_attention`` lists, in the children's order.
    attention_more: list[AttentionMore] = field(default_factory=list)
    #: Until when the clock alone leaves all of this as it is (then statuses or windows move).
    valid_until: dt.datetime | None = None
    #: Class events marked for families, coming up in the children's classes.
    events: list[UpcomingEvent] = field(default_factory=list)


@dataclass(slots=True)
class ClassView:
    """One of a child's classes on the child page."""

    id: int
    title: str
    location: str
    teachers: list[str]
    #: ``None`` without the grades scope; ``percent`` is ``None`` before any graded work.
    grade: CourseGrade | None
    topics: list[TopicNow] = field(default_factory=list)
    missing: int = 0
    upcoming: int = 0


@dataclass(frozen=True, slots=True)
class ChildPage:
    """Everything the child page, the printable summary and the child endpoint show."""

    child: Child
    school: Organisation | None
    classes: list[ClassView]
    missing: list[FamilyWork]
    upcoming: list[FamilyWork]
    recent_feedback: list[FamilyWork]
    topics: list[TopicNow]
    now: dt.datetime
    #: Class events marked for families, coming up in the child's classes.
    events: list[UpcomingEvent] = field(default_factory=list)


# --- children ------------------------------------------------------------------------------------


def _linked_child(link: LinkedChild) -> Child:
    """A child as the family view shows them, from one of the guardian's links."""
    return Child(
        id=link.student_id,
        name=link.short_name,
        full_name=link.display_name,
        grade=link.grade,
        grades=link.allows(Scope.GRADES),
    )


def family_child(user: User, student_id: int) -> Child:
    """One child whose classwork ``user`` may see as a guardian, or ``Http404``.

    Staff who see the student at school get a 404 here too: this is the family's page.
    """
    for link in guardian_links(user):
        if link.student_id == student_id and link.allows(Scope.CLASSWORK):
            return _linked_child(link)
    raise Http404("No such student.")


# --- the home panel ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FamilyVersions:
    """The guardian's children whose classwork they see, each with their work version token,
    and the guardian's own feedback-seen token: together they change whenever the family
    overview could (other than by the clock)."""

    children: list[tuple[Child, int | None]]
    seen_token: int

    def fingerprint(self) -> str:
        """The versions as text, for a cache key (names and scopes included)."""
        parts = [str(self.seen_token or UNCHANGED)]
        parts += [
            f"{child.id}|{child.name}|{child.full_name}|{child.grade}|{child.grades:d}|"
            f"{token or UNCHANGED}"
            for child, token in self.children
        ]
        return "\n".join(parts)


WORK_TOKEN = "families_work_token"
SEEN_TOKEN = "families_seen_token"


def version_values() -> dict[str, models.F]:
    """The versions ``family_versions`` needs, as values to read with each of a guardian's
    links: the child's work token and the guardian's own feedback-seen token."""
    return {
        WORK_TOKEN: models.F("student__work_version__work_token"),
        SEEN_TOKEN: models.F("guardian__work_version__seen_token"),
    }


def family_versions(user: User, links: list[LinkedChild] | None = None) -> FamilyVersions:
    """The children and versions behind ``user``'s family overview (one query).

    ``links`` are the guardian's usable links in the children's order as the home page reads
    them (``community.selectors.guardian_links``), the versions read along with them
    (``version_values``, registered with the home page); without them they are read here.
    """
    if links is None or any(WORK_TOKEN not in link.extra for link in links):
        links = guardian_links(user, version_values())
    shown = [link for link in links if link.allows(Scope.CLASSWORK)]
    if not shown:
        return FamilyVersions([], UNCHANGED)
    return FamilyVersions(
        children=[(_linked_child(link), link.extra[WORK_TOKEN] or UNCHANGED) for link in shown],
        seen_token=shown[0].extra[SEEN_TOKEN] or UNCHANGED,
    )


def family_overview(
    user: User, *, now: dt.datetime | None = None, known: FamilyVersions | None = None
) -> FamilyOverview:
    """Needs attention, due this week, recent feedback and events coming up across all of
    ``user``'s children.

    Needs attention lists at most ``ATTENTION_PER_CHILD`` items per child, the most urgent
    first, and counts the rest (``attention_more``): the child's page has them all. Five
    queries whatever the number of children, classes and assignments (links with their
    versions, classes, the children's digests, which feedback this guardian has opened and
    the classes' events; four when the ``known`` versions are given), plus a rebuild of any
    digest out of date (``village.families.digest``). Statuses are computed here, against
    ``now``, from the moments in the digests; ``valid_until`` says when the clock alone
    changes the result.
    """
    now = now or timezone.now()
    linked = (known or family_versions(user)).children
    if not linked:
        return FamilyOverview([], [], [], [])
    children = [child for child, _token in linked]
    classes = current_classes([child.id for child in children])
    found = digest.digests(
        [
            digest.Wanted(
                child.id,
                digest.digest_key(token, [class_id for class_id, _title in classes[child.id]]),
                classes[child.id],
            )
            for child, token in linked
        ],
        now=now,
    )
    seen = digest.seen_feedback(user.pk, since=now - UNSEEN_FEEDBACK)
    titles = {class_id: title for pairs in classes.values() for class_id, title in pairs}
    work = _window_work(children, found, titles, seen, now=now)
    overdue = [w for w in work if w.status in (WorkStatus.MISSING, WorkStatus.LATE)]
    overdue_totals: dict[tuple[int, WorkStatus], int] = defaultdict(int)
    for w in overdue:
        overdue_totals[(w.child.id, w.status)] += 1
    unseen, unseen_totals, recent = _feedback_news(children, found, titles, seen, now=now)
    grades = {
        (child.id, class_id): digest.number(grade)
        for child in children
        if child.grades
        for class_id, grade in found[child.id].grades.items()
    }
    attention, more = _needs_attention(
        children, overdue, overdue_totals, unseen, unseen_totals, grades, titles
    )
    events = family_events(children, classes, now=now)
    return FamilyOverview(
        children=children,
        needs_attention=attention,
        this_week=sorted(
            (w for w in work if w.due_at is not None and w.due_at >= now),
            key=lambda w: (w.due_at, w.child.name, w.title),
        ),
        recent_feedback=recent,
        attention_more=more,
        # an event leaves the list when it ends; one entering the window shows within the
        # panel's longest keep (``panels.KEEP_SECONDS``)
        valid_until=min([_next_change(found.values(), now), *(e.until for e in events)]),
        events=events,
    )


def family_events(
    children: list[Child], classes: dict[int, list[tuple[int, str]]], *, now: dt.datetime
) -> list[UpcomingEvent]:
    """The events marked for families that are coming up in these children's classes, each
    naming the children in the class (one query)."""
    titles: dict[int, str] = {}
    names: dict[int, list[str]] = defaultdict(list)
    for child in children:
        for class_id, title in classes.get(child.id, []):
            titles[class_id] = title
            names[class_id].append(child.name)
    return [
        replace(event, children=tuple(names[event.class_id]))
        for event in upcoming_events(titles, now=now, families_only=True)
    ]


def _next_change(found: Iterable[digest.Digest], now: dt.datetime) -> dt.datetime:
    """The first moment after ``now`` at which the clock alone changes the overview: work is
    published, falls due, enters the week ahead or leaves the attention window; feedback stops
    being recent or unseen-news; a digest expires."""
    now_us = digest.micros(now)
    week, window = digest.micros_of(THIS_WEEK), digest.micros_of(ATTENTION_WINDOW)
    recent, unseen = digest.micros_of(RECENT_FEEDBACK), digest.micros_of(UNSEEN_FEEDBACK)
    moments: list[int] = []
    for one in found:
        moments.append(digest.micros(one.built_at + digest.LIFETIME))
        for row in one.work:
            moments.append(row.assign_at)
            if row.due_at is not None:
                moments += (row.due_at, row.due_at - week, row.due_at + window)
        for feedback in one.feedback:
            moments += (
                feedback.assign_at,
                feedback.returned_at + recent,
                feedback.returned_at + unseen,
            )
    later = [moment for moment in moments if moment > now_us]
    first = min(later, default=digest.micros(now + digest.LIFETIME))
    return digest.moment(first) or now


def _window_work(
    children: list[Child],
    found: dict[int, digest.Digest],
    titles: dict[int, str],
    seen: set[int],
    *,
    now: dt.datetime,
) -> list[FamilyWork]:
    """Published work that is missing or late (due within ``ATTENTION_WINDOW`` before ``now``)
    or due within ``THIS_WEEK`` after it. Statuses are compared as stored moments, and only the
    work kept becomes a ``FamilyWork``."""
    now_us = digest.micros(now)
    start, end = digest.micros(now - ATTENTION_WINDOW), digest.micros(now + THIS_WEEK)
    work: list[FamilyWork] = []
    for child in children:
        for row in found[child.id].work:
            due = row.due_at
            if row.assign_at > now_us or due is None or not start <= due < end:
                continue
            status = status_from_moments(
                due_at=due,
                submitted_at=row.submitted_at,
                returned_at=row.returned_at,
                excused=row.excused,
                now=now_us,
            )
            if due < now_us and status not in digest.OVERDUE:
                continue
            returned = row.returned_at is not None
            work.append(
                FamilyWork(
                    child=child,
                    assignment_id=row.assignment_id,
                    title=row.title,
                    class_id=row.class_id,
                    class_title=titles.get(row.class_id, ""),
                    topic_title=row.topic_title,
                    due_at=digest.moment(due),
                    status=status,
                    returned_at=digest.moment(row.returned_at),
                    comment=row.comment if returned else "",
                    score=digest.number(row.score) if returned and child.grades else None,
                    points=digest.number(row.points),
                    seen=not returned or row.feedback_id in seen,
                )
            )
    return work


def _feedback_news(
    children: list[Child],
    found: dict[int, digest.Digest],
    titles: dict[int, str],
    seen: set[int],
    *,
    now: dt.datetime,
) -> tuple[list[FamilyWork], dict[int, int], list[FamilyWork]]:
    """Unseen feedback (the newest ``ATTENTION_PER_CHILD`` per child, and each child's total)
    and the ``RECENT_FEEDBACK_LIMIT`` newest pieces returned within ``RECENT_FEEDBACK``."""
    now_us = digest.micros(now)
    unseen_since = digest.micros(now - UNSEEN_FEEDBACK)
    recent_since = digest.micros(now - RECENT_FEEDBACK)
    readable: list[tuple[int, int, Child, digest.Returned]] = []
    for child in children:
        for row in found[child.id].feedback:
            if row.assign_at > now_us or row.returned_at < unseen_since:
                continue
            if not row.comment and (row.score is None or not child.grades):
                continue  # nothing this guardian may read
            readable.append((row.returned_at, row.feedback_id, child, row))
    readable.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    unseen: list[FamilyWork] = []
    totals: dict[int, int] = defaultdict(int)
    recent: list[FamilyWork] = []
    for returned_at, feedback_id, child, row in readable:
        is_seen = feedback_id in seen
        fresh = returned_at >= recent_since and len(recent) < RECENT_FEEDBACK_LIMIT
        listed = False
        if not is_seen:
            totals[child.id] += 1
            listed = totals[child.id] <= ATTENTION_PER_CHILD
        if not (listed or fresh):
            continue
        shown = _returned_work(child, row, titles, is_seen, now_us)
        if listed:
            unseen.append(shown)
        if fresh:
            recent.append(shown)
    return unseen, dict(totals), recent


def _returned_work(
    child: Child, row: digest.Returned, titles: dict[int, str], seen: bool, now_us: int
) -> FamilyWork:
    return FamilyWork(
        child=child,
        assignment_id=row.assignment_id,
        title=row.title,
        class_id=row.class_id,
        class_title=titles.get(row.class_id, ""),
        topic_title=row.topic_title,
        due_at=digest.moment(row.due_at),
        status=status_from_moments(
            due_at=row.due_at,
            submitted_at=row.submitted_at,
            returned_at=row.returned_at,
            excused=False,
            now=now_us,
        ),
        returned_at=digest.moment(row.returned_at),
        comment=row.comment,
        score=digest.number(row.score) if child.grades else None,
        points=digest.number(row.points),
        seen=seen,
        teacher=row.teacher,
    )


def _needs_attention(
    children: list[Child],
    overdue: list[FamilyWork],
    overdue_totals: dict[tuple[int, WorkStatus], int],
    unseen: list[FamilyWork],
    unseen_totals: dict[int, int],
    grades: dict[tuple[int, int], Decimal | None],
    class_titles: dict[int, str],
) -> tuple[list[Attention], list[AttentionMore]]:
    """At most ``ATTENTION_PER_CHILD`` items per child, and how many more each child has."""
    by_id = {child.id: child for child in children}
    found: dict[int, list[Attention]] = defaultdict(list)
    for w in overdue:
        found[w.child.id].append(
            Attention(AttentionKind(w.status), w.child, w.class_id, w.class_title, work=w)
        )
    for w in unseen:
        found[w.child.id].append(
            Attention(AttentionKind.NEW_FEEDBACK, w.child, w.class_id, w.class_title, work=w)
        )
    for (student_id, class_id), grade in grades.items():
        if grade is not None and grade < LOW_GRADE:
            child = by_id[student_id]
            found[student_id].append(
                Attention(
                    AttentionKind.LOW_GRADE,
                    child,
                    class_id,
                    class_titles.get(class_id, ""),
                    grade=grade,
                )
            )
    shown: list[Attention] = []
    more: list[AttentionMore] = []
    for child in children:
        items = found.get(child.id, [])
        # the lists are cut per kind in SQL; the totals count what was cut
        total = sum(1 for item in items if item.kind == AttentionKind.LOW_GRADE)
        total += unseen_totals.get(child.id, 0)
        total += sum(overdue_totals.get((child.id, status), 0) for status in WorkStatus)
        picked = _most_urgent(items, ATTENTION_PER_CHILD)
        shown += picked
        hidden = total - len(picked)
        if hidden > 0:
            more.append(AttentionMore(child, hidden))
    return sorted(shown, key=_attention_key), more


def _most_urgent(items: list[Attention], count: int) -> list[Attention]:
    """``count`` of ``items``, taking the most urgent of each kind in turn, so that a family sees
    every kind of trouble (late work as well as many missing pieces) before more of one kind."""
    by_kind: dict[AttentionKind, list[Attention]] = defaultdict(list)
    for item in sorted(items, key=_attention_key):
        by_kind[item.kind].append(item)
    picked: list[Attention] = []
    depth = 0
    while len(picked) < min(count, len(items)):
        for kind in AttentionKind:
            queue = by_kind.get(kind, [])
            if depth < len(queue) and len(picked) < count:
                picked.append(queue[depth])
        depth += 1
    return picked


def _attention_key(item: Attention) -> tuple[int, float, str, str]:
    """Kind first; then the oldest due work, or the newest feedback, first."""
    when = 0.0
    if item.work is not None and item.kind == AttentionKind.NEW_FEEDBACK:
        when = -item.work.returned_at.timestamp() if item.work.returned_at else 0.0
    elif item.work is not None and item.work.due_at is not None:
        when = item.work.due_at.timestamp()
    return (_ATTENTION_ORDER[item.kind], when, item.child.name, item.class_title)


# --- one child -----------------------------------------------------------------------------------


def _class_views(student_id: int) -> list[ClassView]:
    """The child's current classes, each with room and teachers (one query)."""
    today = policies.today()
    own = (
        Enrollment.objects.current(today)
        .filter(user_id=student_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    enrolments = (
        Enrollment.objects.current(today)
        .filter(school_class_id__in=own)
        .filter(Q(user_id=student_id, role=EnrollmentRole.STUDENT) | Q(role=EnrollmentRole.TEACHER))
        .filter(user__is_active=True)
        .select_related("school_class", "user")
        .order_by("school_class__title", "school_class_id", "-is_primary", "user__last_name")
    )
    views: dict[int, ClassView] = {}
    teachers: dict[int, list[str]] = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.role == EnrollmentRole.TEACHER:
            teachers[enrolment.school_class_id].append(enrolment.user.display_name)
        else:
            school_class = enrolment.school_class
            views[school_class.pk] = ClassView(
                id=school_class.pk,
                title=school_class.title,
                location=school_class.location,
                teachers=[],
                grade=None,
            )
    for class_id, view in views.items():
        view.teachers = teachers.get(class_id, [])
    return list(views.values())


def child_page(user: User, child: Child, *, now: dt.datetime | None = None) -> ChildPage:
    """The child page's data for a guardian who may see ``child``'s classwork.

    A fixed number of queries (school, classes, teachers, three for work, feedback, topics,
    events and one for grades when the link allows them).
    """
    now = now or timezone.now()
    school = policies.student_schools([child.id]).get(child.id)
    views = _class_views(child.id)
    classes = {child.id: [(view.id, view.title) for view in views]}
    items = work_items(
        classes,
        viewer_id=user.pk,
        families_only=True,
        due_before=now + UPCOMING_WINDOW,
        now=now,
    )
    work = [family_work(item, child) for item in items]
    missing = [w for w in work if w.status == WorkStatus.MISSING]
    upcoming = [w for w in work if w.due_at is not None and w.due_at >= now]
    feedback = returned_feedback(
        [child], classes, viewer_id=user.pk, since=now - UNSEEN_FEEDBACK, now=now
    )
    recent = [
        w
        for w in feedback
        if w.returned_at and (w.returned_at >= now - RECENT_FEEDBACK or not w.seen)
    ]
    titles = {view.id: view.title for view in views}
    topics = current_topics(titles, timezone.localdate(now))
    grades = course_grades(graded_classes([child], classes), now=now) if child.grades else {}
    for view in views:
        view.grade = grades.get((child.id, view.id)) if child.grades else None
        view.topics = [topic for topic in topics if topic.class_id == view.id]
        view.missing = sum(1 for w in missing if w.class_id == view.id)
        view.upcoming = sum(1 for w in upcoming if w.class_id == view.id)
    return ChildPage(
        child=child,
        school=school,
        classes=views,
        missing=missing,
        upcoming=upcoming,
        recent_feedback=recent[:RECENT_FEEDBACK_LIMIT],
        topics=topics,
        now=now,
        events=upcoming_events(titles, now=now, families_only=True),
    )
