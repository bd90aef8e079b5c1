"""Roster imports: a OneRoster bundle an admin uploaded, what checking it found, and its fate.

An import moves one way: uploaded -> validating -> validated | rejected; a validated import that
an admin confirms goes applying -> applied | failed. The bundle is kept under
``MEDIA_ROOT/rosters/`` with a random name, so a file name never reveals or collides with another.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from village.community.models import Organisation
from village.core.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking")
    VALIDATED = "validated", _("Ready to apply")
    REJECTED = "rejected", _("Rejected")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


#: Statuses in which a background task is (or is about to be) working on the import.
WORKING_STATUSES = frozenset(
    {ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.APPLYING}
)
#: Files whose changes are worked out only when an import is applied (the gradebook).
APPLY_TIME_FILES = ("categories", "lineItems", "results")


def bundle_path(instance: Any, filename: str) -> str:
    """A random name under ``rosters/``: the uploaded name is kept only as a label."""
    return f"rosters/{secrets.token_urlsafe(24)}.zip"


def changes_path(instance: Any, filename: str) -> str:
    """The list of an import's changes, as random a name as its bundle's."""
    return f"rosters/{secrets.token_urlsafe(24)}-changes.csv"


class RosterImport(TimeStampedModel):
    """One uploaded bundle for one organisation: a district, or a single school."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="roster_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roster_imports"
    )
    file = models.FileField(upload_to=bundle_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED, db_index=True
    )
    # Report.as_dict() and the plan's per-kind counts, from the last check or apply.
    report = models.JSONField(null=True, blank=True)
    plan = models.JSONField(null=True, blank=True)
    total_changes = models.PositiveIntegerField(null=True, blank=True)
    # The check's first changes of each kind and action (``changes.listing``), and all of them.
    changes = models.JSONField(null=True, blank=True)
    changes_file = models.FileField(upload_to=changes_path, max_length=200, blank=True)
    failure = models.CharField(_("what went wrong"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_imports_confirmed",
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} for {self.organisation_id} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING_STATUSES

    @property
    def has_nothing_to_apply(self) -> bool:
        """A checked roster that matches Village: no change, and no gradebook to bring in."""
        if self.status != ImportStatus.VALIDATED or self.total_changes != 0:
            return False
        counts = (self.report or {}).get("counts") or {}
        return not any(counts.get(kind) for kind in APPLY_TIME_FILES)
