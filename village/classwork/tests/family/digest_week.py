"""A week of school in the persona district for the weekly digest's tests: in each of Ada's and
Leo's classes a teacher's note, missing work, work due in the coming week, feedback returned
this week (a lower grade than last week's), work hidden from families, and topics this week
and next. Maya (no family account) has feedback too, which no digest may show."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal

import time_machine
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import Assignment, Feedback, Topic
from village.classwork.services.notes import weekly_note_save
from village.community.models import SchoolClass
from village.demo.personas import Personas, build_personas

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
#: (class, student) pairs of the persona district the week fills.
PAIRS = (("homeroom5", "ada"), ("science8", "leo"), ("math8", "leo"))


def friday_of_this_week() -> dt.datetime:
    """This week's Friday at 17:00 in the school's time zone (the digest goes out at 16:00)."""
    today = timezone.localdate(timezone.now(), CHICAGO)
    friday = today + dt.timedelta(days=4 - today.weekday())
    return dt.datetime.combine(friday, dt.time(17, 0), tzinfo=CHICAGO)


@dataclass
class SchoolWeek(Personas):
    """The persona district and the moment its week is read at."""

    now: dt.datetime

    @classmethod
    def of(cls, personas: Personas, now: dt.datetime) -> SchoolWeek:
        return cls(**{one.name: getattr(personas, one.name) for one in fields(personas)}, now=now)


def note_text(class_name: str) -> str:
    return f"Practise the {class_name} exercises every day."


def comment(student: str, class_name: str) -> str:
    return f"Comment for {student} in {class_name}"


def _work(school_class: SchoolClass, title: str, now: dt.datetime, **fields: object) -> Assignment:
    return Assignment.objects.create(
        school_class=school_class,
        title=title,
        assign_at=now - dt.timedelta(days=20),
        points=Decimal(10),
        **fields,
    )


def fill_week(personas: Personas, now: dt.datetime) -> None:
    today = timezone.localdate(now, CHICAGO)
    monday = today - dt.timedelta(days=today.weekday())
    for class_name, student_name in PAIRS:
        school_class: SchoolClass = getattr(personas, class_name)
        student: User = getattr(personas, student_name)
        teacher = personas.chen if class_name == "math8" else personas.rivera
        Topic.objects.create(
            school_class=school_class,
            title=f"This week in {class_name}",
            starts_on=monday,
            ends_on=monday + dt.timedelta(days=4),
        )
        Topic.objects.create(
            school_class=school_class,
            title=f"Next week in {class_name}",
            summary=f"What {class_name} studies next.",
            starts_on=monday + dt.timedelta(days=7),
            ends_on=monday + dt.timedelta(days=11),
        )
        _work(school_class, f"Missing in {class_name}", now, due_at=now - dt.timedelta(days=2))
        _work(school_class, f"Due in {class_name}", now, due_at=now + dt.timedelta(days=3))
        earlier = _work(
            school_class, f"Earlier in {class_name}", now, due_at=now - dt.timedelta(days=12)
        )
        Feedback.objects.create(
            assignment=earlier,
            student=student,
            score=Decimal(9),
            comment="Earlier comment",
            returned_at=now - dt.timedelta(days=11),
            graded_by=teacher,
        )
        graded = _work(
            school_class, f"Graded in {class_name}", now, due_at=now - dt.timedelta(days=3)
        )
        Feedback.objects.create(
            assignment=graded,
            student=student,
            score=Decimal(5),
            comment=comment(student_name, class_name),
            returned_at=now - dt.timedelta(days=1),
            graded_by=teacher,
        )
        hidden = _work(
            school_class,
            f"Hidden in {class_name}",
            now,
            due_at=now - dt.timedelta(days=3),
            visible_to_families=False,
        )
        Feedback.objects.create(
            assignment=hidden,
            student=student,
            score=Decimal(1),
            comment="Hidden comment",
            returned_at=now - dt.timedelta(days=1),
        )
        weekly_note_save(
            school_class=school_class,
            student=student,
            author=teacher,
            text=note_text(class_name),
            now=now,
        )
    graded_maya = _work(personas.homeroom5, "Story map", now, due_at=now - dt.timedelta(days=3))
    Feedback.objects.create(
        assignment=graded_maya,
        student=personas.maya,
        score=Decimal(2),
        comment="Comment for maya",
        returned_at=now - dt.timedelta(days=1),
    )


def school_week() -> Iterator[SchoolWeek]:
    """The persona district on this week's Friday at 17:00 (the clock stands still while it
    lasts), with a week of school in it."""
    now = friday_of_this_week()
    with time_machine.travel(now, tick=False):
        personas = build_personas()
        fill_week(personas, now)
        yield SchoolWeek.of(personas, now)
