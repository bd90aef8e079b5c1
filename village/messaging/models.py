"""Conversations between a school's staff, its students and their families, kept as a record.

- :class:`Conversation`: one thread *about* one student (and, where it is, a class or a piece
  of work), of one of three kinds: staff with the student's guardians (the student may be in it),
  staff with the student, or staff among themselves. Who may start one and whom it may include
  is one policy (``village.messaging.policies``): a student or a family never reaches another
  student or family without staff in the thread, and a guardian takes part only through a usable
  link (active, not ``no_access``) that allows messages.
- :class:`Participant`: a person in a conversation, with what they have read.
- :class:`Message`: what someone wrote, in their language. Messages are never deleted by the
  people in the conversation: the author may hide one within a few minutes, a school admin with
  a reason; both are kept, with who hid it and why.
- :class:`Attachment`: a file on a message, checked as hand-ins are.
- :class:`MessageReport`: anyone in a conversation may report a message to the school.
- :class:`OfficeHours`: when a staff member answers messages; what arrives outside them tells
  them the next working morning, and families see when to expect a reply.

School admins may read the conversations of their school for safeguarding; each such read is an
audit event (``village.core.audit``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ConversationKind(models.TextChoices):
    FAMILY = "family", _("Staff and family")
    STUDENT = "student", _("Staff and student")
    STAFF = "staff", _("Staff only")


class ParticipantRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    GUARDIAN = "guardian", _("Family")
    STUDENT = "student", _("Student")


class Conversation(models.Model):
    school = models.ForeignKey(
        "community.Organisation", on_delete=models.PROTECT, related_name="conversations"
    )
    kind = models.CharField(max_length=12, choices=ConversationKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    #: The language the subject is written in (its starter's).
    language = models.CharField(max_length=16, default="en")
    #: The student it is about.
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations_about"
    )
    school_class = models.ForeignKey(
        "community.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    assignment = models.ForeignKey(
        "classwork.Assignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations_started"
    )
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    #: When one of its messages was last hidden (a change to what lists show that a new message
    #: does not mark; see ``selectors.inbox_mark``).
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["school", "-last_message_at"])]

    def __str__(self) -> str:
        return self.subject


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversation_places"
    )
    role = models.CharField(max_length=12, choices=ParticipantRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()
    #: Taken out of the conversation by staff: from then on they see it no more.
    removed_at = models.DateTimeField(null=True, blank=True)
    #: Every message up to then is read (read receipts and the unread mark come from it).
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_unique")
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_written"
    )
    body = models.TextField(_("message"))
    #: The language it is written in (the author's, when they wrote it).
    language = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"


def attachment_path(attachment: Attachment, filename: str) -> str:
    return f"messages/{attachment.message.conversation_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.name


class MessageReport(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=500)
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once_per_person")
        ]

    def __str__(self) -> str:
        return f"report on {self.message_id}"


class OfficeHours(models.Model):
    """One stretch of a staff member's working week (in their own time zone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_hours"
    )
    #: 0 = Monday … 6 = Sunday.
    weekday = models.PositiveSmallIntegerField()
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="office_hours_weekday"),
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="office_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.weekday} {self.starts}-{self.ends}"
