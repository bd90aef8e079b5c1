"""The rows of a district's OneRoster 1.1 bulk export, one generator per file.

Every generator streams: the large files (users, classes, enrolments) are read with
``values_list(...).iterator()`` in sourcedId order, and the few facts a row needs from other
tables (a user's roles and agents, a class's terms) are fetched for one chunk of rows at a time.
Nothing here holds more than a chunk of people, classes or enrolments.

What is exported (see ``DistrictScope``): the district and its schools, the active sessions of
those organisations, the active courses of those organisations, the active classes of the
schools whose course is exported, the active accounts with an active role there (whatever its
dates: current or past), and the active enrolments of those people in those classes.

Roles, Village -> OneRoster 1.1 (the inverse of ``village.rostering.roles``):

==============================  ==========================================================
Village                         OneRoster
==============================  ==========================================================
student, teacher, aide          student, teacher, aide
school_admin, district_admin    administrator (the org type tells them apart on import)
guardian                        parent
partner                         not exported: OneRoster has no community-partner role
enrolment as aide               enrolment as teacher with primary=false (1.1 enrolments
                                know administrator, proctor, student and teacher only)
==============================  ==========================================================

A 1.1 user row carries one role for every organisation it lists, so a person with several
roles is exported with one of them (the primary role; on a tie, the one giving most access)
and only the organisations where they hold it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Collate, Concat, NullIf

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
    Role,
    SchoolClass,
    SessionKind,
)
from village.core.models import RosterStatus

CHUNK = 1000
Row = list[str]
T = TypeVar("T")

HEADERS: dict[str, tuple[str, ...]] = {
    "orgs": (
        "sourcedId", "status", "dateLastModified", "name", "type", "identifier",
        "parentSourcedId",
    ),
    "academicSessions": (
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
        "parentSourcedId", "schoolYear",
    ),
    "courses": (
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode",
        "grades", "orgSourcedId", "subjects", "subjectCodes",
    ),
    "classes": (
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
        "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
        "subjectCodes", "periods",
    ),
    "users": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
        "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
        "sms", "phone", "agentSourcedIds", "grades", "password",
    ),
    "enrollments": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
        "userSourcedId", "role", "primary", "beginDate", "endDate",
    ),
}  # fmt: skip

ONEROSTER_ROLE: dict[str, str] = {
    Role.STUDENT: "student",
    Role.TEACHER: "teacher",
    Role.AIDE: "aide",
    Role.SCHOOL_ADMIN: "administrator",
    Role.DISTRICT_ADMIN: "administrator",
    Role.GUARDIAN: "parent",
}
# When a person holds several primary roles, the one exported: most access first.
PRECEDENCE: tuple[str, ...] = (
    Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.TEACHER, Role.AIDE, Role.STUDENT, Role.GUARDIAN,
)  # fmt: skip
ENROLMENT_ROLE: dict[str, str] = {
    EnrollmentRole.STUDENT: "student",
    EnrollmentRole.TEACHER: "teacher",
    EnrollmentRole.AIDE: "teacher",
}


class ExportError(Exception):
    """The district cannot be written as a valid bundle; the message says why."""


# -- ids and ordering ------------------------------------------------------------------------


def stable_id(kind: str, pk: int) -> str:
    """The sourcedId of an object made in Village, which has none of its own."""
    return f"village-{kind}-{pk}"


def export_id(kind: str, prefix: str = "") -> Coalesce:
    """SQL for the sourcedId of the row reached through ``prefix`` (e.g. ``"user__"``)."""
    generated = Concat(Value(f"village-{kind}-"), Cast(f"{prefix}pk", output_field=CharField()))
    return Coalesce(
        NullIf(F(f"{prefix}sourced_id"), Value("")), generated, output_field=CharField()
    )


def bytewise(expression: Combinable) -> Combinable:
    """Order by code point, as Python sorts, whatever the database's locale."""
    if connection.vendor == "postgresql":
        return Collate(expression, "C")
    return expression  # SQLite compares text as bytes (UTF-8): the same order


def chunks(rows: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size or CHUNK)):
        yield batch


# -- values ----------------------------------------------------------------------------------


def items(text: str, *, grades: bool = False) -> str:
    """A comma list, tidied; grades as CEDS codes (``5`` -> ``05``)."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if grades:
        parts = [part.zfill(2) if part.isdigit() else part for part in parts]
    return ",".join(parts)


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def boolean(value: bool) -> str:
    return "true" if value else "false"


# -- what belongs to the district ------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    key: str
    title: str
    kind: str
    start: dt.date
    end: dt.date
    parent_id: int | None
    school_year: int


class DistrictScope:
    """The organisations and sessions of one district, and the querysets of what else goes."""

    def __init__(self, district: Organisation) -> None:
        if district.kind != OrgKind.DISTRICT:
            raise ExportError(f"{district} is a school; export its district instead")
        orgs = Organisation.objects.filter(Q(pk=district.pk) | Q(parent_id=district.pk))
        self.orgs = list(
            orgs.values_list("pk", "kind", "name", "identifier", "parent_id", "sourced_id")
        )
        self.org_keys = {pk: sid or stable_id("org", pk) for pk, *_rest, sid in self.orgs}
        self.school_ids = [pk for pk, kind, *_rest in self.orgs if kind == OrgKind.SCHOOL]
        self.sessions = self._sessions()
        self.default_term = self._default_term()
        if self.default_term is None and self.classes().exists():
            raise ExportError(
                f"{district} has classes but no academic session: every class needs a term"
            )

    def _sessions(self) -> dict[int, _Session]:
        rows = AcademicSession.objects.filter(
            organisation_id__in=self.org_keys, status=RosterStatus.ACTIVE
        ).values_list(
            "pk", "sourced_id", "title", "kind", "start_date", "end_date", "parent_id",
            "school_year",
        )  # fmt: skip
        return {
            pk: _Session(sid or stable_id("session", pk), title, kind, start, end, parent, year)
            for pk, sid, title, kind, start, end, parent, year in rows
        }

    def _default_term(self) -> str | None:
        """For a class with no exported term: the latest school year (else latest session)."""
        ranked = sorted(
            self.sessions.values(),
            key=lambda s: (s.kind == SessionKind.SCHOOL_YEAR, s.start, s.key),
        )
        return ranked[-1].key if ranked else None

    def courses(self) -> QuerySet[Course]:
        return Course.objects.filter(organisation_id__in=self.org_keys, status=RosterStatus.ACTIVE)

    def classes(self) -> QuerySet[SchoolClass]:
        return SchoolClass.objects.filter(
            school_id__in=self.school_ids,
            status=RosterStatus.ACTIVE,
            course__in=self.courses().values("pk"),
        )

    def roles(self) -> QuerySet[OrgRole]:
        """Active roles at the district's organisations, current or past; partners left out."""
        return OrgRole.objects.filter(
            organisation_id__in=self.org_keys, status=RosterStatus.ACTIVE
        ).exclude(role=Role.PARTNER)

    def is_exported(self, user_field: str) -> Exists:
        """True for rows whose ``user_field`` is a person in the export."""
        return Exists(
            self.roles().filter(user_id=OuterRef(user_field), user__status=RosterStatus.ACTIVE)
        )

    def users(self) -> QuerySet[User]:
        return User.objects.filter(self.is_exported("pk"))


# -- orgs, sessions, courses -----------------------------------------------------------------


def org_rows(scope: DistrictScope) -> Iterator[Row]:
    rows = [
        [scope.org_keys[pk], "", "", name, kind, identifier, scope.org_keys.get(parent, "")]
        for pk, kind, name, identifier, parent, _sid in scope.orgs
    ]
    yield from sorted(rows)


def session_rows(scope: DistrictScope) -> Iterator[Row]:
    keys = {pk: session.key for pk, session in scope.sessions.items()}
    rows = [
        [
            s.key,
            "",
            "",
            s.title,
            s.kind,
            day(s.start),
            day(s.end),
            keys.get(s.parent_id or 0, ""),
            str(s.school_year),
        ]
        for s in scope.sessions.values()
    ]
    yield from sorted(rows)


def course_rows(scope: DistrictScope) -> Iterator[Row]:
    key = export_id("course")
    rows = (
        scope.courses()
        .annotate(key=key)
        .order_by(bytewise(key))
        .values_list(
            "key", "school_year_id", "title", "code", "grades", "organisation_id", "subjects"
        )
    )
    for sid, year, title, code, grades, org, subjects in rows.iterator(chunk_size=CHUNK):
        session = scope.sessions.get(year)
        yield [
            sid, "", "", session.key if session else "", title, code,
            items(grades, grades=True), scope.org_keys[org], items(subjects), "",
        ]  # fmt: skip


# -- classes ---------------------------------------------------------------------------------


def class_rows(scope: DistrictScope) -> Iterator[Row]:
    key = export_id("class")
    rows = (
        scope.classes()
        .annotate(key=key, course_key=export_id("course", "course__"))
        .order_by(bytewise(key))
        .values_list(
            "pk",
            "key",
            "title",
            "grades",
            "course_key",
            "code",
            "kind",
            "location",
            "school_id",
            "subjects",
            "periods",
            "course__school_year_id",
        )
    )
    for batch in chunks(rows.iterator(chunk_size=CHUNK)):
        terms = _terms([row[0] for row in batch], scope)
        for pk, sid, title, grades, course, code, kind, room, school, subj, periods, year in batch:
            yield [
                sid, "", "", title, items(grades, grades=True), course, code, kind, room,
                scope.org_keys[school], _term_ids(terms.get(pk), year, scope), items(subj), "",
                items(periods),
            ]  # fmt: skip


def _terms(class_ids: Sequence[int], scope: DistrictScope) -> dict[int, list[str]]:
    links = SchoolClass.terms.through.objects.filter(schoolclass_id__in=class_ids)
    terms: dict[int, list[str]] = defaultdict(list)
    for class_id, session_id in links.values_list("schoolclass_id", "academicsession_id"):
        session = scope.sessions.get(session_id)
        if session is not None:
            terms[class_id].append(session.key)
    return terms


def _term_ids(terms: list[str] | None, course_year: int | None, scope: DistrictScope) -> str:
    """The class's terms; without any, its course's school year, else the district's latest."""
    if terms:
        return ",".join(sorted(terms))
    year = scope.sessions.get(course_year or 0)
    return year.key if year else scope.default_term or ""


# -- users -----------------------------------------------------------------------------------


def user_rows(scope: DistrictScope) -> Iterator[Row]:
    key = export_id("user")
    rows = (
        scope.users()
        .annotate(key=key)
        .order_by(bytewise(key))
        .values_list(
            "pk",
            "key",
            "is_active",
            "username",
            "first_name",
            "last_name",
            "middle_name",
            "email",
            "phone",
            "grade",
        )
    )
    for batch in chunks(rows.iterator(chunk_size=CHUNK)):
        pks = [row[0] for row in batch]
        roles = _roles(pks, scope)
        agents = _agents(pks, scope)
        for pk, sid, active, username, first, last, middle, email, phone, grade in batch:
            role, orgs = _main_role(roles[pk], scope)
            yield [
                sid, "", "", boolean(active), orgs, role, username, "", first or username,
                last or username, middle, "", email, "", phone,
                ",".join(sorted(agents.get((pk, role), ()))), items(grade, grades=True), "",
            ]  # fmt: skip


def _roles(user_ids: Sequence[int], scope: DistrictScope) -> dict[int, list[tuple[Any, ...]]]:
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    rows = scope.roles().filter(user_id__in=user_ids)
    for user_id, org_id, role, is_primary in rows.values_list(
        "user_id", "organisation_id", "role", "is_primary"
    ):
        found[user_id].append((org_id, role, is_primary))
    return found


def _main_role(roles: list[tuple[Any, ...]], scope: DistrictScope) -> tuple[str, str]:
    """The OneRoster role to export and the organisations where the person holds it."""
    _org, role, _primary = min(roles, key=lambda r: (not r[2], PRECEDENCE.index(r[1])))
    oneroster = ONEROSTER_ROLE[role]
    orgs = {scope.org_keys[org] for org, other, _p in roles if ONEROSTER_ROLE[other] == oneroster}
    return oneroster, ",".join(sorted(orgs))


def _agents(user_ids: Sequence[int], scope: DistrictScope) -> dict[tuple[int, str], set[str]]:
    """Agents by (user, exported role): a student's guardians and a parent's children.

    Only links a guardian may use (active, not ``no_access``) between two exported people: a
    court order in Village must not become a parent's access in another system. The other end
    is checked in a second query driven by the chunk's few ids, which every planner runs as
    index lookups, rather than as a subquery that stale statistics can turn into a scan per row.
    """
    chunk = set(user_ids)
    links = (
        GuardianLink.objects.filter(status=LinkStatus.ACTIVE, no_access=False)
        .filter(Q(student_id__in=user_ids) | Q(guardian_id__in=user_ids))
        .annotate(student_key=export_id("user", "student__"))
        .annotate(guardian_key=export_id("user", "guardian__"))
        .values_list("student_id", "guardian_id", "student_key", "guardian_key")
    )
    found = list(links)
    others = {pk for student, guardian, *_keys in found for pk in (student, guardian)} - chunk
    exported = chunk | set(
        scope.roles()
        .filter(user_id__in=others, user__status=RosterStatus.ACTIVE)
        .values_list("user_id", flat=True)
    )
    agents: dict[tuple[int, str], set[str]] = defaultdict(set)
    for student, guardian, student_key, guardian_key in found:
        if student in exported and guardian in exported:
            if student in chunk:
                agents[(student, "student")].add(guardian_key)
            if guardian in chunk:
                agents[(guardian, "parent")].add(student_key)
    return agents


# -- enrolments ------------------------------------------------------------------------------


def enrollment_rows(scope: DistrictScope) -> Iterator[Row]:
    key = export_id("enrollment")
    rows = (
        Enrollment.objects.filter(
            status=RosterStatus.ACTIVE,
            school_class__in=scope.classes().values("pk"),
        )
        .filter(scope.is_exported("user_id"))
        .annotate(
            key=key,
            class_key=export_id("class", "school_class__"),
            user_key=export_id("user", "user__"),
        )
        .order_by(bytewise(key))
        .values_list(
            "key",
            "class_key",
            "school_class__school_id",
            "user_key",
            "role",
            "is_primary",
            "begin_date",
            "end_date",
        )
    )
    for sid, klass, school, user, role, primary, begin, end in rows.iterator(chunk_size=CHUNK):
        is_primary = primary and role == EnrollmentRole.TEACHER
        yield [
            sid, "", "", klass, scope.org_keys[school], user, ENROLMENT_ROLE[role],
            boolean(is_primary), day(begin), day(end),
        ]  # fmt: skip


ROWS = {
    "orgs": org_rows,
    "academicSessions": session_rows,
    "courses": course_rows,
    "classes": class_rows,
    "users": user_rows,
    "enrollments": enrollment_rows,
}
