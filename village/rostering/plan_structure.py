"""Plan the school structure: organisations, academic sessions, courses and classes.

Which rows a bulk file may deactivate is limited to the districts the bundle speaks for (its
districts, the districts of its schools, and of every organisation its rows refer to), so a
roster from one district never touches another district's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F
from django.utils.translation import gettext as _

from village.community.models import AcademicSession, Course, Organisation, OrgKind, SchoolClass
from village.core.models import RosterStatus
from village.rostering.plan import (
    Context,
    KindPlan,
    Row,
    deactivate,
    diff,
    joined,
    keyed,
    stale,
)
from village.rostering.plan import check_lengths as _check_lengths

ACTIVE = RosterStatus.ACTIVE
# The values of a new row of each kind, after its sourcedId.
ORG_COLUMNS = ("name", "identifier", "status", "kind", "parent_ref")
SESSION_COLUMNS = (
    "title", "kind", "start_date", "end_date", "school_year", "parent_ref", "status",
    "organisation_ref",
)  # fmt: skip
COURSE_COLUMNS = (
    "title", "code", "grades", "subjects", "organisation_ref", "school_year_ref", "status",
)  # fmt: skip
CLASS_COLUMNS = (
    "title", "code", "kind", "location", "periods", "grades", "subjects", "course_ref",
    "school_ref", "status",
)  # fmt: skip


def stand_in_district_id(school_id: str) -> str:
    """The sourcedId of the district Village makes for a school whose roster names none."""
    return f"{school_id}:district"


@dataclass
class OrgIndex:
    """Organisations after the import, in sourcedId space, and the districts the bundle covers."""

    kinds: dict[str, str] = field(default_factory=dict)  # sourcedId -> district | school
    parents: dict[str, str | None] = field(default_factory=dict)
    pks: dict[str, int] = field(default_factory=dict)  # existing sourcedId -> pk
    covered_districts: set[str] = field(default_factory=set)
    covered_pks: set[int] = field(default_factory=set)  # existing organisations covered

    def district_of(self, sourced_id: str) -> str | None:
        if self.kinds.get(sourced_id) == OrgKind.DISTRICT:
            return sourced_id
        return self.parents.get(sourced_id)


def plan_structure(ctx: Context) -> OrgIndex:
    index = _plan_orgs(ctx)
    _plan_sessions(ctx, index)
    _plan_courses(ctx, index)
    _plan_classes(ctx, index)
    return index


# -- organisations ------------------------------------------------------------------------


def _existing_orgs() -> dict[str, Row]:
    rows = Organisation.objects.filter(sourced_id__isnull=False).values(
        "id",
        "sourced_id",
        "kind",
        "name",
        "identifier",
        "status",
        parent_ref=F("parent__sourced_id"),
    )
    return keyed(rows)


def _wanted_orgs(ctx: Context, existing: dict[str, Row]) -> dict[str, Row]:
    wanted: dict[str, Row] = {}
    for org in ctx.roster.orgs.values():
        if org.kind is None:
            continue
        base = {"name": org.name, "identifier": org.identifier, "status": ACTIVE}
        if org.kind == OrgKind.DISTRICT:
            wanted[org.sourced_id] = {**base, "kind": OrgKind.DISTRICT, "parent_ref": None}
            continue
        parent = org.parent_id
        if not parent:
            parent = stand_in_district_id(org.sourced_id)
            wanted[parent] = {
                "name": f"{org.name} (district)",
                "identifier": "",
                "status": ACTIVE,
                "kind": OrgKind.DISTRICT,
                "parent_ref": None,
            }
            ctx.report.warning(
                "school_without_district",
                f'school "{org.sourced_id}" names no district; Village keeps it in a district '
                "of its own",
                file="orgs.csv",
                column="parentSourcedId",
            )
        wanted[org.sourced_id] = {**base, "kind": OrgKind.SCHOOL, "parent_ref": parent}
    return wanted


def _check_parents(ctx: Context, wanted: dict[str, Row], index: OrgIndex) -> None:
    for sourced_id, row in wanted.items():
        parent = row["parent_ref"]
        if parent is not None and index.kinds.get(parent) != OrgKind.DISTRICT:
            ctx.report.error(
                "parent_not_district",
                f'school "{sourced_id}": its parent "{parent}" is not a district in the bundle '
                "or in Village",
                file="orgs.csv",
                column="parentSourcedId",
            )


def _plan_orgs(ctx: Context) -> OrgIndex:
    existing = _existing_orgs()
    wanted = _wanted_orgs(ctx, existing)
    index = OrgIndex()
    for sourced_id, row in [*existing.items(), *wanted.items()]:
        index.kinds[sourced_id] = row["kind"]
        index.parents[sourced_id] = row["parent_ref"]
    index.pks = {sourced_id: row["id"] for sourced_id, row in existing.items()}
    _check_parents(ctx, wanted, index)
    _cover(ctx, index, wanted)
    _check_lengths(ctx.report, Organisation, "orgs.csv", wanted)
    kind_plan = ctx.plan["orgs"]
    diff(kind_plan, wanted, existing, ORG_COLUMNS)
    _keep_outside_reach(ctx, kind_plan, existing, "id", "orgs.csv")
    covered = index.covered_districts
    deactivate(
        kind_plan,
        stale(
            ctx.roster,
            "orgs",
            wanted,
            existing,
            lambda row: (
                (row["sourced_id"] in covered or row["parent_ref"] in covered)
                and (ctx.organisations is None or row["id"] in ctx.organisations)
            ),
        ),
    )
    return index


def _keep_outside_reach(
    ctx: Context, kind_plan: KindPlan, existing: dict[str, Row], owner: str, file: str
) -> None:
    """Take out of the plan the updates of rows whose organisation lies outside the import's
    reach (a school's roster holding its district, or the district's terms), and say so."""
    if ctx.organisations is None or not kind_plan.update:
        return
    names = {int(row["id"]): (sourced_id, row[owner]) for sourced_id, row in existing.items()}
    kept = []
    for pk, fields in kind_plan.update:
        sourced_id, organisation = names[pk]
        if organisation in ctx.organisations:
            kept.append((pk, fields))
            continue
        ctx.report.warning(
            "outside_reach",
            _(
                '"%(id)s" belongs to an organisation outside this import, so the import does not '
                "change it; not changed: %(fields)s"
            )
            % {"id": sourced_id, "fields": ", ".join(sorted(fields))},
            file=file,
        )
    kind_plan.update[:] = kept


def _cover(ctx: Context, index: OrgIndex, wanted: dict[str, Row]) -> None:
    roster = ctx.roster
    referenced = set(wanted)
    referenced.update(course.org_id for course in roster.courses.values())
    referenced.update(school_class.school_id for school_class in roster.classes.values())
    referenced.update(role.org_id for role in roster.roles)
    referenced.update(enrollment.school_id for enrollment in roster.enrollments.values())
    for sourced_id in referenced:
        district = index.district_of(sourced_id)
        if district:
            index.covered_districts.add(district)
    covered = index.covered_districts
    index.covered_pks = {
        pk
        for sourced_id, pk in index.pks.items()
        if sourced_id in covered or index.parents.get(sourced_id) in covered
    }
    if ctx.organisations is not None:
        # A snapshot speaks only for the organisations its importer administers: a school's
        # leaves its district's and its sister schools' rows alone.
        index.covered_pks &= ctx.organisations
    # Schools Village made itself under a covered district hold no roster rows to deactivate.


# -- academic sessions ----------------------------------------------------------------------


def _session_districts(ctx: Context, index: OrgIndex) -> dict[str, str]:
    """Each session's district, from the courses and classes that use it."""
    found: dict[str, str] = {}
    roster = ctx.roster
    for course in sorted(roster.courses.values(), key=lambda c: c.sourced_id):
        district = index.district_of(course.org_id)
        if course.school_year_id and district:
            found.setdefault(course.school_year_id, district)
    for school_class in sorted(roster.classes.values(), key=lambda c: c.sourced_id):
        district = index.district_of(school_class.school_id)
        for term in school_class.term_ids:
            if district:
                found.setdefault(term, district)
    return found


def _plan_sessions(ctx: Context, index: OrgIndex) -> None:
    rows = AcademicSession.objects.filter(sourced_id__isnull=False).values(
        "id",
        "sourced_id",
        "title",
        "kind",
        "start_date",
        "end_date",
        "school_year",
        "status",
        "organisation_id",
        parent_ref=F("parent__sourced_id"),
        organisation_ref=F("organisation__sourced_id"),
    )
    existing = keyed(rows)
    districts = _session_districts(ctx, index)
    only = next(iter(index.covered_districts)) if len(index.covered_districts) == 1 else None
    wanted: dict[str, Row] = {}
    for session in ctx.roster.sessions.values():
        row: Row = {
            "title": session.title,
            "kind": session.type,
            "start_date": session.start_date,
            "end_date": session.end_date,
            "school_year": session.school_year,
            "parent_ref": session.parent_id or None,
            "status": ACTIVE,
        }
        district = districts.get(session.sourced_id, only)
        if district:
            row["organisation_ref"] = district
        elif session.sourced_id not in existing:
            ctx.report.error(
                "session_district",
                f'session "{session.sourced_id}": no course or class of a known district uses '
                "it, so Village cannot tell which district it belongs to",
                file="academicSessions.csv",
            )
        wanted[session.sourced_id] = row
    _check_lengths(ctx.report, AcademicSession, "academicSessions.csv", wanted)
    kind_plan = ctx.plan["sessions"]
    diff(kind_plan, wanted, existing, SESSION_COLUMNS)
    _keep_outside_reach(ctx, kind_plan, existing, "organisation_id", "academicSessions.csv")
    covered = index.covered_pks
    deactivate(
        kind_plan,
        stale(ctx.roster, "sessions", wanted, existing, lambda r: r["organisation_id"] in covered),
    )


# -- courses and classes --------------------------------------------------------------------


def _kept_org(ctx: Context, index: OrgIndex, sourced_id: str, file: str, what: str) -> bool:
    kind = index.kinds.get(sourced_id)
    if kind is None or (what == "school" and kind != OrgKind.SCHOOL):
        ctx.report.error(
            "org_not_kept",
            f'"{sourced_id}" is not a {what} Village keeps (only districts and schools)',
            file=file,
        )
        return False
    return True


def _plan_courses(ctx: Context, index: OrgIndex) -> None:
    rows = Course.objects.filter(sourced_id__isnull=False).values(
        "id",
        "sourced_id",
        "title",
        "code",
        "grades",
        "subjects",
        "status",
        "organisation_id",
        organisation_ref=F("organisation__sourced_id"),
        school_year_ref=F("school_year__sourced_id"),
    )
    existing = keyed(rows)
    wanted: dict[str, Row] = {}
    for course in ctx.roster.courses.values():
        _kept_org(ctx, index, course.org_id, "courses.csv", "organisation")
        wanted[course.sourced_id] = {
            "title": course.title,
            "code": course.code,
            "grades": joined(course.grades),
            "subjects": joined(course.subjects),
            "organisation_ref": course.org_id,
            "school_year_ref": course.school_year_id or None,
            "status": ACTIVE,
        }
    _check_lengths(ctx.report, Course, "courses.csv", wanted)
    kind_plan = ctx.plan["courses"]
    diff(kind_plan, wanted, existing, COURSE_COLUMNS)
    _keep_outside_reach(ctx, kind_plan, existing, "organisation_id", "courses.csv")
    covered = index.covered_pks
    deactivate(
        kind_plan,
        stale(ctx.roster, "courses", wanted, existing, lambda r: r["organisation_id"] in covered),
    )


def _existing_terms() -> dict[str, set[str]]:
    through = SchoolClass.terms.through.objects.filter(schoolclass__sourced_id__isnull=False)
    terms: dict[str, set[str]] = {}
    for class_id, term_id in through.values_list(
        "schoolclass__sourced_id", "academicsession__sourced_id"
    ):
        terms.setdefault(str(class_id), set()).add(str(term_id))
    return terms


def _plan_classes(ctx: Context, index: OrgIndex) -> None:
    rows = SchoolClass.objects.filter(sourced_id__isnull=False).values(
        "id",
        "sourced_id",
        "title",
        "code",
        "kind",
        "location",
        "periods",
        "grades",
        "subjects",
        "status",
        "school_id",
        course_ref=F("course__sourced_id"),
        school_ref=F("school__sourced_id"),
    )
    existing = keyed(rows)
    wanted: dict[str, Row] = {}
    for school_class in ctx.roster.classes.values():
        _kept_org(ctx, index, school_class.school_id, "classes.csv", "school")
        wanted[school_class.sourced_id] = {
            "title": school_class.title,
            "code": school_class.code,
            "kind": school_class.kind,
            "location": school_class.location,
            "periods": joined(school_class.periods),
            "grades": joined(school_class.grades),
            "subjects": joined(school_class.subjects),
            "course_ref": school_class.course_id,
            "school_ref": school_class.school_id,
            "status": ACTIVE,
        }
    _check_lengths(ctx.report, SchoolClass, "classes.csv", wanted)
    ctx.pks["classes"] = {sourced_id: row["id"] for sourced_id, row in existing.items()}
    kind_plan = ctx.plan["classes"]
    diff(kind_plan, wanted, existing, CLASS_COLUMNS)
    _plan_terms(ctx, existing)
    covered = index.covered_pks
    deactivate(
        kind_plan,
        stale(ctx.roster, "classes", wanted, existing, lambda r: r["school_id"] in covered),
    )


def _plan_terms(ctx: Context, existing: dict[str, Row]) -> None:
    """Classes whose terms differ; a class with only new terms counts as one update."""
    current = _existing_terms()
    kind_plan = ctx.plan["classes"]
    updated = {pk for pk, _fields in kind_plan.update}
    for school_class in ctx.roster.classes.values():
        terms = tuple(sorted(set(school_class.term_ids)))
        old = existing.get(school_class.sourced_id)
        if old is None:
            if terms:
                ctx.plan.class_terms[school_class.sourced_id] = terms
            continue
        if set(terms) != current.get(school_class.sourced_id, set()):
            ctx.plan.class_terms[school_class.sourced_id] = terms
            if old["id"] not in updated:
                kind_plan.update.append((old["id"], {}))
