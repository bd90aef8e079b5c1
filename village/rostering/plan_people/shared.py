"""What planning people shares: row types, the scope of rows to load and its bound."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from village.core.models import RosterStatus
from village.rostering import reach
from village.rostering.plan import Context, file_mode, load_rows
from village.rostering.plan import deletions as deleted_ids
from village.rostering.schema import FileMode

ACTIVE = RosterStatus.ACTIVE
INACTIVE = RosterStatus.INACTIVE
RoleKey = tuple[str, str, str]  # (user sourcedId, organisation sourcedId, Village role)
Loaded = Any  # a loaded row, as a named tuple


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
        scope.users = limited({*roster.users, *deleted_users, *enrolled})
        scope.usernames = limited({user.username for user in roster.users.values()})
        scope.link_users = limited(paired)
        if file_mode(roster, "roles") is not FileMode.BULK:
            scope.role_users = limited({role.user_id for role in roster.roles} | paired)
            scope.role_ids = deleted_ids(roster, "roles")
            if len(scope.role_ids) > LIMIT:
                scope.role_users = None
        if file_mode(roster, "enrollments") is not FileMode.BULK:
            scope.enrollment_ids = limited(
                {*roster.enrollments, *deleted_ids(roster, "enrollments")}
            )
        return scope


# Keys in one filter list (a query has at most three such lists): the same bound as reach's.
LIMIT = reach.LIMIT


def limited(values: set[str]) -> set[str] | None:
    return values if len(values) <= LIMIT else None


def load(row_type: Any, queryset: QuerySet[Any], *fields: str) -> list[Any]:
    """Rows of a ``values_list`` query as named tuples of ``row_type``."""
    return list(map(row_type._make, load_rows(queryset, *fields)))
