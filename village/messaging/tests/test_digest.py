"""Messaging's part of the weekly family digest: the conversations a guardian has not read,
within what each child's link allows, in the guardian's language."""

from __future__ import annotations

import pytest

from village.community.models import GuardianLink
from village.messaging import policies, services
from village.messaging.models import ConversationKind
from village.messaging.policies import Invitees
from village.notifications import digest

pytestmark = pytest.mark.django_db


def _about_leo(personas):
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)
    return services.start(
        starter=personas.rivera,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.FAMILY,
        subject="Lab report on plant cells",
        body="It is late.",
        invitees=Invitees(guardians=[personas.sam.pk]),
    ).conversation


def test_a_guardians_digest_lists_the_conversations_not_read(personas):
    conversation = _about_leo(personas)
    composed = digest.preview(personas.sam)
    assert composed is not None
    assert "MENSAJES QUE NO HA LEÍDO" in composed.text
    assert "1 mensaje nuevo" in composed.text
    assert "Lab report on plant cells" in composed.text
    assert f"/messages/{conversation.pk}/" in composed.text
    assert 'lang="en"' in str(composed.body)  # the subject, not translated yet, marked

    services.mark_read(policies.conversation_for_participant(personas.sam, conversation.pk))
    composed = digest.preview(personas.sam)
    assert composed is None or "Lab report on plant cells" not in composed.text


def test_a_link_without_messages_leaves_the_conversation_out(personas):
    _about_leo(personas)
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
        scope_messages=False
    )
    composed = digest.preview(personas.sam)
    assert composed is None or "Lab report on plant cells" not in composed.text


def test_other_guardians_digests_say_nothing_of_it(personas):
    _about_leo(personas)
    for name in ("jordan", "olga", "eve"):
        composed = digest.preview(getattr(personas, name))
        assert composed is None or "Lab report on plant cells" not in composed.text, name
