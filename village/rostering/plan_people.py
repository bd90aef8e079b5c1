"""Plan people: users, their roles in organisations, enrolments and guardian links.

Village-only data is left out of every comparison, so it is never overwritten: passwords,
language, time zone; preferred name and pronouns unless the roster gives them; and on guardian
links relationship, scopes, access and contact flags. Links Village made itself (pairing codes,
invitations, the school) are never touched at all.

A district holds hundreds of thousands of these rows, so they are loaded as tuples
(``values_list``), compared as tuples, and planned as tuples; only the fields of rows that
change become dicts.
"""

from __future__ import annotations

from collections import Counter, namedtuple
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkSource,
    LinkStatus,
    OrgKind,
    OrgRole,
    Role,
)
from village.core.models import RosterStatus
from village.rostering import reach
from village.rostering.plan import Context, Row, file_mode, load_rows, text_limits
from village.rostering.plan import deletions as deleted_ids
from village.rostering.plan_structure import OrgIndex
from village.rostering.roles import admin_role
from village.rostering.schema import FileMode

ACTIVE = RosterStatus.ACTIVE
INACTIVE = RosterStatus.INACTIVE
RoleKey = tuple[str, str, str]  # (user sourcedId, organisation sourcedId, Village role)
Loaded = Any  # a loaded row, as a named tuple

# What a roster says about a person, in the order of the fields it sets.
USER_FIELDS = (
    "username", "first_name", "last_name", "middle_name", "email", "phone", "grade", "status",
    "is_active",
)  # fmt: skip
# Left blank by the roster, these stay whatever the person chose in Village.
CHOSEN_FIELDS = ("preferred_name", "pronouns")
USER_COLUMNS = ("sourced_id", *USER_FIELDS, *CHOSEN_FIELDS)
ROLE_FIELDS = ("sourced_id", "is_primary", "begin_date", "end_date", "status")
ROLE_COLUMNS = ("user_ref", "organisation_ref", "role", *ROLE_FIELDS)
ENROLLMENT_COLUMNS = (
    "sourced_id", "user_ref", "school_class_ref", "role", "is_primary", "begin_date",
    "end_date", "status",
)  # fmt: skip
LINK_COLUMNS = ("guardian_ref", "student_ref")


def plan_people(ctx: Context, index: OrgIndex) -> None:
    scope = Scope.of(ctx)
    roles = _existing_roles(scope)
    # A bulk snapshot speaks for the people a roster manages: community partners are not in
    # any student information system, so a roster never deactivates them.
    in_scope = {
        row.user_id
        for row in roles.values()
        if row.organisation_id in index.covered_pks and row.role != Role.PARTNER
    }
    gone_users, withdrawn = _plan_users(ctx, scope, in_scope)
    wanted_roles = _plan_roles(ctx, index, roles, withdrawn)
    _plan_enrollments(ctx, index, scope, gone_users, withdrawn)
    _plan_links(ctx, index, scope, in_scope, gone_users, wanted_roles, roles, withdrawn)


@dataclass
class Scope:
    """Which existing rows a plan needs, when it needs only some.

    A bulk file speaks for every row of its kind, so all are loaded. A delta (or absent) file
    speaks only for the rows it names, and for those of the people it names: an hourly delta
    of a few hundred rows then reads a few thousand rows, not the whole district. ``None``
    means every row. Only lists up to ``LIMIT`` are used as filters; a longer one loads all.
    """

    users: set[str] | None = None  # sourcedIds of the users whose rows are needed
    usernames: set[str] | None = None
    role_users: set[str] | None = None
    role_ids: set[str] = field(default_factory=set)
    enrollment_ids: set[str] | None = None
    link_users: set[str] | None = None

    @classmethod
    def of(cls, ctx: Context) -> Scope:
        roster = ctx.roster
        users_bulk = file_mode(roster, "users") is FileMode.BULK
        scope = cls()
        if users_bulk:
            return scope
        deleted_users = deleted_ids(roster, "users")
        enrolled = {enrollment.user_id for enrollment in roster.enrollments.values()}
        paired = {user for pair in roster.guardians for user in pair}
        scope.users = _limited({*roster.users, *deleted_users, *enrolled})
        scope.usernames = _limited({user.username for user in roster.users.values()})
        scope.link_users = _limited(paired)
        if file_mode(roster, "roles") is not FileMode.BULK:
            scope.role_users = _limited({role.user_id for role in roster.roles} | paired)
            scope.role_ids = deleted_ids(roster, "roles")
            if len(scope.role_ids) > LIMIT:
                scope.role_users = None
        if file_mode(roster, "enrollments") is not FileMode.BULK:
            scope.enrollment_ids = _limited(
                {*roster.enrollments, *deleted_ids(roster, "enrollments")}
            )
        return scope


# Keys in one filter list (a query has at most three such lists): the same bound as reach's.
LIMIT = reach.LIMIT


def _limited(values: set[str]) -> set[str] | None:
    return values if len(values) <= LIMIT else None


def _load(row_type: Any, queryset: QuerySet[Any], *fields: str) -> list[Any]:
    """Rows of a ``values_list`` query as named tuples of ``row_type``."""
    return list(map(row_type._make, load_rows(queryset, *fields)))


# -- users ----------------------------------------------------------------------------------


_UserRow = namedtuple("_UserRow", ["id", *USER_COLUMNS])  # type: ignore[misc]


def _plan_users(
    ctx: Context, scope: Scope, in_scope: set[int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Plan users; return the users this import deactivates and those it withdraws from its
    organisations without deactivating them (``reach``), each as sourcedId -> pk."""
    users = User.objects.filter(sourced_id__isnull=False).order_by()
    if scope.users is not None:
        users = users.filter(sourced_id__in=scope.users)
    loaded = _load(_UserRow, users, "id", *USER_COLUMNS)
    existing = {row.sourced_id: row for row in loaded}
    ctx.pks["users"] = {sourced_id: row.id for sourced_id, row in existing.items()}
    kind_plan = ctx.plan["users"]
    kind_plan.columns = USER_COLUMNS
    create, update = kind_plan.create, kind_plan.update
    wanted: list[tuple[Any, ...]] = []
    emails: dict[int, str] = {}  # user id -> the address an update replaces
    size = len(USER_FIELDS)
    for sourced_id, user in ctx.roster.users.items():
        grade = user.grades[0] if user.grades else ""
        said = (user.username, user.given_name, user.family_name, user.middle_name, user.email,
                user.phone, grade, ACTIVE, user.enabled)  # fmt: skip
        preferred, pronouns = user.preferred_name, user.pronouns
        row = (sourced_id, *said, preferred, pronouns)
        wanted.append(row)
        old = existing.get(sourced_id)
        if old is None:
            create.append(row)
            continue
        if (
            said == old[2 : size + 2]
            and (not preferred or preferred == old.preferred_name)
            and (not pronouns or pronouns == old.pronouns)
        ):
            continue
        fields = {
            name: value
            for name, value, was in zip(USER_FIELDS, said, old[2 : size + 2], strict=True)
            if value != was
        }
        if preferred and preferred != old.preferred_name:
            fields["preferred_name"] = preferred
        if pronouns and pronouns != old.pronouns:
            fields["pronouns"] = pronouns
        if "email" in fields and old.email:
            emails[old.id] = old.email
        update.append((old.id, fields))
    _check_usernames(ctx, scope, loaded)
    _check_emails(ctx, existing)
    _check_user_lengths(ctx, wanted)
    gone = _gone_users(ctx, existing, in_scope)
    withdrawn = _keep_accounts_outside_reach(ctx, existing, gone)
    gone = [row for row in gone if row.sourced_id not in withdrawn]
    kind_plan.deactivate.extend((row.id, {"status": INACTIVE, "is_active": False}) for row in gone)
    ctx.plan.email_changes = {pk: emails[pk] for pk, _fields in update if pk in emails}
    return {row.sourced_id: row.id for row in gone}, withdrawn


def _keep_accounts_outside_reach(
    ctx: Context, existing: dict[str, Loaded], gone: list[Loaded]
) -> dict[str, int]:
    """Take out of the plan the account changes of people who belong to organisations outside
    the import's reach, and say so row by row. Return those of ``gone`` (sourcedId -> pk): they
    are withdrawn from the reach instead of deactivated."""
    if ctx.organisations is None:
        return {}
    update = ctx.plan["users"].update
    candidates = {pk for pk, _fields in update} | {row.id for row in gone}
    kept = reach.people_outside_reach(ctx.organisations, candidates)
    if not kept:
        return {}
    names = {row.id: row.sourced_id for row in existing.values() if row.id in kept}
    lines = ctx.roster.lines_of_users(set(names.values()))
    for pk, fields in update:
        if pk in kept:
            _warn_kept(ctx, names[pk], lines, _("not changed: %(fields)s") % {
                "fields": ", ".join(sorted(fields))
            })  # fmt: skip
    update[:] = [(pk, fields) for pk, fields in update if pk not in kept]
    withdrawn = {row.sourced_id: row.id for row in gone if row.id in kept}
    for sourced_id in withdrawn:
        _warn_kept(
            ctx,
            sourced_id,
            lines,
            _(
                "not deactivated: only their roles, enrolments and guardian links in the "
                "organisations of this import end"
            ),
        )
    return withdrawn


def _warn_kept(ctx: Context, sourced_id: str, lines: dict[str, int], what: str) -> None:
    ctx.report.warning(
        "account_outside_reach",
        _(
            '"%(id)s" also belongs to a school or district outside this import, so the import '
            "does not change their account; %(what)s"
        )
        % {"id": sourced_id, "what": what},
        file="users.csv",
        line=lines.get(sourced_id),
    )


def _gone_users(ctx: Context, existing: dict[str, Loaded], in_scope: set[int]) -> list[Loaded]:
    """Active users a bulk snapshot leaves out (of those it speaks for) or a delta deletes."""
    mode = file_mode(ctx.roster, "users")
    if mode is FileMode.BULK:
        present = ctx.roster.users
        return [
            row
            for sourced_id, row in existing.items()
            if sourced_id not in present and row.status == ACTIVE and row.id in in_scope
        ]
    if mode is FileMode.DELTA:
        deleted = deleted_ids(ctx.roster, "users")
        return [
            row
            for sourced_id, row in existing.items()
            if sourced_id in deleted and row.status == ACTIVE
        ]
    return []


def _check_usernames(ctx: Context, scope: Scope, loaded: list[Loaded]) -> None:
    """Refuse a username two people would share. Sign-in names are not case-sensitive
    ("Olga" signs in as "olga"), so neither is this check."""
    users = ctx.roster.users
    accounts = User.objects.order_by()
    if scope.users is None:
        # Every rostered account is loaded already; only those Village made are missing.
        owners = {row.username.lower(): row.sourced_id for row in loaded}
        accounts = accounts.filter(sourced_id__isnull=True)
    else:
        owners = {}
        if scope.usernames is not None:
            accounts = accounts.annotate(username_lower=Lower("username")).filter(
                username_lower__in={username.lower() for username in scope.usernames}
            )
    for username, sourced_id in load_rows(accounts, "username", "sourced_id"):
        owners[username.lower()] = sourced_id
    counts = Counter(user.username.lower() for user in users.values())
    lines: dict[str, int] | None = None
    for sourced_id, user in users.items():
        username = user.username
        folded = username.lower()
        if counts[folded] > 1:
            code = "duplicate_username"
            message = f'username "{username}" of "{sourced_id}" is used by {counts[folded]} users'
        elif owners.get(folded, sourced_id) != sourced_id:
            code = "username_taken"
            message = f'username "{username}" of "{sourced_id}" belongs to another Village account'
        else:
            continue
        if lines is None:
            lines = ctx.roster.lines_of_users(set(users))
        ctx.report.error(
            code, message, file="users.csv", line=lines.get(sourced_id), column="username"
        )


def _check_emails(ctx: Context, existing: dict[str, Loaded]) -> None:
    """Refuse to give a new account, or an account the import changes, the email address of
    an account outside the import's reach: signing in by that address would become ambiguous,
    and a password reset would go to both. Nothing more is said about the other account."""
    if ctx.organisations is None:
        return
    plan = ctx.plan["users"]
    position = USER_COLUMNS.index("email")
    wanted = {row[0]: row[position] for row in plan.create if row[position]}
    changed = {pk for pk, fields in plan.update if fields.get("email")}
    for sourced_id, row in existing.items():
        if row.id in changed:
            wanted[sourced_id] = ctx.roster.users[sourced_id].email
    if not wanted:
        return
    folded = {email.lower() for email in wanted.values()}
    accounts = User.objects.order_by().exclude(email="")
    if len(folded) <= LIMIT:
        accounts = accounts.filter(
            pk__in=User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=folded)
            .values("pk")
        )
    holders = accounts.values_list("pk", "email", "sourced_id")
    others = {pk: (email.lower(), who) for pk, email, who in holders if email.lower() in folded}
    if not others:
        return
    outside = reach.people_outside_reach(ctx.organisations, others)
    taken: dict[str, set[str | None]] = {}
    for pk in outside:
        email, who = others[pk]
        taken.setdefault(email, set()).add(who)
    lines = ctx.roster.lines_of_users(set(wanted))
    for sourced_id, email in wanted.items():
        holders_of = taken.get(email.lower(), set())
        if holders_of - {sourced_id}:
            ctx.report.error(
                "email_taken",
                _('the email address of "%(id)s" belongs to an account this import may not change')
                % {"id": sourced_id},
                file="users.csv",
                line=lines.get(sourced_id),
                column="email",
            )


def _check_user_lengths(ctx: Context, wanted: list[tuple[Any, ...]]) -> None:
    """Report text too long for its column (PostgreSQL would refuse it mid-import)."""
    if not wanted:
        return
    limits = text_limits(User)
    columns = list(zip(*wanted, strict=True))
    over = [
        (position, name, limits[name])
        for position, name in enumerate(USER_COLUMNS)
        if name != "sourced_id"
        and name in limits
        and max(map(len, columns[position]), default=0) > limits[name]
    ]
    if not over:
        return
    for row in wanted:
        for position, name, limit in over:
            value = row[position]
            if isinstance(value, str) and len(value) > limit:
                ctx.report.error(
                    "too_long",
                    f'"{row[0]}": {len(value)} characters; Village keeps at most {limit}',
                    file="users.csv",
                    column=name,
                )


# -- roles ------------------------------------------------------------------------------------


_RoleRow = namedtuple(  # type: ignore[misc]
    "_RoleRow",
    ["id", "user_id", "organisation_id", "role", *ROLE_FIELDS, "user_ref", "organisation_ref"],
)


def _existing_roles(scope: Scope) -> dict[RoleKey, Loaded]:
    roles = OrgRole.objects.order_by()
    if scope.role_users is not None:
        roles = roles.filter(
            Q(user__sourced_id__in=scope.role_users) | Q(sourced_id__in=scope.role_ids)
        )
    loaded = _load(
        _RoleRow,
        roles,
        "id",
        "user_id",
        "organisation_id",
        "role",
        *ROLE_FIELDS,
        "user__sourced_id",
        "organisation__sourced_id",
    )
    return {
        (row.user_ref, row.organisation_ref, row.role): row
        for row in loaded
        if row.user_ref and row.organisation_ref
    }


def _wanted_roles(ctx: Context, index: OrgIndex) -> dict[RoleKey, tuple[Any, ...]]:
    """Each role the roster gives, by key: its values of ``ROLE_FIELDS``."""
    wanted: dict[RoleKey, tuple[Any, ...]] = {}
    kinds = index.kinds
    names = {role: str(role) for role in Role}
    for assignment in ctx.roster.roles:
        kind = kinds.get(assignment.org_id)
        if kind is None:
            continue  # an organisation type Village does not keep; reported when read
        role = assignment.role or admin_role(OrgKind(kind))
        key = (assignment.user_id, assignment.org_id, names[role])
        if key in wanted:
            continue
        wanted[key] = (
            assignment.sourced_id or "/".join(key),
            assignment.is_primary,
            assignment.begin_date,
            assignment.end_date,
            ACTIVE,
        )
    return wanted


def _plan_roles(
    ctx: Context,
    index: OrgIndex,
    existing: dict[RoleKey, Loaded],
    withdrawn: dict[str, int],
) -> set[RoleKey]:
    wanted = _wanted_roles(ctx, index)
    _refuse_roles_outside_reach(ctx, index, wanted)
    kind_plan = ctx.plan["roles"]
    kind_plan.columns = ROLE_COLUMNS
    size = len(ROLE_FIELDS)
    for key, values in wanted.items():
        old = existing.get(key)
        if old is None:
            kind_plan.create.append((*key, *values))
            continue
        was = old[4 : 4 + size]
        if values != was:
            fields = {
                name: value
                for name, value, before in zip(ROLE_FIELDS, values, was, strict=True)
                if value != before
            }
            kind_plan.update.append((old.id, fields))
    ended = {row.id for row in _stale_roles(ctx, index, wanted, existing.values())}
    if withdrawn and ctx.organisations is not None:
        ended.update(reach.roles_in_reach(ctx.organisations, withdrawn.values()))
    kind_plan.deactivate.extend((pk, {"status": INACTIVE}) for pk in sorted(ended))
    return set(wanted)


def orgs_in_reach(ctx: Context, index: OrgIndex) -> set[str] | None:
    """The sourcedIds of the organisations the import may give roles at: those of its reach,
    and (for a district) the new schools the plan creates under it. ``None``: every one."""
    if ctx.organisations is None:
        return None
    inside = {sourced_id for sourced_id, pk in index.pks.items() if pk in ctx.organisations}
    new = [sourced_id for sourced_id in index.kinds if sourced_id not in index.pks]
    grew = True
    while grew:
        grew = False
        for sourced_id in new:
            if sourced_id not in inside and index.parents.get(sourced_id) in inside:
                inside.add(sourced_id)
                grew = True
    return inside


def _refuse_roles_outside_reach(
    ctx: Context, index: OrgIndex, wanted: dict[RoleKey, tuple[Any, ...]]
) -> None:
    """Report every role the roster gives at an organisation outside the import's reach (a
    school's roster making someone an admin of its district, or a teacher at another school)."""
    inside = orgs_in_reach(ctx, index)
    if inside is None:
        return
    outside = {key for key in wanted if key[1] not in inside}
    if not outside:
        return
    roster = ctx.roster
    file = "roles.csv" if roster.mode("roles") is not FileMode.ABSENT else "users.csv"
    names = {role: str(role) for role in Role}
    reported: set[RoleKey] = set()
    for position, assignment in enumerate(roster.roles):
        kind = index.kinds.get(assignment.org_id)
        if kind is None:
            continue
        role = names[assignment.role or admin_role(OrgKind(kind))]
        key = (assignment.user_id, assignment.org_id, role)
        if key not in outside or key in reported:
            continue
        reported.add(key)
        ctx.report.error(
            "role_outside_reach",
            _(
                '"%(user)s" would get the role %(role)s at "%(org)s", which is not one of the '
                "organisations of this import; it may give roles at its own organisations only"
            )
            % {"user": assignment.user_id, "role": role, "org": assignment.org_id},
            file=file,
            line=roster.role_line(position),
            column="orgSourcedId" if file == "roles.csv" else "orgSourcedIds",
        )


def _stale_roles(
    ctx: Context,
    index: OrgIndex,
    wanted: dict[RoleKey, tuple[Any, ...]],
    existing: Iterable[Loaded],
) -> list[Loaded]:
    mode = file_mode(ctx.roster, "roles")
    rostered = [row for row in existing if row.sourced_id and row.status == ACTIVE]
    if mode is FileMode.BULK:
        return [
            row
            for row in rostered
            if row.organisation_id in index.covered_pks
            and (row.user_ref, row.organisation_ref, row.role) not in wanted
        ]
    gone = deleted_ids(ctx.roster, "roles")
    return [row for row in rostered if row.sourced_id in gone]


# -- enrolments -----------------------------------------------------------------------------


# The columns of a loaded enrolment, by position (there are hundreds of thousands of them).
_ID, _SID, _USER, _CLASS, _ROLE, _PRIMARY, _BEGIN, _END, _STATUS, _SCHOOL = range(10)


def _plan_enrollments(
    ctx: Context,
    index: OrgIndex,
    scope: Scope,
    gone_users: dict[str, int],
    withdrawn: dict[str, int],
) -> None:
    """Compare in primary keys: a reference is the same when it names the same row."""
    user_pks, class_pks = ctx.pks.get("users", {}), ctx.pks.get("classes", {})
    enrollments = Enrollment.objects.order_by()
    if scope.enrollment_ids is not None:
        # The rows the file names, and every row of the people it names (a row it takes over
        # may have another id) or that this import deactivates.
        people = {user_pks[user] for _id, user in _enrolled(ctx) if user in user_pks}
        people.update(gone_users.values())
        people.update(withdrawn.values())
        if len(people) <= LIMIT:
            enrollments = enrollments.filter(
                Q(sourced_id__in=scope.enrollment_ids) | Q(user_id__in=people)
            )
    rows = load_rows(
        enrollments,
        "id",
        "sourced_id",
        "user_id",
        "school_class_id",
        "role",
        "is_primary",
        "begin_date",
        "end_date",
        "status",
        "school_class__school_id",
    )
    by_id = dict(zip(map(itemgetter(_SID), rows), rows, strict=True))
    by_id.pop(None, None)  # rows Village made have no sourcedId
    by_id.pop("", None)
    by_key: dict[tuple[int, int, str], tuple[Any, ...]] | None = None  # built when needed
    kind_plan = ctx.plan["enrollments"]
    kind_plan.columns = ENROLLMENT_COLUMNS
    create, update = kind_plan.create, kind_plan.update
    seen: dict[tuple[str, str, str], str] = {}
    taken: set[int] = set()  # rows taken over from another sourcedId
    # Who holds each (user, class, role) once the plan is carried out: Village allows one row
    # per place, whatever its status. Rows keep their place unless the plan moves them.
    places: dict[int, tuple[Any, Any, str]] = {
        row[_ID]: (row[_USER], row[_CLASS], row[_ROLE]) for row in rows
    }
    claimants: dict[int, str] = {}  # row id -> the roster enrolment that updates it
    new_places: list[tuple[str, tuple[Any, Any, str]]] = []
    role_names = {role: str(role) for role in EnrollmentRole}
    here = ctx.organisations
    enrollment_lines: dict[str, int] | None = None
    for sid, enrollment in ctx.roster.enrollments.items():
        user, school_class = enrollment.user_id, enrollment.class_id
        role = role_names[enrollment.role]
        key = (user, school_class, role)
        if key in seen:
            ctx.report.error(
                "duplicate_enrollment",
                f'"{sid}" enrols "{user}" in "{school_class}" as {role} again (as "{seen[key]}")',
                file="enrollments.csv",
            )
            continue
        seen[key] = sid
        user_pk, class_pk = user_pks.get(user), class_pks.get(school_class)
        old = by_id.get(sid)
        if old is None and user_pk is not None and class_pk is not None:
            # A row Village holds under another id (or none) is taken over, not duplicated.
            if by_key is None:
                by_key = {(row[_USER], row[_CLASS], row[_ROLE]): row for row in rows}
            old = by_key.get((user_pk, class_pk, role))
            if old is not None:
                taken.add(old[_ID])
        if old is None:
            create.append(
                (sid, user, school_class, role, enrollment.is_primary, enrollment.begin_date,
                 enrollment.end_date, ACTIVE)
            )  # fmt: skip
            new_places.append((sid, (user_pk, class_pk, role)))
            continue
        if here is not None and old[_SCHOOL] not in here:
            if enrollment_lines is None:
                enrollment_lines = ctx.roster.lines_of_enrollments(set(ctx.roster.enrollments))
            ctx.report.error(
                "enrollment_outside_reach",
                _(
                    '"%(id)s" would take over an enrolment of "%(user)s" in "%(class)s", a class '
                    "of a school outside this import"
                )
                % {"id": sid, "user": user, "class": school_class},
                file="enrollments.csv",
                line=enrollment_lines.get(sid),
            )
            continue
        if old[_ID] in claimants:
            ctx.report.error(
                "enrollment_conflict",
                f'"{sid}" and "{claimants[old[_ID]]}" both take over the same enrolment of '
                f'"{user}" in "{school_class}"',
                file="enrollments.csv",
            )
            continue
        claimants[old[_ID]] = sid
        places[old[_ID]] = (user_pk, class_pk, role)
        said = (sid, user_pk, class_pk, role, enrollment.is_primary, enrollment.begin_date,
                enrollment.end_date, ACTIVE)  # fmt: skip
        if said == old[_SID : _STATUS + 1]:
            continue
        fields: Row = {}
        if old[_USER] != user_pk:
            fields["user_ref"] = user
        if old[_CLASS] != class_pk:
            fields["school_class_ref"] = school_class
        for name, position, value in (
            ("role", _ROLE, role),
            ("is_primary", _PRIMARY, enrollment.is_primary),
            ("begin_date", _BEGIN, enrollment.begin_date),
            ("end_date", _END, enrollment.end_date),
            ("status", _STATUS, ACTIVE),
            ("sourced_id", _SID, sid),
        ):
            if value != old[position]:
                fields[name] = value
        update.append((old[_ID], fields))
    _check_places(ctx, rows, places, claimants, new_places)
    present = set(seen.values())
    ended = _stale_enrollments(ctx, index, present, by_id)
    if gone_users:
        gone_pks = set(gone_users.values())
        ended += [row for row in rows if row[_USER] in gone_pks and row[_STATUS] == ACTIVE]
    if withdrawn:
        leaving, here = set(withdrawn.values()), ctx.organisations or frozenset()
        ended += [
            row
            for row in rows
            if row[_USER] in leaving and row[_SCHOOL] in here and row[_STATUS] == ACTIVE
        ]
    # A row the roster still holds (under its own sourcedId or taken over) stays.
    _end_enrollments(
        ctx, [row for row in ended if row[_SID] not in present and row[_ID] not in taken]
    )


def _check_places(
    ctx: Context,
    rows: list[tuple[Any, ...]],
    places: dict[int, tuple[Any, Any, str]],
    claimants: dict[int, str],
    new_places: list[tuple[str, tuple[Any, Any, str]]],
) -> None:
    """Refuse a plan that would put two enrolments in one place (user, class, role).

    That happens when the roster moves an enrolment onto a place another row still holds (a
    row left out of the file is ended, not deleted, so it keeps its place).
    """
    names = {row[_ID]: claimants.get(row[_ID]) or row[_SID] or f"#{row[_ID]}" for row in rows}
    holder: dict[tuple[Any, Any, str], str] = {}
    claims = [(names[pk], place) for pk, place in places.items()] + new_places
    for name, place in claims:
        if place[0] is None or place[1] is None:
            continue  # a new person or class: nobody holds that place yet
        other = holder.setdefault(place, name)
        if other != name:
            ctx.report.error(
                "enrollment_conflict",
                f'"{name}" would enrol the same person in the same class and role as "{other}"; '
                "Village keeps one enrolment per person, class and role",
                file="enrollments.csv",
            )


def _enrolled(ctx: Context) -> Iterator[tuple[str, str]]:
    """(enrolment, user) sourcedIds of the roster's enrolments."""
    for sourced_id, enrollment in ctx.roster.enrollments.items():
        yield sourced_id, enrollment.user_id


def _stale_enrollments(
    ctx: Context, index: OrgIndex, present: set[str], by_id: dict[str, tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    mode = file_mode(ctx.roster, "enrollments")
    if mode is FileMode.BULK:
        covered = index.covered_pks
        left_out = (by_id[sourced_id] for sourced_id in by_id.keys() - present)
        return [row for row in left_out if row[_STATUS] == ACTIVE and row[_SCHOOL] in covered]
    if mode is FileMode.DELTA:
        gone = deleted_ids(ctx.roster, "enrollments")
        return [
            row
            for sourced_id, row in by_id.items()
            if sourced_id in gone and row[_STATUS] == ACTIVE
        ]
    return []


def _end_enrollments(ctx: Context, rows: list[tuple[Any, ...]]) -> None:
    today = ctx.today
    kind_plan = ctx.plan["enrollments"]
    done: set[int] = set()
    for row in rows:
        pk, end_date = row[_ID], row[_END]
        if pk in done:
            continue
        done.add(pk)
        fields: Row = {"status": INACTIVE}
        if end_date is None or end_date > today:
            fields["end_date"] = today
        kind_plan.deactivate.append((pk, fields))


# -- guardian links ---------------------------------------------------------------------------


_LinkRow = namedtuple(  # type: ignore[misc]
    "_LinkRow", ["id", "source", "status", "student_id", "guardian_id", *LINK_COLUMNS]
)


def _plan_links(
    ctx: Context,
    index: OrgIndex,
    scope: Scope,
    in_scope: set[int],
    gone_users: dict[str, int],
    wanted_roles: set[RoleKey],
    roles: dict[RoleKey, Loaded],
    withdrawn: dict[str, int],
) -> None:
    links = GuardianLink.objects.all()
    gone = set(gone_users.values())
    if scope.link_users is not None and len(gone) <= LIMIT:
        links = links.filter(
            Q(guardian__sourced_id__in=scope.link_users)
            | Q(guardian_id__in=gone)
            | Q(student_id__in=gone)
        )
    loaded = _load(
        _LinkRow,
        links,
        "id",
        "source",
        "status",
        "student_id",
        "guardian_id",
        "guardian__sourced_id",
        "student__sourced_id",
    )
    existing = {(row.guardian_ref, row.student_ref): row for row in loaded}
    wanted = {(pair.guardian_id, pair.student_id) for pair in ctx.roster.guardians}
    kind_plan = ctx.plan["guardian_links"]
    kind_plan.columns = LINK_COLUMNS
    for pair in sorted(wanted):
        old = existing.get(pair)
        if old is None:
            kind_plan.create.append(pair)
        elif old.source == LinkSource.ROSTER and old.status != LinkStatus.ACTIVE:
            kind_plan.update.append((old.id, {"status": LinkStatus.ACTIVE}))
    bulk = file_mode(ctx.roster, "users") is FileMode.BULK
    ended: set[int] = set()
    for key, row in existing.items():
        if row.source != LinkSource.ROSTER or row.status != LinkStatus.ACTIVE:
            continue
        dropped = bulk and row.student_id in in_scope and key not in wanted
        if dropped or row.student_id in gone or row.guardian_id in gone:
            ended.add(row.id)
    if withdrawn and ctx.organisations is not None:
        ended.update(reach.links_in_reach(ctx.organisations, withdrawn.values()))
    kind_plan.deactivate.extend((pk, {"status": LinkStatus.ENDED}) for pk in sorted(ended))
    _plan_guardian_roles(ctx, index, wanted, wanted_roles, roles)


def _plan_guardian_roles(
    ctx: Context,
    index: OrgIndex,
    pairs: set[tuple[str, str]],
    wanted_roles: set[RoleKey],
    roles: dict[RoleKey, Loaded],
) -> None:
    """A linked guardian holds a guardian role at each of the child's schools."""
    schools: dict[str, set[str]] = {}
    student = str(Role.STUDENT)
    for user, org, role in [*wanted_roles, *roles]:
        if role == student:
            schools.setdefault(user, set()).add(org)
    guardian = str(Role.GUARDIAN)
    needed = {
        (guardian_id, school, guardian)
        for guardian_id, student_id in pairs
        for school in schools.get(student_id, ())
    }
    inside = orgs_in_reach(ctx, index)
    if inside is not None:
        # A link to a child shared with another school gives no role there.
        needed = {key for key in needed if key[1] in inside}
    kind_plan = ctx.plan["roles"]
    for user, school, role in sorted(needed - wanted_roles - set(roles)):
        kind_plan.create.append((user, school, role, None, True, None, None, ACTIVE))
