"""What people write in conversations, as the translation engines take it: the names of the
student the conversation is about are kept as written."""

from __future__ import annotations

from village.messaging.models import Conversation, Message
from village.translation.texts import Text


def _names(conversation: Conversation) -> tuple[str, ...]:
    student = conversation.student
    return tuple(
        name for name in (student.first_name, student.preferred_name, student.last_name) if name
    )


def body_text(conversation: Conversation, body: str, language: str) -> Text:
    return Text(body, language, keep=_names(conversation))


def message_text(conversation: Conversation, message: Message) -> Text:
    return body_text(conversation, message.body, message.language)


def subject_text(conversation: Conversation) -> Text:
    return Text(conversation.subject, conversation.language, keep=_names(conversation))
