"""Conversation starters: specific questions a family can ask a child about school, built from
what the child's classes study now, the child's recent work and, where the family may read them,
the child's interests (``village.classwork.family.interests``: in the child's words, then the
family's).

Each starter names the child and a real topic or piece of work, with its title exactly as the
teacher wrote it; the sentence around it is a translatable template, so it reads in the family's
language (the active one). Templates avoid pronouns, so they fit every child. An interest is
quoted as its writer wrote it, shortened (``quoted``), and marked with its language on pages
where that is not the page's.

Picks are deterministic: a hash of the day, the child and the subject chooses the template and the
order of topics, so the page is the same all day and changes from day to day. At most one
starter comes from interests: among a page's starters on every day, as the one starter of the
weekly digest on its share of days. When nothing is current the result is empty: the page says
so instead of inventing a question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import dateformat, formats, timezone, translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from village.classwork.family.child import ChildPage
from village.classwork.family.interests import Interest
from village.classwork.status import WorkStatus
from village.community.templatetags.content_lang import in_content_lang
from village.translation import languages


class StarterKind(models.TextChoices):
    TOPIC = "topic", _("What the class studies")
    FEEDBACK = "feedback", _("Feedback")
    DUE = "due", _("Work due soon")
    MISSING = "missing", _("Missing work")
    INTEREST = "interest", _("Interests")


@dataclass(frozen=True, slots=True)
class Starter:
    kind: StarterKind
    text: str
    #: The text for a page: escaped, teacher-written titles and quoted interests marked with
    #: their language.
    html: str = ""


#: Placeholders that hold what teachers wrote (marked with its language on pages).
_TEACHER_WRITTEN = frozenset({"topic", "title", "class"})


def in_language(value: str, language: str) -> SafeString:
    """``value``, escaped, in a ``<span lang="…">`` when ``language`` is not the page's."""
    page = translation.get_language() or settings.LANGUAGE_CODE
    if not language or languages.same(language, page):
        return conditional_escape(value)
    return format_html('<span lang="{}">{}</span>', language, value)


def _marked(key: str, value: str, written_in: str | None) -> SafeString:
    if written_in is not None:
        return in_language(value, written_in)
    return in_content_lang(value) if key in _TEACHER_WRITTEN else conditional_escape(value)


def _starter(
    kind: StarterKind,
    template: str,
    values: dict[str, str],
    written_in: Mapping[str, str] | None = None,
) -> Starter:
    """A starter of ``template`` filled with ``values``; ``written_in``: the language of a
    value someone other than a teacher wrote (an interest), by placeholder."""
    written_in = written_in or {}
    marked = {key: _marked(key, value, written_in.get(key)) for key, value in values.items()}
    html = mark_safe(conditional_escape(template) % marked)  # noqa: S308 - escaped parts
    return Starter(kind, template % values, html)


@dataclass(frozen=True, slots=True)
class TopicFact:
    title: str
    class_title: str
    teacher: str = ""


@dataclass(frozen=True, slots=True)
class WorkFact:
    """A piece of the child's work: due soon (``due_on``), missing, or with feedback."""

    title: str
    class_title: str
    teacher: str = ""
    due_on: dt.date | None = None


# Placeholders: name (the child), topic, title (a piece of work), teacher, class, day.
TOPIC_TEMPLATES: tuple[Promise, ...] = (
    _(
        "Ask %(name)s which part of “%(topic)s” was the most interesting and which was the "
        "least, and why."
    ),
    _("Ask %(name)s to teach you one thing from “%(topic)s”."),
    _(
        "Ask %(name)s what question about “%(topic)s” is still open, and how you could find the "
        "answer together."
    ),
    _("Ask %(name)s where “%(topic)s” shows up in everyday life, at home or outside."),
    _("Ask %(name)s to explain “%(topic)s” in three sentences, as if you had never heard of it."),
)
TOPIC_WITH_TEACHER_TEMPLATES: tuple[Promise, ...] = (
    _(
        "In %(class)s with %(teacher)s, the class is working on “%(topic)s”. Ask %(name)s what has "
        "been the hardest part so far, and what helped."
    ),
)
FEEDBACK_TEMPLATES: tuple[Promise, ...] = (
    _(
        "%(teacher)s returned feedback to %(name)s on “%(title)s”. Ask what %(teacher)s "
        "suggested trying next time."
    ),
    _(
        "Ask %(name)s to show you the feedback from %(teacher)s on “%(title)s”, and to pick "
        "one suggestion to try next time."
    ),
    _(
        "%(teacher)s returned feedback on “%(title)s”. Ask %(name)s which comment was the most "
        "useful, and why."
    ),
)
FEEDBACK_WITHOUT_TEACHER_TEMPLATES: tuple[Promise, ...] = (
    _(
        "Ask %(name)s to show you the feedback on “%(title)s”, and to pick one suggestion to try "
        "next time."
    ),
)
DUE_TEMPLATES: tuple[Promise, ...] = (
    _("%(name)s has “%(title)s” due %(day)s. Ask what the plan is."),
    _("“%(title)s” is due %(day)s. Ask %(name)s what the first step is, and when it fits in."),
    _(
        "%(name)s has “%(title)s” for %(class)s due %(day)s. Ask whether anything about it is "
        "still unclear."
    ),
)
MISSING_TEMPLATES: tuple[Promise, ...] = (
    _(
        "“%(title)s” for %(class)s is marked missing. Ask %(name)s what got in the way, and what "
        "would help to finish it."
    ),
    _(
        "“%(title)s” has not been handed in yet. Ask %(name)s whether it can still be handed "
        "in, and what help would make that easier."
    ),
)


# Placeholders: name, interest (quoted as the child or a guardian wrote it), topic.
INTEREST_TEMPLATES: tuple[Promise, ...] = (
    _("In “About me”, %(name)s wrote: “%(interest)s”. Ask how that could help with “%(topic)s”."),
    _(
        "%(name)s wrote in “About me”: “%(interest)s”. Ask for one way it connects with "
        "“%(topic)s”."
    ),
)
INTEREST_WITHOUT_TOPIC_TEMPLATES: tuple[Promise, ...] = (
    _(
        "In “About me”, %(name)s wrote: “%(interest)s”. Ask what the best part of it is, and "
        "what to find out about it next."
    ),
)
HOME_INTEREST_TEMPLATES: tuple[Promise, ...] = (
    _("From home: “%(interest)s”. Ask %(name)s how that could help with “%(topic)s”."),
    _(
        "From home: “%(interest)s”. Ask %(name)s whether any of it could come up in "
        "“%(topic)s”, and how."
    ),
)
HOME_INTEREST_WITHOUT_TOPIC_TEMPLATES: tuple[Promise, ...] = (
    _(
        "From home: “%(interest)s”. Ask %(name)s which subject at school comes closest to it, "
        "and why."
    ),
)

#: The longest quote of an interest, in characters, before it is cut at a word boundary.
QUOTE_CHARS = 80
#: The end of a sentence: its mark, then a space or the end of the text.
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
#: What a cut quote does not end with, before its ellipsis.
_TRAILING = " ,;:.!?-\u2013\u2014"  # and the en and em dashes


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """What a starter quotes of an interest: all of it when it is short, else its first
    sentence when that is, else its first ``limit`` characters up to a word; an ellipsis where
    it is cut, and no closing full stop (the starter's sentence goes on after the quote)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text[:-1] if text.endswith(".") and not text.endswith("..") else text
    end = _SENTENCE_END.search(text)
    if end is not None and end.start() <= limit:
        return text[: end.start()].rstrip(_TRAILING) + "…"
    cut = text[: limit + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else text[:limit]
    return cut.rstrip(_TRAILING) + "…"


def _digest(*parts: object) -> int:
    """A stable number from ``parts`` (Python's ``hash`` changes from process to process)."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _pick(templates: Sequence[Promise], *key: object) -> str:
    return str(templates[_digest(*key) % len(templates)])


def due_day(due_on: dt.date, today: dt.date) -> str:
    """How a due day reads after "due": today, tomorrow, or on a weekday (within a week)."""
    if due_on == today:
        return pgettext("due", "today")
    if due_on == today + dt.timedelta(days=1):
        return pgettext("due", "tomorrow")
    if today < due_on < today + dt.timedelta(days=7):
        return pgettext("due", "on %(weekday)s") % {"weekday": dateformat.format(due_on, "l")}
    return pgettext("due", "on %(date)s") % {
        "date": formats.date_format(due_on, "MONTH_DAY_FORMAT")
    }


def _topic_starter(name: str, child_id: int, today: dt.date, topic: TopicFact) -> Starter:
    key = (today.isoformat(), child_id, StarterKind.TOPIC, topic.title)
    templates = TOPIC_TEMPLATES
    if topic.teacher:
        templates = TOPIC_TEMPLATES + TOPIC_WITH_TEACHER_TEMPLATES
    values = {
        "name": name,
        "topic": topic.title,
        "teacher": topic.teacher,
        "class": topic.class_title,
    }
    return _starter(StarterKind.TOPIC, _pick(templates, *key), values)


def _feedback_starter(name: str, child_id: int, today: dt.date, work: WorkFact) -> Starter:
    key = (today.isoformat(), child_id, StarterKind.FEEDBACK, work.title)
    templates = FEEDBACK_TEMPLATES if work.teacher else FEEDBACK_WITHOUT_TEACHER_TEMPLATES
    values = {"name": name, "title": work.title, "teacher": work.teacher}
    return _starter(StarterKind.FEEDBACK, _pick(templates, *key), values)


def _due_starter(name: str, child_id: int, today: dt.date, work: WorkFact) -> Starter:
    assert work.due_on is not None
    key = (today.isoformat(), child_id, StarterKind.DUE, work.title)
    values = {
        "name": name,
        "title": work.title,
        "class": work.class_title,
        "day": due_day(work.due_on, today),
    }
    return _starter(StarterKind.DUE, _pick(DUE_TEMPLATES, *key), values)


def _missing_starter(name: str, child_id: int, today: dt.date, work: WorkFact) -> Starter:
    key = (today.isoformat(), child_id, StarterKind.MISSING, work.title)
    values = {"name": name, "title": work.title, "class": work.class_title}
    return _starter(StarterKind.MISSING, _pick(MISSING_TEMPLATES, *key), values)


def _interest_starter(
    name: str, child_id: int, today: dt.date, interests: Sequence[Interest], topics: Sequence[str]
) -> Starter:
    """A starter quoting one of the child's interests (which one changes day by day), with one
    of the current topics where there is one."""
    key = (today.isoformat(), child_id, StarterKind.INTEREST)
    interest = interests[_digest(*key, "which") % len(interests)]
    if interest.by_child:
        templates = INTEREST_TEMPLATES if topics else INTEREST_WITHOUT_TOPIC_TEMPLATES
    else:
        templates = HOME_INTEREST_TEMPLATES if topics else HOME_INTEREST_WITHOUT_TOPIC_TEMPLATES
    values = {"name": name, "interest": quoted(interest.text)}
    if topics:
        values["topic"] = topics[_digest(*key, "topic") % len(topics)]
    template = _pick(templates, *key, interest.text)
    return _starter(StarterKind.INTEREST, template, values, {"interest": interest.language})


def _interest_place(today: dt.date, child_id: int, others: int, limit: int) -> int:
    """Where the interest starter goes among ``others`` first starters: first on its share of
    days (one in ``others + 1``), so that a single starter (the digest's) is sometimes the
    interest's; always within ``limit`` when there is room for more than one."""
    place = _digest(today.isoformat(), child_id, StarterKind.INTEREST, "place") % (others + 1)
    return place if limit <= 1 else min(place, limit - 1)


def conversation_starters(
    *,
    name: str,
    child_id: int,
    today: dt.date,
    topics: Sequence[TopicFact] = (),
    feedback: Sequence[WorkFact] = (),
    due: Sequence[WorkFact] = (),
    missing: Sequence[WorkFact] = (),
    interests: Sequence[Interest] = (),
    limit: int = 4,
) -> list[Starter]:
    """Up to ``limit`` starters about the child called ``name``, in the active language.

    ``feedback`` newest first, ``due`` soonest first, ``interests`` in the child's words
    first. The first starters come from the newest feedback, a current topic (which one changes
    day by day), the work due soonest and missing work, with one from the interests among them
    (``_interest_place``); then further topics.
    """
    rotated = sorted(
        topics, key=lambda topic: _digest(today.isoformat(), child_id, "order", topic.title)
    )
    first: list[Starter] = []
    if feedback:
        first.append(_feedback_starter(name, child_id, today, feedback[0]))
    if rotated:
        first.append(_topic_starter(name, child_id, today, rotated[0]))
    soon = [work for work in due if work.due_on is not None]
    if soon:
        first.append(_due_starter(name, child_id, today, soon[0]))
    if missing:
        first.append(_missing_starter(name, child_id, today, missing[0]))
    if interests:
        titles = sorted({topic.title for topic in topics})
        starter = _interest_starter(name, child_id, today, interests, titles)
        first.insert(_interest_place(today, child_id, len(first), limit), starter)
    if len(first) >= limit:
        return first[: max(limit, 0)]
    more = [_topic_starter(name, child_id, today, topic) for topic in rotated[1:]]
    more += [_feedback_starter(name, child_id, today, work) for work in feedback[1:]]
    return (first + more)[: max(limit, 0)]


def for_child_page(
    page: ChildPage, *, limit: int, interests: Sequence[Interest] = ()
) -> list[Starter]:
    """Starters from a child page's topics, feedback with a comment, upcoming and missing work,
    and the child's ``interests`` the reader may read."""
    teachers = {view.id: view.teachers[0] if view.teachers else "" for view in page.classes}
    today = timezone.localdate(page.now)
    return conversation_starters(
        name=page.child.name,
        child_id=page.child.id,
        today=today,
        topics=[
            TopicFact(topic.title, topic.class_title, teachers.get(topic.class_id, ""))
            for topic in page.topics
        ],
        feedback=[
            WorkFact(work.title, work.class_title, work.teacher or teachers.get(work.class_id, ""))
            for work in page.recent_feedback
            if work.comment
        ],
        due=[
            WorkFact(work.title, work.class_title, due_on=timezone.localdate(work.due_at))
            for work in page.upcoming
            if work.due_at is not None and work.status == WorkStatus.NOT_YET_DUE
        ],
        missing=[WorkFact(work.title, work.class_title) for work in reversed(page.missing)],
        interests=interests,
        limit=limit,
    )
