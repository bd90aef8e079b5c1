"""Plan roles in organisations, inside the import's reach."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from village.community.models import (
    OrgKind,
    OrgRole,
    Role,
)
from village.rostering import reach
from village.rostering.plan import Context, file_mode
from village.rostering.plan import deletions as deleted_ids
from village.rostering.plan_people.shared import (
    ACTIVE,
    INACTIVE,
    Loaded,
    RoleKey,
    Scope,
    load,
)
from village.rostering.plan_structure import OrgIndex
from village.rostering.roles import admin_role
from village.rostering.schema import FileMode

ROLE_FIELDS = ("sourced_id", "is_primary", "begin_date", "end_date", "status")
ROLE_COLUMNS = ("user_ref", "organisation_ref", "role", *ROLE_FIELDS)


_RoleRow = namedtuple(  # type: ignore[misc]
    "_RoleRow",
    ["id", "user_id", "organisation_id", "role", *ROLE_FIELDS, "user_ref", "organisation_ref"],
)


def existing_roles(scope: Scope) -> dict[RoleKey, Loaded]:
    roles = OrgRole.objects.order_by()
    if scope.role_users is not None:
        roles = roles.filter(
            Q(user__sourced_id__in=scope.role_users) | Q(sourced_id__in=scope.role_ids)
        )
    loaded = load(
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


def plan_roles(
    ctx: Context,
    index: OrgIndex,
    existing: dict[RoleKey, Loaded],
    withdrawn: dict[str, int],
    inside: set[str] | None,
) -> set[RoleKey]:
    wanted = _wanted_roles(ctx, index)
    _refuse_roles_outside_reach(ctx, index, wanted, inside)
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


def _refuse_roles_outside_reach(
    ctx: Context,
    index: OrgIndex,
    wanted: dict[RoleKey, tuple[Any, ...]],
    inside: set[str] | None,
) -> None:
    """Report every role the roster gives at an organisation outside the import's reach (a
    school's roster making someone an admin of its district, or a teacher at another school)."""
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
