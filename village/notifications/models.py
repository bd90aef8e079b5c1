"""What Village tells people, and how it reaches them.

- :class:`Notification`: one per recipient and event, in the recipient's language: the in-app
  notification centre lists them, and each may go out by email (at once, or folded into a daily
  or weekly digest) and by SMS.
- :class:`Letter`: an email told to many people at once (an announcement to a district),
  rendered once per language with a slot where each recipient's own words go (their name, their
  unsubscribe link); each of its deliveries holds only those words and is written out when sent.
- :class:`Delivery`: the outbox. One row per message to send on one channel (an email, a text),
  written in the same transaction as what caused it, with an idempotency key, so a retried task
  or a sweep that runs twice never writes a second one. ``village worker`` claims due rows, hands
  them to the mail server or SMS gateway, and records the outcome, retrying with back-off.
- Preferences: :class:`UserSettings` (quiet hours, a student's reminders, a teacher's daily
  summary, a phone number for texts), :class:`KindSetting` (per kind: email at once, in the daily
  or the weekly digest, or off; texts on or off), and for guardians :class:`AlertRule` (per child
  and kind: on or off, with its threshold) over the school's :class:`SchoolAlertDefault`.
- The alert engine's memory: :class:`AlertCheck` (something changed for a student; look again
  once the hold is over) and :class:`AlertState` (was the condition true when last looked at:
  an alert fires when it becomes true, never again until it has been false).
- :class:`Digest`: one per recipient and period (the weekly family email), with when its
  recipient confirmed reading it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Email at once")
    DAILY = "daily", _("In the daily digest")
    WEEKLY = "weekly", _("In the weekly digest")
    OFF = "off", _("No email (in Village only)")


class Notification(models.Model):
    #: Indexed by (recipient, newest first) and the partial indexes below, not on its own: a
    #: district-wide announcement writes tens of thousands at once.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=64)
    #: The child the notification is about (for a guardian), if any.
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications_about",
    )
    #: The object it is about, as "<app>.<model>:<id>" (the kind knows how to read it).
    subject = models.CharField(max_length=96, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    #: Where the thing itself is, a path in Village.
    link = models.CharField(max_length=500, blank=True)
    #: The language title and body are written in.
    language = models.CharField(max_length=16, default="en")
    urgent = models.BooleanField(default=False)
    #: How its email goes (decided when it was made).
    email_mode = models.CharField(max_length=16, choices=EmailMode.choices, default=EmailMode.OFF)
    #: Over the week's budget of immediate emails: folded into the next digest instead.
    folded = models.BooleanField(default=False)
    #: Idempotency: recipient, kind, object and period. A second write with the key is ignored.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    #: When a daily or weekly digest carried it (it is carried once).
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, dismissed_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "email_mode"],
                condition=Q(digested_at__isnull=True),
                name="notification_undigested",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Letter(models.Model):
    """One email's subject, text and HTML in one language, rendered once for many recipients
    (``village.core.slots``): each character ``\x01``, ``\x02``, … in ``text`` and ``html``
    marks where the value of the slot of that number (``slots``, comma-separated, from one)
    goes. A delivery that names a letter is filled in when it is sent
    (``village.notifications.letters``)."""

    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    #: The language it is written in (its Content-Language).
    language = models.CharField(max_length=16)
    slots = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.subject} ({self.language})"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not sent")


class Delivery(models.Model):
    """One message on one channel: rendered when queued, sent by ``village worker``."""

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    #: What it is, for staff: a notification kind, "digest", "daily".
    kind = models.CharField(max_length=64)
    #: An email address or a phone number.
    address = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    html = models.TextField(blank=True)
    #: Extra headers (Content-Language, List-Unsubscribe, …).
    headers = models.JSONField(default=dict, blank=True)
    #: An iCalendar invitation (RFC 5546, with its METHOD) the email carries, or empty.
    calendar = models.TextField(blank=True)
    #: An email written once for many: ``subject``, ``text`` and ``html`` are then empty here
    #: and come from the letter, with ``slot_values`` (its slots' values for this recipient)
    #: and this recipient's unsubscribe link filled in when it is sent.
    letter = models.ForeignKey(
        Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    slot_values = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=12, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    created_at = models.DateTimeField()
    #: Not before (quiet hours, the hold).
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    #: A worker has it until then; after that another worker may take it.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    #: When it was last handed to the mail server or gateway (sent, refused or not reached).
    tried_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The id the mail server or gateway gave it.
    provider_id = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(state="queued"),
                name="delivery_due",
            ),
            models.Index(fields=["lease"], condition=~Q(lease=""), name="delivery_lease"),
            models.Index(fields=["recipient", "state"]),
            models.Index(fields=["state", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.address} ({self.state})"


class UserSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_hours = models.BooleanField(_("hold messages during quiet hours"), default=True)
    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(7, 0))
    #: A student's own reminders (due tomorrow, now missing, feedback returned).
    student_reminders = models.BooleanField(_("my reminders"), default=True)
    #: A teacher's daily "to grade / newly missing" summary.
    teacher_daily = models.BooleanField(_("daily summary of work to grade"), default=False)
    phone = models.CharField(_("mobile number for text messages"), max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"settings of {self.user_id}"


class KindSetting(models.Model):
    """How one user receives one kind: email mode and texts. No row: the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_kinds"
    )
    kind = models.CharField(max_length=64)
    email = models.CharField(max_length=16, choices=EmailMode.choices)
    sms = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="kind_setting_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"


class AlertRule(models.Model):
    """One guardian's alert of one kind about one child. No row: the school's default."""

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_rules"
    )
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_rules_about"
    )
    kind = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    #: A percentage (grade alerts) or points (the trend alert).
    threshold = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    #: Weeks the trend alert looks back over.
    weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child", "kind"], name="alert_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} about {self.child_id}: {self.kind}"


class SchoolAlertDefault(models.Model):
    """A school's default for one alert kind, for guardians who have not set their own."""

    school = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="alert_defaults"
    )
    kind = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    threshold = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="school_alert_default_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.kind}"


class SchoolNotificationSettings(models.Model):
    """When a school's weekly family digest goes out, and how many immediate emails a family
    receives per child and week before alerts fold into the digest."""

    school = models.OneToOneField(
        "community.Organisation", on_delete=models.CASCADE, related_name="notification_settings"
    )
    #: 0 = Monday … 6 = Sunday, in each guardian's own time zone.
    digest_weekday = models.PositiveSmallIntegerField(_("weekly digest day"), default=4)
    digest_hour = models.PositiveSmallIntegerField(_("weekly digest hour"), default=16)
    weekly_email_budget = models.PositiveSmallIntegerField(
        _("immediate emails per child per week"), default=3
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notification settings of {self.school_id}"


class AlertCheck(models.Model):
    """Something changed for a student in ``source`` (a grade saved, feedback returned): look at
    their alerts again once ``due_at`` (the hold) has passed. A later change moves ``due_at``."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=64)
    #: What changed, e.g. "assignment:12" (a class's work is looked at as a whole).
    subject = models.CharField(max_length=96)
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "source", "subject"], name="alert_check_unique"
            )
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"{self.source} {self.subject} of {self.student_id} at {self.due_at}"


class AlertState(models.Model):
    """Whether an alert's condition held when last looked at, per recipient, child, kind and
    subject: an alert fires when its condition becomes true and is armed again only once it has
    been false."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=96)
    active = models.BooleanField(default=False)
    #: How many times it has fired: each crossing's notification is keyed by its number.
    crossings = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "child", "kind", "subject"], name="alert_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.active}"


class DigestPeriod(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class DigestOutcome(models.TextChoices):
    """What became of a digest: emailed, or why not (each is recorded, so that running the
    digests again writes nothing new)."""

    EMAILED = "emailed", _("Emailed")
    NOTHING_NEW = "nothing_new", _("Nothing new to tell")
    NO_ADDRESS = "no_address", _("No email address")
    EMAIL_OFF = "email_off", _("Email turned off")
    NO_COMMUNICATIONS = "no_communications", _("Does not receive school communications")


class Digest(models.Model):
    """One digest email to one recipient for one period (the week or day it covers)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    period = models.CharField(max_length=8, choices=DigestPeriod.choices)
    #: The first day the digest covers (the week's Monday), in the recipient's time zone.
    starts = models.DateField()
    created_at = models.DateTimeField()
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The children it covered (ids), for the read-confirmation report.
    children = models.JSONField(default=list)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=24, choices=DigestOutcome.choices, default=DigestOutcome.EMAILED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "period", "starts"], name="digest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} digest of {self.recipient_id} from {self.starts}"


class SweepMark(models.Model):
    """How far a sweep has looked: the next run looks from here, so work that fell due while
    no worker ran is still found, and nothing is looked at twice."""

    name = models.CharField(max_length=64, unique=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} until {self.until}"
