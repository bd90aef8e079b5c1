"""Family view data: the versions the family pages are kept by (per student and area, and per
reader and area)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StudentVersion(models.Model):
    """A token that changes whenever what a student's family could see of one area changes
    (``village.families.versions``): pages kept from that area are kept under it. A student
    without a row for an area has had no change there since versions were introduced."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    area = models.CharField(max_length=40)
    token = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "area"], name="studentversion_one_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.area} version of student {self.student_id}"


class ReaderVersion(models.Model):
    """A token that changes whenever what a reader has seen of one area changes (in classwork:
    feedback they open), for pages that show a reader what is new to them."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    area = models.CharField(max_length=40)
    token = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader", "area"], name="readerversion_one_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.area} version of reader {self.reader_id}"
