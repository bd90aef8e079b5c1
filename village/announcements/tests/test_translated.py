"""Announcements in each reader's language: Sam reads Ms. Rivera's announcement in Spanish, the
original one tap away; the translation is computed by the worker (Apertium, for real), never
in the request that sends it; until then the original shows, with its language named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.authorization import client_for
from village.announcements.services.sending import scheduled_sweep
from village.announcements.tests.support import announce
from village.notifications import letters
from village.notifications.models import Delivery
from village.translation import worker
from village.translation.models import Translation, TranslationState

pytestmark = pytest.mark.django_db

BODY = "The school trip is on Monday. Ada needs a packed lunch."


@pytest.fixture
def apertium(settings):
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]


def page(user, announcement) -> str:
    response = client_for(user).get(reverse("announcements:detail", args=[announcement.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_sam_reads_it_in_spanish_with_the_original_one_tap_away(personas, apertium):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, title="School trip", body=BODY)
    asked = Translation.objects.filter(source_language="en", target_language="es")
    assert set(asked.values_list("state", flat=True)) == {TranslationState.PENDING}
    assert "Traducción en camino" in page(personas.sam, sent)

    worker.run()
    html = page(personas.sam, sent)
    body = html.split('class="announcement-body"', 1)[1].split("</div>", 1)[0]
    assert "lunes" in body.lower()
    assert "Ada" in body
    assert "Traducción automática. Idioma original: Inglés" in html
    original = html.split('class="mt-original-text"', 1)[1]
    assert BODY in original
    # The list shows it in Spanish too; Ms. Rivera reads her own words.
    listed = client_for(personas.sam).get(reverse("announcements:inbox")).content.decode()
    assert "lunes" in listed.lower()
    assert BODY in page(personas.rivera, sent)


def test_a_scheduled_announcement_is_emailed_in_the_language_translated_meanwhile(
    personas, apertium
):
    later = timezone.now() + dt.timedelta(hours=1)
    sent = announce(
        personas.rivera,
        class_id=personas.homeroom5.pk,
        title="School trip",
        body=BODY,
        send_at=later,
    )
    worker.run()
    scheduled_sweep(later)
    email = letters.compose(Delivery.objects.select_related("letter").get(recipient=personas.sam))
    assert "lunes" in email.text.lower()
    assert "Traducción automática. Idioma original: Inglés." in email.text
    assert sent.pk


def test_no_engine_for_the_pair_shows_the_original_with_its_language_named(personas, apertium):
    personas.sam.preferred_language = "vi"
    personas.sam.save(update_fields=["preferred_language"])
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, body=BODY)
    worker.run()
    html = page(personas.sam, sent)
    assert BODY in html
    assert "Written in English" in html
