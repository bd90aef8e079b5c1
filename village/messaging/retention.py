"""Conversations are the school's record: they are kept until ``VILLAGE_MESSAGE_RETENTION_DAYS``
after their last message (0, the default: kept), then removed whole, with their messages,
files and reports."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from village.messaging.models import Attachment, Conversation


def purge(now: dt.datetime) -> dict[str, int]:
    days = int(settings.VILLAGE_MESSAGE_RETENTION_DAYS)
    if days <= 0:
        return {"conversations": 0}
    expired = Conversation.objects.filter(last_message_at__lt=now - dt.timedelta(days=days))
    for attachment in Attachment.objects.filter(message__conversation__in=expired):
        attachment.file.delete(save=False)
    count = expired.count()
    expired.delete()
    return {"conversations": count}
