"""Announcements from a class's teacher, a school's admins or a district's, with read receipts.

- :class:`Announcement`: what was said, by whom, to whom (a class, a grade of a school, a school
  or a district; its families, students, staff, or a mix), when it goes (``send_at``; written to
  its recipients at ``sent_at``), whether replies are open, pinned, urgent. Who may announce to
  whom is one policy (``village.announcements.policies``).
- :class:`Recipient`: one per person it reached, written when it is sent, set-based (one
  ``INSERT ... SELECT`` per kind of recipient): a guardian once, however many of their children
  it concerns, through the first of them (``child``); with when it was delivered in Village and
  when its recipient first opened it (the read receipt).
- :class:`Attachment`: a file with it, checked as hand-ins are.
- :class:`Reply`: a recipient's reply opens a private conversation with the sender
  (``village.messaging``), never a reply to everyone; this keeps which conversation it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AudienceScope(models.TextChoices):
    """Whom an announcement is for (and, by its flags, which of them: families, students,
    staff)."""

    CLASS = "class", _("A class")
    GRADE = "grade", _("A grade")
    SCHOOL = "school", _("A school")
    DISTRICT = "district", _("A district")


class Announcement(models.Model):
    #: The school it comes from, or the district for a district-wide one.
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.PROTECT, related_name="announcements"
    )
    scope = models.CharField(max_length=12, choices=AudienceScope.choices)
    school_class = models.ForeignKey(
        "community.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    #: The grade of the school (a grade announcement), as students' ``grade`` holds it.
    grade = models.CharField(max_length=8, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements_written"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("announcement"))
    #: The language title and body are written in (the author's).
    language = models.CharField(max_length=16)
    to_families = models.BooleanField(_("families"), default=True)
    to_students = models.BooleanField(_("students"), default=False)
    to_staff = models.BooleanField(_("staff"), default=False)
    replies_allowed = models.BooleanField(_("replies allowed"), default=True)
    #: Closures and emergencies (admins only): sent at once at any hour, whatever people chose.
    urgent = models.BooleanField(_("urgent"), default=False)
    #: Shown first in lists until this day (included).
    pinned_until = models.DateField(_("pinned until"), null=True, blank=True)
    send_at = models.DateTimeField(_("send at"))
    #: When its recipients were written and told (``None``: scheduled, not sent yet).
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    #: A scheduled announcement withdrawn before it went.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [
            models.Index(
                fields=["send_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="announcement_due",
            ),
            models.Index(fields=["organisation", "-send_at"]),
            models.Index(fields=["author", "-send_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="class") | Q(school_class__isnull=False),
                name="announcement_class_named",
            ),
            models.CheckConstraint(
                condition=~Q(scope="grade") | ~Q(grade=""), name="announcement_grade_named"
            ),
            models.CheckConstraint(
                condition=Q(to_families=True) | Q(to_students=True) | Q(to_staff=True),
                name="announcement_has_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class RecipientRole(models.TextChoices):
    GUARDIAN = "guardian", _("Family")
    STUDENT = "student", _("Student")
    STAFF = "staff", _("Staff")


class Recipient(models.Model):
    """One person an announcement reached, with their read receipt.

    A district-wide announcement writes tens of thousands at once, so each index is one the
    pages use: the unique (announcement, user) serves "by announcement" too, and the (user,
    announcement) and (child, announcement) indexes serve "by user" and "by child": the foreign
    keys have no index of their own."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="announcements_received",
        db_index=False,
    )
    role = models.CharField(max_length=12, choices=RecipientRole.choices)
    #: For a guardian: the child through whom they receive it (the first, if several).
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    #: The school through which they receive it (the child's, or the staff member's).
    school = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: ``False``: a guardian whose links do not receive school communications (in Village only).
    communications = models.BooleanField(default=True)
    #: In Village (the announcement and its notification written).
    delivered_at = models.DateTimeField()
    #: When the recipient first opened it (its page, or the API): the read receipt.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_recipient_unique"
            )
        ]
        indexes = [
            models.Index(fields=["user", "announcement"]),
            models.Index(fields=["child", "announcement"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} of {self.announcement_id}"


def attachment_path(attachment: Attachment, filename: str) -> str:
    return f"announcements/{attachment.announcement_id}/{filename}"


class Attachment(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.name


class Reply(models.Model):
    """A recipient's private conversation with the sender about an announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "messaging.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcement_reply_once")
        ]

    def __str__(self) -> str:
        return f"reply of {self.user_id} to {self.announcement_id}"
