"""Family view data: each child's work digest behind the family overview."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChildWorkDigest(models.Model):
    """What the family overview needs of one child's classwork, kept between page loads.

    Built by ``village.families.digest`` from the classwork tables, and rebuilt there when the
    child's or one of their classes' work version has changed (``key``), when the child's
    classes have changed, or when it is a day old. It holds nothing particular to one guardian.
    """

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    key = models.CharField(max_length=40)
    built_at = models.DateTimeField()
    data = models.JSONField()

    def __str__(self) -> str:
        return f"Work digest of student {self.student_id}"
