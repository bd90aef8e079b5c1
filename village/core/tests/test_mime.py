"""The fast email writer says what Django's ``EmailMultiAlternatives`` says: both are parsed with
Python's ``email`` package and compared header by header and part by part."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage as ParsedMessage

import pytest
from django.core.mail import EmailMultiAlternatives

from village.core import mime

FROM = "Village <no-reply@village.example>"
HEADERS = {
    "Auto-Submitted": "auto-generated",
    "Content-Language": "es",
    "Message-ID": "<1234.5678@village.example>",
    "List-Unsubscribe": "<https://village.example/unsubscribe/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}
DATE = "Mon, 07 Dec 2026 05:42:07 -0000"


def parsed(raw: bytes) -> ParsedMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, ParsedMessage)
    return message


def django_bytes(*, subject: str, text: str, html: str, to: str) -> bytes:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=FROM,
        to=[to],
        headers={**HEADERS, "Date": DATE},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.message().as_bytes(linesep="\r\n")


def fast_bytes(*, subject: str, text: str, html: str, to: str) -> bytes:
    return mime.write(
        from_email=FROM,
        to=to,
        subject=subject,
        text=text,
        html=html,
        headers=HEADERS,
        date=DATE,
    )


def parts(message: ParsedMessage) -> list[tuple[str, str]]:
    return [
        (part.get_content_type(), part.get_content())
        for part in message.walk()
        if not part.is_multipart()
    ]


CASES = [
    pytest.param(
        "Weekly digest: Ada", "Hello Ada\n", "<p>Hello</p>\n", "ada@example.org", id="ascii"
    ),
    pytest.param(
        "Resumen semanal: Leo y Ada — semana del 7 de diciembre, con mucho que contar",
        "Hola, Sam:\nLeo entregó «Informe de laboratorio».\r\nañadir\n",
        "<p>¡Buen trabajo!</p><p>Ms. Rivera — Ciencias</p>",
        "sam@example.org",
        id="spanish",
    ),
    pytest.param(
        "Tuần này của Minh 🎉 — 二年级", "Xin chào\n", "", "gia@example.org", id="no-html"
    ),
    pytest.param(
        "Long lines",
        "word " * 400,
        "<td>" + "x" * 1200 + "</td>",
        "lee@example.org",
        id="long-lines",
    ),
    pytest.param("Empty", "", "<p></p>", "Zoë Ng <zoe@example.org>", id="named-address"),
    pytest.param(
        "Ends with blank lines", "a\n\n\n", "<p>b</p>\n\n", "x@example.org", id="trailing"
    ),
]


@pytest.mark.parametrize(("subject", "text", "html", "to"), CASES)
def test_the_fast_writer_says_what_django_says(subject: str, text: str, html: str, to: str) -> None:
    ours = parsed(fast_bytes(subject=subject, text=text, html=html, to=to))
    theirs = parsed(django_bytes(subject=subject, text=text, html=html, to=to))

    for name in ("Subject", "From", "To", "Date", "MIME-Version", *HEADERS):
        # (a parsed encoded subject starts with the space of its folded first line)
        assert str(ours[name]).strip() == str(theirs[name]).strip(), name
    assert ours.get_content_type() == theirs.get_content_type()
    assert parts(ours) == parts(theirs)
    assert parts(ours)[0][1].replace("\r\n", "\n") == text.replace("\r\n", "\n") or text == ""


@pytest.mark.parametrize(("subject", "text", "html", "to"), CASES)
def test_every_line_is_short_and_ends_in_crlf(subject: str, text: str, html: str, to: str) -> None:
    raw = fast_bytes(subject=subject, text=text, html=html, to=to)

    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= mime.MAX_LINE_OCTETS
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert all(len(line) <= 78 for line in head.split(b"\r\n") if not line.startswith(b"List"))


def test_an_encoded_subject_splits_between_characters() -> None:
    subject = "é" * 100 + "🎉" * 30

    written = mime.encoded_header(subject)

    assert all(len(word.strip()) <= 75 for word in written.split("\r\n"))
    assert str(parsed(f"Subject: {written}\r\n\r\n".encode("ascii"))["Subject"]) == subject


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\r\nBcc: everyone@example.org"),
        ("to", "ada@example.org\nBcc: everyone@example.org"),
        ("header", "fine\nX-Injected: yes"),
    ],
)
def test_a_line_break_in_a_header_is_refused(field: str, value: str) -> None:
    arguments = {
        "from_email": FROM,
        "to": "ada@example.org",
        "subject": "Hello",
        "text": "Hi",
        "headers": {"X-Note": "fine"},
    }
    if field == "header":
        arguments["headers"] = {"X-Note": value}
    else:
        arguments[field] = value

    with pytest.raises(ValueError, match="newlines"):
        mime.write(**arguments)  # type: ignore[arg-type]


def test_each_message_has_its_own_boundary() -> None:
    first = parsed(fast_bytes(subject="a", text="a", html="<p>a</p>", to="a@example.org"))
    second = parsed(fast_bytes(subject="a", text="a", html="<p>a</p>", to="a@example.org"))

    assert first.get_boundary() != second.get_boundary()
