"""The one email renderer: subject, plain text and HTML in the recipient's language and time
zone, with Village's headers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from village.core.mail import render_email, send_email

TEMPLATES = {
    "notice_subject.txt": '{% load i18n %}\n{% translate "Choose a new password" %}\n',
    "notice.txt": (
        '{% load i18n %}{% autoescape off %}{% translate "Hello," %} {{ name }} '
        '{{ when|date:"H:i" }} {{ link }}{% endautoescape %}'
    ),
    "notice.html": (
        '{% load i18n %}<p>{% translate "Hello," %} {{ name }} {{ when|date:"H:i" }} '
        '<a href="{{ link }}">{{ link }}</a></p>'
    ),
}
WHEN = dt.datetime(2026, 4, 6, 20, 0, tzinfo=dt.UTC)
CONTEXT = {"name": "Ana <b>", "when": WHEN, "link": "https://village.example.org/a?b=1&c=2"}


@pytest.fixture(autouse=True)
def _templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]
    settings.VILLAGE_SITE_DOMAIN = "mail.village.example.org"


def sent(language: str, time_zone: str | None = None) -> EmailMultiAlternatives:
    send_email(
        template="notice",
        context=CONTEXT,
        to=["ana@families.village.test"],
        language=language,
        time_zone=time_zone,
    )
    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    return message


def test_an_email_has_a_text_and_an_html_part_with_village_headers(settings):
    message = sent(language="en", time_zone="America/Chicago")
    assert message.subject == "Choose a new password"
    assert message.body == "Hello, Ana <b> 15:00 https://village.example.org/a?b=1&c=2"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.to == ["ana@families.village.test"]
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert html == (
        "<p>Hello, Ana &lt;b&gt; 15:00 <a href="
        '"https://village.example.org/a?b=1&amp;c=2">https://village.example.org/a?b=1&amp;c=2</a></p>'
    )
    written = message.message()
    assert written.get_content_type() == "multipart/alternative"
    assert written["Auto-Submitted"] == "auto-generated"
    assert written["Content-Language"] == "en"
    assert written["Message-ID"].endswith("@mail.village.example.org>")


def test_a_spanish_speaking_recipient_gets_spanish_whatever_the_active_language():
    with translation.override("en"):
        message = sent(language="es", time_zone="Europe/Madrid")
    assert message.subject == "Elija una nueva contraseña"
    assert message.body.startswith("Hola: Ana <b> 22:00")
    assert str(message.alternatives[0][0]).startswith("<p>Hola: Ana &lt;b&gt; 22:00")
    assert message.message()["Content-Language"] == "es"
    assert translation.get_language() == "en"


def test_without_a_time_zone_dates_are_in_the_sites(settings):
    settings.TIME_ZONE = "America/Chicago"
    assert "15:00" in sent(language="en").body


def test_each_email_has_its_own_message_id():
    first = render_email(template="notice", context=CONTEXT, to=["a@village.test"], language="en")
    second = render_email(template="notice", context=CONTEXT, to=["a@village.test"], language="en")
    assert first.extra_headers["Message-ID"] != second.extra_headers["Message-ID"]


def test_a_subject_is_one_line():
    assert "\n" not in sent(language="en").subject
