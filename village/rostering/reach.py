"""Whose account a roster import may change: people who lie wholly inside the importer's reach.

An import's reach is the organisations its importer administers: a school admin's school; a
district admin's district and its schools. A person with a current role outside the reach (a
teacher shared with another school, district staff seen from a school) or a guardian with a child
outside it belongs to someone else too. An import may add or end their roles, enrolments and
guardian links inside its reach, but it never changes their account (sign-in name, email
address, names, whether it is active) and never deactivates it: otherwise the admin of one school
could point the email address of a parent of another school at themselves, reset the password
and read that school's child. Staff accounts (the Django admin) are never changed by a roster.

Where someone belongs is read from what is active: their roles, their class enrolments (at the
class's school) and, for a guardian, the same of each child whose link has not ended. Someone
with nothing active anywhere (a student whose roles a school ended, someone who left) belongs to
every organisation that ever gave them a role or an enrolment: an import may change their
account only when all of those are inside its reach, and nobody's import may when none ever
did (only the server's operator, on the command line without ``--organisation``). Such a
person may still be named (their roles given again) by the organisations that held them, or by
any import when none ever did.

``village roster import`` on the command line has no importing user: whoever runs it holds the
server, and so the whole of Village, and the import reaches every organisation. District IT who
run it for one district (or school) give ``--organisation`` to import with that organisation's
reach, exactly as its admin's upload would.

Every question here is one query for the whole import, whatever its size.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
)
from village.core.models import RosterStatus

Reach = frozenset[int]
# Ids in one filter list; longer lists are not sent (SQLite takes at most 32,766 values in one
# statement, and a query has at most three such lists). The scope check and the planner use it.
LIMIT = 10_000


def orgs_under(inside: Iterable[str], new_parents: Mapping[str, str | None]) -> set[str]:
    """The sourcedIds ``inside`` and those of the organisations new to Village (``new_parents``:
    each one's parent's sourcedId) whose chain of parents leads into them: a district's import
    reaches the schools it adds under itself, and their schools in turn."""
    reached = set(inside)
    waiting = dict(new_parents)
    grew = True
    while grew:
        joining = {sourced_id for sourced_id, parent in waiting.items() if parent in reached}
        reached |= joining
        for sourced_id in joining:
            del waiting[sourced_id]
        grew = bool(joining)
    return reached


def importer_reach(organisation: Organisation) -> Reach:
    """The organisations an import for ``organisation`` speaks for (one query for a district)."""
    if organisation.kind == OrgKind.SCHOOL:
        return frozenset({organisation.pk})
    children = Organisation.objects.filter(parent_id=organisation.pk).values_list("pk", flat=True)
    return frozenset({organisation.pk, *children})


def _roles(user_ref: str, reach: Reach, *, inside: bool, active: bool) -> Exists:
    roles = OrgRole.objects.filter(user_id=OuterRef(user_ref))
    if active:
        roles = roles.filter(status=RosterStatus.ACTIVE)
    if inside:
        return Exists(roles.filter(organisation_id__in=list(reach)))
    return Exists(roles.exclude(organisation_id__in=list(reach)))


def _enrollments(user_ref: str, reach: Reach, *, inside: bool, active: bool) -> Exists:
    enrollments = Enrollment.objects.filter(user_id=OuterRef(user_ref))
    if active:
        enrollments = enrollments.filter(status=RosterStatus.ACTIVE)
    if inside:
        return Exists(enrollments.filter(school_class__school_id__in=list(reach)))
    return Exists(enrollments.exclude(school_class__school_id__in=list(reach)))


def _elsewhere(reach: Reach, user_ref: str) -> Q:
    """The user at ``user_ref`` holds an active role, or is enrolled in an active class
    enrolment, outside ``reach``."""
    return _roles(user_ref, reach, inside=False, active=True) | _enrollments(
        user_ref, reach, inside=False, active=True
    )


def _here(reach: Reach, user_ref: str) -> Q:
    """The user at ``user_ref`` holds an active role or enrolment inside ``reach``."""
    return _roles(user_ref, reach, inside=True, active=True) | _enrollments(
        user_ref, reach, inside=True, active=True
    )


def _children(user_ref: str, where: Q) -> Exists:
    """The user at ``user_ref`` is the guardian (link not ended) of a child matching ``where``
    (written for the child at ``student_id``)."""
    links = GuardianLink.objects.filter(guardian_id=OuterRef(user_ref)).exclude(
        status=LinkStatus.ENDED
    )
    return Exists(links.filter(where))


def with_ties(reach: Reach, people: QuerySet[User]) -> QuerySet[User]:
    """``people`` with where they belong, seen from ``reach``:

    - ``here``: an active role or enrolment inside the reach, or a child (link not ended) who
      has one;
    - ``elsewhere``: the same outside the reach;
    - ``ever_here`` / ``ever_elsewhere``: a role or enrolment inside / outside the reach, in
      any status. They decide for people with nothing active anywhere (a student whose roles
      a school ended, someone who left): such a person belongs to the organisations that held
      them, and to nobody when none ever did.
    """
    return people.annotate(
        here=ExpressionWrapper(
            _here(reach, "pk") | _children("pk", _here(reach, "student_id")),
            output_field=BooleanField(),
        ),
        elsewhere=ExpressionWrapper(
            _elsewhere(reach, "pk") | _children("pk", _elsewhere(reach, "student_id")),
            output_field=BooleanField(),
        ),
        ever_here=ExpressionWrapper(
            _roles("pk", reach, inside=True, active=False)
            | _enrollments("pk", reach, inside=True, active=False),
            output_field=BooleanField(),
        ),
        ever_elsewhere=ExpressionWrapper(
            _roles("pk", reach, inside=False, active=False)
            | _enrollments("pk", reach, inside=False, active=False),
            output_field=BooleanField(),
        ),
    )


def may_change_account(here: bool, elsewhere: bool, ever_here: bool, ever_elsewhere: bool) -> bool:
    """Whether an import with a reach may change the account of someone with these ties
    (``with_ties``): only of someone who belongs inside it and nowhere else. Someone with
    nothing active anywhere belongs to every organisation that ever held them: inside only when
    all of those are, and nobody's when none ever held them."""
    if elsewhere:
        return False
    if here:
        return True
    return ever_here and not ever_elsewhere


def may_name(here: bool, elsewhere: bool, ever_here: bool, ever_elsewhere: bool) -> bool:
    """Whether an import with a reach may name someone at all (add or end their roles,
    enrolments and links inside it): someone with something active inside it; or, with nothing
    active anywhere, someone an organisation of the reach once held, or whom no organisation
    ever held (a counselor, whose role Village does not keep: there is nobody to reach through
    them, and their account stays as it is)."""
    if here:
        return True
    return not elsewhere and (ever_here or not ever_elsewhere)


TIES = ("here", "elsewhere", "ever_here", "ever_elsewhere")


def people_outside_reach(reach: Reach, user_ids: Collection[int]) -> set[int]:
    """Those of ``user_ids`` an import with ``reach`` may not change the account of: staff
    accounts, and everyone ``may_change_account`` refuses."""
    if not user_ids:
        return set()
    people = User.objects.order_by()
    if len(user_ids) <= LIMIT:
        people = people.filter(pk__in=list(user_ids))
    wanted = set(user_ids)
    outside: set[int] = set()
    rows = with_ties(reach, people).values_list("pk", "is_staff", "is_superuser", *TIES)
    for pk, is_staff, is_superuser, *ties in rows:
        if pk in wanted and (is_staff or is_superuser or not may_change_account(*ties)):
            outside.add(pk)
    return outside


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
