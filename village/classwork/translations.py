"""Teacher-written classwork in each family's language (``village.translation``).

When a teacher saves what families read — a piece of work's title and instructions, a topic, a
class event, returned feedback, the weekly note — the services here ask for it in the home
languages of the families who read it, in the same transaction (a few queries, whatever the
size of the class; none when every family reads the language it is written in). The worker
translates in the background.

The family pages look what they show up in one query (``page_translations``) and hand it to
their templates, which show each text with ``{% translated %}`` and its note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from village.accounts.models import User, display_name, short_name
from village.classwork.models import Assignment, ClassEvent, Feedback, Topic
from village.community.models import Enrollment, EnrollmentRole, LinkStatus, SchoolClass
from village.community.templatetags.content_lang import content_language
from village.translation import selectors, services
from village.translation.texts import Text, Translations


def _families_of(students: Iterable[int] | QuerySet[Enrollment, Any]) -> list[str]:
    """The home languages of the guardians who see these students' classwork (one query)."""
    return sorted(
        set(
            User.objects.filter(
                children_links__student_id__in=students,
                children_links__status=LinkStatus.ACTIVE,
                children_links__no_access=False,
                children_links__scope_classwork=True,
                is_active=True,
            ).values_list("preferred_language", flat=True)
        )
    )


def class_languages(class_id: int) -> list[str]:
    """The home languages of the families of the class's current students (one query)."""
    students = (
        Enrollment.objects.current(timezone.localdate())
        .filter(school_class_id=class_id, role=EnrollmentRole.STUDENT)
        .values("user_id")
    )
    return _families_of(students)


def names(short_name: str, display_name: str) -> tuple[str, ...]:
    """A student's names, kept as written in what is said about them: the name they go by and
    each word of their full name (the same from a ``User`` and from a family page's
    ``Child``, so a page finds what was asked)."""
    return tuple(sorted({short_name, *display_name.split()} - {""}))


def names_of(student: User) -> tuple[str, ...]:
    return names(student.short_name, student.display_name)


def _written(values: Iterable[str], *, keep: Iterable[str] = ()) -> list[Text]:
    return [Text(value, content_language(), keep=tuple(keep)) for value in values if value]


def _for_class(school_class: SchoolClass | None, class_id: int, texts: list[Text]) -> None:
    texts = [text for text in texts if not text.blank]
    if not texts:
        return
    school_id = (
        school_class.school_id
        if school_class is not None
        else SchoolClass.objects.values_list("school_id", flat=True).get(pk=class_id)
    )
    services.request(school_id=school_id, texts=texts, targets=class_languages(class_id))


def assignment_texts(assignment: Assignment) -> list[Text]:
    return [
        *_written([assignment.title]),
        *(
            [Text(assignment.instructions, content_language(), is_html=True)]
            if assignment.instructions
            else []
        ),
    ]


def assignment_saved(assignment: Assignment) -> None:
    """Ask for the work's title and instructions in the class's families' languages."""
    if assignment.visible_to_families:
        _for_class(
            assignment.school_class, assignment.school_class_id, assignment_texts(assignment)
        )


def topic_saved(topic: Topic) -> None:
    _for_class(topic.school_class, topic.school_class_id, _written([topic.title, topic.summary]))


def event_saved(event: ClassEvent) -> None:
    if event.visible_to_families:
        texts = _written([event.title, event.description])
        _for_class(event.school_class, event.school_class_id, texts)


def feedback_text(comment: str, student: User) -> Text:
    return Text(comment, content_language(), keep=names_of(student))


def feedback_returned(feedback: Feedback) -> None:
    """Ask for returned feedback's comment in the student's families' languages."""
    if not feedback.comment.strip():
        return
    student = feedback.student
    school_id = feedback.assignment.school_class.school_id
    services.request(
        school_id=school_id,
        texts=[feedback_text(feedback.comment, student)],
        targets=_families_of([student.pk]),
    )


def note_saved(school_class: SchoolClass, student: User, text: str) -> None:
    """Ask for a weekly note in the student's families' languages."""
    if text.strip():
        services.request(
            school_id=school_class.school_id,
            texts=[Text(text, content_language(), keep=names_of(student))],
            targets=_families_of([student.pk]),
        )


def classes_ask(class_ids: Collection[int]) -> int:
    """Ask for everything families see of these classes — work marked for families and its
    instructions, topics, events marked for families, returned feedback — in their families'
    languages: after a bulk write (the demo's term), which asks for nothing itself. Five
    queries, and two per school and language. Returns how many (text, language) pairs were
    asked."""
    schools: dict[int, int] = {}
    of_class: dict[int, set[str]] = defaultdict(set)
    of_student: dict[int, set[str]] = defaultdict(set)
    for class_id, school_id, student_id, language in _families_of_classes(sorted(class_ids)):
        schools[class_id] = school_id
        of_class[class_id].add(language)
        of_student[student_id].add(language)
    wanted: dict[tuple[int, str], list[Text]] = defaultdict(list)
    for class_id, text in _class_texts(list(of_class)):
        for language in of_class[class_id]:
            wanted[(schools[class_id], language)].append(text)
    for class_id, student_id, text in _feedback_texts(list(of_class)):
        for language in of_student[student_id]:
            wanted[(schools[class_id], language)].append(text)
    return sum(
        services.request(school_id=school_id, texts=texts, targets=[language])
        for (school_id, language), texts in wanted.items()
    )


def _class_texts(class_ids: list[int]) -> Iterator[tuple[int, Text]]:
    """What families read of the classes themselves (three queries)."""
    work = Assignment.objects.filter(school_class_id__in=class_ids, visible_to_families=True)
    for class_id, title, instructions in work.values_list(
        "school_class_id", "title", "instructions"
    ):
        yield class_id, Text(title, content_language())
        if instructions:
            yield class_id, Text(instructions, content_language(), is_html=True)
    topics = Topic.objects.filter(school_class_id__in=class_ids)
    events = ClassEvent.objects.filter(school_class_id__in=class_ids, visible_to_families=True)
    for rows in (
        topics.values_list("school_class_id", "title", "summary"),
        events.values_list("school_class_id", "title", "description"),
    ):
        for class_id, *values in rows:
            yield from ((class_id, text) for text in _written(values))


def _feedback_texts(class_ids: list[int]) -> Iterator[tuple[int, int, Text]]:
    """Returned comments on work families see, each with its student's names kept (one
    query)."""
    returned = Feedback.objects.filter(
        assignment__school_class_id__in=class_ids,
        assignment__visible_to_families=True,
        returned_at__isnull=False,
    ).exclude(comment="")
    for class_id, student_id, comment, first, preferred, last, username in returned.values_list(
        "assignment__school_class_id",
        "student_id",
        "comment",
        "student__first_name",
        "student__preferred_name",
        "student__last_name",
        "student__username",
    ):
        given = {"username": username, "first_name": first, "preferred_name": preferred}
        keep = names(short_name(**given), display_name(**given, last_name=last))
        yield class_id, student_id, Text(comment, content_language(), keep=keep)


def _families_of_classes(class_ids: list[int]) -> QuerySet[Enrollment, tuple[int, int, int, str]]:
    """(class, school, student, a guardian's language) for every family who sees classwork of
    a current student of these classes (one query)."""
    return (
        Enrollment.objects.current(timezone.localdate())
        .filter(
            school_class_id__in=class_ids,
            role=EnrollmentRole.STUDENT,
            user__guardian_links__status=LinkStatus.ACTIVE,
            user__guardian_links__no_access=False,
            user__guardian_links__scope_classwork=True,
            user__guardian_links__guardian__is_active=True,
        )
        .values_list(
            "school_class_id",
            "school_class__school_id",
            "user_id",
            "user__guardian_links__guardian__preferred_language",
        )
        .distinct()
    )


# --- the family pages ----------------------------------------------------------------------------


def page_translations(reader: User, wanted: Mapping[int, Iterable[Text]]) -> Translations:
    """What ``reader`` sees of each text of each class (``{class id: texts}``): one query, none
    when they read the language it is written in."""
    return Translations(selectors.lookup_classes(wanted, target=reader.preferred_language))
