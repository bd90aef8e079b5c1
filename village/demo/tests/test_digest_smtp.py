"""The weekly family digest of the demo school reaches a real SMTP server (aiosmtpd, started by
the test): ``village digests send --now`` queues one per guardian, ``village worker`` delivers
them, and what arrives is parsed as a mail client would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from pytest_django import DjangoDbBlocker

from village.accounts.models import User
from village.core.tests.test_mail_smtp import Inbox, free_port
from village.demo.community.school import demo_school_delete
from village.notifications.models import Digest, DigestOutcome
from village.notifications.policies import digest_links

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_school(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        call_command("demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        demo_school_delete()


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """An SMTP server on a free port, and the outbox's worker handing it what it sends."""
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    yield received
    controller.stop()


def person(username: str) -> User:
    return User.objects.get(username=username)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def digests_to(inbox: Inbox) -> dict[str, list[EmailMessage]]:
    """The weekly digests received (they carry the "I've read this" link), by address."""
    found: dict[str, list[EmailMessage]] = {}
    for message in inbox.received:
        if "/notifications/digest/read/" in parts(message)[0]:
            found.setdefault(str(message["To"]), []).append(message)
    return found


def test_every_demo_guardian_gets_one_digest_by_smtp(inbox: Inbox) -> None:
    call_command("digests", "send", "--now", stdout=StringIO())
    call_command("worker", "--burst", "--purge-every", "0", stdout=StringIO())
    received = digests_to(inbox)
    guardians = set(digest_links().values_list("guardian_id", flat=True))
    with_email = User.objects.filter(pk__in=guardians).exclude(email="")
    emailed = Digest.objects.filter(outcome=DigestOutcome.EMAILED)
    assert emailed.count() > 50
    assert set(received) == set(
        with_email.filter(pk__in=emailed.values("recipient_id")).values_list("email", flat=True)
    )
    assert Counter(len(messages) for messages in received.values()) == {1: len(received)}
    # a guardian with an address and no email is one the school sends no communications
    # (their links say so), or one with nothing new: each digest says why
    quiet = with_email.exclude(pk__in=emailed.values("recipient_id"))
    outcomes = dict(Digest.objects.filter(recipient__in=quiet).values_list("recipient", "outcome"))
    assert set(outcomes) == set(quiet.values_list("pk", flat=True))
    assert set(outcomes.values()) <= {DigestOutcome.NO_COMMUNICATIONS, DigestOutcome.NOTHING_NEW}
    for guardian_id, outcome in outcomes.items():
        talks = digest_links([guardian_id]).filter(receives_communications=True).exists()
        assert talks == (outcome == DigestOutcome.NOTHING_NEW)
    assert len(outcomes) < emailed.count() / 10

    (sams,) = received[person("sam").email]
    assert sams["Content-Language"] == "es"
    assert sams.get_content_type() == "multipart/alternative"
    assert "/notifications/unsubscribe/" in sams["List-Unsubscribe"]
    assert sams["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sams["Subject"].startswith("La semana del ")
    assert sams["Subject"].endswith("Ada y Leo")
    text, html = parts(sams)
    assert "Hola, Sam:" in text
    assert "ADA" in text
    assert "LEO" in text
    assert '<html lang="es">' in html
    assert "/notifications/digest/read/" in text

    (jordans,) = received[person("jordan").email]
    assert jordans["Content-Language"] == "en"
    assert jordans["Subject"].endswith(": Leo")
    text, html = parts(jordans)
    assert "LEO" in text
    assert "Ada" not in text
    for body in (text, html):
        assert "out of" not in body
        assert "%" not in body
        assert "Course grades that moved" not in body

    # running both again sends nothing new
    before = len(inbox.received)
    call_command("digests", "send", "--now", stdout=StringIO())
    call_command("worker", "--burst", "--purge-every", "0", stdout=StringIO())
    assert len(inbox.received) == before
