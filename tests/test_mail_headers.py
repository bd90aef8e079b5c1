"""Every email leaves with Village's headers (Auto-Submitted, Content-Language, a Message-ID at
the site's domain), whoever wrote it; and an invitation's date reads well."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from village.accounts import services
from village.accounts.models import User
from village.accounts.tests.helpers import html_body

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.VILLAGE_SITE_DOMAIN = "village.example.org"


def invite(user: User, capture) -> None:
    with capture(execute=True):
        services.invitation_send(user=user, invited_by=None, base_url="https://village.example.org")


def newcomer(language: str) -> User:
    return User.objects.create_user(
        username=f"kim-{language}",
        email=f"kim-{language}@families.village.test",
        first_name="Kim",
        last_name="Lee",
        preferred_language=language,
        timezone="America/Chicago",
    )


def headers_of(message) -> dict[str, str]:
    return dict(message.message().items())


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_invitation_carries_the_headers(personas, django_capture_on_commit_callbacks, language):
    invite(newcomer(language), django_capture_on_commit_callbacks)
    headers = headers_of(mail.outbox[0])
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Content-Language"] == language
    assert headers["Message-ID"].endswith("@village.example.org>")
    assert "localhost" not in headers["Message-ID"]


def test_a_password_reset_carries_them_in_the_readers_language(client, personas):
    client.post("/accounts/password/reset/", {"email": personas.sam.email})
    headers = headers_of(mail.outbox[0])
    assert headers["Content-Language"] == "es"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@village.example.org>")


def test_a_plain_message_takes_the_active_language():
    with translation.override("es"):
        mail.EmailMessage("Hola", "Texto", to=["someone@village.test"]).send()
    assert headers_of(mail.outbox[0])["Content-Language"] == "es"


def test_headers_survive_the_database_outbox_and_the_worker(settings, personas):
    settings.VILLAGE_EMAIL_OUTBOX = "mailer.backend.DbBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with translation.override("es"):
        mail.EmailMessage("Hola", "Texto", to=["someone@village.test"]).send()
    assert mail.outbox == []
    call_command("send_mail")
    headers = headers_of(mail.outbox[0])
    assert headers["Message-ID"].endswith("@village.example.org>")
    assert headers["Content-Language"] == "es"


def test_the_site_domain_comes_from_the_sender_address_by_default(monkeypatch):
    import importlib

    import village.settings as village_settings

    monkeypatch.delenv("VILLAGE_SITE_DOMAIN", raising=False)
    monkeypatch.setenv("VILLAGE_FROM_EMAIL", "Riverside <village@riverside.example.org>")
    assert importlib.reload(village_settings).VILLAGE_SITE_DOMAIN == "riverside.example.org"
    monkeypatch.setenv("VILLAGE_SITE_DOMAIN", "https://bad.example.org/")
    with pytest.raises(Exception, match="bare domain name"):
        importlib.reload(village_settings)
    monkeypatch.delenv("VILLAGE_FROM_EMAIL")
    monkeypatch.delenv("VILLAGE_SITE_DOMAIN")
    importlib.reload(village_settings)


def test_an_invitation_ending_in_the_afternoon_has_one_period(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.VILLAGE_INVITATION_DAYS = 14
    with (
        translation.override("en"),
        time_machine.travel(dt.datetime(2026, 4, 6, 15, 0, tzinfo=CHICAGO), tick=False),
    ):
        invite(newcomer("en"), django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    for body in (message.body, html_body(message)):
        assert "p.m.." not in body
        assert "Until April 20, 2026, 3 p.m., the link can be used once." in body


def test_a_guardian_invitation_to_a_spanish_speaker_is_in_spanish(
    personas, django_capture_on_commit_callbacks
):
    from village.community.models import Relationship
    from village.onboarding.services.invitations import InvitationData, guardian_invitation_send

    data = InvitationData(
        email=personas.sam.email, name="", relationship=Relationship.GUARDIAN, language="en"
    )
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        guardian_invitation_send(
            student=personas.maya,
            invited_by=personas.rivera,
            data=data,
            base_url="https://village.example.org",
        )
    message = mail.outbox[0]
    assert "Para aceptar, abra este enlace:" in message.body
    assert "Si no esperaba este mensaje" in html_body(message)
    headers = headers_of(message)
    assert headers["Content-Language"] == "es"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@village.example.org>")
    assert message.message().get_content_type() == "multipart/alternative"
