"""Writing an email of plain text with an optional HTML alternative as the bytes an SMTP server
takes, without Python's ``email`` package.

The worker sends tens of thousands of digests in one evening; building each one as an
``email.message`` object and flattening it took more of its time than sending it. The message
written here is what :meth:`django.core.mail.EmailMultiAlternatives.message` writes for the same
parts (``tests`` parse both and compare): ``multipart/alternative`` with a ``text/plain`` and a
``text/html`` part in UTF-8, each ``8bit`` (or ``base64`` when a line is longer than SMTP allows),
header values that are not ASCII as RFC 2047 encoded words, lines ending in CRLF.

A header value or address with a line break in it is refused (``ValueError``), as Django
refuses it: it would let one header write others.
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
from collections.abc import Mapping
from email.utils import formatdate

from django.core.mail.message import sanitize_address

#: RFC 5322: a line is at most 998 octets, not counting CRLF.
MAX_LINE_OCTETS = 998
#: UTF-8 octets per encoded word: base64 of 45 octets is 60 characters, and with
#: ``=?utf-8?b?`` and ``?=`` the word stays within RFC 2047's 75.
_WORD_OCTETS = 45
_LINE_BREAK = re.compile(r"\r\n|\r")
_SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
_ASCII_PRINTABLE = re.compile(r"[ -~]*")


def _check_one_line(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(
            f"Header values can't contain newlines (got {value!r} for header {name!r})"
        )


def encoded_header(value: str) -> str:
    """``value`` as a header value: itself when it is printable ASCII, else RFC 2047 encoded
    words (base64 of UTF-8, split between characters), one per folded line."""
    if _ASCII_PRINTABLE.fullmatch(value):
        return value
    words = []
    chunk = bytearray()
    for character in value:
        octets = character.encode("utf-8", "surrogatepass")
        if len(chunk) + len(octets) > _WORD_OCTETS:
            words.append(bytes(chunk))
            chunk = bytearray()
        chunk += octets
    if chunk:
        words.append(bytes(chunk))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words)


def _value(value: str) -> str:
    """A header value after ``Name: ``: encoded words start on a folded line of their own, so
    that no line is longer than 78 characters whatever the header's name."""
    written = encoded_header(value)
    return written if written is value else "\r\n " + written


@functools.lru_cache(maxsize=64)
def _sanitized(value: str) -> str:
    return sanitize_address(value, "utf-8")


def address(value: str) -> str:
    """An address for a header and for the SMTP envelope, as Django writes it."""
    _check_one_line("address", value)
    if _SIMPLE_ADDRESS.fullmatch(value):
        return value
    return _sanitized(value)


def _part(content_type: str, body: str) -> tuple[str, bytes]:
    """A part's ``Content-Type`` and ``Content-Transfer-Encoding`` header lines, and its body
    encoded, with a CRLF after it (in a multipart message the CRLF before a boundary belongs
    to the boundary, so a body's own last line break stays)."""
    if "\r" in body:
        body = _LINE_BREAK.sub("\n", body)
    data = body.replace("\n", "\r\n").encode("utf-8")
    if len(data) > MAX_LINE_OCTETS and max(map(len, data.split(b"\r\n"))) > MAX_LINE_OCTETS:
        encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
        encoding = "base64"
    else:
        encoded = data + b"\r\n"
        encoding = "7bit" if data.isascii() else "8bit"
    head = f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}'
    return head, encoded


def write(
    *,
    from_email: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: Mapping[str, str] | None = None,
    date: str | None = None,
) -> bytes:
    """The message, ready for ``smtplib.SMTP.sendmail``. ``headers`` are written after the
    standard ones (a ``Date`` or ``From`` among them takes the standard one's place)."""
    extra = dict(headers or {})
    for name, value in extra.items():
        _check_one_line(name, name)
        _check_one_line(name, value)
    _check_one_line("Subject", subject)
    given = {name.lower() for name in extra}
    plain_head, plain_body = _part("text/plain", text)
    if html:
        boundary = "===============" + secrets.token_hex(10) + "=="
        lines = [f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"']
    else:
        boundary = ""
        lines = [plain_head]
    lines.append("MIME-Version: 1.0")
    lines.append(f"Subject: {_value(subject)}")
    if "from" not in given:
        lines.append(f"From: {address(from_email)}")
    lines.append(f"To: {address(to)}")
    if "date" not in given:
        lines.append(f"Date: {date or formatdate()}")
    for name, value in extra.items():
        lines.append(f"{name}: {address(value) if name.lower() == 'from' else _value(value)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    if not html:
        # No boundary follows: a body that ends in a line break needs no other.
        return head + (plain_body[:-2] if plain_body.endswith(b"\r\n\r\n") else plain_body)
    mark = f"--{boundary}\r\n".encode("ascii")
    # Without text, the HTML alone (as Django writes it).
    written = [(plain_head, plain_body)] if text else []
    written.append(_part("text/html", html))
    return b"".join(
        (
            head,
            *(
                piece
                for part_head, part_body in written
                for piece in (
                    mark,
                    part_head.encode("ascii"),
                    b"\r\nMIME-Version: 1.0\r\n\r\n",
                    part_body,
                )
            ),
            f"--{boundary}--\r\n".encode("ascii"),
        )
    )
