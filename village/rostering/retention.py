"""Removing roster files Village no longer needs (``village purge``, and ``village worker``).

An uploaded bundle is read only while its import is checked or applied. Once the import has
finished (applied, rejected or failed) for ``VILLAGE_RETAIN_UPLOADS_DAYS``, its file is deleted,
with the list of its changes (both hold personal data);
the import itself stays, with its report and plan, as the record of what happened. An import
that is still being checked, waits for its admin's confirmation or is being applied keeps its
file, however old.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from village.rostering.models import ImportStatus, RosterImport

FINISHED_STATUSES = (ImportStatus.APPLIED, ImportStatus.REJECTED, ImportStatus.FAILED)
#: Files are deleted one by one (a storage has no bulk delete); rows are cleared a batch at a time.
BATCH_SIZE = 500


def expired_bundles(now: dt.datetime) -> QuerySet[RosterImport]:
    """Finished imports that still hold a file and ended before the retention period."""
    cutoff = now - dt.timedelta(days=settings.VILLAGE_RETAIN_UPLOADS_DAYS)
    return (
        RosterImport.objects.filter(status__in=FINISHED_STATUSES)
        .exclude(file="")
        # A check that rejects the bundle records ``validated_at``; every other end,
        # ``finished_at``.
        .annotate(ended_at=Coalesce("finished_at", "validated_at", "updated_at"))
        .filter(ended_at__lt=cutoff)
    )


def purge_expired(now: dt.datetime) -> dict[str, int]:
    """Delete the files of imports past their retention at ``now``; how many were deleted.

    Each batch deletes its files first and then clears their names in one UPDATE, so a run that
    stops halfway is finished by the next one (deleting a missing file is not an error).
    """
    storage = RosterImport._meta.get_field("file").storage
    removed = 0
    while batch := list(
        expired_bundles(now).values_list("pk", "file", "changes_file")[:BATCH_SIZE]
    ):
        for _pk, name, changes_name in batch:
            storage.delete(name)
            if changes_name:
                storage.delete(changes_name)
        RosterImport.objects.filter(pk__in=[pk for pk, _name, _changes in batch]).update(
            file="", changes_file="", changes=None
        )
        removed += len(batch)
    return {"roster_files": removed}
