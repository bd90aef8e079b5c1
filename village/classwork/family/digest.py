"""Classwork's section of the weekly family digest (``village.notifications``), per child: the
teachers' notes for the week, missing work, work due in the coming week, feedback returned since
the last digest with the teacher's words, course grades that moved (only where the link allows
grades), what each class studies next week, and one conversation starter.

Everything is read once for the whole batch of guardians being composed (``DigestBatch.once``):
nine queries whatever the number of guardians, children and classes. Each guardian's builder
then takes its own children's part, within the period its digest covers, and writes it from
pieces of ``classwork/family/digest/pieces.html`` (and ``.txt``) rendered once per language and
filled in per child (``village.core.slots``): a district's digests are thousands of emails.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import formats, timezone, translation

from village.classwork.family.overview import ATTENTION_WINDOW
from village.classwork.family.starters import Starter, TopicFact, WorkFact, conversation_starters
from village.classwork.family.work import FeedbackRow, GradeMove, feedback_rows, grade_moves
from village.classwork.grades import LOW_GRADE, percent
from village.classwork.models import Topic
from village.classwork.selectors.notes import NoteView, student_notes
from village.classwork.selectors.work import OpenWork, current_classes, open_work
from village.classwork.status import WorkStatus
from village.community.models import Scope
from village.core.slots import Slots
from village.families.surface import Child
from village.notifications import registry
from village.notifications.registry import DigestBatch, DigestRequest, DigestSection
from village.notifications.services.notify import site_link

#: Work due this far ahead is "due in the coming week".
DUE_AHEAD = dt.timedelta(days=7)
#: Missing work due within this window before now (as on the family overview).
MISSING_WINDOW = ATTENTION_WINDOW
#: A course grade that moved by this many points, or crossed the low line, is worth telling.
GRADE_CHANGE = Decimal(2)
#: Lines per list in the email; the child's page has the rest.
MISSING_SHOWN = 5
DUE_SHOWN = 6
FEEDBACK_SHOWN = 5
#: Words of a comment or a topic's summary the email quotes.
COMMENT_WORDS = 60
SUMMARY_WORDS = 30

PIECES = "classwork/family/digest/pieces"
_ID = "1111111111"


@dataclass(frozen=True, slots=True)
class DigestWork:
    """A piece of work the email lists: missing, or due in the coming week."""

    title: str
    class_title: str
    due_at: dt.datetime | None
    link: str


@dataclass(frozen=True, slots=True)
class DigestFeedback:
    """Feedback returned since the last digest; ``score`` only where the link allows grades."""

    title: str
    class_title: str
    teacher: str
    comment: str
    returned_at: dt.datetime
    score: Decimal | None
    points: Decimal | None
    link: str

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.points:
            return None
        return percent(self.score, self.points)


@dataclass(frozen=True, slots=True)
class GradeChange:
    """A course grade at the start of the week and now."""

    class_title: str
    before: Decimal
    now: Decimal

    @property
    def low(self) -> bool:
        return self.now < LOW_GRADE


@dataclass(frozen=True, slots=True)
class DigestTopic:
    class_title: str
    title: str
    summary: str


@dataclass(frozen=True, slots=True)
class DigestNote:
    """A teacher's note on what to work on next."""

    class_title: str
    text: str
    author: str


@dataclass(frozen=True)
class ChildDigest:
    """One child's part of the section."""

    child: Child
    link: str
    notes: list[DigestNote] = field(default_factory=list)
    missing: list[DigestWork] = field(default_factory=list)
    missing_more: int = 0
    due: list[DigestWork] = field(default_factory=list)
    due_more: int = 0
    feedback: list[DigestFeedback] = field(default_factory=list)
    feedback_more: int = 0
    grades: list[GradeChange] = field(default_factory=list)
    next_week: list[DigestTopic] = field(default_factory=list)
    starter: Starter | None = None

    @property
    def news(self) -> bool:
        return bool(self.notes or self.missing or self.due or self.feedback or self.grades)


# --- the batch's reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRow:
    class_id: int
    title: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class BatchRead:
    """What the batch's children's sections need, read once for all of them."""

    classes: dict[int, list[tuple[int, str]]]
    work: dict[int, list[OpenWork]]
    feedback: dict[int, list[FeedbackRow]]
    grades: dict[tuple[int, int], GradeMove]
    topics: dict[int, list[TopicRow]]
    notes: dict[int, list[NoteView]]


def read_batch(batch: DigestBatch) -> BatchRead:
    """Everything the section shows, for every child of the batch (nine queries)."""
    now = batch.now
    ids = batch.student_ids(Scope.CLASSWORK)
    classes = current_classes(ids)
    if batch.classes is not None:
        allowed = batch.classes
        classes = {
            pk: [(class_id, title) for class_id, title in pairs if class_id in allowed.get(pk, ())]
            for pk, pairs in classes.items()
        }
    work: dict[int, list[OpenWork]] = defaultdict(list)
    for item in open_work(
        classes,
        families_only=True,
        due_after=now - MISSING_WINDOW,
        due_before=now + DUE_AHEAD,
        now=now,
    ):
        work[item.student_id].append(item)
    # Every child may have scores here: each guardian's part shows them only with grades.
    everyone = [Child(pk, "", "", "", grades=True) for pk in ids]
    feedback: dict[int, list[FeedbackRow]] = defaultdict(list)
    for row in feedback_rows(everyone, classes, since=batch.since, until=now):
        feedback[row.student_id].append(row)
    graded = set(batch.student_ids(Scope.CLASSWORK, Scope.GRADES))
    return BatchRead(
        classes=classes,
        work=work,
        feedback=feedback,
        grades=_moved_grades({pk: classes.get(pk, []) for pk in graded}, batch),
        topics=_topics(classes, now),
        notes=_notes(classes, batch),
    )


def week_began(now: dt.datetime) -> dt.datetime:
    """Monday 00:00 of ``now``'s week in the school's time zone: a grade "at the start of the
    week" counts the work returned before it."""
    local = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0, 0), tzinfo=local.tzinfo)


def _moved_grades(
    classes: dict[int, list[tuple[int, str]]], batch: DigestBatch
) -> dict[tuple[int, int], GradeMove]:
    """The course grades now and at the start of the week (one query, summed in SQL)."""
    return grade_moves(classes, now=batch.now, then=week_began(batch.now))


def _topics(
    classes: dict[int, list[tuple[int, str]]], now: dt.datetime
) -> dict[int, list[TopicRow]]:
    """Topics of the classes from a week before now to two weeks after (one query)."""
    class_ids = {class_id for pairs in classes.values() for class_id, _title in pairs}
    if not class_ids:
        return {}
    today = now.date()
    rows = Topic.objects.filter(
        school_class_id__in=sorted(class_ids),
        starts_on__lte=today + dt.timedelta(days=15),
        ends_on__gte=today - dt.timedelta(days=8),
    ).order_by("starts_on", "id")
    found: dict[int, list[TopicRow]] = defaultdict(list)
    for topic in rows.values_list("school_class_id", "title", "summary", "starts_on", "ends_on"):
        found[topic[0]].append(TopicRow(*topic))
    return found


def _notes(
    classes: dict[int, list[tuple[int, str]]], batch: DigestBatch
) -> dict[int, list[NoteView]]:
    """Teachers' notes of the weeks the batch's digests cover (one query)."""
    # a day's margin either side: the guardians' weeks are in their own time zones
    first = _monday(batch.since.date()) - dt.timedelta(days=1)
    found: dict[int, list[NoteView]] = defaultdict(list)
    wanted: dict[int, Collection[int]] = {
        pk: [class_id for class_id, _title in pairs] for pk, pairs in classes.items()
    }
    last = batch.now.date() + dt.timedelta(days=1)
    for note in student_notes(wanted, first_week=first, last_week=last):
        found[note.student_id].append(note)
    return found


# --- one guardian's part -------------------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@functools.cache
def _pattern(name: str) -> str:
    """The site link of a page by ``name``, with ``_ID`` where the object's id goes."""
    return site_link(reverse(name, args=[int(_ID)]))


def _link(name: str, pk: int) -> str:
    return _pattern(name).replace(_ID, str(pk))


def _work(item: OpenWork) -> DigestWork:
    return DigestWork(
        title=item.title,
        class_title=item.class_title,
        due_at=item.due_at,
        link=_link("classwork:assignment", item.assignment_id),
    )


def _words(text: str, count: int) -> str:
    words = text.split()
    return text if len(words) <= count else " ".join(words[:count]) + " …"


def _feedback(row: FeedbackRow, child: Child, titles: dict[int, str]) -> DigestFeedback:
    return DigestFeedback(
        title=row.title,
        class_title=titles.get(row.class_id, row.class_title),
        teacher=row.teacher.strip(),
        comment=_words(row.comment, COMMENT_WORDS),
        returned_at=row.returned_at,
        score=row.score if child.grades else None,
        points=row.points,
        link=_link("classwork:assignment", row.assignment_id),
    )


def _grade_changes(
    child: Child, read: BatchRead, titles: dict[int, str], since: dt.datetime
) -> list[GradeChange]:
    """Grades worth knowing: moved by ``GRADE_CHANGE`` points or more since the start of the
    week, or across the low line, with counted work returned since ``since``."""
    if not child.grades:
        return []
    changes = []
    for class_id, title in read.classes.get(child.id, []):
        found = read.grades.get((child.id, class_id))
        if found is None or found.last_returned < since:
            continue
        before, now = found.then, found.now
        if before is None or now is None:
            continue
        crossed = (before < LOW_GRADE) != (now < LOW_GRADE)
        if abs(now - before) >= GRADE_CHANGE or crossed:
            changes.append(GradeChange(titles.get(class_id, title), before, now))
    return changes


def child_digest(
    child: Child, read: BatchRead, *, since: dt.datetime, now: dt.datetime
) -> ChildDigest:
    """One child's part, for a guardian whose digest covers ``since`` to ``now`` (in the
    active time zone: the guardian's)."""
    today = timezone.localdate(now)
    starts = _monday(today)
    titles = dict(read.classes.get(child.id, []))
    items = [item for item in read.work.get(child.id, []) if item.class_id in titles]
    missing = [i for i in items if i.status == WorkStatus.MISSING]
    due = [
        i
        for i in items
        if i.status == WorkStatus.NOT_YET_DUE and i.due_at is not None and i.due_at >= now
    ]
    returned = [
        row
        for row in read.feedback.get(child.id, [])
        if row.returned_at >= since
        and row.class_id in titles
        and (row.comment or (child.grades and row.score is not None))
    ]
    notes = _child_notes(read.notes.get(child.id, []), titles, _monday(timezone.localdate(since)))
    this_week = _class_topics(read.topics, titles, starts, today)
    next_week = _class_topics(
        read.topics, titles, starts + dt.timedelta(days=7), starts + dt.timedelta(days=13)
    )
    shown_missing = [_work(i) for i in missing[:MISSING_SHOWN]]
    shown_due = [_work(i) for i in due[:DUE_SHOWN]]
    feedback = [_feedback(row, child, titles) for row in returned[:FEEDBACK_SHOWN]]
    return ChildDigest(
        child=child,
        link=_link("families:child", child.id),
        notes=notes,
        missing=shown_missing,
        missing_more=max(len(missing) - MISSING_SHOWN, 0),
        due=shown_due,
        due_more=max(len(due) - DUE_SHOWN, 0),
        feedback=feedback,
        feedback_more=max(len(returned) - FEEDBACK_SHOWN, 0),
        grades=_grade_changes(child, read, titles, since),
        next_week=[
            DigestTopic(t.class_title, t.title, _words(t.summary, SUMMARY_WORDS)) for t in next_week
        ],
        starter=_starter(child, today, this_week, feedback, shown_due, shown_missing),
    )


def _child_notes(
    notes: list[NoteView], titles: dict[int, str], first_week: dt.date
) -> list[DigestNote]:
    """The newest note of each class from ``first_week`` on (notes come newest week first)."""
    seen: set[int] = set()
    found = []
    for note in notes:
        if note.class_id in seen or note.class_id not in titles or note.week_start < first_week:
            continue
        seen.add(note.class_id)
        found.append(DigestNote(titles[note.class_id], note.text, note.author))
    return sorted(found, key=lambda note: note.class_title)


def _class_topics(
    topics: dict[int, list[TopicRow]], titles: dict[int, str], first: dt.date, last: dt.date
) -> list[DigestTopic]:
    """Topics of the child's classes whose dates meet ``first`` to ``last``, by class."""
    return [
        DigestTopic(title, topic.title, topic.summary)
        for class_id, title in sorted(titles.items(), key=lambda pair: pair[1])
        for topic in topics.get(class_id, [])
        if topic.starts_on <= last and topic.ends_on >= first
    ]


def _starter(
    child: Child,
    today: dt.date,
    topics: Sequence[DigestTopic],
    feedback: list[DigestFeedback],
    due: list[DigestWork],
    missing: list[DigestWork],
) -> Starter | None:
    starters = conversation_starters(
        name=child.name,
        child_id=child.id,
        today=today,
        topics=[TopicFact(topic.title, topic.class_title) for topic in topics],
        # One starter: it comes from the first of a kind, so the others are not passed.
        feedback=[
            WorkFact(one.title, one.class_title, one.teacher) for one in feedback if one.comment
        ][:1],
        due=[
            WorkFact(work.title, work.class_title, due_on=timezone.localdate(work.due_at))
            for work in due[:1]
            if work.due_at is not None
        ],
        missing=[WorkFact(work.title, work.class_title) for work in missing[:1]],
        limit=1,
    )
    return starters[0] if starters else None


# --- writing it ----------------------------------------------------------------------------------


class Pieces:
    """The section's pieces in the active language and time zone, each rendered once (HTML and
    plain text) with slots, and the dates they write, each formatted once."""

    def __init__(self) -> None:
        self.slots: dict[tuple[object, ...], tuple[Slots, Slots]] = {}
        self.days: dict[dt.datetime, tuple[str, str]] = {}
        self.separator = str(formats.get_format("DECIMAL_SEPARATOR"))

    def piece(self, name: str, slots: tuple[str, ...] = (), **flags: object) -> tuple[Slots, Slots]:
        key = (name, *sorted(flags.items()))
        found = self.slots.get(key)
        if found is None:
            context = {"piece": name, **flags}
            found = self.slots[key] = (
                Slots(f"{PIECES}.html", context, slots),
                Slots(f"{PIECES}.txt", context, slots, autoescape=False),
            )
        return found

    def day(self, moment: dt.datetime | None) -> tuple[str, str]:
        """A moment's weekday and date, and time, as the family pages write them."""
        if moment is None:
            return "", ""
        found = self.days.get(moment)
        if found is None:
            local = timezone.localtime(moment)
            weekday = formats.date_format(local, "l")
            day = f"{weekday} {formats.date_format(local, 'MONTH_DAY_FORMAT')}"
            found = self.days[moment] = (day, formats.time_format(local, "TIME_FORMAT"))
        return found


@dataclass(frozen=True, slots=True)
class Plain:
    """A value written as ``html`` in the HTML part and as ``text`` in the plain text."""

    html: str
    text: str


#: A piece of a list: its name, its values and the flags that choose its variant.
Item = tuple[str, dict[str, object], dict[str, object]]


class _Writer:
    def __init__(self, pieces: Pieces) -> None:
        self.pieces = pieces
        self.html: list[str] = []
        self.text: list[str] = []

    def add(self, name: str, values: dict[str, object] | None = None, **flags: object) -> None:
        """The piece ``name`` with ``values``; a value given as a ``Plain`` is written one way
        in HTML and another in plain text."""
        values = values or {}
        html, text = self.pieces.piece(name, tuple(values), **flags)
        if not any(isinstance(value, Plain) for value in values.values()):
            self.html.append(html.fill(values))
            self.text.append(text.fill(values))
            return
        self.html.append(
            html.fill({k: v.html if isinstance(v, Plain) else v for k, v in values.items()})
        )
        self.text.append(
            text.fill({k: v.text if isinstance(v, Plain) else v for k, v in values.items()})
        )

    def listed(self, heading: str, items: list[Item]) -> None:
        if not items:
            return
        self.add("heading", heading=heading)
        self.add("list_start")
        for name, values, flags in items:
            self.add(name, values, **flags)
        self.add("list_end")


def _number(value: Decimal | None, separator: str, *, whole: bool = False) -> str:
    """A score or percentage as ``floatformat`` writes it (``"-2"``: two decimals only when
    there is a fraction; ``whole``: ``"0"``), without its cost: thousands are written."""
    if value is None:
        return ""
    if whole or value == value.to_integral_value():
        return str(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).replace(".", separator)


def _item(name: str, values: Mapping[str, object], **flags: object) -> Item:
    return name, dict(values), flags


def _feedback_item(one: DigestFeedback, separator: str) -> Item:
    values = {
        "link": one.link,
        "title": one.title,
        "class": one.class_title,
        "teacher": one.teacher,
        "comment": Plain(linebreaksbr(one.comment), one.comment),
        "score": _number(one.score, separator),
        "points": _number(one.points, separator),
        "percent": _number(one.percent, separator, whole=True),
    }
    score_kind = "none" if one.score is None else "points" if one.points else "score"
    return _item(
        "feedback",
        values,
        with_teacher=bool(one.teacher),
        with_comment=bool(one.comment),
        score_kind=score_kind,
    )


def _work_item(name: str, work: DigestWork, pieces: Pieces) -> Item:
    day, time = pieces.day(work.due_at)
    values = {"link": work.link, "title": work.title, "class": work.class_title, "day": day}
    if name == "due":
        values["time"] = time
    return _item(name, values)


def _more(name: str, part: ChildDigest, count: int) -> list[Item]:
    return [_item(name, {"link": part.link}, count=count)] if count else []


def write_child(part: ChildDigest, pieces: Pieces) -> tuple[str, str]:
    """One child's part as HTML and plain text."""
    out = _Writer(pieces)
    name = part.child.name
    out.add("child_start", {"id": part.child.id, "name": Plain(name, name.upper())})
    out.listed(
        "notes",
        [
            _item(
                "note",
                {"text": n.text, "author": n.author, "class": n.class_title},
                with_author=bool(n.author),
            )
            for n in part.notes
        ],
    )
    missing = [_work_item("missing", work, pieces) for work in part.missing]
    out.listed("missing", missing + _more("more_missing", part, part.missing_more))
    due = [_work_item("due", work, pieces) for work in part.due]
    out.listed("due", due + _more("more", part, part.due_more))
    feedback = [_feedback_item(one, pieces.separator) for one in part.feedback]
    out.listed("feedback", feedback + _more("more", part, part.feedback_more))
    out.listed(
        "grades",
        [
            _item(
                "grade",
                {
                    "class": g.class_title,
                    "now": _number(g.now, pieces.separator, whole=True),
                    "before": _number(g.before, pieces.separator, whole=True),
                },
                low=g.low,
            )
            for g in part.grades
        ],
    )
    out.listed(
        "next_week",
        [
            _item(
                "topic",
                {"title": t.title, "class": t.class_title, "summary": t.summary},
                with_summary=bool(t.summary),
            )
            for t in part.next_week
        ],
    )
    if part.starter is not None:
        out.add("heading", heading="starter")
        out.add("starter", {"html": part.starter.html, "text": part.starter.text})
    if not (part.news or part.next_week or part.starter):
        out.add("nothing", {"name": name})
    out.add("child_end", {"link": part.link, "name": name})
    return "".join(out.html), "".join(out.text)


def digest_section(asked: DigestRequest) -> DigestSection | None:
    """Classwork's section of one guardian's digest: a part per child."""
    batch = asked.shared()
    read = batch.once("classwork.digest", lambda: read_batch(batch))
    language = translation.get_language() or settings.LANGUAGE_CODE
    zone = timezone.get_current_timezone_name()
    pieces = batch.once(f"classwork.digest.pieces:{language}:{zone}", Pieces)
    children = [
        child_digest(child, read, since=asked.since, now=asked.until) for child in asked.children
    ]
    written = [write_child(part, pieces) for part in children]
    return DigestSection(
        html="".join(html for html, _text in written),
        text="\n".join(text for _html, text in written),
        context={"children": children},
        news=any(child.news for child in children),
    )


def register() -> None:
    registry.register_digest_section(Scope.CLASSWORK, "classwork.digest", digest_section, order=10)
