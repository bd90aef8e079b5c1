"""Removing onboarding data Village no longer needs (``village purge``, and ``village worker``).

- wrong pairing codes entered (``FailedRedemption``): needed only for the 15-minute rate limit,
  kept ``VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS``; the rows that name an account or address for
  the limiter's lock (``RedemptionGate``) are removed on every purge and made again when needed;
- pairing codes and guardian invitations: kept ``VILLAGE_RETAIN_CODES_DAYS`` after they were
  used, withdrawn or expired, so staff can still see what happened to a recent one. An open code
  or invitation is never removed: it has not expired, so it cannot be older than the cut-off.

Each kind is one DELETE: none of these rows is referenced by another, so Django deletes them
without loading them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from village.onboarding.models import (
    FailedRedemption,
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


@transaction.atomic
def purge_expired(now: dt.datetime) -> dict[str, int]:
    """Delete what is past its retention at ``now``; the number removed of each kind."""
    attempts_cutoff = _days_before(now, settings.VILLAGE_RETAIN_FAILED_ATTEMPTS_DAYS)
    codes_cutoff = _days_before(now, settings.VILLAGE_RETAIN_CODES_DAYS)
    return {
        "failed_redemptions": _delete(FailedRedemption.objects.filter(at__lt=attempts_cutoff)),
        "redemption_gates": _delete(RedemptionGate.objects.all()),
        "pairing_codes": _delete(
            PairingCode.objects.filter(_finished_before(codes_cutoff, used="redeemed_at"))
        ),
        "guardian_invitations": _delete(
            GuardianInvitation.objects.filter(_finished_before(codes_cutoff, used="accepted_at"))
        ),
    }
