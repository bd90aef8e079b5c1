"""Replies go to the sender only: a family's reply is a private conversation with the sender
about the child (a student's, about themself), never seen by the other families; messaging's
rules apply (a link without messages cannot reply)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.authorization import client_for
from village.announcements.models import AudienceScope, Reply
from village.announcements.tests.support import announce
from village.community.models import EnrollmentRole, Role
from village.community.services import enrollment_add, guardian_link, person_create
from village.messaging.models import ConversationKind, Message
from village.messaging.policies import visible_conversations

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_family(personas):
    """Another family of Grade 5 Homeroom."""
    child = person_create(
        username="zoe",
        first_name="Zoe",
        last_name="Lee",
        role=Role.STUDENT,
        organisation=personas.school,
    )
    enrollment_add(user=child, school_class=personas.homeroom5, role=EnrollmentRole.STUDENT)
    parent = person_create(
        username="lee",
        first_name="Kim",
        last_name="Lee",
        role=Role.GUARDIAN,
        organisation=personas.school,
    )
    guardian_link(guardian=parent, student=child)
    return parent


def reply(user, announcement, body="Can Ada bring a friend?"):
    return client_for(user).post(
        reverse("announcements:detail", args=[announcement.pk]), {"body": body}
    )


def test_a_familys_reply_goes_to_the_sender_only(personas, other_family):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True)
    response = reply(personas.sam, sent)
    assert response.status_code == 302
    message = Message.objects.get()
    conversation = message.conversation
    assert response["Location"].startswith(
        reverse("messaging:conversation", args=[conversation.pk])
    )
    assert conversation.kind == ConversationKind.FAMILY
    assert conversation.student == personas.ada
    people = set(conversation.participants.values_list("user__username", flat=True))
    assert people == {"sam", "rivera"}
    assert Reply.objects.get().conversation == conversation
    for outsider in (other_family, personas.maya, personas.ada):
        assert not visible_conversations(outsider).exists()
        page = client_for(outsider).get(reverse("messaging:conversation", args=[conversation.pk]))
        assert page.status_code == 404
    assert visible_conversations(personas.rivera).get() == conversation


def test_a_second_reply_continues_the_same_conversation(personas):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk)
    reply(personas.sam, sent, "Primero")
    reply(personas.sam, sent, "Segundo")
    assert Message.objects.count() == 2
    assert Message.objects.values("conversation").distinct().count() == 1


def test_a_students_reply_is_their_own_conversation_with_the_sender(personas):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True)
    assert reply(personas.ada, sent, "Can I bring my notebook?").status_code == 302
    conversation = Message.objects.get().conversation
    assert conversation.kind == ConversationKind.STUDENT
    assert set(conversation.participants.values_list("user__username", flat=True)) == {
        "ada",
        "rivera",
    }


def test_no_reply_when_replies_are_closed(personas):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, replies_allowed=False)
    page = client_for(personas.sam).get(reverse("announcements:detail", args=[sent.pk]))
    assert 'name="body"' not in page.content.decode()
    assert reply(personas.sam, sent).status_code == 404
    assert not Message.objects.exists()


def test_a_link_without_messages_cannot_reply(personas):
    sent = announce(personas.rivera, class_id=personas.science8.pk)
    page = client_for(personas.jordan).get(reverse("announcements:detail", args=[sent.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="body"' not in html
    assert "Ask the school to allow messages" in html
    assert reply(personas.jordan, sent).status_code == 404


def test_staff_who_received_it_do_not_reply_here(personas):
    sent = announce(
        personas.nguyen, AudienceScope.SCHOOL, school_id=personas.school.pk, to_staff=True
    )
    assert reply(personas.rivera, sent).status_code == 404


def test_an_empty_reply_is_refused_naming_the_field(personas):
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk)
    response = reply(personas.sam, sent, "   ")
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not Message.objects.exists()
