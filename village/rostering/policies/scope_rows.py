"""The findings behind ``policies.scope``: which rows, references and people of a bundle lie
outside the import's organisations. Each finder is a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from village.accounts.models import User
from village.classwork.models import Assignment, Feedback
from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    EnrollmentRole,
    Organisation,
    OrgKind,
    OrgRole,
    SchoolClass,
)
from village.rostering import reach
from village.rostering.gradebook import GradebookRows
from village.rostering.records import ParsedRoster
from village.rostering.schema import FileMode

LIMIT = reach.LIMIT


@dataclass(frozen=True)
class BundleScope:
    organisation: Organisation
    org_ids: frozenset[int]  # Village ids of the organisations the import may touch
    sourced_ids: frozenset[str]  # their sourcedIds, plus new schools the bundle brings
    # The importer's own organisations (``reach.importer_reach``): a school's import may name
    # its district, but gives roles, enrolments and classes at its school only.
    reach: frozenset[int]
    # The sourcedIds people's organisations (users.csv, roles.csv) may name.
    people_sourced_ids: frozenset[str]


def bundle_scope(organisation: Organisation, roster: ParsedRoster) -> BundleScope:
    if organisation.kind == OrgKind.SCHOOL:
        orgs = Organisation.objects.filter(pk__in=[organisation.pk, organisation.parent_id])
    else:
        orgs = Organisation.objects.filter(Q(pk=organisation.pk) | Q(parent_id=organisation.pk))
    rows = list(orgs.values_list("pk", "sourced_id"))
    sourced = {sid for _pk, sid in rows if sid}
    if organisation.kind == OrgKind.DISTRICT and organisation.sourced_id:
        sourced = reach.orgs_under(sourced, _new_org_parents(roster))
        own_reach = frozenset(pk for pk, _sid in rows)
        people = frozenset(sourced)
    else:
        own_reach = frozenset({organisation.pk})
        people = frozenset({organisation.sourced_id} if organisation.sourced_id else ())
    return BundleScope(
        organisation,
        frozenset(pk for pk, _sid in rows),
        frozenset(sourced),
        own_reach,
        people,
    )


def _new_org_parents(roster: ParsedRoster) -> dict[str, str | None]:
    """Each organisation of the bundle Village does not hold yet, with its parent's sourcedId."""
    taken = set(
        Organisation.objects.filter(sourced_id__in=list(roster.orgs)).values_list(
            "sourced_id", flat=True
        )
    )
    return {
        org.sourced_id: org.parent_id for org in roster.orgs.values() if org.sourced_id not in taken
    }


def org_references(roster: ParsedRoster) -> Iterator[tuple[str, Iterable[str]]]:
    """Every organisation the bundle defines or points at, by the file it appears in."""
    yield "orgs.csv", roster.orgs
    yield "orgs.csv", roster.deletions.get("orgs", ())
    yield "courses.csv", (course.org_id for course in roster.courses.values())
    yield "classes.csv", (cls.school_id for cls in roster.classes.values())
    yield "enrollments.csv", (e.school_id for e in roster.enrollments.values() if e.school_id)


def people_org_references(
    roster: ParsedRoster,
) -> Iterator[tuple[str, Iterable[tuple[int | None, str]]]]:
    """The organisations people are given roles at, with the line naming each."""
    lines = roster.user_lines
    yield (
        "users.csv",
        (
            (lines[position] if position < len(lines) else None, org)
            for position, user in enumerate(roster.users.values())
            for org in {*user.org_ids, *((user.primary_org_id,) if user.primary_org_id else ())}
        ),
    )
    roles_file = "roles.csv" if roster.mode("roles") is not FileMode.ABSENT else "users.csv"
    yield (
        roles_file,
        ((roster.role_line(position), role.org_id) for position, role in enumerate(roster.roles)),
    )


def existing_rows_outside(
    scope: BundleScope, roster: ParsedRoster
) -> Iterator[tuple[str, list[str]]]:
    """Rows the bundle names (to change or delete) that Village holds outside the scope."""
    structure = list(scope.org_ids)
    inside = list(scope.reach)
    named = {
        "academicSessions": set(roster.sessions) | roster.deletions.get("academicSessions", set()),
        "courses": set(roster.courses) | roster.deletions.get("courses", set()),
        "classes": set(roster.classes) | roster.deletions.get("classes", set()),
        "enrollments": set(roster.enrollments) | roster.deletions.get("enrollments", set()),
        "roles": {r.sourced_id for r in roster.roles if r.sourced_id}
        | roster.deletions.get("roles", set()),
    }
    outside_rows = {
        "academicSessions": AcademicSession.objects.exclude(organisation_id__in=structure),
        "courses": Course.objects.exclude(organisation_id__in=structure),
        "classes": SchoolClass.objects.exclude(school_id__in=inside),
        "enrollments": Enrollment.objects.exclude(school_class__school_id__in=inside),
        "roles": OrgRole.objects.exclude(organisation_id__in=inside),
    }
    for kind, rows in outside_rows.items():
        if named[kind]:
            found = _sourced_ids(rows, named[kind])
            yield f"{kind}.csv", sorted(found & named[kind])


def people_outside_by_line(
    scope: BundleScope, roster: ParsedRoster
) -> Iterator[tuple[str, list[tuple[int | None, str]]]]:
    """Rows that name, by line, a class or a person the import may not reach.

    An enrolment reaches its class (whatever school the row says) and its person; a role its
    person; a guardian link both people: linking oneself to another school's child is changing
    that child.
    """
    enrolled_classes = {e.class_id for e in roster.enrollments.values()} - set(roster.classes)
    classes_outside: set[str] = set()
    if enrolled_classes:
        classes_outside = _sourced_ids(
            SchoolClass.objects.exclude(school_id__in=list(scope.reach)), enrolled_classes
        )
    roles_file = "roles.csv" if roster.mode("roles") is not FileMode.ABSENT else "users.csv"
    people = (
        set(roster.users)
        | roster.deletions.get("users", set())
        | {person for pair in roster.guardians for person in pair}
        | {e.user_id for e in roster.enrollments.values()}
        | {role.user_id for role in roster.roles}
    )
    outside = _people_outside(scope, people)
    if not outside and not classes_outside:
        return
    user_lines = roster.lines_of_users(outside | _guardians_of(roster, outside))
    named_in_users: list[tuple[int | None, str]] = [
        (user_lines.get(sid), sid) for sid in sorted(outside) if sid in user_lines
    ]
    for guardian, student in roster.guardians:
        if student in outside and guardian in user_lines:
            named_in_users.append((user_lines[guardian], student))
        if guardian in outside and student in user_lines:
            named_in_users.append((user_lines[student], guardian))
    if named_in_users:
        yield "users.csv", named_in_users
    if roster.mode("roles") is not FileMode.ABSENT:
        yield (
            roles_file,
            [
                (roster.role_line(position), role.user_id)
                for position, role in enumerate(roster.roles)
                if role.user_id in outside
            ],
        )
    enrollment_lines = roster.lines_of_enrollments(set(roster.enrollments))
    in_enrollments: list[tuple[int | None, str]] = []
    for sid, enrollment in roster.enrollments.items():
        if enrollment.class_id in classes_outside:
            in_enrollments.append((enrollment_lines.get(sid), enrollment.class_id))
        if enrollment.user_id in outside:
            in_enrollments.append((enrollment_lines.get(sid), enrollment.user_id))
    if in_enrollments:
        yield "enrollments.csv", in_enrollments


def _guardians_of(roster: ParsedRoster, people: set[str]) -> set[str]:
    return {
        person
        for pair in roster.guardians
        if pair.guardian_id in people or pair.student_id in people
        for person in pair
    }


def _sourced_ids(rows: QuerySet[Any], named: set[str]) -> set[str]:
    rows = rows.filter(sourced_id__isnull=False)
    if len(named) <= LIMIT:
        rows = rows.filter(sourced_id__in=list(named))
    return set(rows.values_list("sourced_id", flat=True))


def _people_outside(scope: BundleScope, named: set[str]) -> set[str]:
    """sourcedIds of the people in ``named`` the import may not name at all
    (``reach.may_name``): they belong elsewhere only.

    Someone with a role inside too (a teacher shared by two schools, a parent of children at
    both) may be named: the import then changes only their roles, enrolments and links inside,
    never their account (``reach``).
    """
    if not named:
        return set()
    people = User.objects.filter(sourced_id__isnull=False).order_by()
    if len(named) <= LIMIT:
        people = people.filter(sourced_id__in=list(named))
    rows = reach.with_ties(scope.reach, people).values_list("sourced_id", *reach.TIES)
    return {
        str(sourced_id)
        for sourced_id, *ties in rows
        if sourced_id in named and not reach.may_name(*ties)
    }


def structure_outside(scope: BundleScope, roster: ParsedRoster) -> Iterator[tuple[str, list[str]]]:
    """Terms and courses a school's import would create outside that school (terms belong to a
    district), and the courses and terms outside the import's organisations a class would use."""
    if scope.organisation.kind == OrgKind.SCHOOL:
        named_sessions = set(roster.sessions)
        held_sessions = (
            _sourced_ids(AcademicSession.objects.all(), named_sessions) if named_sessions else set()
        )
        yield "academicSessions.csv", sorted(named_sessions - held_sessions)
        elsewhere = {
            course.sourced_id
            for course in roster.courses.values()
            if course.org_id != scope.organisation.sourced_id
        }
        if elsewhere:
            held_courses = _sourced_ids(Course.objects.all(), elsewhere)
            yield "courses.csv", sorted(elsewhere - held_courses)
    structure = list(scope.org_ids)
    courses = {cls.course_id for cls in roster.classes.values() if cls.course_id}
    courses -= set(roster.courses)
    terms = {term for cls in roster.classes.values() for term in cls.term_ids}
    terms -= set(roster.sessions)
    outside: set[str] = set()
    if courses:
        outside |= _sourced_ids(Course.objects.exclude(organisation_id__in=structure), courses)
    if terms:
        outside |= _sourced_ids(
            AcademicSession.objects.exclude(organisation_id__in=structure), terms
        )
    yield "classes.csv", sorted(outside)


def orgs_moved(scope: BundleScope, roster: ParsedRoster) -> list[str]:
    """Organisations the bundle would move: for a school's import, any whose type or parent
    differs from Village's; for a district's, any put under an organisation outside it.

    The parent compared is the one the import would give: none for a district (its
    ``parentSourcedId`` is not kept), a district of its own for a school naming none. Rows of
    types Village does not keep change nothing.
    """
    if not roster.orgs:
        return []
    held = {
        sourced_id: (kind, parent or "")
        for sourced_id, kind, parent in Organisation.objects.filter(
            sourced_id__in=list(roster.orgs)
        ).values_list("sourced_id", "kind", "parent__sourced_id")
    }
    moved: list[str] = []
    for org in roster.orgs.values():
        if org.kind is None:
            continue
        parent = "" if org.kind == OrgKind.DISTRICT else org.parent_id or None
        found = held.get(org.sourced_id)
        if scope.organisation.kind == OrgKind.SCHOOL:
            if found is not None and found != (org.kind, parent):
                moved.append(org.sourced_id)
        elif org.kind == OrgKind.SCHOOL and parent not in scope.sourced_ids:
            moved.append(org.sourced_id)
    return sorted(moved)


def gradebook_outside_by_line(
    scope: BundleScope, roster: ParsedRoster, gradebook: GradebookRows
) -> Iterator[tuple[str, list[tuple[int | None, str]]]]:
    """Line items and results that name, by line, a class, line item, result or student
    outside the import's reach: work is given, moved, graded or removed inside it only."""
    inside = list(scope.reach)
    items = gradebook.line_items
    results = gradebook.results
    if not items and not results:
        return
    bundle_classes = roster.classes
    class_refs = {r.text("classSourcedId") for r in items if not r.deleted}
    outside_classes = {
        ref
        for ref in class_refs & bundle_classes.keys()
        if bundle_classes[ref].school_id not in scope.people_sourced_ids
    }
    if class_refs - bundle_classes.keys():
        outside_classes |= _sourced_ids(
            SchoolClass.objects.exclude(school_id__in=inside), class_refs - bundle_classes.keys()
        )
    named_items = {r.sourced_id for r in items} | {
        r.text("lineItemSourcedId") for r in results if not r.deleted
    }
    outside_items = (
        _sourced_ids(Assignment.objects.exclude(school_class__school_id__in=inside), named_items)
        if named_items
        else set()
    )
    found: list[tuple[int | None, str]] = []
    for record in items:
        if record.sourced_id in outside_items:
            found.append((record.line, record.sourced_id))
        if not record.deleted and record.text("classSourcedId") in outside_classes:
            found.append((record.line, record.text("classSourcedId")))
    if found:
        yield "lineItems.csv", found
    named_results = {r.sourced_id for r in results}
    outside_results = (
        _sourced_ids(
            Feedback.objects.exclude(assignment__school_class__school_id__in=inside),
            named_results,
        )
        if named_results
        else set()
    )
    outside_students = _people_outside(
        scope, {r.text("studentSourcedId") for r in results if not r.deleted}
    )
    found = []
    for record in results:
        if record.sourced_id in outside_results:
            found.append((record.line, record.sourced_id))
        if record.deleted:
            continue
        if record.text("lineItemSourcedId") in outside_items:
            found.append((record.line, record.text("lineItemSourcedId")))
        if record.text("studentSourcedId") in outside_students:
            found.append((record.line, record.text("studentSourcedId")))
    if found:
        yield "results.csv", found


def results_not_enrolled(
    roster: ParsedRoster, gradebook: GradebookRows
) -> list[tuple[int | None, str]]:
    """Results (by line, with their student) for a student who is not enrolled in the class
    of the result's line item, in Village or in the bundle. A line item the bundle does not
    hold is read from Village; a result whose line item is nowhere is left to the import."""
    results = [r for r in gradebook.results if not r.deleted]
    if not results:
        return []
    item_classes: dict[str, str | int] = {
        r.sourced_id: r.text("classSourcedId") for r in gradebook.line_items if not r.deleted
    }
    held_items = {r.text("lineItemSourcedId") for r in results} - item_classes.keys()
    if held_items:
        assignments = Assignment.objects.filter(sourced_id__isnull=False)
        if len(held_items) <= LIMIT:
            assignments = assignments.filter(sourced_id__in=list(held_items))
        for sourced_id, class_pk in assignments.values_list("sourced_id", "school_class_id"):
            if sourced_id in held_items:
                item_classes[sourced_id] = class_pk
    students = {r.text("studentSourcedId") for r in results}
    class_refs = {c for c in item_classes.values() if isinstance(c, str)}
    class_pks = {c for c in item_classes.values() if isinstance(c, int)}
    enrollments = Enrollment.objects.filter(role=EnrollmentRole.STUDENT)
    if len(students) <= LIMIT:
        enrollments = enrollments.filter(user__sourced_id__in=list(students))
    if len(class_refs) + len(class_pks) <= LIMIT:
        enrollments = enrollments.filter(
            Q(school_class__sourced_id__in=list(class_refs))
            | Q(school_class_id__in=list(class_pks))
        )
    enrolled: set[tuple[str | None, str | int | None]] = set()
    for student, class_ref, class_pk in enrollments.values_list(
        "user__sourced_id", "school_class__sourced_id", "school_class_id"
    ):
        enrolled.add((student, class_ref))
        enrolled.add((student, class_pk))
    enrolled |= {
        (e.user_id, e.class_id)
        for e in roster.enrollments.values()
        if e.role == EnrollmentRole.STUDENT
    }
    return [
        (r.line, r.text("studentSourcedId"))
        for r in results
        if r.text("lineItemSourcedId") in item_classes
        and (r.text("studentSourcedId"), item_classes[r.text("lineItemSourcedId")]) not in enrolled
    ]
