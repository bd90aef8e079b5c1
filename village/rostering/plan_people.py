"""Plan people: users, their roles in organisations, enrolments and guardian links.

Village-only data is left out of every comparison, so it is never overwritten: passwords,
language, time zone; preferred name and pronouns unless the roster gives them; and on guardian
links relationship, scopes, access and contact flags. Links Village made itself (pairing codes,
invitations, the school) are never touched at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import F

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    GuardianLink,
    LinkSource,
    LinkStatus,
    OrgKind,
    OrgRole,
    Role,
)
from village.core.models import RosterStatus
from village.rostering.plan import (
    Context,
    Row,
    check_lengths,
    deactivate,
    diff,
    file_mode,
    keyed,
    rows_of,
    stale,
)
from village.rostering.plan import deletions as deleted_ids
from village.rostering.plan_structure import OrgIndex
from village.rostering.records import User as RosterUser
from village.rostering.roles import admin_role
from village.rostering.schema import FileMode

ACTIVE = RosterStatus.ACTIVE
RoleKey = tuple[str, str, str]  # (user sourcedId, organisation sourcedId, Village role)


def plan_people(ctx: Context, index: OrgIndex) -> None:
    roles = _existing_roles()
    # A bulk snapshot speaks for the people a roster manages: community partners are not in
    # any student information system, so a roster never deactivates them.
    in_scope = {
        row["user_id"]
        for row in roles.values()
        if row["organisation_id"] in index.covered_pks and row["role"] != Role.PARTNER
    }
    gone_users = _plan_users(ctx, in_scope)
    wanted_roles = _plan_roles(ctx, index, roles)
    _plan_enrollments(ctx, index, gone_users)
    _plan_links(ctx, in_scope, gone_users, wanted_roles, roles)


# -- users ----------------------------------------------------------------------------------


def _wanted_user(user: RosterUser) -> Row:
    row: Row = {
        "username": user.username,
        "first_name": user.given_name,
        "last_name": user.family_name,
        "middle_name": user.middle_name,
        "email": user.email,
        "phone": user.phone,
        "grade": user.grades[0] if user.grades else "",
        "status": ACTIVE,
        "is_active": user.enabled,
    }
    # Left blank by the roster, these stay whatever the person chose in Village.
    if user.preferred_name:
        row["preferred_name"] = user.preferred_name
    if user.pronouns:
        row["pronouns"] = user.pronouns
    return row


def _check_usernames(ctx: Context, wanted: dict[str, Row]) -> None:
    owners = dict(User.objects.values_list("username", "sourced_id"))
    counts = Counter(row["username"] for row in wanted.values())
    for sourced_id, row in wanted.items():
        username = row["username"]
        if counts[username] > 1:
            ctx.report.error(
                "duplicate_username",
                f'username "{username}" of "{sourced_id}" is used by {counts[username]} users',
                file="users.csv",
                column="username",
            )
        elif username in owners and owners[username] != sourced_id:
            ctx.report.error(
                "username_taken",
                f'username "{username}" of "{sourced_id}" belongs to another Village account',
                file="users.csv",
                column="username",
            )


def _plan_users(ctx: Context, in_scope: set[int]) -> dict[str, int]:
    """Plan users; return the users this import deactivates (sourcedId -> pk)."""
    rows = User.objects.filter(sourced_id__isnull=False).values(
        "id",
        "sourced_id",
        "username",
        "first_name",
        "last_name",
        "middle_name",
        "preferred_name",
        "pronouns",
        "email",
        "phone",
        "grade",
        "status",
        "is_active",
    )
    existing = keyed(rows)
    wanted = {sid: _wanted_user(user) for sid, user in ctx.roster.users.items()}
    _check_usernames(ctx, wanted)
    check_lengths(ctx.report, User, "users.csv", wanted)
    kind_plan = ctx.plan["users"]
    diff(kind_plan, wanted, existing)
    gone = stale(ctx.roster, "users", wanted, existing, lambda row: row["id"] in in_scope)
    deactivate(kind_plan, gone, is_active=False)
    return {row["sourced_id"]: row["id"] for row in gone}


# -- roles ------------------------------------------------------------------------------------


def _existing_roles() -> dict[RoleKey, Row]:
    rows = OrgRole.objects.values(
        "id",
        "sourced_id",
        "user_id",
        "organisation_id",
        "role",
        "is_primary",
        "begin_date",
        "end_date",
        "status",
        user_ref=F("user__sourced_id"),
        organisation_ref=F("organisation__sourced_id"),
    )
    return {
        (row["user_ref"], row["organisation_ref"], row["role"]): row
        for row in rows_of(rows)
        if row["user_ref"] and row["organisation_ref"]
    }


def _wanted_roles(ctx: Context, index: OrgIndex) -> dict[RoleKey, Row]:
    wanted: dict[RoleKey, Row] = {}
    for assignment in ctx.roster.roles:
        kind = index.kinds.get(assignment.org_id)
        if kind is None:
            continue  # an organisation type Village does not keep; reported when read
        role = assignment.role or admin_role(OrgKind(kind))
        key = (assignment.user_id, assignment.org_id, str(role))
        if key in wanted:
            continue
        wanted[key] = {
            "sourced_id": assignment.sourced_id or "/".join(key),
            "is_primary": assignment.is_primary,
            "begin_date": assignment.begin_date,
            "end_date": assignment.end_date,
            "status": ACTIVE,
        }
    return wanted


def _plan_roles(ctx: Context, index: OrgIndex, existing: dict[RoleKey, Row]) -> set[RoleKey]:
    wanted = _wanted_roles(ctx, index)
    kind_plan = ctx.plan["roles"]
    for key, row in wanted.items():
        if key not in existing:
            user, org, role = key
            kind_plan.create.append(
                {"user_ref": user, "organisation_ref": org, "role": role, **row}
            )
    for key, row in wanted.items():
        old = existing.get(key)
        if old is not None:
            fields = {name: value for name, value in row.items() if old[name] != value}
            if fields:
                kind_plan.update.append((old["id"], fields))
    deactivate(kind_plan, _stale_roles(ctx, index, wanted, existing.values()))
    return set(wanted)


def _stale_roles(
    ctx: Context, index: OrgIndex, wanted: dict[RoleKey, Row], existing: Iterable[Row]
) -> list[Row]:
    mode = file_mode(ctx.roster, "roles")
    rostered = [row for row in existing if row["sourced_id"] and row["status"] == ACTIVE]
    if mode is FileMode.BULK:
        return [
            row
            for row in rostered
            if row["organisation_id"] in index.covered_pks
            and (row["user_ref"], row["organisation_ref"], row["role"]) not in wanted
        ]
    gone = deleted_ids(ctx.roster, "roles")
    return [row for row in rostered if row["sourced_id"] in gone]


# -- enrolments -----------------------------------------------------------------------------


def _plan_enrollments(ctx: Context, index: OrgIndex, gone_users: dict[str, int]) -> None:
    rows = rows_of(
        Enrollment.objects.values(
            "id",
            "sourced_id",
            "user_id",
            "role",
            "is_primary",
            "begin_date",
            "end_date",
            "status",
            school_id=F("school_class__school_id"),
            user_ref=F("user__sourced_id"),
            school_class_ref=F("school_class__sourced_id"),
        )
    )
    by_id = {row["sourced_id"]: row for row in rows if row["sourced_id"]}
    by_key = {(row["user_ref"], row["school_class_ref"], row["role"]): row for row in rows}
    wanted: dict[str, Row] = {}
    existing: dict[str, Row] = {}
    seen: dict[tuple[str, str, str], str] = {}
    for sid, enrollment in ctx.roster.enrollments.items():
        key = (enrollment.user_id, enrollment.class_id, str(enrollment.role))
        if key in seen:
            ctx.report.error(
                "duplicate_enrollment",
                f'"{sid}" enrols "{key[0]}" in "{key[1]}" as {key[2]} again (as "{seen[key]}")',
                file="enrollments.csv",
            )
            continue
        seen[key] = sid
        wanted[sid] = {
            "user_ref": enrollment.user_id,
            "school_class_ref": enrollment.class_id,
            "role": str(enrollment.role),
            "is_primary": enrollment.is_primary,
            "begin_date": enrollment.begin_date,
            "end_date": enrollment.end_date,
            "status": ACTIVE,
        }
        old = by_id.get(sid) or by_key.get(key)
        if old is not None:
            # A row Village holds under another id (or none) is taken over, not duplicated.
            existing[sid] = old
            wanted[sid]["sourced_id"] = sid
    kind_plan = ctx.plan["enrollments"]
    diff(kind_plan, wanted, existing)
    covered = index.covered_pks
    kept = {row["id"] for row in existing.values()}
    ended = stale(ctx.roster, "enrollments", wanted, by_id, lambda r: r["school_id"] in covered)
    gone_pks = set(gone_users.values())
    ended += [row for row in rows if row["user_id"] in gone_pks and row["status"] == ACTIVE]
    _end_enrollments(ctx, [row for row in ended if row["id"] not in kept])


def _end_enrollments(ctx: Context, rows: list[Row]) -> None:
    today = ctx.today
    kind_plan = ctx.plan["enrollments"]
    done: set[int] = set()
    for row in rows:
        if row["id"] in done:
            continue
        done.add(row["id"])
        fields: Row = {"status": RosterStatus.INACTIVE}
        if row["end_date"] is None or row["end_date"] > today:
            fields["end_date"] = today
        kind_plan.deactivate.append((row["id"], fields))


# -- guardian links ---------------------------------------------------------------------------


def _plan_links(
    ctx: Context,
    in_scope: set[int],
    gone_users: dict[str, int],
    wanted_roles: set[RoleKey],
    roles: dict[RoleKey, Row],
) -> None:
    rows = GuardianLink.objects.values(
        "id",
        "source",
        "status",
        "student_id",
        "guardian_id",
        guardian_ref=F("guardian__sourced_id"),
        student_ref=F("student__sourced_id"),
    )
    existing = {(row["guardian_ref"], row["student_ref"]): row for row in rows_of(rows)}
    wanted = {(pair.guardian_id, pair.student_id) for pair in ctx.roster.guardians}
    kind_plan = ctx.plan["guardian_links"]
    for guardian, student in sorted(wanted):
        old = existing.get((guardian, student))
        if old is None:
            kind_plan.create.append({"guardian_ref": guardian, "student_ref": student})
        elif old["source"] == LinkSource.ROSTER and old["status"] != LinkStatus.ACTIVE:
            kind_plan.update.append((old["id"], {"status": LinkStatus.ACTIVE}))
    bulk = file_mode(ctx.roster, "users") is FileMode.BULK
    gone = set(gone_users.values())
    for key, row in existing.items():
        if row["source"] != LinkSource.ROSTER or row["status"] != LinkStatus.ACTIVE:
            continue
        dropped = bulk and row["student_id"] in in_scope and key not in wanted
        if dropped or row["student_id"] in gone or row["guardian_id"] in gone:
            kind_plan.deactivate.append((row["id"], {"status": LinkStatus.ENDED}))
    _plan_guardian_roles(ctx, wanted, wanted_roles, roles)


def _plan_guardian_roles(
    ctx: Context,
    pairs: set[tuple[str, str]],
    wanted_roles: set[RoleKey],
    roles: dict[RoleKey, Row],
) -> None:
    """A linked guardian holds a guardian role at each of the child's schools."""
    schools: dict[str, set[str]] = {}
    for user, org, role in [*wanted_roles, *roles]:
        if role == Role.STUDENT:
            schools.setdefault(user, set()).add(org)
    needed = {
        (guardian, school, str(Role.GUARDIAN))
        for guardian, student in pairs
        for school in schools.get(student, ())
    }
    kind_plan = ctx.plan["roles"]
    for guardian, school, role in sorted(needed - wanted_roles - set(roles)):
        kind_plan.create.append(
            {
                "user_ref": guardian,
                "organisation_ref": school,
                "role": role,
                "sourced_id": None,
                "is_primary": True,
                "begin_date": None,
                "end_date": None,
                "status": ACTIVE,
            }
        )
