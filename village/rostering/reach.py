"""Whose account a roster import may change: people who lie wholly inside the importer's reach.

An import's reach is the organisations its importer administers: a school admin's school; a
district admin's district and its schools. A person with a current role outside the reach (a
teacher shared with another school, district staff seen from a school) or a guardian with a child
outside it belongs to someone else too. An import may add or end their roles, enrolments and
guardian links inside its reach, but it never changes their account (sign-in name, email
address, names, whether it is active) and never deactivates it: otherwise the admin of one school
could point the email address of a parent of another school at themselves, reset the password
and read that school's child. Staff accounts (the Django admin) are never changed by a roster.

``village roster import`` on the command line has no importing user: whoever runs it holds the
server, and so the whole of Village, and the import reaches every organisation. District IT who
run it for one district (or school) give ``--organisation`` to import with that organisation's
reach, exactly as its admin's upload would.

Every question here is one query for the whole import, whatever its size.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from village.accounts.models import User
from village.community.models import (
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
)
from village.core.models import RosterStatus

Reach = frozenset[int]
# Ids in one filter list; longer lists are not sent (SQLite takes at most 32,766 values).
LIMIT = 10_000


def importer_reach(organisation: Organisation) -> Reach:
    """The organisations an import for ``organisation`` speaks for (one query for a district)."""
    if organisation.kind == OrgKind.SCHOOL:
        return frozenset({organisation.pk})
    children = Organisation.objects.filter(parent_id=organisation.pk).values_list("pk", flat=True)
    return frozenset({organisation.pk, *children})


def _elsewhere(reach: Reach, user_ref: str) -> Exists:
    """The user at ``user_ref`` holds an active role outside ``reach``."""
    return Exists(
        OrgRole.objects.filter(user_id=OuterRef(user_ref), status=RosterStatus.ACTIVE).exclude(
            organisation_id__in=list(reach)
        )
    )


def people_outside_reach(reach: Reach, user_ids: Collection[int]) -> set[int]:
    """Those of ``user_ids`` an import with ``reach`` may not change the account of: with an
    active role outside it, a child (link not ended) who has one, or a staff account."""
    if not user_ids:
        return set()
    children_elsewhere = GuardianLink.objects.filter(guardian_id=OuterRef("pk")).exclude(
        status=LinkStatus.ENDED
    )
    people = User.objects.filter(
        Q(is_staff=True)
        | Q(is_superuser=True)
        | _elsewhere(reach, "pk")
        | Exists(children_elsewhere.filter(_elsewhere(reach, "student_id")))
    )
    if len(user_ids) <= LIMIT:
        people = people.filter(pk__in=list(user_ids))
    return set(people.values_list("pk", flat=True)) & set(user_ids)


def roles_in_reach(reach: Reach, user_ids: Collection[int]) -> list[int]:
    """The active roles of ``user_ids`` inside ``reach``: what ends when an import withdraws
    people it may not deactivate."""
    if not user_ids:
        return []
    roles = OrgRole.objects.filter(organisation_id__in=list(reach), status=RosterStatus.ACTIVE)
    return _of(roles, "user_id", user_ids)


def links_in_reach(reach: Reach, guardian_ids: Collection[int]) -> list[int]:
    """Active roster links of ``guardian_ids`` to children wholly inside ``reach``: those end
    when an import withdraws the guardian (their children elsewhere keep their links)."""
    if not guardian_ids:
        return []
    here = OrgRole.objects.filter(
        user_id=OuterRef("student_id"),
        organisation_id__in=list(reach),
        status=RosterStatus.ACTIVE,
    )
    links = GuardianLink.objects.filter(source=LinkSource.ROSTER, status=LinkStatus.ACTIVE).filter(
        Exists(here), ~_elsewhere(reach, "student_id")
    )
    return _of(links, "guardian_id", guardian_ids)


def _of(rows: QuerySet[Any], owner: str, owners: Collection[int]) -> list[int]:
    """The ids of ``rows`` whose ``owner`` is one of ``owners`` (filtered in the query when
    the list is short enough to send)."""
    if len(owners) <= LIMIT:
        rows = rows.filter(**{f"{owner}__in": list(owners)})
    wanted = set(owners)
    return [pk for pk, who in rows.values_list("pk", owner) if who in wanted]
