"""Shared kernel: abstract bases every domain model builds on, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RosterStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class SourcedModel(TimeStampedModel):
    """Something a roster (OneRoster) can create: carries a stable external id.

    ``sourced_id`` is unique when present; objects created inside Village have none.
    Deactivation, not deletion, is how a roster removes something: data is kept.
    """

    sourced_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("sourced id")
    )
    status = models.CharField(
        max_length=16, choices=RosterStatus.choices, default=RosterStatus.ACTIVE, db_index=True
    )

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    VIEW_STUDENT = "view_student", _("Viewed a student record")
    VIEW_ROSTER = "view_roster", _("Viewed a class roster")
    VIEW_AUDIT = "view_audit", _("Viewed the audit log")


class AuditEvent(models.Model):
    """Who looked at which student record, when, and through which page or endpoint.

    Written by ``village.core.audit`` only; never changed or deleted by the application.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_events_made"
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events_about",
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The organisation (school) whose admins may read this entry; a plain id keeps core free of
    # any dependency on the community app.
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=8, default="web")  # web | api
    path = models.CharField(max_length=512, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["student", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.student_id}"
