"""The teacher-written text of classwork's family pages in the reader's language: which texts a
page shows (by class), looked up in one query (``village.classwork.translations``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from village.accounts.models import User
from village.classwork.family.child import ChildPage
from village.classwork.family.overview import Attention
from village.classwork.family.work import FamilyWork, TopicNow
from village.classwork.models import Assignment
from village.classwork.selectors.events import UpcomingEvent
from village.classwork.selectors.my_work import Position
from village.classwork.translations import names, names_of, page_translations
from village.community.templatetags.content_lang import content_language
from village.translation.texts import Text, Translations

#: A page whose texts are still being translated is kept this long at most (then shown again,
#: translated).
PENDING_KEEP = dt.timedelta(seconds=30)


class Wanted:
    """The texts of one page, by class."""

    def __init__(self) -> None:
        self.texts: dict[int, list[Text]] = defaultdict(list)

    def add(self, class_id: int, *values: str, keep: Iterable[str] = ()) -> None:
        names_kept = tuple(keep)
        self.texts[class_id] += [
            Text(value, content_language(), keep=names_kept) for value in values if value
        ]

    def html(self, class_id: int, value: str) -> None:
        if value:
            self.texts[class_id].append(Text(value, content_language(), is_html=True))

    def work(self, works: Iterable[FamilyWork]) -> Wanted:
        for work in works:
            self.add(work.class_id, work.title)
            self.add(work.class_id, work.comment, keep=names(work.child.name, work.child.full_name))
        return self

    def topics(self, topics: Iterable[TopicNow]) -> Wanted:
        for topic in topics:
            self.add(topic.class_id, topic.title, topic.summary)
        return self

    def events(self, events: Iterable[UpcomingEvent]) -> Wanted:
        for event in events:
            self.add(event.class_id, event.title, event.description)
        return self

    def attention(self, items: Iterable[Attention]) -> Wanted:
        return self.work(item.work for item in items if item.work is not None)

    def shown_to(self, reader: User) -> Translations:
        return page_translations(reader, self.texts)


def child_page(reader: User, page: ChildPage) -> Translations:
    """What the child page (or its printed summary) shows of each teacher-written text."""
    wanted = Wanted().work([*page.missing, *page.upcoming, *page.recent_feedback])
    wanted.topics(page.topics).events(page.events)
    for view in page.classes:
        wanted.add(view.id, view.note, keep=names(page.child.name, page.child.full_name))
    return wanted.shown_to(reader)


def assignment_page(reader: User, work: Assignment, positions: Iterable[Position]) -> Translations:
    """What a guardian's page of one piece of work shows of its title, topic, instructions and
    each child's feedback."""
    wanted = Wanted()
    class_id = work.school_class_id
    wanted.add(class_id, work.title, work.topic.title if work.topic else "")
    wanted.html(class_id, work.instructions)
    for position in positions:
        if position.feedback is not None:
            wanted.add(class_id, position.feedback.comment, keep=names_of(position.student))
    return wanted.shown_to(reader)


def kept_until(
    translations: Translations, until: dt.datetime | None, now: dt.datetime
) -> dt.datetime | None:
    """How long a page part may be kept: briefly while a translation is on its way."""
    if not translations.pending:
        return until
    soon = now + PENDING_KEEP
    return soon if until is None else min(until, soon)
