"""The writes: who may write which section, each field checked by name, one entry per author
and topic, and the family's version of the support area on each write the family sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from village.community.policies import today
from village.families.models import StudentVersion
from village.support import policies, versions
from village.support.models import Entry, TeamKind, Topic, Visibility
from village.support.services.accommodations import (
    AccommodationFields,
    accommodation_add,
    accommodation_change,
)
from village.support.services.entries import entry_remove, entry_save
from village.support.services.team import team_member_add, team_member_remove
from village.support.tests.conftest import Support


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def _token(student_id: int) -> int | None:
    row = StudentVersion.objects.filter(student_id=student_id, area=versions.AREA).first()
    return row.token if row else None


# --- entries -------------------------------------------------------------------------------------


def test_an_entry_names_each_field_in_error(support: Support) -> None:
    ada = support.people.ada
    with pytest.raises(ValidationError) as error:
        entry_save(
            author=ada, student=ada, topic=Topic.INTERESTS, text="  ", language="xx-!!",
            visibility="everyone",
        )  # fmt: skip
    assert set(_errors(error)) == {"text", "language", "visibility"}
    with pytest.raises(ValidationError) as error:
        entry_save(author=ada, student=ada, topic="hobbies", text="Drawing")
    assert set(_errors(error)) == {"topic"}
    with pytest.raises(ValidationError) as error:
        entry_save(author=ada, student=ada, topic=Topic.INTERESTS, text="x" * 2001)
    assert "2,000" in _errors(error)["text"][0]


def test_a_restricted_entry_names_staff_of_the_student(support: Support) -> None:
    people = support.people
    note = {"author": people.rivera, "student": people.ada, "topic": Topic.NEEDS, "text": "Hi"}
    with pytest.raises(ValidationError) as error:
        entry_save(**note, visibility=Visibility.RESTRICTED)  # type: ignore[arg-type]
    assert set(_errors(error)) == {"readers"}
    with pytest.raises(ValidationError) as error:
        entry_save(
            **note,  # type: ignore[arg-type]
            visibility=Visibility.RESTRICTED,
            readers=[support.ortiz, people.chen, support.vance, people.sam],
        )
    messages = _errors(error)["readers"]
    assert len(messages) == 3
    assert "David Chen" in messages[0]
    with pytest.raises(ValidationError) as error:
        entry_save(**note, visibility=Visibility.STAFF, readers=[support.ortiz])  # type: ignore[arg-type]
    assert set(_errors(error)) == {"readers"}


@pytest.mark.parametrize(
    ("author", "topic"),
    [
        ("rivera", Topic.INTERESTS),  # about me is the student's
        ("sam", Topic.INTERESTS),
        ("ada", Topic.CONCERNS),  # from home is the family's
        ("kim", Topic.CONCERNS),  # a link without the support plan
        ("lou", Topic.CONCERNS),  # an ended link
        ("rex", Topic.CONCERNS),  # no access
        ("sam", Topic.NEEDS),  # school notes are staff's
        ("vance", Topic.NEEDS),  # a former teacher
        ("chen", Topic.NEEDS),  # a teacher of another class
        ("stone", Topic.NEEDS),  # another school
    ],
)
def test_who_may_not_write_which_section(support: Support, author: str, topic: Topic) -> None:
    writer = getattr(support, author, None) or getattr(support.people, author)
    with pytest.raises(PermissionDenied):
        entry_save(author=writer, student=support.people.ada, topic=topic, text="Hello")


def test_each_author_keeps_one_entry_per_topic_in_their_language(support: Support) -> None:
    people = support.people
    first = entry_save(author=people.sam, student=people.ada, topic=Topic.CULTURE, text="Fiesta")
    assert first.language == "es"  # Sam's preferred language
    again = entry_save(
        author=people.sam, student=people.ada, topic=Topic.CULTURE, text="Navidad",
        language="ES-mx",
    )  # fmt: skip
    assert again.pk == first.pk
    assert (again.text, again.language) == ("Navidad", "es-MX")
    mine = entry_save(
        author=support.ortiz, student=people.ada, topic=Topic.NEEDS, text="A", language="en"
    )
    theirs = entry_save(
        author=people.rivera, student=people.ada, topic=Topic.NEEDS, text="B", language="en"
    )
    assert mine.pk != theirs.pk
    assert Entry.objects.filter(student=people.ada).count() == 3


def test_only_the_author_changes_or_removes_an_entry(support: Support) -> None:
    people = support.people
    entry = entry_save(author=people.rivera, student=people.ada, topic=Topic.NEEDS, text="B")
    assert policies.entry_for_author(people.rivera, entry.pk) == entry
    for other in (support.ortiz, people.nguyen):
        with pytest.raises(PermissionDenied):
            entry_remove(author=other, entry=entry)
        with pytest.raises(Http404):
            policies.entry_for_author(other, entry.pk)
    entry_remove(author=people.rivera, entry=entry)
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_a_restricted_entry_changed_to_staff_forgets_its_readers(support: Support) -> None:
    people = support.people
    note = {"author": people.rivera, "student": people.ada, "topic": Topic.NEEDS, "text": "B"}
    entry = entry_save(**note, visibility=Visibility.RESTRICTED, readers=[support.ortiz])  # type: ignore[arg-type]
    assert list(entry.readers.all()) == [support.ortiz]
    entry = entry_save(**note, visibility=Visibility.STAFF)  # type: ignore[arg-type]
    assert list(entry.readers.all()) == []


def test_what_the_family_sees_bumps_their_version(support: Support) -> None:
    people = support.people
    ada = people.ada.pk
    entry_save(author=people.rivera, student=people.ada, topic=Topic.NEEDS, text="Staff only")
    assert _token(ada) is None
    entry_save(author=people.ada, student=people.ada, topic=Topic.STRENGTHS, text="Maths")
    first = _token(ada)
    assert first is not None
    note = entry_save(
        author=people.rivera, student=people.ada, topic=Topic.NEEDS, text="Shared",
        visibility=Visibility.FAMILY,
    )  # fmt: skip
    second = _token(ada)
    assert second not in (None, first)
    entry_remove(author=people.rivera, entry=note)
    assert _token(ada) not in (None, first, second)


# --- accommodations ----------------------------------------------------------------------------


def test_an_accommodation_names_each_field_in_error(support: Support) -> None:
    fields = AccommodationFields(
        category="seating",
        title="Extended\ttime",
        starts_on=today(),
        ends_on=today() - dt.timedelta(days=1),
        visibility=Visibility.RESTRICTED,
        details="x" * 2001,
    )
    with pytest.raises(ValidationError) as error:
        accommodation_add(author=support.ortiz, student=support.people.ada, fields=fields)
    assert set(_errors(error)) == {"category", "title", "ends_on", "visibility", "details"}
    with pytest.raises(ValidationError) as error:
        accommodation_add(
            author=support.ortiz,
            student=support.people.ada,
            fields=AccommodationFields(category="timing", title="", starts_on=None),
        )
    assert set(_errors(error)) == {"title", "starts_on"}


def test_teachers_apply_accommodations_but_do_not_set_them(support: Support) -> None:
    fields = AccommodationFields(category="setting", title="Quiet room", starts_on=today())
    for teacher in (support.people.rivera, support.diaz, support.people.stone):
        with pytest.raises(PermissionDenied):
            accommodation_add(author=teacher, student=support.people.ada, fields=fields)
    found = accommodation_add(author=support.bakr, student=support.people.ada, fields=fields)
    with pytest.raises(PermissionDenied):
        accommodation_change(editor=support.people.rivera, accommodation=found, fields=fields)
    assert policies.accommodation_for_editor(support.people.nguyen, found.pk) == found


def test_a_staff_only_accommodation_leaves_the_family_version_alone(support: Support) -> None:
    ada = support.people.ada
    fields = AccommodationFields(
        category="setting", title="Seat", starts_on=today(), visibility=Visibility.STAFF
    )
    found = accommodation_add(author=support.ortiz, student=ada, fields=fields)
    assert _token(ada.pk) is None
    shared = AccommodationFields(category="setting", title="Seat", starts_on=today())
    accommodation_change(editor=support.ortiz, accommodation=found, fields=shared)
    assert _token(ada.pk) is not None


# --- the support team --------------------------------------------------------------------------


def test_the_support_team_is_chosen_by_the_schools_admins(support: Support) -> None:
    people = support.people
    with pytest.raises(PermissionDenied):
        team_member_add(
            actor=people.rivera, school=people.school, user=people.chen, kind="counsellor"
        )
    with pytest.raises(PermissionDenied):
        team_member_add(
            actor=people.stone, school=people.school, user=people.chen, kind="counsellor"
        )
    with pytest.raises(ValidationError) as error:
        team_member_add(actor=people.nguyen, school=people.school, user=people.sam, kind="coach")
    assert set(_errors(error)) == {"user", "kind"}
    with pytest.raises(ValidationError) as error:
        team_member_add(
            actor=people.priya, school=people.school, user=support.ortiz, kind=TeamKind.COUNSELLOR
        )
    assert "already" in _errors(error)["user"][0]
    member = team_member_add(
        actor=people.priya, school=people.school, user=people.chen, kind=TeamKind.SUPPORT_STAFF
    )
    assert policies.is_student_staff(people.chen, people.ada.pk)
    team_member_remove(actor=people.nguyen, member=member)
    assert not policies.is_student_staff(people.chen, people.ada.pk)
