"""Email survives a mail server that is down: it is kept, deferred and delivered later."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog


class DownMailServer(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("connection refused")


@pytest.fixture
def db_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "mailer.backend.DbBackend"
    settings.MAILER_LOCK_PATH = str(tmp_path / "mailer")
    settings.MAILER_USE_FILE_LOCK = False
    return settings


@pytest.mark.django_db
def test_email_is_kept_when_the_mail_server_is_down_and_sent_once_it_is_back(db_outbox):
    db_outbox.MAILER_EMAIL_BACKEND = f"{__name__}.DownMailServer"
    mail.send_mail("Reset your password", "body", None, ["sam@families.village.test"])
    assert Message.objects.count() == 1

    call_command("worker", "--once")
    assert Message.objects.deferred().count() == 1
    assert mail.outbox == []

    db_outbox.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("worker", "--once", "--retry-every", "0")
    assert Message.objects.count() == 0
    assert [m.subject for m in mail.outbox] == ["Reset your password"]
    results = sorted(MessageLog.objects.values_list("result", flat=True))
    assert results == sorted([RESULT_FAILURE, RESULT_SUCCESS])
