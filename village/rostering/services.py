"""Roster imports, written: upload a bundle, check it in the background, confirm, apply.

The checks and the apply run in background tasks (``tasks.py``) that call
``roster_import_validate`` and ``roster_import_apply`` with an import's id. Each claims the import
by its status first, so a task delivered twice does its work once; progress goes to the shared
cache for the import's page to show.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import Organisation
from village.rostering import changes
from village.rostering.importer import run_import
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.plan import Plan
from village.rostering.report import Report

logger = logging.getLogger(__name__)

#: Progress is written to the cache at most this often (seconds), except when a stage changes
#: or ends, so a fast loop does not flood a shared cache.
PROGRESS_INTERVAL = 0.5
#: How long progress stays in the cache: longer than any import, short enough to clean itself up.
PROGRESS_TIMEOUT = 6 * 60 * 60


class ImportRefusedError(Exception):
    """The import is not in a state that allows what was asked; the message says why."""


def progress_key(import_id: int) -> str:
    return f"roster-import:{import_id}:progress"


class ProgressRecorder:
    """A ``progress(stage, done, total)`` callback that writes to the cache, throttled."""

    def __init__(self, import_id: int, interval: float = PROGRESS_INTERVAL) -> None:
        self.key = progress_key(import_id)
        self.interval = interval
        self.stage: str | None = None
        self.last = float("-inf")

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        boundary = stage != self.stage or done >= total
        if not boundary and now - self.last < self.interval:
            return
        self.stage, self.last = stage, now
        progress = {"stage": stage, "done": done, "total": total}
        cache.set(self.key, progress, timeout=PROGRESS_TIMEOUT)


# --- upload ---------------------------------------------------------------------------------


def roster_import_create(
    *, uploaded_by: User, organisation: Organisation, upload: UploadedFile
) -> RosterImport:
    """Store the bundle and queue its check (a dry run), once the upload is saved.

    Preconditions (checked by the form): ``organisation`` is one ``uploaded_by`` may import for,
    and ``upload`` is a zip file within the size limit.
    """
    from village.rostering.tasks import validate_roster_import  # tasks call these services

    with transaction.atomic():
        roster_import = RosterImport(
            organisation=organisation,
            uploaded_by=uploaded_by,
            original_name=(upload.name or "roster.zip")[-255:],
            size=upload.size or 0,
        )
        roster_import.file.save("roster.zip", upload, save=False)
        roster_import.save()
        transaction.on_commit(partial(validate_roster_import.enqueue, roster_import.pk))
    return roster_import


# --- check ----------------------------------------------------------------------------------


def roster_import_validate(*, import_id: int) -> None:
    """Check the bundle (who may change what, then a dry run) and keep the report and plan."""
    _run_stage(import_id, _VALIDATE)


# --- confirm and apply ----------------------------------------------------------------------


def roster_import_confirm(*, import_id: int, confirmed_by: User) -> RosterImport:
    """Queue the apply of a checked import. Refused unless the import is ready to apply.

    Precondition: ``confirmed_by`` may see the import (``policies.import_for_viewer``).
    """
    from village.rostering.tasks import apply_roster_import  # tasks call these services

    with transaction.atomic():
        roster_import = RosterImport.objects.select_for_update().get(pk=import_id)
        _check_confirmable(roster_import)
        roster_import.status = ImportStatus.APPLYING
        roster_import.confirmed_by = confirmed_by
        roster_import.confirmed_at = timezone.now()
        roster_import.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
        transaction.on_commit(partial(apply_roster_import.enqueue, roster_import.pk))
    return roster_import


def _check_confirmable(roster_import: RosterImport) -> None:
    status = roster_import.status
    if roster_import.has_nothing_to_apply:
        raise ImportRefusedError(_("There is nothing to apply: the roster matches Village."))
    if status == ImportStatus.VALIDATED:
        return
    if status in (ImportStatus.APPLYING, ImportStatus.APPLIED):
        raise ImportRefusedError(_("This roster has already been confirmed."))
    if status == ImportStatus.REJECTED:
        raise ImportRefusedError(
            _("This roster was rejected. Correct the errors and upload it again.")
        )
    if status == ImportStatus.FAILED:
        raise ImportRefusedError(_("This import failed. Upload the roster again."))
    raise ImportRefusedError(_("This roster is still being checked. Try again in a moment."))


def roster_import_apply(*, import_id: int) -> None:
    """Apply a confirmed import: check its scope again (Village may have changed), then import."""
    _run_stage(import_id, _APPLY)


@dataclass(frozen=True)
class _Stage:
    """Checking or applying an import: the statuses it moves through, and whether it writes."""

    name: str
    allowed: frozenset[ImportStatus]
    working: ImportStatus
    done: ImportStatus
    #: The status when the bundle reaches outside its organisation, or the import fails.
    refused: ImportStatus
    dry_run: bool


_VALIDATE = _Stage(
    "Checking",
    frozenset({ImportStatus.UPLOADED, ImportStatus.VALIDATING}),
    ImportStatus.VALIDATING,
    ImportStatus.VALIDATED,
    ImportStatus.REJECTED,
    dry_run=True,
)
_APPLY = _Stage(
    "Applying",
    frozenset({ImportStatus.APPLYING}),
    ImportStatus.APPLYING,
    ImportStatus.APPLIED,
    ImportStatus.FAILED,
    dry_run=False,
)


def _run_stage(import_id: int, stage: _Stage) -> None:
    """Claim the import for ``stage``, check its scope, run it and keep the outcome."""
    roster_import = _claim(import_id, set(stage.allowed), stage.working)
    if roster_import is None:
        return
    progress = ProgressRecorder(import_id)
    try:
        # run_import checks what the bundle may reach (its organisation's) before anything else
        outcome = run_import(
            path=_path(roster_import),
            dry_run=stage.dry_run,
            progress=progress,
            organisation=roster_import.organisation,
        )
        ok = outcome.report.ok if stage.dry_run else outcome.applied
        listed = _list_changes(outcome.changes) if ok and stage.dry_run else {}
    except Exception:
        logger.exception("%s roster import %s failed", stage.name, import_id)
        _fail(roster_import, stage.working)
        return
    # a check that fails keeps no plan to confirm; a failed apply keeps what it planned, unless
    # the bundle reached outside its organisation, when nothing was planned
    outside = any(issue.code == "outside_scope" for issue in outcome.report.errors)
    plan = outcome.plan if (ok or not stage.dry_run) and not outside else None
    status = stage.done if ok else stage.refused
    _finish(roster_import, stage.working, status, outcome.report, plan, listed)


def _list_changes(plan: Plan | None) -> dict[str, Any]:
    """The check's changes: the first of each kind for the page, all of them in a file."""
    if plan is None:
        return {}
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
        changes.write_csv(plan, out)
        out.seek(0)
        field = RosterImport._meta.get_field("changes_file")
        assert isinstance(field, FileField)
        saved = field.storage.save(field.generate_filename(None, "changes.csv"), File(out))
    return {"changes": changes.listing(plan), "changes_file": saved}


# --- shared steps ---------------------------------------------------------------------------


def _path(roster_import: RosterImport) -> Path:
    return Path(roster_import.file.path)


def _claim(
    import_id: int, allowed: set[ImportStatus], working: ImportStatus
) -> RosterImport | None:
    """Move the import to ``working`` if it is in an ``allowed`` status; ``None`` otherwise.

    A retried task finds the import in its working status and runs again; a duplicate delivered
    after the work finished finds another status and does nothing.
    """
    with transaction.atomic():
        roster_import = (
            RosterImport.objects.select_for_update()
            .select_related("organisation")
            .filter(pk=import_id)
            .first()
        )
        if roster_import is None or roster_import.status not in allowed:
            return None
        if roster_import.status != working:
            roster_import.status = working
            roster_import.save(update_fields=["status", "updated_at"])
    return roster_import


def _finish(
    roster_import: RosterImport,
    working: ImportStatus,
    status: ImportStatus,
    report: Report,
    plan: Any = None,
    listed: dict[str, Any] | None = None,
) -> None:
    """Record the outcome, unless another run already did (the update is conditional)."""
    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "report": report.as_dict(), "updated_at": now}
    changes.update(listed or {})
    if plan is not None:
        changes["plan"] = plan.as_dict()
        changes["total_changes"] = plan.total_changes
    if working == ImportStatus.VALIDATING:
        changes["validated_at"] = now
    else:
        changes["finished_at"] = now
    if status == ImportStatus.FAILED and not report.ok:
        changes["failure"] = _("Village changed since the check; nothing was applied.")
    RosterImport.objects.filter(pk=roster_import.pk, status=working).update(**changes)
    cache.delete(progress_key(roster_import.pk))


def _fail(roster_import: RosterImport, working: ImportStatus) -> None:
    message = _("Something went wrong on Village's side; nothing was changed. Try again later.")
    RosterImport.objects.filter(pk=roster_import.pk, status=working).update(
        status=ImportStatus.FAILED,
        failure=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    cache.delete(progress_key(roster_import.pk))
