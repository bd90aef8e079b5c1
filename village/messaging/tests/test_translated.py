"""Messages in each reader's language: Sam reads Ms. Rivera in Spanish and writes back in
Spanish; Ms. Rivera reads Sam in English. Translations are computed by the worker (Apertium, for
real), never in the request that sends; until then, and where no engine has the pair, the
original shows with its language named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.authorization import client_for
from village.accounts.models import User
from village.messaging import policies, services
from village.messaging.models import ConversationKind, Message
from village.messaging.policies import Invitees
from village.translation import worker
from village.translation.models import Translation, TranslationState

pytestmark = pytest.mark.django_db

BODY = "The lab report is late. Leo can hand it in on Monday."
REPLY = "Gracias. Leo estuvo enfermo el martes."


@pytest.fixture
def apertium(settings):
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]


def _conversation(personas):
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)
    return services.start(
        starter=personas.rivera,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.FAMILY,
        subject="Lab report",
        body=BODY,
        invitees=Invitees(guardians=[personas.sam.pk]),
    ).conversation


def page(user: User, conversation) -> str:
    response = client_for(user).get(reverse("messaging:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_sending_asks_for_translations_into_the_others_languages_and_translates_nothing(
    personas, apertium
):
    conversation = _conversation(personas)
    asked = Translation.objects.filter(school_id=conversation.school_id)
    assert set(asked.values_list("source_language", "target_language", "state")) == {
        ("en", "es", TranslationState.PENDING)
    }
    assert asked.count() == 2  # the message and the subject
    html = page(personas.sam, conversation)
    assert BODY in html
    assert "Traducción en camino" in html  # "Translation on its way"


def test_sam_reads_in_spanish_with_the_original_one_tap_away_and_rivera_reads_sam_in_english(
    personas, apertium
):
    conversation = _conversation(personas)
    worker.run()

    html = page(personas.sam, conversation)
    assert "Traducción automática. Idioma original: Inglés" in html
    body = html.split('class="message-body"', 1)[1].split("</div>", 1)[0]
    assert "Leo" in body  # the name is kept
    assert "lunes" in body.lower()
    assert ' lang="es"' not in body.split(">", 1)[0]  # the page is Spanish already
    after_body = html.split('class="message-body"', 1)[1]
    original = after_body.split('class="mt-original-text"', 1)[1].split("</div>", 1)[0]
    assert 'lang="en"' in original
    assert BODY in original
    assert "<details" in html

    access = policies.conversation_for_participant(personas.sam, conversation.pk)
    services.reply(access, personas.sam, REPLY)
    asked = Translation.objects.filter(source_language="es", target_language="en")
    assert asked.filter(state=TranslationState.PENDING).exists()
    worker.run()

    html = page(personas.rivera, conversation)
    reply = html.split(f'id="message-{Message.objects.get(body=REPLY).pk}"', 1)[1]
    shown = reply.split('class="message-body"', 1)[1].split("</div>", 1)[0]
    assert "Thank you" in shown
    assert "Tuesday" in shown
    assert "Machine-translated from Spanish" in reply
    assert REPLY in reply  # the original, one tap away


def test_no_engine_for_the_pair_shows_the_original_with_its_language_named(personas, apertium):
    personas.sam.preferred_language = "vi"
    personas.sam.save(update_fields=["preferred_language"])
    conversation = _conversation(personas)
    worker.run()

    html = page(personas.sam, conversation)
    assert BODY in html
    assert "Written in English" in html
    body = html.split('class="message-body"', 1)[1].split(">", 1)[0]
    assert body.strip() in ("", ' lang="en"')
