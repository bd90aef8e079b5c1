"""Old roster files are deleted: the file of an import finished longer ago than the retention goes,
the import and its report stay; recent imports and imports still at work keep their file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.demo.personas import Personas
from village.rostering import retention
from village.rostering.apps import RosteringConfig
from village.rostering.models import ImportStatus, RosterImport

pytestmark = pytest.mark.django_db

REPORT = {"ok": True, "errors": 0, "warnings": 1, "issues": []}


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VILLAGE_RETAIN_UPLOADS_DAYS = 30


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def roster_import(p: Personas, status: ImportStatus, *, ended_days_ago: float) -> RosterImport:
    """An import of Priya's in ``status``, whose last step was ``ended_days_ago``."""
    item = RosterImport(
        organisation=p.district,
        uploaded_by=p.priya,
        original_name="sis-export.zip",
        size=12,
    )
    item.file.save("roster.zip", ContentFile(b"PK bundle..."), save=False)
    item.save()
    ended = days_ago(ended_days_ago)
    stamps: dict[str, object] = {"status": status, "report": REPORT, "updated_at": ended}
    if status in (ImportStatus.APPLIED, ImportStatus.FAILED):
        stamps["finished_at"] = ended
    if status != ImportStatus.UPLOADED:
        stamps["validated_at"] = ended
    RosterImport.objects.filter(pk=item.pk).update(**stamps)
    item.refresh_from_db()
    return item


def purge() -> dict[str, int]:
    config = apps.get_app_config("rostering")
    assert isinstance(config, RosteringConfig)
    return config.purge_expired(timezone.now())


def on_disk(item: RosterImport) -> bool:
    return Path(item.file.path).exists()


@pytest.mark.parametrize(
    "status", [ImportStatus.APPLIED, ImportStatus.REJECTED, ImportStatus.FAILED]
)
def test_file_of_an_import_finished_long_ago_is_deleted_and_the_import_kept(personas, status):
    item = roster_import(personas, status, ended_days_ago=31)
    path = Path(item.file.path)
    assert purge() == {"roster_files": 1}
    assert not path.exists()
    kept = RosterImport.objects.get(pk=item.pk)
    assert kept.file.name == ""
    assert (kept.status, kept.report, kept.original_name) == (status, REPORT, "sis-export.zip")


def test_the_list_of_changes_goes_with_the_bundle(personas):
    item = roster_import(personas, ImportStatus.APPLIED, ended_days_ago=31)
    item.changes_file.save("changes.csv", ContentFile(b"kind,change\n"), save=False)
    RosterImport.objects.filter(pk=item.pk).update(
        changes_file=item.changes_file.name, changes={"users": {"updated": [{"record": "ada"}]}}
    )
    changes = Path(item.changes_file.path)
    assert changes.exists()

    assert purge() == {"roster_files": 1}

    assert not changes.exists()
    kept = RosterImport.objects.get(pk=item.pk)
    assert (kept.changes_file.name, kept.changes) == ("", None)


def test_recently_finished_imports_keep_their_file(personas):
    recent = [
        roster_import(personas, status, ended_days_ago=29)
        for status in (ImportStatus.APPLIED, ImportStatus.REJECTED, ImportStatus.FAILED)
    ]
    assert purge() == {"roster_files": 0}
    assert all(on_disk(item) for item in recent)


@pytest.mark.parametrize(
    "status",
    [
        ImportStatus.UPLOADED,
        ImportStatus.VALIDATING,
        ImportStatus.VALIDATED,
        ImportStatus.APPLYING,
    ],
)
def test_imports_still_at_work_or_awaiting_confirmation_keep_their_file(personas, status):
    item = roster_import(personas, status, ended_days_ago=400)
    assert purge() == {"roster_files": 0}
    assert on_disk(item)
    assert RosterImport.objects.get(pk=item.pk).file.name == item.file.name


def test_a_rejected_import_counts_from_its_check(personas):
    """A check that rejects records ``validated_at`` only; that is when the import ended."""
    item = roster_import(personas, ImportStatus.REJECTED, ended_days_ago=31)
    RosterImport.objects.filter(pk=item.pk).update(updated_at=timezone.now())
    assert purge() == {"roster_files": 1}


def test_retention_comes_from_settings(personas, settings):
    settings.VILLAGE_RETAIN_UPLOADS_DAYS = 7
    old = roster_import(personas, ImportStatus.APPLIED, ended_days_ago=8)
    recent = roster_import(personas, ImportStatus.APPLIED, ended_days_ago=6)
    assert purge() == {"roster_files": 1}
    assert not on_disk(old)
    assert on_disk(recent)


def test_a_file_already_gone_is_no_error_and_a_second_run_removes_nothing(personas):
    item = roster_import(personas, ImportStatus.APPLIED, ended_days_ago=40)
    Path(item.file.path).unlink()
    assert purge() == {"roster_files": 1}
    assert RosterImport.objects.get(pk=item.pk).file.name == ""
    assert purge() == {"roster_files": 0}


def test_rows_are_cleared_a_batch_at_a_time(personas, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    items = [roster_import(personas, ImportStatus.APPLIED, ended_days_ago=40) for _n in range(5)]
    with CaptureQueriesContext(connection) as captured:
        assert purge() == {"roster_files": 5}
    # Three batches (a SELECT and an UPDATE each) and the SELECT that finds none left.
    assert len(captured.captured_queries) == 7
    assert not any(on_disk(item) for item in items)


def test_query_count_does_not_grow_with_the_files_within_a_batch(personas):
    def deleting(n: int) -> int:
        for _n in range(n):
            roster_import(personas, ImportStatus.APPLIED, ended_days_ago=40)
        with CaptureQueriesContext(connection) as captured:
            purge()
        return len(captured.captured_queries)

    assert deleting(1) == deleting(12)


def test_village_purge_prints_the_count_of_roster_files(personas):
    roster_import(personas, ImportStatus.APPLIED, ended_days_ago=45)
    roster_import(personas, ImportStatus.VALIDATED, ended_days_ago=45)
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "rostering.roster_files: 1" in out.getvalue().splitlines()
