"""Email rendered by ``send_email`` reaches a real SMTP server (aiosmtpd, started by the test):
queued in the database, delivered by ``village worker``, kept and sent later when the server is
down."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from mailer.models import Message

from village.core.mail import send_email
from village.core.tests.test_mail import CONTEXT, TEMPLATES


class Inbox:
    """What the SMTP server was handed."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any, tmp_path: Any) -> Iterator[tuple[Inbox, Controller]]:
    """Village set up as in production (database outbox, SMTP delivery) against a server on a
    free port, not yet started."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]
    settings.VILLAGE_SITE_DOMAIN = "mail.village.example.org"
    settings.VILLAGE_EMAIL_OUTBOX = "mailer.backend.DbBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAILER_LOCK_PATH = str(tmp_path / "mailer")
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    yield inbox, controller
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def worker_pass() -> None:
    call_command("worker", "--once", "--retry-every", "0", "--purge-every", "0", stdout=StringIO())


def send_to_ana() -> None:
    send_email(
        template="notice",
        context=CONTEXT,
        to=["ana@families.village.test"],
        language="es",
        time_zone="Europe/Madrid",
    )


@pytest.mark.django_db
def test_the_worker_delivers_a_multipart_email_in_the_recipients_language(smtp):
    inbox, server = smtp
    server.start()
    send_to_ana()
    assert Message.objects.count() == 1  # queued, nothing sent yet
    assert inbox.received == []
    worker_pass()
    (received,) = inbox.received
    assert received["To"] == "ana@families.village.test"
    assert received["Subject"] == "Elija una nueva contraseña"
    assert received["Content-Language"] == "es"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@mail.village.example.org>")
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().strip() == (
        "Hola: Ana <b> 22:00 https://village.example.org/a?b=1&c=2"
    )
    assert html.get_content().startswith("<p>Hola: Ana &lt;b&gt; 22:00")
    assert not Message.objects.exists()  # delivered, so no longer queued


@pytest.mark.django_db
def test_mail_waits_while_the_server_is_down_and_goes_out_when_it_is_back(smtp):
    inbox, server = smtp
    send_to_ana()
    worker_pass()  # nobody listens on the port: the message is deferred, not lost
    assert inbox.received == []
    assert Message.objects.count() == 1
    server.start()
    worker_pass()  # the retry pass sends it
    (received,) = inbox.received
    assert received["Subject"] == "Elija una nueva contraseña"
    assert not Message.objects.exists()
