"""The kinds notifications itself owns (others are registered by the apps that cause them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience, register_kind
from village.notifications.services import announce
from village.notifications.services.notify import FOLDED_KIND

#: The weekly family digest, as a kind: its email can be turned off like any other.
WEEKLY_DIGEST = "weekly_digest"


def register() -> None:
    announce.register()
    register_kind(
        AlertKind(
            name=FOLDED_KIND,
            label=_("This week's alert emails are used up"),
            audience=Audience.GUARDIAN,
            default_email=EmailMode.OFF,
            budgeted=False,
            order=900,
        )
    )
    register_kind(
        AlertKind(
            name=WEEKLY_DIGEST,
            label=_("Weekly family digest"),
            audience=Audience.GUARDIAN,
            default_email=EmailMode.IMMEDIATE,
            budgeted=False,
            help=_("One email a week about each of your children."),
            order=10,
        )
    )
