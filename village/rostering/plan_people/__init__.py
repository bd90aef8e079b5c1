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

from village.community.models import Role
from village.rostering import reach
from village.rostering.plan import Context
from village.rostering.plan_people.enrollments import plan_enrollments
from village.rostering.plan_people.links import plan_links
from village.rostering.plan_people.roles import existing_roles, plan_roles
from village.rostering.plan_people.shared import Scope
from village.rostering.plan_people.users import plan_users
from village.rostering.plan_structure import OrgIndex


def plan_people(ctx: Context, index: OrgIndex) -> None:
    scope = Scope.of(ctx)
    roles = existing_roles(scope)
    # A bulk snapshot speaks for the people a roster manages: community partners are not in
    # any student information system, so a roster never deactivates them.
    in_scope = {
        row.user_id
        for row in roles.values()
        if row.organisation_id in index.covered_pks and row.role != Role.PARTNER
    }
    inside = orgs_in_reach(ctx, index)
    gone_users, withdrawn = plan_users(ctx, scope, in_scope)
    wanted_roles = plan_roles(ctx, index, roles, withdrawn, inside)
    plan_enrollments(ctx, index, scope, gone_users, withdrawn)
    plan_links(ctx, scope, in_scope, gone_users, wanted_roles, roles, withdrawn, inside)


def orgs_in_reach(ctx: Context, index: OrgIndex) -> set[str] | None:
    """The sourcedIds of the organisations the import may give roles at: those of its reach,
    and (for a district) the new schools the plan creates under it. ``None``: every one."""
    if ctx.organisations is None:
        return None
    return reach.orgs_under(
        (sourced_id for sourced_id, pk in index.pks.items() if pk in ctx.organisations),
        {sid: index.parents.get(sid) for sid in index.kinds if sid not in index.pks},
    )
