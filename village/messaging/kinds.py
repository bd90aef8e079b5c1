"""The notification kinds of messaging: a new message in a conversation one takes part in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from village.community.models import Scope
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience, register_kind

NEW_MESSAGE = "new_message"


def register() -> None:
    register_kind(
        AlertKind(
            name=NEW_MESSAGE,
            label=_("New messages"),
            audience=Audience.ANYONE,
            scope=Scope.MESSAGES,
            default_email=EmailMode.IMMEDIATE,
            sms=True,
            budgeted=False,
            help=_("A message or a reply in a conversation you are in."),
            order=20,
        )
    )
