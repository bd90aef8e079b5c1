"""A student's profile as each viewer sees it, and the audit log of every view: one entry for
the profile, one for each restricted entry shown, on every view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.community.policies import roles_of, today
from village.core.models import AuditAction, AuditEvent
from village.support.models import Entry, Section, Topic, Visibility
from village.support.selectors.profile import (
    PROFILE_OBJECT,
    RESTRICTED_ENTRY_OBJECT,
    student_profile,
)
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support


def _restricted(support: Support, author: User | None = None) -> Entry:
    return entry_save(
        author=author or support.ortiz,
        student=support.people.ada,
        topic=Topic.NEEDS,
        text="Family going through a hard time; check in each Monday.",
        visibility=Visibility.RESTRICTED,
        readers=[support.ortiz],
    )


def _events(actor: User, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=actor, object_type=object_type).order_by("id"))


def test_every_view_of_a_restricted_entry_is_audited(support: Support) -> None:
    entry = _restricted(support, author=support.people.rivera)
    for _ in range(2):
        profile = student_profile(support.ortiz, support.people.ada.pk)
        assert [e.pk for e in profile.section(Section.SCHOOL_NOTES)] == [entry.pk]
    events = _events(support.ortiz, RESTRICTED_ENTRY_OBJECT)
    assert len(events) == 2
    for event in events:
        assert event.action == AuditAction.VIEW_STUDENT
        assert event.object_id == str(entry.pk)
        assert event.student_id == support.people.ada.pk
        assert event.organisation_id == support.people.school.pk


def test_the_author_of_a_restricted_entry_is_audited_too(support: Support) -> None:
    entry = _restricted(support, author=support.people.rivera)
    student_profile(support.people.rivera, support.people.ada.pk)
    [event] = _events(support.people.rivera, RESTRICTED_ENTRY_OBJECT)
    assert event.object_id == str(entry.pk)


@pytest.mark.parametrize("name", ["nguyen", "priya", "bakr", "sam"])
def test_viewers_who_do_not_see_a_restricted_entry_leave_no_entry_for_it(
    support: Support, name: str
) -> None:
    _restricted(support)
    viewer = getattr(support, name, None) or getattr(support.people, name)
    profile = student_profile(viewer, support.people.ada.pk)
    assert profile.section(Section.SCHOOL_NOTES) == []
    assert _events(viewer, RESTRICTED_ENTRY_OBJECT) == []
    assert len(_events(viewer, PROFILE_OBJECT)) == 1


def test_a_refused_profile_is_a_404_and_audits_nothing(support: Support) -> None:
    _restricted(support)
    for viewer in (support.vance, support.people.chen, support.people.eve, support.kim):
        with pytest.raises(Http404):
            student_profile(viewer, support.people.ada.pk)
        assert not AuditEvent.objects.filter(actor=viewer).exists()


def test_the_profile_by_section_with_accommodations_not_ended(support: Support) -> None:
    people = support.people
    entry_save(author=people.ada, student=people.ada, topic=Topic.INTERESTS, text="Drawing")
    entry_save(author=people.sam, student=people.ada, topic=Topic.HOME_LANGUAGES, text="Igbo")
    entry_save(author=people.rivera, student=people.ada, topic=Topic.NEEDS, text="Checklists")
    for days, title in ((-30, "Read-aloud"), (-400, "Ended one")):
        accommodation_add(
            author=support.ortiz,
            student=people.ada,
            fields=AccommodationFields(
                category="presentation",
                title=title,
                starts_on=today() + dt.timedelta(days=days),
                ends_on=None if days == -30 else today() - dt.timedelta(days=300),
            ),
        )
    for_sam = student_profile(people.sam, people.ada.pk)
    assert [e.topic for e in for_sam.section(Section.ABOUT_ME)] == [Topic.INTERESTS]
    assert [e.text for e in for_sam.section(Section.FROM_HOME)] == ["Igbo"]
    assert for_sam.section(Section.SCHOOL_NOTES) == []
    assert [a.title for a in for_sam.accommodations] == ["Read-aloud"]
    for_rivera = student_profile(people.rivera, people.ada.pk)
    assert len(for_rivera.section(Section.SCHOOL_NOTES)) == 1


def test_the_profile_reads_in_a_constant_number_of_queries(support: Support) -> None:
    people = support.people
    roles_of(support.ortiz)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            student_profile(support.ortiz, people.ada.pk)
        return len(queries)

    _restricted(support)
    few = count()
    for author in (people.rivera, support.diaz, support.bakr, people.nguyen):
        entry_save(
            author=author, student=people.ada, topic=Topic.OBSERVED_STRENGTHS, text="Kind",
            visibility=Visibility.RESTRICTED, readers=[support.ortiz, people.rivera],
        )  # fmt: skip
    assert count() == few == 6
