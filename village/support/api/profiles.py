"""Profiles through the API: the students whose profile the caller may open, one profile as the
caller may read it (each entry in the caller's language where a machine translation is ready),
and the caller's own entry on a topic, written, changed or removed."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.accounts.models import User
from village.core.api import LISTED, READ, WRITE, Id, InputSchema, PageIn, Ref, Text, invalid
from village.support import policies
from village.support import translations as support_translations
from village.support.api.common import (
    MAX_PAGE_SIZE,
    SupportAccommodationOut,
    SupportPersonOut,
    accommodation_out,
    audit,
    person,
)
from village.support.models import TEXT_MAX, Entry, Section, Topic, Visibility, section_of
from village.support.selectors.profile import student_profile
from village.support.selectors.writing import own_entry, reader_candidates
from village.support.services.entries import entry_remove, entry_save
from village.translation.texts import Reason, Shown, Translations

router = Router()

#: Who writes each section.
AUTHORS: dict[Section, Literal["student", "guardian", "staff"]] = {
    Section.ABOUT_ME: "student",
    Section.FROM_HOME: "guardian",
    Section.SCHOOL_NOTES: "staff",
}
#: The most staff one restricted entry names.
MAX_READERS = 50


class SupportStudentOut(Schema):
    id: int
    name: str
    grade: str


class SupportStudentsPage(Schema):
    items: list[SupportStudentOut]
    count: int = Field(description="How many students there are in all.")


class SupportTranslationOut(Schema):
    text: str = Field(description="The entry machine-translated into the caller's language.")
    language: str = Field(description="The language ``text`` is in (the caller's).")
    uncertain: list[str] = Field(description="Words the engine could not translate.")


class SupportEntryOut(Schema):
    id: int
    section: Section = Field(description="about_me, from_home or school_notes.")
    topic: Topic
    author: SupportPersonOut
    author_role: Literal["student", "guardian", "staff"] = Field(
        description="The student writes about_me, a guardian from_home, staff school_notes."
    )
    language: str = Field(description="The language the author wrote in.")
    visibility: Visibility = Field(
        description="family (the student, the family and the student's staff), staff (the "
        "student's current staff) or restricted (the named staff only)."
    )
    readers: list[SupportPersonOut] = Field(
        description="The staff a restricted entry names (empty for the others)."
    )
    text: str = Field(description="As the author wrote it.")
    translation: SupportTranslationOut | None = Field(
        description="In the caller's language, once the machine translation is ready; null "
        "when the caller reads the entry's language, or while it is on its way."
    )
    translation_pending: bool = Field(
        description="A translation into the caller's language is on its way."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class SupportProfileOut(Schema):
    student: SupportPersonOut
    entries: list[SupportEntryOut] = Field(description="By section, then topic.")
    accommodations: list[SupportAccommodationOut] = Field(
        description="In force, to come and ended, by category and start."
    )
    writes: list[Section] = Field(description="The sections the caller may write.")
    manages_accommodations: bool = Field(description="May the caller set accommodations?")


class SupportEntryIn(InputSchema):
    text: Text = Field(max_length=TEXT_MAX, description="In the author's own words.")
    language: str | None = Field(
        None,
        max_length=16,
        description="The language it is written in (an IETF tag); by default the entry's, "
        "else the caller's preferred language.",
    )
    visibility: Visibility | None = Field(
        None,
        description="Who reads it besides the author; by default the section's (family for "
        "about_me and from_home, staff for school_notes).",
    )
    reader_ids: list[Ref] = Field(
        default_factory=list,
        max_length=MAX_READERS,
        description="For a restricted school note: the student's current staff who read it.",
    )


def _translation(shown: Shown | None) -> SupportTranslationOut | None:
    if shown is None or not shown.translated:
        return None
    return SupportTranslationOut(
        text=shown.text, language=shown.language, uncertain=list(shown.uncertain)
    )


def entry_out(entry: Entry, shown: Shown | None = None) -> SupportEntryOut:
    """``entry`` (with its author and readers read), and what the caller sees of it."""
    section = Section(entry.section)
    return SupportEntryOut(
        id=entry.pk,
        section=section,
        topic=Topic(entry.topic),
        author=person(entry.author),
        author_role=AUTHORS[section],
        language=entry.language,
        visibility=Visibility(entry.visibility),
        readers=[person(reader) for reader in entry.readers.all()],
        text=entry.text,
        translation=_translation(shown),
        translation_pending=shown is not None and shown.reason == Reason.PENDING,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
    )


def _entries(entries: list[Entry], translations: Translations, place: int) -> list[SupportEntryOut]:
    return [entry_out(entry, translations.get(place, entry.text)) for entry in entries]


@router.get(
    "/students",
    response={200: SupportStudentsPage, **LISTED},
    operation_id="support_students_list",
    summary="Students whose profile the caller may open",
    description=(
        "The caller themself (a student), their children whose link allows the support plan "
        "(a guardian), the students they are current staff of (teachers and aides of the "
        "students' classes, admins of their schools, the school's support team), by last "
        "name; ``limit`` (at most 200) after the first ``offset``. Each student listed is "
        "written to the audit log."
    ),
)
def students_list(request: HttpRequest, page: Query[PageIn]) -> SupportStudentsPage:
    user = api_caller(request)
    found = User.objects.filter(pk__in=policies.profile_student_ids(user))
    limit = min(page.limit, MAX_PAGE_SIZE)
    rows = list(found.order_by("last_name", "first_name", "pk")[page.offset : page.offset + limit])
    audit(request, user, [student.pk for student in rows])
    items = [SupportStudentOut(id=s.pk, name=s.display_name, grade=s.grade) for s in rows]
    return SupportStudentsPage(items=items, count=found.count())


@router.get(
    "/students/{student_id}/profile",
    response={200: SupportProfileOut, **READ},
    operation_id="support_profile_get",
    summary="A student's profile",
    description=(
        "The profile as the caller may read it: the entries their visibility allows (a "
        "restricted one only for the staff it names), each as written and, once ready, "
        "machine-translated into the caller's language; the accommodations the caller may "
        "see, ended ones included; what the caller may write and set. The view is written to "
        "the audit log, with one more entry for each restricted entry shown. 404 for a "
        "student whose profile the caller may not open."
    ),
)
def profile_get(request: HttpRequest, student_id: Id) -> SupportProfileOut:
    user = api_caller(request)
    profile = student_profile(user, student_id, request=request, channel="api", ended=True)
    translations = support_translations.profile_translations(user, profile)
    place = support_translations.place(profile)
    student = profile.student
    return SupportProfileOut(
        student=person(student),
        entries=_entries(profile.all_entries(), translations, place),
        accommodations=[accommodation_out(found) for found in profile.accommodations],
        writes=[s for s in Section if policies.may_write_section(user, student.pk, s)],
        manages_accommodations=policies.may_manage_accommodations(user, student.pk),
    )


def _readers(student: User, ids: list[int]) -> list[User]:
    """The staff ``ids`` names, each one the student's staff now (else 422, naming nobody: an
    id says nothing of who it is)."""
    if not ids:
        return []
    found = list(reader_candidates(student.pk).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"readers": _("Name only the student's current staff.")})
    return found


@router.put(
    "/students/{student_id}/entries/{topic}",
    response={200: SupportEntryOut, **WRITE},
    operation_id="support_entry_put",
    summary="Write the caller's own entry on a topic",
    description=(
        "Writes the caller's entry on ``topic`` of the student's profile, or changes it (each "
        "author keeps one per topic): the student writes the about_me topics, a guardian whose "
        "link allows the support plan the from_home ones, the student's staff the school_notes "
        "ones. A restricted school note names its readers (``reader_ids``: the student's "
        "current staff). The answer is the entry as written. Empty or too long text, an "
        "unknown language, readers on an entry that is not restricted or staff who are not the "
        "student's, answer 422 naming the field. 403 for a topic of a section the caller may "
        "not write; 404 for a student whose profile the caller may not open."
    ),
)
def entry_put(
    request: HttpRequest, student_id: Id, topic: Topic, payload: SupportEntryIn
) -> Status[Any]:
    user = api_caller(request)
    student = policies.profile_student_for_viewer(user, student_id)
    if not policies.may_write_section(user, student.pk, section_of(topic)):
        raise PermissionDenied(_("You may not write this part of the profile."))
    before = own_entry(user, student.pk, topic)
    try:
        saved = entry_save(
            author=user,
            student=student,
            topic=topic,
            text=payload.text,
            language=payload.language or (before.language if before else None),
            visibility=payload.visibility,
            readers=_readers(student, payload.reader_ids),
        )
    except ValidationError as error:
        return invalid(error, {"readers": "reader_ids"})
    return Status(200, entry_out(saved))


@router.delete(
    "/students/{student_id}/entries/{topic}",
    response={204: None, **READ},
    operation_id="support_entry_delete",
    summary="Remove the caller's own entry on a topic",
    description=(
        "Removes the entry the caller wrote on ``topic`` of the student's profile. 404 when "
        "they have none there (others' entries are never removed), or for a student whose "
        "profile the caller may not open."
    ),
)
def entry_delete(request: HttpRequest, student_id: Id, topic: Topic) -> Status[None]:
    user = api_caller(request)
    student = policies.profile_student_for_viewer(user, student_id)
    mine = own_entry(user, student.pk, topic)
    # Without one of their own there, no id (0) matches: a 404 like any entry not theirs.
    entry = policies.entry_for_author(user, mine.pk if mine is not None else 0)
    entry_remove(author=user, entry=entry)
    return Status(204, None)
