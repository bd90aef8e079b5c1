"""Classwork's section of the weekly family digest (``village.notifications``), per child: the
teachers' notes for the week, missing work, work due in the coming week, feedback returned since
the last digest with the teacher's words, course grades that moved (only where the link allows
grades), what each class studies next week, and one conversation starter (which may quote the
child's interests, where the guardian may read them: ``village.classwork.family.interests``).

Everything is read once for the whole batch of guardians being composed (``DigestBatch.once``):
seven queries whatever the number of guardians, children and classes, and the interests' provider
once (one or two more). Each guardian's builder
then takes its own children's part, within the period its digest covers, and writes it from
pieces of ``classwork/family/digest/pieces.html`` (and ``.txt``) rendered once per language and
filled in per child (``village.classwork.family.digest_pieces``).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from village.accounts.models import User, display_name, short_name
from village.classwork.family import interests as child_interests
from village.classwork.family.digest_pieces import Pieces, write_child
from village.classwork.family.interests import Interest
from village.classwork.family.overview import ATTENTION_WINDOW
from village.classwork.family.starters import Starter, TopicFact, WorkFact, conversation_starters
from village.classwork.family.work import FeedbackRow, GradeMove, feedback_rows, grade_moves
from village.classwork.grades import LOW_GRADE, percent
from village.classwork.models import Topic
from village.classwork.selectors.notes import NoteView, student_notes
from village.classwork.selectors.work import OpenWork, current_classes, open_work
from village.classwork.status import WorkStatus
from village.classwork.translations import names
from village.community.models import Scope
from village.community.templatetags.content_lang import content_language
from village.families.surface import Child
from village.notifications import registry
from village.notifications.registry import DigestBatch, DigestRequest, DigestSection
from village.notifications.services.notify import site_link
from village.translation import languages
from village.translation.selectors import lookup_classes
from village.translation.texts import Shown, Text

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

_ID = "1111111111"


@dataclass(frozen=True, slots=True)
class DigestWork:
    """A piece of work the email lists: missing, or due in the coming week."""

    title: str
    class_title: str
    due_at: dt.datetime | None
    link: str
    #: ``title`` is a machine translation into the guardian's language.
    translated: bool = False


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
    #: ``title`` and ``comment`` are machine translations into the guardian's language.
    translated: bool = False

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
    translated: bool = False


@dataclass(frozen=True, slots=True)
class DigestNote:
    """A teacher's note on what to work on next."""

    class_title: str
    text: str
    author: str
    translated: bool = False


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
    """Everything the section shows, for every child of the batch (seven queries)."""
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


def _work(item: OpenWork, translate: Translate) -> DigestWork:
    title, translated = translate(item.class_id, item.title)
    return DigestWork(
        title=title,
        class_title=item.class_title,
        due_at=item.due_at,
        link=_link("classwork:assignment", item.assignment_id),
        translated=translated,
    )


def _words(text: str, count: int) -> str:
    words = text.split()
    return text if len(words) <= count else " ".join(words[:count]) + " …"


def _feedback(
    row: FeedbackRow,
    child: Child,
    titles: dict[int, str],
    translate: Translate,
    keep: tuple[str, ...],
) -> DigestFeedback:
    title, titled = translate(row.class_id, row.title)
    comment, commented = translate(row.class_id, row.comment, keep) if row.comment else ("", False)
    return DigestFeedback(
        title=title,
        class_title=titles.get(row.class_id, row.class_title),
        teacher=row.teacher.strip(),
        comment=_words(comment, COMMENT_WORDS),
        returned_at=row.returned_at,
        score=row.score if child.grades else None,
        points=row.points,
        link=_link("classwork:assignment", row.assignment_id),
        translated=titled or commented,
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
    child: Child,
    read: BatchRead,
    *,
    since: dt.datetime,
    now: dt.datetime,
    translate: Translate | None = None,
    interests: Sequence[Interest] = (),
) -> ChildDigest:
    """One child's part, for a guardian whose digest covers ``since`` to ``now`` (in the
    active time zone: the guardian's), what the teachers wrote in their language where its
    translation is ready (``translate``); ``interests``: the child's that the guardian may
    read, for the starter."""
    translate = translate or NO_TRANSLATION
    keep = names(child.name, child.full_name)
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
    notes = _child_notes(
        read.notes.get(child.id, []),
        titles,
        _monday(timezone.localdate(since)),
        lambda class_id, text: translate(class_id, text, keep),
    )
    this_week = _class_topics(read.topics, titles, starts, today, translate)
    next_week = _class_topics(
        read.topics,
        titles,
        starts + dt.timedelta(days=7),
        starts + dt.timedelta(days=13),
        translate,
    )
    shown_missing = [_work(i, translate) for i in missing[:MISSING_SHOWN]]
    shown_due = [_work(i, translate) for i in due[:DUE_SHOWN]]
    feedback = [_feedback(row, child, titles, translate, keep) for row in returned[:FEEDBACK_SHOWN]]
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
            DigestTopic(t.class_title, t.title, _words(t.summary, SUMMARY_WORDS), t.translated)
            for t in next_week
        ],
        starter=_starter(
            child, today, this_week, feedback, shown_due, shown_missing, interests=interests
        ),
    )


def _child_notes(
    notes: list[NoteView],
    titles: dict[int, str],
    first_week: dt.date,
    translate: Callable[[int, str], tuple[str, bool]],
) -> list[DigestNote]:
    """The newest note of each class from ``first_week`` on (notes come newest week first)."""
    seen: set[int] = set()
    found = []
    for note in notes:
        if note.class_id in seen or note.class_id not in titles or note.week_start < first_week:
            continue
        seen.add(note.class_id)
        text, translated = translate(note.class_id, note.text)
        found.append(DigestNote(titles[note.class_id], text, note.author, translated))
    return sorted(found, key=lambda note: note.class_title)


def _class_topics(
    topics: dict[int, list[TopicRow]],
    titles: dict[int, str],
    first: dt.date,
    last: dt.date,
    translate: Translate,
) -> list[DigestTopic]:
    """Topics of the child's classes whose dates meet ``first`` to ``last``, by class."""
    found = []
    for class_id, title in sorted(titles.items(), key=lambda pair: pair[1]):
        for topic in topics.get(class_id, []):
            if topic.starts_on <= last and topic.ends_on >= first:
                name, named = translate(class_id, topic.title)
                summary, summarised = (
                    translate(class_id, topic.summary) if topic.summary else ("", False)
                )
                found.append(DigestTopic(title, name, summary, named or summarised))
    return found


def _starter(
    child: Child,
    today: dt.date,
    topics: Sequence[DigestTopic],
    feedback: list[DigestFeedback],
    due: list[DigestWork],
    missing: list[DigestWork],
    *,
    interests: Sequence[Interest] = (),
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
        interests=interests,
        limit=1,
    )
    return starters[0] if starters else None


class Translate:
    """What the teachers wrote, as a guardian reads it: a text's machine translation into their
    language where it is ready, else the text as written (``translated`` False)."""

    def __init__(self, found: Mapping[tuple[int, Text], Shown] | None = None) -> None:
        self.found = found or {}

    def __call__(self, class_id: int, text: str, keep: tuple[str, ...] = ()) -> tuple[str, bool]:
        """``text`` of ``class_id`` (written with ``keep``'s names kept), and whether it is a
        translation."""
        if not self.found:
            return text, False
        shown = self.found.get((class_id, written(text, keep)))
        if shown is None or not shown.translated:
            return text, False
        return shown.text, True


def _student_names(student_ids: Collection[int]) -> dict[int, tuple[str, ...]]:
    """Each student's names, kept as written in what teachers wrote about them (one query)."""
    rows = User.objects.filter(pk__in=list(student_ids)).values_list(
        "pk", "username", "first_name", "preferred_name", "last_name"
    )
    return {
        pk: names(
            short_name(username=username, first_name=first, preferred_name=preferred),
            display_name(
                username=username, first_name=first, preferred_name=preferred, last_name=last
            ),
        )
        for pk, username, first, preferred, last in rows
    }


def written(text: str, keep: tuple[str, ...] = ()) -> Text:
    """A teacher-written text of the section, as it was asked to be translated."""
    return Text(text, content_language(), keep=keep)


def _translations(batch: DigestBatch, read: BatchRead, target: str) -> Translate:
    """The teacher-written texts of the batch's children read in ``target`` (one query, and
    one for the students' names the first time a batch translates)."""
    return Translate(lookup_classes(_texts(batch, read, target), target=target))


def _texts(batch: DigestBatch, read: BatchRead, target: str) -> dict[int, list[Text]]:
    """The teacher-written texts, by class and each once (a work's title is in the digest of
    every child of the class), of the batch's children some guardian reads in ``target``."""
    keep = batch.once(
        "classwork.digest.names", lambda: _student_names(batch.student_ids(Scope.CLASSWORK))
    )
    children = batch.read_in(languages.key(target))
    classes = {
        class_id
        for pk, pairs in read.classes.items()
        if children is None or pk in children
        for class_id, _title in pairs
    }
    wanted: dict[int, dict[Text, None]] = defaultdict(dict)
    for pk in read.classes if children is None else children:
        for item in read.work.get(pk, ()):
            wanted[item.class_id][written(item.title)] = None
        for row in read.feedback.get(pk, ()):
            wanted[row.class_id][written(row.title)] = None
            if row.comment:
                wanted[row.class_id][written(row.comment, keep.get(pk, ()))] = None
        for note in read.notes.get(pk, ()):
            wanted[note.class_id][written(note.text, keep.get(pk, ()))] = None
    for class_id in classes:
        for topic in read.topics.get(class_id, ()):
            for value in (topic.title, topic.summary):
                if value:
                    wanted[class_id][written(value)] = None
    return {class_id: list(texts) for class_id, texts in wanted.items()}


def translate_for(batch: DigestBatch, read: BatchRead, reader: User) -> Translate:
    """How the section translates for ``reader``: nothing for a reader of the teachers'
    language (no query), else the batch's translations into theirs (read once per batch and
    language)."""
    target = reader.preferred_language
    if not target or languages.same(target, content_language()):
        return NO_TRANSLATION
    return batch.once(
        f"classwork.digest.translations:{languages.key(target)}",
        lambda: _translations(batch, read, target),
    )


NO_TRANSLATION = Translate()


def digest_section(asked: DigestRequest) -> DigestSection | None:
    """Classwork's section of one guardian's digest: a part per child."""
    batch = asked.shared()
    read = batch.once("classwork.digest", lambda: read_batch(batch))
    language = translation.get_language() or settings.LANGUAGE_CODE
    zone = timezone.get_current_timezone_name()
    pieces = batch.once(f"classwork.digest.pieces:{language}:{zone}", Pieces)
    translate = translate_for(batch, read, asked.user)
    enjoys = batch.once(
        "classwork.digest.interests",
        lambda: child_interests.for_families(batch.student_ids(Scope.CLASSWORK)),
    )
    children = [
        child_digest(
            child,
            read,
            since=asked.since,
            now=asked.until,
            translate=translate,
            interests=child_interests.read_by(enjoys, asked.user.pk, child.id),
        )
        for child in asked.children
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
