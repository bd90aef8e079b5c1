"""A school's support team: its admins name counsellors and support staff among its staff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import Organisation
from village.support import policies
from village.support.models import TeamKind, TeamMember
from village.support.services.checks import Errors


@transaction.atomic
def team_member_add(
    *, actor: User, school: Organisation, user: User, kind: TeamKind | str
) -> TeamMember:
    """Put ``user``, a member of the school's staff, on its support team as ``kind``."""
    if not policies.may_manage_team(actor, school):
        raise PermissionDenied(_("You may not change this school's support team."))
    errors = Errors()
    chosen = errors.choice(TeamKind, kind, "kind")
    errors.require(
        policies.holds_staff_role(user, school),
        "user",
        _("%(name)s is not on this school's staff.") % {"name": user.display_name},
    )
    errors.require(
        not TeamMember.objects.filter(school=school, user=user).exists(),
        "user",
        _("%(name)s is on the support team already.") % {"name": user.display_name},
    )
    errors.raise_any()
    assert chosen is not None
    return TeamMember.objects.create(school=school, user=user, kind=chosen)


@transaction.atomic
def team_member_remove(*, actor: User, member: TeamMember) -> None:
    """Take a member off the support team: they then read their named entries only while they
    teach the student or administer the school."""
    if not policies.may_manage_team(actor, member.school):
        raise PermissionDenied(_("You may not change this school's support team."))
    member.delete()
