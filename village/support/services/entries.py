"""Profile entries: each author keeps one entry per topic of the section they write (the student
*about me*, a guardian *from home*, staff *school notes*), in their own words and language."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.support import policies, starters, translations, versions
from village.support.models import (
    DEFAULT_VISIBILITY,
    TEXT_MAX,
    Entry,
    EntryReader,
    Section,
    Topic,
    Visibility,
    section_of,
)
from village.support.services.checks import Errors


def _family_sees(section: Section, visibility: str) -> bool:
    """Does the family read (or write) an entry of ``section`` seen by ``visibility``?"""
    return section != Section.SCHOOL_NOTES or visibility == Visibility.FAMILY


def _check_readers(
    errors: Errors, visibility: Visibility | None, readers: list[User], student_id: int
) -> None:
    if visibility != Visibility.RESTRICTED:
        errors.require(not readers, "readers", _("Only a restricted entry names its readers."))
        return
    errors.require(bool(readers), "readers", _("Name at least one member of staff to read it."))
    for reader in policies.readers_not_staff(readers, student_id):
        errors.add(
            "readers",
            _("%(name)s is not one of the student's staff.") % {"name": reader.display_name},
        )


@transaction.atomic
def entry_save(
    *,
    author: User,
    student: User,
    topic: Topic | str,
    text: str,
    language: str | None = None,
    visibility: Visibility | str | None = None,
    readers: Iterable[User] = (),
) -> Entry:
    """Write ``author``'s entry on ``topic`` of the student's profile, or change it.

    ``language`` defaults to the author's preferred language, ``visibility`` to the section's
    default; a restricted entry names ``readers``, each of the student's staff now. Raises
    ``PermissionDenied`` when the author may not write the topic's section, ``ValidationError``
    naming each field in error.
    """
    errors = Errors()
    chosen = errors.choice(Topic, topic, "topic")
    errors.raise_any()
    assert chosen is not None
    section = section_of(chosen)
    if not policies.may_write_section(author, student.pk, section):
        raise PermissionDenied(_("You may not write this part of the profile."))
    text = errors.text(text, "text", limit=TEXT_MAX)
    language = errors.language(language or author.preferred_language, "language")
    seen_by = errors.choice(Visibility, visibility or DEFAULT_VISIBILITY[section], "visibility")
    named = list(dict.fromkeys(readers))
    _check_readers(errors, seen_by, named, student.pk)
    errors.raise_any()
    assert seen_by is not None
    return _write(author, student, chosen, section, text, language, seen_by, named)


def _write(
    author: User,
    student: User,
    topic: Topic,
    section: Section,
    text: str,
    language: str,
    visibility: Visibility,
    readers: list[User],
) -> Entry:
    entry = (
        Entry.objects.select_for_update()
        .filter(student=student, topic=topic, author=author)
        .first()
    )
    family_saw = entry is not None and _family_sees(section, entry.visibility)
    if entry is None:
        entry = Entry(student=student, topic=topic, section=section, author=author)
    entry.text, entry.language, entry.visibility = text, language, visibility
    entry.save()
    EntryReader.objects.filter(entry=entry).delete()
    EntryReader.objects.bulk_create([EntryReader(entry=entry, reader=r) for r in readers])
    translations.entry_saved(entry, student)
    if family_saw or _family_sees(section, visibility):
        versions.children_changed([student.pk])
        starters.interests_changed(topic=topic, student_id=student.pk)
    return entry


@transaction.atomic
def entry_remove(*, author: User, entry: Entry) -> None:
    """Remove one of ``author``'s own entries (loaded with ``policies.entry_for_author``)."""
    if entry.author_id != author.pk:
        raise PermissionDenied(_("Only its author removes an entry."))
    if _family_sees(Section(entry.section), entry.visibility):
        versions.children_changed([entry.student_id])
        starters.interests_changed(topic=entry.topic, student_id=entry.student_id)
    entry.delete()
