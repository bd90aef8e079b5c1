"""Plan guardian links, and the guardian role each linked guardian holds at the child's schools."""

from __future__ import annotations

from collections import namedtuple

from django.db.models import Q

from village.community.models import (
    GuardianLink,
    LinkSource,
    LinkStatus,
    Role,
)
from village.rostering import reach
from village.rostering.plan import Context, file_mode
from village.rostering.plan_people import shared
from village.rostering.plan_people.shared import (
    ACTIVE,
    Loaded,
    RoleKey,
    Scope,
    load,
)
from village.rostering.schema import FileMode

LINK_COLUMNS = ("guardian_ref", "student_ref")


_LinkRow = namedtuple(  # type: ignore[misc]
    "_LinkRow", ["id", "source", "status", "student_id", "guardian_id", *LINK_COLUMNS]
)


def plan_links(
    ctx: Context,
    scope: Scope,
    in_scope: set[int],
    gone_users: dict[str, int],
    wanted_roles: set[RoleKey],
    roles: dict[RoleKey, Loaded],
    withdrawn: dict[str, int],
    inside: set[str] | None,
) -> None:
    links = GuardianLink.objects.all()
    gone = set(gone_users.values())
    if scope.link_users is not None and len(gone) <= shared.LIMIT:
        links = links.filter(
            Q(guardian__sourced_id__in=scope.link_users)
            | Q(guardian_id__in=gone)
            | Q(student_id__in=gone)
        )
    loaded = load(
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
    _plan_guardian_roles(ctx, wanted, wanted_roles, roles, inside)


def _plan_guardian_roles(
    ctx: Context,
    pairs: set[tuple[str, str]],
    wanted_roles: set[RoleKey],
    roles: dict[RoleKey, Loaded],
    inside: set[str] | None,
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
    if inside is not None:
        # A link to a child shared with another school gives no role there.
        needed = {key for key in needed if key[1] in inside}
    kind_plan = ctx.plan["roles"]
    for user, school, role in sorted(needed - wanted_roles - set(roles)):
        kind_plan.create.append((user, school, role, None, True, None, None, ACTIVE))
