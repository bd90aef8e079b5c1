"""Writing a class's topics: what it studies between two dates."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from village.classwork import translations, versions
from village.classwork.models import (
    Topic,
)
from village.classwork.services.checks import clean, require
from village.community.models import SchoolClass


def _check_topic(topic: Topic) -> None:
    topic.title = topic.title.strip()
    require(bool(topic.title), "title", _("Give the topic a title."))
    require(
        topic.ends_on >= topic.starts_on,
        "ends_on",
        _("The topic ends before it starts: choose an end date on or after the start date."),
    )
    clean(topic)


@transaction.atomic
def topic_create(
    *,
    school_class: SchoolClass,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str = "",
) -> Topic:
    topic = Topic(
        school_class=school_class,
        title=title,
        summary=summary.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _check_topic(topic)
    topic.save()
    versions.classes_changed([topic.school_class_id])
    translations.topic_saved(topic)
    return topic


@transaction.atomic
def topic_update(
    *, topic: Topic, title: str, starts_on: dt.date, ends_on: dt.date, summary: str = ""
) -> Topic:
    topic.title, topic.summary = title, summary.strip()
    topic.starts_on, topic.ends_on = starts_on, ends_on
    _check_topic(topic)
    topic.save()
    versions.classes_changed([topic.school_class_id])
    translations.topic_saved(topic)
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic) -> None:
    """Remove the topic from the class. Its work stays in the class, without a topic (the
    assignments' foreign key is ``SET_NULL``)."""
    class_id = topic.school_class_id
    topic.delete()
    versions.classes_changed([class_id])
