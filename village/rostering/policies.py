"""Who may upload, see and confirm roster imports, and what a bundle may touch.

Each rule is written once and usable both ways: ``visible_imports`` filters a queryset,
``import_for_viewer`` loads one import or raises ``Http404``.

- A district admin runs imports for their district and sees those of its schools.
- A school admin runs and sees imports for their school only; their bundle may hold nothing but
  that school and its district (``bundle_scope_problems``).
- Anyone else has no rostering pages at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    Organisation,
    OrgKind,
    OrgRole,
    Role,
    SchoolClass,
)
from village.community.policies import AnyUser, roles_of
from village.core.models import RosterStatus
from village.rostering.models import RosterImport
from village.rostering.records import ParsedRoster
from village.rostering.schema import FileMode

#: At most this many out-of-scope findings are listed per file; the rest are counted.
SCOPE_MESSAGES_PER_FILE = 10


def import_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations ``user`` may import a roster for: districts they run, schools they run."""
    roles = roles_of(user)
    return Organisation.objects.filter(
        Q(pk__in=roles.orgs(Role.DISTRICT_ADMIN), kind=OrgKind.DISTRICT)
        | Q(pk__in=roles.orgs(Role.SCHOOL_ADMIN), kind=OrgKind.SCHOOL)
    )


def may_import(user: AnyUser) -> bool:
    roles = roles_of(user)
    if not roles.orgs(Role.DISTRICT_ADMIN) and not roles.orgs(Role.SCHOOL_ADMIN):
        return False  # no query to build (every page asks, for the navigation)
    return import_organisations(user).exists()


def visible_imports(user: AnyUser) -> QuerySet[RosterImport]:
    """Imports for the user's district (and its schools) or for the school they run."""
    roles = roles_of(user)
    districts = roles.orgs(Role.DISTRICT_ADMIN)
    schools = roles.orgs(Role.SCHOOL_ADMIN)
    if not districts and not schools:
        return RosterImport.objects.none()
    return RosterImport.objects.filter(
        Q(organisation_id__in=districts, organisation__kind=OrgKind.DISTRICT)
        | Q(organisation__parent_id__in=districts, organisation__kind=OrgKind.SCHOOL)
        | Q(organisation_id__in=schools, organisation__kind=OrgKind.SCHOOL)
    )


def import_for_viewer(user: AnyUser, import_id: int) -> RosterImport:
    """One import ``user`` may see and act on, or ``Http404``."""
    found = (
        visible_imports(user)
        .select_related("organisation", "uploaded_by", "confirmed_by")
        .filter(pk=import_id)
        .first()
    )
    if found is None:
        raise Http404("No such import.")
    return found


# --- what a bundle may touch --------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeProblem:
    file: str
    message: str


@dataclass(frozen=True)
class _Scope:
    organisation: Organisation
    org_ids: frozenset[int]  # Village ids of the organisations the import may touch
    sourced_ids: frozenset[str]  # their sourcedIds, plus new schools the bundle brings


def _scope(organisation: Organisation, roster: ParsedRoster) -> _Scope:
    if organisation.kind == OrgKind.SCHOOL:
        orgs = Organisation.objects.filter(pk__in=[organisation.pk, organisation.parent_id])
    else:
        orgs = Organisation.objects.filter(Q(pk=organisation.pk) | Q(parent_id=organisation.pk))
    rows = list(orgs.values_list("pk", "sourced_id"))
    sourced = {sid for _pk, sid in rows if sid}
    if organisation.kind == OrgKind.DISTRICT and organisation.sourced_id:
        sourced |= _new_orgs_under(roster, sourced)
    return _Scope(organisation, frozenset(pk for pk, _sid in rows), frozenset(sourced))


def _new_orgs_under(roster: ParsedRoster, allowed: set[str]) -> set[str]:
    """Orgs Village does not hold yet whose parent chain leads into ``allowed`` (new schools)."""
    taken = set(
        Organisation.objects.filter(sourced_id__in=list(roster.orgs)).values_list(
            "sourced_id", flat=True
        )
    )
    added: set[str] = set()
    grew = True
    while grew:
        grew = False
        for org in roster.orgs.values():
            inside = org.parent_id in allowed or org.parent_id in added
            if org.sourced_id not in taken and org.sourced_id not in added and inside:
                added.add(org.sourced_id)
                grew = True
    return added


def bundle_scope_problems(organisation: Organisation, roster: ParsedRoster) -> list[ScopeProblem]:
    """What in ``roster`` lies outside ``organisation``; empty when the bundle may be imported.

    A school's import may hold only that school and its district; a district's import only the
    district, its schools and new schools under it. Rows Village already has (people, classes,
    courses, terms, enrolments, roles) that the bundle would change must belong there too.
    """
    if not organisation.sourced_id:
        return [
            ScopeProblem(
                "orgs.csv",
                _(
                    "%(name)s has no roster id (sourcedId) in Village, so no roster can be "
                    "matched to it. Ask a district administrator to import the district's roster."
                )
                % {"name": organisation.name},
            )
        ]
    scope = _scope(organisation, roster)
    problems: list[ScopeProblem] = []
    for file, sourced_ids in _org_references(roster):
        outside = sorted(set(sourced_ids) - scope.sourced_ids)
        problems += _listed(file, outside, _outside_org_message(scope), organisation)
    for file, outside in _existing_rows_outside(scope, roster):
        problems += _listed(file, outside, _outside_row_message(scope), organisation)
    return problems


def _outside_org_message(scope: _Scope) -> str:
    if scope.organisation.kind == OrgKind.SCHOOL:
        return _("organisation %(id)s is neither %(name)s nor its district")
    return _("organisation %(id)s is neither %(name)s nor one of its schools")


def _outside_row_message(scope: _Scope) -> str:
    if scope.organisation.kind == OrgKind.SCHOOL:
        return _("%(id)s belongs to another school or district than %(name)s")
    return _("%(id)s belongs to another district than %(name)s")


def _listed(
    file: str, sourced_ids: list[str], template: str, organisation: Organisation
) -> list[ScopeProblem]:
    shown = sourced_ids[:SCOPE_MESSAGES_PER_FILE]
    problems = [
        ScopeProblem(file, template % {"id": f'"{sid}"', "name": organisation.name})
        for sid in shown
    ]
    if len(sourced_ids) > len(shown):
        problems.append(
            ScopeProblem(
                file,
                _("and %(count)d more outside the organisation")
                % {"count": len(sourced_ids) - len(shown)},
            )
        )
    return problems


def _org_references(roster: ParsedRoster) -> Iterator[tuple[str, Iterable[str]]]:
    """Every organisation the bundle defines or points at, by the file it appears in."""
    yield "orgs.csv", roster.orgs
    yield "orgs.csv", roster.deletions.get("orgs", ())
    yield "courses.csv", (course.org_id for course in roster.courses.values())
    yield "classes.csv", (cls.school_id for cls in roster.classes.values())
    yield "users.csv", (org for user in roster.users.values() for org in user.org_ids)
    yield (
        "users.csv",
        (user.primary_org_id for user in roster.users.values() if user.primary_org_id),
    )
    roles_file = "roles.csv" if roster.mode("roles") is not FileMode.ABSENT else "users.csv"
    yield roles_file, (role.org_id for role in roster.roles)
    yield "enrollments.csv", (e.school_id for e in roster.enrollments.values() if e.school_id)


def _existing_rows_outside(scope: _Scope, roster: ParsedRoster) -> Iterator[tuple[str, list[str]]]:
    """Rows the bundle names (to change or delete) that Village holds outside the scope."""
    inside = list(scope.org_ids)
    named = {
        "academicSessions": set(roster.sessions) | roster.deletions.get("academicSessions", set()),
        "courses": set(roster.courses) | roster.deletions.get("courses", set()),
        "classes": set(roster.classes) | roster.deletions.get("classes", set()),
        "enrollments": set(roster.enrollments) | roster.deletions.get("enrollments", set()),
        "roles": {r.sourced_id for r in roster.roles if r.sourced_id}
        | roster.deletions.get("roles", set()),
    }
    outside_rows = {
        "academicSessions": AcademicSession.objects.exclude(organisation_id__in=inside),
        "courses": Course.objects.exclude(organisation_id__in=inside),
        "classes": SchoolClass.objects.exclude(school_id__in=inside),
        "enrollments": Enrollment.objects.exclude(school_class__school_id__in=inside),
        "roles": OrgRole.objects.exclude(organisation_id__in=inside),
    }
    for kind, rows in outside_rows.items():
        if named[kind]:
            found = _sourced_ids(rows)
            yield f"{kind}.csv", sorted(found & named[kind])
    people = set(roster.users) | roster.deletions.get("users", set())
    # A guardian link reaches both people: linking oneself to another school's child is
    # changing that child.
    people.update(person for pair in roster.guardians for person in pair)
    if people:
        yield "users.csv", sorted(_people_outside(scope) & people)


def _sourced_ids(rows: QuerySet[Any]) -> set[str]:
    return set(rows.filter(sourced_id__isnull=False).values_list("sourced_id", flat=True))


def _people_outside(scope: _Scope) -> set[str]:
    """sourcedIds of people who belong elsewhere only: every active role of theirs is outside
    the scope.

    Someone with a role inside too (a teacher shared by two schools, a parent of children at
    both) may be named: the import then changes only their roles, enrolments and links inside,
    never their account (``reach``).
    """
    inside: set[str] = set()
    elsewhere: set[str] = set()
    roles = OrgRole.objects.filter(status=RosterStatus.ACTIVE, user__sourced_id__isnull=False)
    for sourced_id, org_id in roles.values_list("user__sourced_id", "organisation_id").iterator():
        (inside if org_id in scope.org_ids else elsewhere).add(str(sourced_id))
    return elsewhere - inside
