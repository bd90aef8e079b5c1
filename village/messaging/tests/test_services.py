"""Writing, reading, hiding and reporting messages; what a message tells the others (in-app at
once, email as each chose, staff not before their office hours); abuse limits; bad input."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from village.demo.personas import Personas
from village.messaging import hours, kinds, policies, selectors, services
from village.messaging.models import (
    Attachment,
    ConversationKind,
    Message,
    MessageReport,
    OfficeHours,
    Participant,
)
from village.messaging.policies import Invitees
from village.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
#: A Tuesday afternoon in Chicago.
TUESDAY = dt.datetime(2026, 12, 8, 14, 0, tzinfo=CHICAGO)


def start(
    personas: Personas, *, now: dt.datetime = TUESDAY, body: str = "Leo's lab report is late."
):
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)
    return services.start(
        starter=personas.rivera,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.FAMILY,
        subject="Leo's lab report",
        body=body,
        invitees=Invitees(guardians=[personas.sam.pk]),
        now=now,
    )


def access_of(user, conversation):
    return policies.conversation_for_participant(user, conversation.pk)


# --- starting and replying ------------------------------------------------------------------------


def test_starting_writes_the_first_message_in_the_authors_language_and_tells_the_others(personas):
    started = start(personas)

    message = started.message
    assert (message.author, message.body, message.language) == (
        personas.rivera,
        "Leo's lab report is late.",
        "en",
    )
    assert started.conversation.last_message_at == TUESDAY
    notes = Notification.objects.filter(kind=kinds.NEW_MESSAGE)
    assert list(notes.values_list("recipient__username", flat=True)) == ["sam"]
    note = notes.get()
    # In Sam's language, about Leo, linking to the message itself.
    assert note.language == "es"
    assert "Elena" in note.title
    assert "escribió" in note.title
    assert note.child_id == personas.leo.pk
    assert note.link.endswith(f"#message-{message.pk}")
    email = Delivery.objects.get(notification=note)
    assert email.address == personas.sam.email


def test_a_reply_tells_everyone_else_and_marks_the_conversation_read_for_its_author(personas):
    started = start(personas)
    later = TUESDAY + dt.timedelta(minutes=30)

    reply = services.reply(
        access_of(personas.sam, started.conversation),
        personas.sam,
        "  Lo siento, hablaré con él.  ",
        now=later,
    )

    assert reply.body == "Lo siento, hablaré con él."
    assert reply.language == "es"
    started.conversation.refresh_from_db()
    assert started.conversation.last_message_at == later
    sams = Participant.objects.get(conversation=started.conversation, user=personas.sam)
    assert sams.last_read_at == later
    told = Notification.objects.filter(
        kind=kinds.NEW_MESSAGE, subject=f"messaging.message:{reply.pk}"
    )
    assert list(told.values_list("recipient__username", flat=True)) == ["rivera"]


@pytest.mark.parametrize(
    ("body", "field"),
    [("", "body"), ("   \n ", "body"), ("x" * (services.MAX_BODY + 1), "body")],
)
def test_an_empty_or_overlong_message_is_refused_and_changes_nothing(personas, body, field):
    started = start(personas)
    before = Message.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.reply(access_of(personas.sam, started.conversation), personas.sam, body)
    assert field in refused.value.message_dict
    assert Message.objects.count() == before


def test_a_subject_is_required(personas):
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)
    with pytest.raises(ValidationError) as refused:
        services.start(
            starter=personas.rivera,
            student=leo,
            school_id=school_id,
            kind=ConversationKind.FAMILY,
            subject="  ",
            body="Hello",
            invitees=Invitees(guardians=[personas.sam.pk]),
        )
    assert "subject" in refused.value.message_dict
    assert not services.Conversation.objects.exists()


def test_an_admin_reading_for_safeguarding_cannot_write(personas):
    started = start(personas)
    access = policies.conversation_for_reader(personas.nguyen, started.conversation.pk)
    with pytest.raises(ValidationError):
        services.reply(access, personas.nguyen, "Hello")


def test_too_many_messages_in_an_hour_are_refused(personas, settings):
    settings.VILLAGE_MESSAGES_PER_HOUR = 3
    started = start(personas)
    access = access_of(personas.rivera, started.conversation)
    services.reply(access, personas.rivera, "two", now=TUESDAY + dt.timedelta(minutes=1))
    services.reply(access, personas.rivera, "three", now=TUESDAY + dt.timedelta(minutes=2))
    with pytest.raises(ValidationError, match="many messages"):
        services.reply(access, personas.rivera, "four", now=TUESDAY + dt.timedelta(minutes=3))
    # An hour later the limit has passed.
    services.reply(access, personas.rivera, "later", now=TUESDAY + dt.timedelta(minutes=62))


def test_files_are_checked_as_hand_ins_are(personas):
    started = start(personas)
    access = access_of(personas.sam, started.conversation)
    fake = SimpleUploadedFile("report.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.reply(access, personas.sam, "Here it is", [fake])
    assert "attachments" in refused.value.message_dict
    assert Message.objects.count() == 1

    real = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    message = services.reply(access, personas.sam, "Here it is", [real])
    kept = Attachment.objects.get(message=message)
    assert (kept.name, kept.content_type, kept.size) == ("report.pdf", "application/pdf", 14)


# --- read state ----------------------------------------------------------------------------------


def test_unread_counts_and_read_receipts(personas):
    started = start(personas)
    conversation = started.conversation
    page = selectors.inbox(personas.sam, None)
    assert [(row.conversation, row.unread) for row in page.object_list] == [(conversation, 1)]
    assert selectors.unread_total(personas.sam) == 1
    assert selectors.unread_total(personas.rivera) == 0

    services.mark_read(access_of(personas.sam, conversation), now=TUESDAY + dt.timedelta(minutes=5))

    assert selectors.unread_total(personas.sam) == 0
    shown = selectors.thread(
        access_of(personas.rivera, conversation),
        now=TUESDAY + dt.timedelta(minutes=6),
        hide_window=services.HIDE_WINDOW,
        reader_language="en",
    )
    assert [place.user for place in shown.entries[0].readers] == [personas.sam]


# --- hiding and reporting ------------------------------------------------------------------------


def test_the_author_hides_a_message_within_five_minutes_and_it_is_kept(personas):
    started = start(personas)
    access = access_of(personas.rivera, started.conversation)
    services.hide(access, started.message, personas.rivera, now=TUESDAY + dt.timedelta(minutes=4))
    kept = Message.objects.get(pk=started.message.pk)
    assert kept.hidden_at is not None
    assert kept.hidden_by == personas.rivera
    assert kept.body == "Leo's lab report is late."  # kept for the record


def test_after_five_minutes_or_by_someone_else_a_message_is_not_hidden(personas):
    started = start(personas)
    with pytest.raises(ValidationError, match="5 minutes"):
        services.hide(
            access_of(personas.rivera, started.conversation),
            started.message,
            personas.rivera,
            now=TUESDAY + dt.timedelta(minutes=6),
        )
    with pytest.raises(ValidationError, match="your own"):
        services.hide(
            access_of(personas.sam, started.conversation),
            started.message,
            personas.sam,
            now=TUESDAY + dt.timedelta(minutes=1),
        )
    assert Message.objects.get(pk=started.message.pk).hidden_at is None


def test_an_admin_hides_with_a_reason(personas):
    started = start(personas)
    access = policies.conversation_for_reader(personas.nguyen, started.conversation.pk)
    with pytest.raises(ValidationError) as refused:
        services.hide(access, started.message, personas.nguyen, as_admin=True)
    assert "reason" in refused.value.message_dict
    services.hide(
        access, started.message, personas.nguyen, reason="Shared a phone number", as_admin=True
    )
    kept = Message.objects.get(pk=started.message.pk)
    assert (kept.hidden_by, kept.hidden_reason) == (personas.nguyen, "Shared a phone number")


def test_a_report_is_kept_once_per_person(personas):
    started = start(personas)
    first = services.report(started.message, personas.sam, "  Unkind words ")
    again = services.report(started.message, personas.sam, "Again")
    assert first.pk == again.pk
    assert first.reason == "Unkind words"
    with pytest.raises(ValidationError):
        services.report(started.message, personas.sam, " ")
    assert MessageReport.objects.count() == 1


# --- office hours --------------------------------------------------------------------------------


def _hours(user, *stretches):
    services.set_office_hours(user, [(day, dt.time(a), dt.time(b)) for day, a, b in stretches])


def test_a_message_outside_office_hours_tells_the_teacher_at_the_next_morning(personas):
    personas.rivera.timezone = "America/Chicago"
    personas.rivera.save(update_fields=["timezone"])
    _hours(personas.rivera, *[(day, 8, 16) for day in range(5)])
    started = start(personas)
    evening = dt.datetime(2026, 12, 11, 19, 30, tzinfo=CHICAGO)  # a Friday evening

    reply = services.reply(
        access_of(personas.sam, started.conversation), personas.sam, "¿Podemos hablar?", now=evening
    )

    note = Notification.objects.get(
        kind=kinds.NEW_MESSAGE, recipient=personas.rivera, subject=f"messaging.message:{reply.pk}"
    )
    assert note.created_at == evening  # in the notification centre at once
    email = Delivery.objects.get(notification=note)
    assert email.due_at == dt.datetime(2026, 12, 14, 8, 0, tzinfo=CHICAGO)  # Monday 8:00


def test_within_office_hours_the_teacher_is_told_at_once(personas):
    personas.rivera.timezone = "America/Chicago"
    personas.rivera.save(update_fields=["timezone"])
    _hours(personas.rivera, *[(day, 8, 16) for day in range(5)])
    started = start(personas)
    reply = services.reply(
        access_of(personas.sam, started.conversation), personas.sam, "Sí", now=TUESDAY
    )
    note = Notification.objects.get(
        recipient=personas.rivera, subject=f"messaging.message:{reply.pk}"
    )
    assert Delivery.objects.get(notification=note).due_at == TUESDAY


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 8, 9, 0, tzinfo=CHICAGO), None),
        (
            dt.datetime(2026, 12, 8, 7, 0, tzinfo=CHICAGO),
            dt.datetime(2026, 12, 8, 8, 0, tzinfo=CHICAGO),
        ),
        (
            dt.datetime(2026, 12, 8, 16, 0, tzinfo=CHICAGO),
            dt.datetime(2026, 12, 9, 8, 0, tzinfo=CHICAGO),
        ),
        (
            dt.datetime(2026, 12, 12, 10, 0, tzinfo=CHICAGO),
            dt.datetime(2026, 12, 14, 8, 0, tzinfo=CHICAGO),
        ),
    ],
    ids=["inside", "before", "at-the-end", "weekend"],
)
def test_the_next_working_moment(personas, moment, expected):
    personas.rivera.timezone = "America/Chicago"
    stretches = [
        OfficeHours(user=personas.rivera, weekday=day, starts=dt.time(8), ends=dt.time(16))
        for day in range(5)
    ]
    assert hours.next_working_moment(moment, personas.rivera, stretches) == expected
    assert hours.next_working_moment(moment, personas.rivera, []) is None


# --- retention -----------------------------------------------------------------------------------


def test_conversations_are_kept_unless_a_retention_period_is_set(personas, settings, tmp_path):
    from village.messaging import retention

    settings.MEDIA_ROOT = tmp_path
    started = start(personas)
    access = access_of(personas.sam, started.conversation)
    pdf = SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%note\n", content_type="application/pdf")
    services.reply(access, personas.sam, "Adjunto la nota", [pdf], now=TUESDAY)
    stored = Attachment.objects.get().file.path
    later = TUESDAY + dt.timedelta(days=400)

    assert retention.purge(later) == {"conversations": 0}
    assert services.Conversation.objects.count() == 1

    settings.VILLAGE_MESSAGE_RETENTION_DAYS = 365
    assert retention.purge(TUESDAY + dt.timedelta(days=300)) == {"conversations": 0}
    assert retention.purge(later) == {"conversations": 1}
    assert not services.Conversation.objects.exists()
    assert not Message.objects.exists()
    assert not Path(stored).exists()
