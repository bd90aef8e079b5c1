"""Classwork's part of the family overview: what needs attention (missing and late work, new
feedback, low grades), what is due this week, recent feedback and class events coming up,
across all of a guardian's children whose links allow classwork.

It reads each child's work summary (``village.classwork.family.summary``), never the classwork
tables, unless a summary is out of date. Statuses are computed against ``now`` from the moments
in the summaries, and ``valid_until`` says when the clock alone changes the result. Scores and
course grades are filled in only for children whose link also allows grades.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.classwork import versions
from village.classwork.family import summary
from village.classwork.family.work import FamilyWork
from village.classwork.grades import LOW_GRADE
from village.classwork.selectors.events import UpcomingEvent, upcoming_events
from village.classwork.selectors.work import current_classes
from village.classwork.status import WorkStatus, status_from_moments
from village.families import selectors as family
from village.families.selectors import ATTENTION_PER_CHILD, AttentionMore
from village.families.surface import AreaChild, AttentionItem, Child

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


def family_overview(
    user: User, *, now: dt.datetime | None = None, known: list[AreaChild] | None = None
) -> FamilyOverview:
    """Needs attention, due this week, recent feedback and events coming up across all of
    ``user``'s children whose classwork they see.

    Needs attention lists at most ``ATTENTION_PER_CHILD`` items per child, the most urgent
    first, and counts the rest (``attention_more``): the child's page has them all. Five
    queries whatever the number of children, classes and assignments (links with their
    versions, classes, the children's summaries, which feedback this guardian has opened and
    the classes' events; four when the ``known`` children and versions are given), plus a
    rebuild of any summary out of date (``village.classwork.family.summary``).
    """
    now = now or timezone.now()
    if known is None:
        found = [one for one in family.family_versions(user) if one.area.name == versions.AREA]
        known = found[0].children if found else []
    if not known:
        return FamilyOverview([], [], [], [])
    children = [shown.child for shown in known]
    classes = current_classes([child.id for child in children])
    found_summaries = summary.summaries(
        [
            summary.Wanted(
                shown.child.id,
                summary.summary_key(
                    shown.token, [class_id for class_id, _title in classes[shown.child.id]]
                ),
                classes[shown.child.id],
            )
            for shown in known
        ],
        now=now,
    )
    seen = summary.seen_feedback(user.pk, since=now - UNSEEN_FEEDBACK)
    titles = {class_id: title for pairs in classes.values() for class_id, title in pairs}
    work = _window_work(children, found_summaries, titles, seen, now=now)
    overdue = [w for w in work if w.status in (WorkStatus.MISSING, WorkStatus.LATE)]
    unseen, unseen_totals, recent = _feedback_news(children, found_summaries, titles, seen, now=now)
    grades = {
        (child.id, class_id): summary.number(grade)
        for child in children
        if child.grades
        for class_id, grade in found_summaries[child.id].grades.items()
    }
    items = _attention(children, overdue, unseen, grades, titles)
    # unseen feedback is cut per child before this: the totals count what was cut
    listed: dict[int, int] = defaultdict(int)
    for w in unseen:
        listed[w.child.id] += 1
    cut = {child_id: total - listed[child_id] for child_id, total in unseen_totals.items()}
    shown, more = family.needs_attention(children, items, cut)
    events = family_events(children, classes, now=now)
    return FamilyOverview(
        children=children,
        needs_attention=[item.data for item in shown],
        this_week=sorted(
            (w for w in work if w.due_at is not None and w.due_at >= now),
            key=lambda w: (w.due_at, w.child.name, w.title),
        ),
        recent_feedback=recent,
        attention_more=more,
        # an event leaves the list when it ends; one entering the window shows within the
        # panel's longest keep (``families.panels.KEEP_SECONDS``)
        valid_until=min([_next_change(found_summaries.values(), now), *(e.until for e in events)]),
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


def _next_change(found: Iterable[summary.Summary], now: dt.datetime) -> dt.datetime:
    """The first moment after ``now`` at which the clock alone changes the overview: work is
    published, falls due, enters the week ahead or leaves the attention window; feedback stops
    being recent or unseen-news; a summary expires."""
    now_us = summary.micros(now)
    week, window = summary.micros_of(THIS_WEEK), summary.micros_of(ATTENTION_WINDOW)
    recent, unseen = summary.micros_of(RECENT_FEEDBACK), summary.micros_of(UNSEEN_FEEDBACK)
    moments: list[int] = []
    for one in found:
        moments.append(summary.micros(one.built_at + summary.LIFETIME))
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
    first = min(later, default=summary.micros(now + summary.LIFETIME))
    return summary.moment(first) or now


def _window_work(
    children: list[Child],
    found: dict[int, summary.Summary],
    titles: dict[int, str],
    seen: set[int],
    *,
    now: dt.datetime,
) -> list[FamilyWork]:
    """Published work that is missing or late (due within ``ATTENTION_WINDOW`` before ``now``)
    or due within ``THIS_WEEK`` after it. Statuses are compared as stored moments, and only the
    work kept becomes a ``FamilyWork``."""
    now_us = summary.micros(now)
    start, end = summary.micros(now - ATTENTION_WINDOW), summary.micros(now + THIS_WEEK)
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
            if due < now_us and status not in summary.OVERDUE:
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
                    due_at=summary.moment(due),
                    status=status,
                    returned_at=summary.moment(row.returned_at),
                    comment=row.comment if returned else "",
                    score=summary.number(row.score) if returned and child.grades else None,
                    points=summary.number(row.points),
                    seen=not returned or row.feedback_id in seen,
                )
            )
    return work


def _feedback_news(
    children: list[Child],
    found: dict[int, summary.Summary],
    titles: dict[int, str],
    seen: set[int],
    *,
    now: dt.datetime,
) -> tuple[list[FamilyWork], dict[int, int], list[FamilyWork]]:
    """Unseen feedback (the newest ``ATTENTION_PER_CHILD`` per child, and each child's total)
    and the ``RECENT_FEEDBACK_LIMIT`` newest pieces returned within ``RECENT_FEEDBACK``."""
    now_us = summary.micros(now)
    unseen_since = summary.micros(now - UNSEEN_FEEDBACK)
    recent_since = summary.micros(now - RECENT_FEEDBACK)
    readable: list[tuple[int, int, Child, summary.Returned]] = []
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
    child: Child, row: summary.Returned, titles: dict[int, str], seen: bool, now_us: int
) -> FamilyWork:
    return FamilyWork(
        child=child,
        assignment_id=row.assignment_id,
        title=row.title,
        class_id=row.class_id,
        class_title=titles.get(row.class_id, ""),
        topic_title=row.topic_title,
        due_at=summary.moment(row.due_at),
        status=status_from_moments(
            due_at=row.due_at,
            submitted_at=row.submitted_at,
            returned_at=row.returned_at,
            excused=False,
            now=now_us,
        ),
        returned_at=summary.moment(row.returned_at),
        comment=row.comment,
        score=summary.number(row.score) if child.grades else None,
        points=summary.number(row.points),
        seen=seen,
        teacher=row.teacher,
    )


def _attention(
    children: list[Child],
    overdue: list[FamilyWork],
    unseen: list[FamilyWork],
    grades: dict[tuple[int, int], Decimal | None],
    class_titles: dict[int, str],
) -> list[AttentionItem]:
    """Every item that needs attention, for the families' list (``item.data``: the
    ``Attention``)."""
    by_id = {child.id: child for child in children}
    found = [
        Attention(AttentionKind(w.status), w.child, w.class_id, w.class_title, work=w)
        for w in overdue
    ]
    found += [
        Attention(AttentionKind.NEW_FEEDBACK, w.child, w.class_id, w.class_title, work=w)
        for w in unseen
    ]
    for (student_id, class_id), grade in grades.items():
        if grade is not None and grade < LOW_GRADE:
            found.append(
                Attention(
                    AttentionKind.LOW_GRADE,
                    by_id[student_id],
                    class_id,
                    class_titles.get(class_id, ""),
                    grade=grade,
                )
            )
    return [attention_item(item) for item in found]


def attention_item(item: Attention, html: SafeString | None = None) -> AttentionItem:
    """``item`` as a line of the families' "needs attention" list: by kind first; then the
    oldest due work, or the newest feedback, first."""
    when = 0.0
    at = None
    if item.work is not None and item.kind == AttentionKind.NEW_FEEDBACK:
        at = item.work.returned_at
        when = -at.timestamp() if at else 0.0
    elif item.work is not None and item.work.due_at is not None:
        at = item.work.due_at
        when = at.timestamp()
    return AttentionItem(
        child=item.child,
        kind=item.kind.value,
        label=str(item.kind.label),
        urgency=_ATTENTION_ORDER[item.kind],
        when=when,
        title=item.class_title,
        link=_link(item),
        html=html,
        at=at,
        data=item,
    )


def _link(item: Attention) -> str:
    if item.work is None:
        return reverse("families:child", args=[item.child.id]) + f"#class-{item.class_id}"
    return reverse("classwork:assignment", args=[item.work.assignment_id])
