"""What the outbox tests share: a real SMTP server (aiosmtpd) that can refuse, bounce, be slow
or kill the worker talking to it, a real HTTP SMS gateway (``http.server``), and deliveries
queued as ``notify`` queues them."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from village.accounts.models import User
from village.core.mail import village_headers
from village.notifications.models import Channel, Delivery
from village.notifications.services.notify import delivery_from_message

#: An SMTP reply for the n-th time an address is offered (``None``: accept it).
RcptRule = Callable[[str, int], str | None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An SMTP server's handler: keeps what it accepts; may refuse recipients (``rcpt``) or
    messages (``data``), take its time (``delay``), and call ``after_data`` with the count of
    messages received, before it answers (a test kills the worker there)."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.offered: Counter[str] = Counter()
        self.rcpt: RcptRule = lambda _address, _attempt: None
        self.data: Callable[[EmailMessage], str | None] = lambda _message: None
        self.delay = 0.0
        self.after_data: Callable[[int], None] | None = None
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            self.offered[address] += 1
            attempt = self.offered[address]
        reply = self.rcpt(address, attempt)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        refusal = self.data(parsed)
        if refusal is not None:
            return refusal
        with self.lock:
            self.received.append(parsed)
            count = len(self.received)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.after_data is not None:
            self.after_data(count)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.received]

    def addresses(self) -> list[str]:
        with self.lock:
            return [str(message["To"]) for message in self.received]


class SmtpServer:
    """An SMTP server on a port of the loopback that can be stopped and started again."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free port of the loopback, started."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """The outbox delivering through SMTP to ``smtp_server``, as in production."""
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.VILLAGE_SITE_DOMAIN = "mail.village.example.org"
    return smtp_server


def email_delivery(
    address: str,
    key: str,
    *,
    recipient: User | None = None,
    kind: str = "test_alert",
    now: dt.datetime | None = None,
) -> Delivery:
    """An unsaved email delivery, rendered and headed as ``notify`` writes one."""
    now = now or timezone.now()
    message = EmailMultiAlternatives(
        subject=f"Notice {key}",
        body=f"Hello, this is notice {key}.",
        to=[address],
        headers=village_headers("en"),
    )
    message.attach_alternative(f"<p>Hello, this is notice {key}.</p>", "text/html")
    return delivery_from_message(message, key=key, recipient=recipient, kind=kind, due=now, now=now)


def sms_delivery(
    phone: str, key: str, *, recipient: User | None = None, now: dt.datetime | None = None
) -> Delivery:
    now = now or timezone.now()
    return Delivery(
        key=key,
        channel=Channel.SMS,
        recipient=recipient,
        kind="test_alert",
        address=phone,
        text=f"Village: notice {key}",
        created_at=now,
        due_at=now,
    )


@dataclass
class GatewayRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Gateway:
    """An HTTP SMS gateway: answers each request with the next of ``answers`` (status, extra
    headers), then 200 with an id; keeps every request."""

    url: str
    requests: list[GatewayRequest] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    port = free_port()
    found = Gateway(url=f"http://127.0.0.1:{port}/v1/messages")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            found.requests.append(GatewayRequest(self.path, dict(self.headers.items()), body))
            status, headers = found.answers.pop(0) if found.answers else (200, {})
            answer = (
                json.dumps({"id": f"msg-{len(found.requests)}"})
                if status < 300
                else json.dumps({"error": "refused"})
            ).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.VILLAGE_SMS_URL = found.url
    settings.VILLAGE_SMS_TOKEN = "gateway-secret"
    settings.VILLAGE_SMS_SENDER = "Riverside"
    yield found
    server.shutdown()
    server.server_close()
    thread.join()
