"""Email survives a mail server that is down: it is kept, deferred and delivered later."""

from __future__ import annotations

import email
import smtplib
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.mail import BadHeaderError, EmailMessage, get_connection
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


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's SMTP backend: every message is accepted and kept."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        received: list[bytes] = self.server.received  # type: ignore[attr-defined]
        self.reply("220 mail.village.test ready")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith("DATA"):
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                received.append(data)
                self.reply("250 queued")
            elif command.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def smtp_server(db_outbox) -> Iterator[list[bytes]]:
    """A mail server on a free local port; yields the messages it received."""
    server = _SMTPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db_outbox.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    host, port = server.server_address[:2]
    db_outbox.EMAIL_HOST, db_outbox.EMAIL_PORT = str(host), int(port)
    db_outbox.EMAIL_USE_TLS = False
    db_outbox.EMAIL_HOST_USER = db_outbox.EMAIL_HOST_PASSWORD = ""
    try:
        yield server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def _subjects(received: list[bytes]) -> list[str]:
    return [email.message_from_bytes(data)["Subject"] for data in received]


BAD_ADDRESS = "a@village.test\r\nBcc: evil@example.com"


@pytest.mark.django_db
def test_a_message_that_cannot_be_sent_is_deferred_and_the_others_go_out(smtp_server):
    """Queued straight into the outbox (as mail queued before the sending door refused such
    messages was), a message with a header injection is deferred; the next one is delivered."""
    EmailMessage("Bad", "body", None, [BAD_ADDRESS]).send()
    EmailMessage("Good", "body", None, ["sam@families.village.test"]).send()
    assert Message.objects.count() == 2

    call_command("worker", "--once")
    assert _subjects(smtp_server) == ["Good"]
    assert [m.subject for m in Message.objects.deferred()] == ["Bad"]
    assert MessageLog.objects.get(result=RESULT_FAILURE).subject == "Bad"
    assert b"evil@example.com" not in b"".join(smtp_server)

    call_command("worker", "--once", "--retry-every", "0")  # retried, deferred again, no crash
    assert [m.subject for m in Message.objects.deferred()] == ["Bad"]
    assert _subjects(smtp_server) == ["Good"]


@pytest.mark.django_db
def test_the_sending_door_refuses_a_header_injection_and_queues_nothing(settings, smtp_server):
    settings.EMAIL_BACKEND = "village.core.mail.VillageMailBackend"
    settings.VILLAGE_EMAIL_OUTBOX = "mailer.backend.DbBackend"
    bad = EmailMessage("Bad", "body", None, [BAD_ADDRESS])
    with pytest.raises(BadHeaderError):
        bad.send()
    with pytest.raises(BadHeaderError):
        EmailMessage("Injected\nBcc: evil@example.com", "body", None, ["sam@v.test"]).send()
    assert not Message.objects.exists()

    good = EmailMessage("Good", "body", None, ["sam@families.village.test"])
    assert get_connection(fail_silently=True).send_messages([bad, good]) == 1
    assert [m.subject for m in Message.objects.all()] == ["Good"]
    call_command("worker", "--once")
    assert _subjects(smtp_server) == ["Good"]


class _Stop(BaseException):
    pass


@pytest.mark.django_db
def test_the_worker_goes_on_after_a_pass_fails(db_outbox, monkeypatch, caplog):
    """An unexpected failure (the database gone for a moment) is logged; the next pass runs."""
    from mailer import engine

    from village.core.management.commands import worker

    passes: list[int] = []

    def send_all() -> None:
        passes.append(1)
        if len(passes) == 1:
            raise RuntimeError("database went away")

    def sleep(seconds: float) -> None:
        if len(passes) >= 2:
            raise _Stop

    monkeypatch.setattr(engine, "send_all", send_all)
    monkeypatch.setattr(worker.time, "sleep", sleep)
    with pytest.raises(_Stop):
        call_command("worker", "--purge-every", "0")
    assert len(passes) == 2
    assert "A pass of the mail worker failed" in caplog.text
    assert "database went away" in caplog.text
