"""Single-use secrets (invitations, pairing codes): where one stands, decided in one place."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CodeState(models.TextChoices):
    OPEN = "open", _("Not used yet")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


def single_use_state(
    *, used_at: dt.datetime | None, revoked_at: dt.datetime | None, expires_at: dt.datetime
) -> CodeState:
    """Where a single-use secret stands: used first, then revoked, then expired, else open."""
    if used_at is not None:
        return CodeState.USED
    if revoked_at is not None:
        return CodeState.REVOKED
    if expires_at <= timezone.now():
        return CodeState.EXPIRED
    return CodeState.OPEN
