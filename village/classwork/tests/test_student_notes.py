"""The registry of students' notes from other apps (``student_notes``) and of the class's pages
(``class_pages``): each provider is asked once for all a page's students, never per student and
never for none; its notes come back grouped under its heading in the providers' order; students
without notes are left out. No database: the providers here are stand-ins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pytest

from village.accounts.models import User
from village.classwork import class_pages, student_notes
from village.classwork.student_notes import NoteGroup, StudentNote

DAY = dt.date(2030, 3, 4)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[int], dt.date]]:
    """Only this test's providers, and what they were asked."""
    monkeypatch.setattr(student_notes, "_sources", {})
    asked: list[tuple[str, list[int], dt.date]] = []

    def timing(viewer: User, ids: Collection[int], day: dt.date) -> dict[int, list[StudentNote]]:
        asked.append(("timing", sorted(ids), day))
        return {1: [StudentNote("Extended time", "Timing", "Half as long again")], 2: []}

    def seating(viewer: User, ids: Collection[int], day: dt.date) -> dict[int, list[StudentNote]]:
        asked.append(("seating", sorted(ids), day))
        return {1: [StudentNote("Front row")], 3: [StudentNote("Near the door")]}

    student_notes.register("test.seating", seating, heading="Seating", order=20)
    student_notes.register("test.timing", timing, heading="Timing", order=10)
    return asked


def test_each_provider_is_asked_once_for_every_student_in_order(calls: list) -> None:
    found = student_notes.notes_for(User(pk=9), [1, 2, 3], day=DAY)
    assert calls == [("timing", [1, 2, 3], DAY), ("seating", [1, 2, 3], DAY)]
    assert found == {
        1: [
            NoteGroup("Timing", (StudentNote("Extended time", "Timing", "Half as long again"),)),
            NoteGroup("Seating", (StudentNote("Front row"),)),
        ],
        3: [NoteGroup("Seating", (StudentNote("Near the door"),))],
    }


def test_no_provider_is_asked_about_no_students(calls: list) -> None:
    assert student_notes.notes_for(User(pk=9), [], day=DAY) == {}
    assert calls == []


def test_registering_a_name_again_replaces_it(calls: list) -> None:
    student_notes.register("test.seating", lambda viewer, ids, day: {}, heading="Seating")
    found = student_notes.notes_for(User(pk=9), [3], day=DAY)
    assert 3 not in found
    assert [name for name, _, _ in calls] == ["timing"]


def test_class_pages_come_in_order_and_a_name_registered_again_replaces_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(class_pages, "_pages", {})
    class_pages.register("b:page", "Second", order=20)
    class_pages.register("a:page", "First", order=10)
    class_pages.register("b:page", "Second again", order=20)
    assert [(p.url_name, p.label) for p in class_pages.class_pages()] == [
        ("a:page", "First"),
        ("b:page", "Second again"),
    ]
