"""Removing onboarding data Village no longer needs (``village purge``, and ``village worker``).

- wrong pairing codes entered (``FailedRedemption``): needed only for the 15-minute rate limit,
  kept ``VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS``; the rows that name an account or address for
  the limiter's lock (``RedemptionGate``) are removed on every purge and made again when needed;
- pairing codes and guardian invitations: kept ``VILLAGE_RETAIN_CODES_DAYS`` after they were
  used, withdrawn or expired, so staff can still see what happened to a recent one. An open code
  or invitation is never removed: it has not expired, so it cannot be older than the cut-off;
- accounts made by a family sign-up (``FamilySignup``) whose address was not confirmed within
  ``VILLAGE_RETAIN_UNCONFIRMED_SIGNUPS_DAYS``, with the guardian link the sign-up made. Only
  such an account, still inactive, never signed in, and with no role, link or record besides
  the sign-up's own link (and the guardian role that link gave it at the child's school), is
  removed. The pairing code it used stays used: the family asks the school for a new code.

Each kind of row is one DELETE: none of these rows is referenced by another, so Django deletes
them without loading them. Accounts are loaded once, in one query, and their rows in other
tables removed with one DELETE per table, however many accounts there are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from village.accounts.models import User
from village.community.models import Enrollment, GuardianLink, OrgRole, Role
from village.core.models import AuditEvent
from village.onboarding.models import (
    FailedRedemption,
    FamilySignup,
    GuardianInvitation,
    PairingCode,
    RedemptionGate,
)


def _days_before(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _finished_before(cutoff: dt.datetime, *, used: str) -> Q:
    """Used (``used`` is the field), withdrawn or expired before ``cutoff``."""
    return Q(**{f"{used}__lt": cutoff}) | Q(revoked_at__lt=cutoff) | Q(expires_at__lt=cutoff)


def _delete(queryset: QuerySet[Any]) -> int:
    _total, by_model = queryset.delete()
    return by_model.get(queryset.model._meta.label, 0)


def _anything_else(account: OuterRef) -> Q:
    """Does the account (of a ``FamilySignup`` row) hold anything besides what its sign-up
    made: another guardian link, a link as a child, a class, a role other than guardian at
    the school of the sign-up's child, or an entry in the audit log?"""
    childs_schools = OrgRole.objects.filter(
        user_id=OuterRef(OuterRef("link__student_id")), role=Role.STUDENT
    ).values("organisation_id")
    other_links = GuardianLink.objects.filter(guardian_id=account).exclude(
        pk=Coalesce(OuterRef("link_id"), Value(0))
    )
    other_roles = OrgRole.objects.filter(user_id=account).exclude(
        role=Role.GUARDIAN, organisation_id__in=childs_schools
    )
    return (
        Q(Exists(other_links))
        | Q(Exists(GuardianLink.objects.filter(student_id=account)))
        | Q(Exists(Enrollment.objects.filter(user_id=account)))
        | Q(Exists(other_roles))
        | Q(Exists(AuditEvent.objects.filter(Q(actor_id=account) | Q(student_id=account))))
    )


def unconfirmed_signups(cutoff: dt.datetime) -> QuerySet[FamilySignup]:
    """Sign-ups made before ``cutoff`` whose account may be removed: never confirmed, still
    inactive, never signed in, and holding nothing but what the sign-up made."""
    return FamilySignup.objects.filter(
        created_at__lt=cutoff,
        confirmed_at__isnull=True,
        user__is_active=False,
        user__last_login__isnull=True,
    ).exclude(_anything_else(OuterRef("user_id")))


def _delete_unconfirmed_accounts(cutoff: dt.datetime) -> tuple[int, int]:
    """Remove the accounts of ``unconfirmed_signups`` with their links; how many of each."""
    accounts = User.objects.filter(pk__in=unconfirmed_signups(cutoff).values("user_id"))
    _total, by_model = accounts.delete()
    return by_model.get(User._meta.label, 0), by_model.get(GuardianLink._meta.label, 0)


@transaction.atomic
def purge_expired(now: dt.datetime) -> dict[str, int]:
    """Delete what is past its retention at ``now``; the number removed of each kind."""
    attempts_cutoff = _days_before(now, settings.VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS)
    codes_cutoff = _days_before(now, settings.VILLAGE_RETAIN_CODES_DAYS)
    signups_cutoff = _days_before(now, settings.VILLAGE_RETAIN_UNCONFIRMED_SIGNUPS_DAYS)
    accounts, links = _delete_unconfirmed_accounts(signups_cutoff)
    return {
        "failed_redemptions": _delete(FailedRedemption.objects.filter(at__lt=attempts_cutoff)),
        "redemption_gates": _delete(RedemptionGate.objects.all()),
        "pairing_codes": _delete(
            PairingCode.objects.filter(_finished_before(codes_cutoff, used="redeemed_at"))
        ),
        "guardian_invitations": _delete(
            GuardianInvitation.objects.filter(_finished_before(codes_cutoff, used="accepted_at"))
        ),
        "unconfirmed_signups": accounts,
        "unconfirmed_signup_links": links,
    }
