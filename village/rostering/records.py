"""The parsed, normalised roster: small immutable records keyed by sourcedId, no database objects.

An apply step can turn each dict into set-based inserts and updates; references stay sourcedIds.
Records are the rows to create or update (all active); rows a delta marks ``tobedeleted`` are only
listed, by kind, in ``ParsedRoster.deletions``.

Records are named tuples: a district holds hundreds of thousands of them, and a tuple is several
times cheaper to build and to keep than a frozen dataclass.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from typing import NamedTuple

from village.community.models import EnrollmentRole, OrgKind, Role
from village.rostering.schema import FileMode


class Org(NamedTuple):
    sourced_id: str
    name: str
    type: str  # the OneRoster org type
    kind: OrgKind | None  # None: a type Village does not keep (department, state, ...)
    identifier: str
    parent_id: str


class Session(NamedTuple):
    sourced_id: str
    title: str
    type: str
    start_date: dt.date
    end_date: dt.date
    school_year: int
    parent_id: str


class Course(NamedTuple):
    sourced_id: str
    title: str
    code: str
    org_id: str
    school_year_id: str
    grades: tuple[str, ...]
    subjects: tuple[str, ...]


class Class(NamedTuple):
    sourced_id: str
    title: str
    code: str
    kind: str  # homeroom | scheduled, as community.ClassKind
    course_id: str
    school_id: str
    term_ids: tuple[str, ...]
    location: str
    periods: tuple[str, ...]
    grades: tuple[str, ...]
    subjects: tuple[str, ...]


class User(NamedTuple):
    """A person. Roster passwords are never kept: Village accounts sign in their own way."""

    sourced_id: str
    enabled: bool
    username: str
    given_name: str
    family_name: str
    middle_name: str
    preferred_name: str
    pronouns: str
    email: str
    phone: str
    identifier: str
    grades: tuple[str, ...]
    org_ids: tuple[str, ...]
    primary_org_id: str


class RoleAssignment(NamedTuple):
    """A person's role in an organisation, from users.csv (1.1) or roles.csv (1.2).

    ``role`` is ``None`` for an administrator role at an organisation that is not in the bundle:
    whether it is a school or a district admin is known only once the organisation is looked up
    (see ``roles.admin_role``).
    """

    user_id: str
    org_id: str
    oneroster_role: str
    role: Role | None
    is_primary: bool
    sourced_id: str = ""  # roles.csv rows have their own id; users.csv roles do not
    begin_date: dt.date | None = None
    end_date: dt.date | None = None


class Enrollment(NamedTuple):
    sourced_id: str
    class_id: str
    school_id: str
    user_id: str
    role: EnrollmentRole
    is_primary: bool
    begin_date: dt.date | None
    end_date: dt.date | None


class GuardianPair(NamedTuple):
    guardian_id: str
    student_id: str


@dataclass
class ParsedRoster:
    """Everything an apply needs. Only meaningful when the report has no errors."""

    version: str = ""
    modes: dict[str, FileMode] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    roles: list[RoleAssignment] = field(default_factory=list)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    guardians: set[GuardianPair] = field(default_factory=set)
    deletions: dict[str, set[str]] = field(default_factory=dict)
    # The users.csv line of each user, in the order of ``users`` (a compact array: a district
    # has 100,000s of users), and of each user a delta deletes; for messages naming the row.
    user_lines: array[int] = field(default_factory=lambda: array("L"))
    deleted_user_lines: dict[str, int] = field(default_factory=dict)
    # The line of each role (in ``roles``' order; users.csv or roles.csv) and of each enrolment
    # (in ``enrollments``' order), for messages naming the row.
    role_lines: array[int] = field(default_factory=lambda: array("L"))
    enrollment_lines: array[int] = field(default_factory=lambda: array("L"))

    def lines_of_users(self, sourced_ids: set[str]) -> dict[str, int]:
        """The users.csv line of each of ``sourced_ids`` the file holds or deletes."""
        lines = {
            sourced_id: self.user_lines[position]
            for position, sourced_id in enumerate(self.users)
            if sourced_id in sourced_ids and position < len(self.user_lines)
        }
        for sourced_id in sourced_ids & self.deleted_user_lines.keys():
            lines[sourced_id] = self.deleted_user_lines[sourced_id]
        return lines

    def lines_of_enrollments(self, sourced_ids: set[str]) -> dict[str, int]:
        """The enrollments.csv line of each of ``sourced_ids`` the file holds."""
        return {
            sourced_id: self.enrollment_lines[position]
            for position, sourced_id in enumerate(self.enrollments)
            if sourced_id in sourced_ids and position < len(self.enrollment_lines)
        }

    def role_line(self, position: int) -> int | None:
        """The line of the role at ``position`` in ``roles``."""
        return self.role_lines[position] if position < len(self.role_lines) else None

    @property
    def is_empty(self) -> bool:
        """True for a manifest-only bundle: nothing to change."""
        return not any(mode is not FileMode.ABSENT for mode in self.modes.values())

    def mode(self, kind: str) -> FileMode:
        return self.modes.get(kind, FileMode.ABSENT)
