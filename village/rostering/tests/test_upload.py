"""The roster upload pages: upload a zip, follow its check, read the report and the plan,
confirm; and the files refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from village.accounts.models import User
from village.rostering import services
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.uploads import (
    SCHOOL,
    STAMP,
    bundle_bytes,
    confirm,
    delta_rows,
    signed_in,
    stored_files,
    upload,
    validated_import,
    zip_upload,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("village.rostering.tests.upload_urls"),
    pytest.mark.usefixtures("isolated_upload_storage"),
]


# --- the journey --------------------------------------------------------------------------


class TestUploadCheckConfirm:
    def test_upload_is_checked_planned_confirmed_and_applied(
        self, client, personas, django_capture_on_commit_callbacks, settings
    ):
        signed_in(client, personas.priya)
        response = upload(client, django_capture_on_commit_callbacks, personas.district)

        roster_import = RosterImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("rostering:detail", args=[roster_import.pk])
        assert roster_import.status == ImportStatus.VALIDATED
        assert roster_import.organisation == personas.district
        assert roster_import.uploaded_by == personas.priya
        plan = roster_import.plan or {}
        assert plan["users"] == {"created": 3, "updated": 0, "deactivated": 0}
        assert plan["classes"]["created"] == 1
        assert (roster_import.total_changes or 0) > 0
        assert not User.objects.filter(sourced_id="new-student").exists()  # a dry run only

        page = client.get(response["Location"]).content.decode()
        assert "Confirm and apply" in page
        assert "Ready to apply" in page
        assert 'hx-trigger="every 2s"' not in page

        response = confirm(client, django_capture_on_commit_callbacks, roster_import)
        roster_import.refresh_from_db()
        assert roster_import.status == ImportStatus.APPLIED
        assert roster_import.confirmed_by == personas.priya
        assert set(
            User.objects.filter(sourced_id__startswith="new-").values_list("username", flat=True)
        ) == {"hwong", "tbaker", "rbaker"}
        assert "Confirm and apply" not in response.content.decode()
        assert "This roster has been applied." in response.content.decode()

    def test_a_crash_while_checking_or_applying_fails_the_import_and_changes_nothing(
        self, client, personas, django_capture_on_commit_callbacks, monkeypatch
    ):
        signed_in(client, personas.priya)
        real_run = services.run_import

        def crash(**_kwargs: object) -> None:
            raise RuntimeError("disk gone")

        monkeypatch.setattr(services, "run_import", crash)
        upload(client, django_capture_on_commit_callbacks, personas.district)
        checked = RosterImport.objects.get()
        assert checked.status == ImportStatus.FAILED
        assert "nothing was changed" in checked.failure

        monkeypatch.setattr(services, "run_import", real_run)
        upload(client, django_capture_on_commit_callbacks, personas.district)
        applied = RosterImport.objects.latest("pk")
        assert applied.status == ImportStatus.VALIDATED
        monkeypatch.setattr(services, "run_import", crash)
        confirm(client, django_capture_on_commit_callbacks, applied)
        applied.refresh_from_db()
        assert applied.status == ImportStatus.FAILED
        assert not User.objects.filter(sourced_id__startswith="new-").exists()

    def test_file_is_stored_under_rosters_with_a_random_name(
        self, client, personas, django_capture_on_commit_callbacks, settings
    ):
        signed_in(client, personas.priya)
        upload(client, django_capture_on_commit_callbacks, personas.district,
               zip_upload(name="riverside-export.zip"))  # fmt: skip
        first = RosterImport.objects.get()
        upload(client, django_capture_on_commit_callbacks, personas.district,
               zip_upload(name="riverside-export.zip"))  # fmt: skip
        second = RosterImport.objects.exclude(pk=first.pk).get()

        assert first.original_name == "riverside-export.zip"
        assert first.file.name.startswith("rosters/")
        assert "riverside" not in first.file.name
        assert first.file.name != second.file.name
        files = stored_files(settings)
        assert len([path for path in files if path.suffix == ".zip"]) == 2
        # and each check's list of changes, as randomly named
        changes = [path for path in files if path.name.endswith("-changes.csv")]
        assert len(changes) == 2
        assert all("riverside" not in path.name for path in changes)

    def test_broken_bundle_is_rejected_with_its_messages_and_no_confirm(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = delta_rows()
        rows["enrollments"].append(
            f"new-e3,active,{STAMP},no-such-class,{SCHOOL},new-student,student,false,,"
        )
        signed_in(client, personas.priya)
        upload(client, django_capture_on_commit_callbacks, personas.district,
               zip_upload(bundle_bytes(rows)))  # fmt: skip

        roster_import = RosterImport.objects.get()
        assert roster_import.status == ImportStatus.REJECTED
        assert roster_import.plan is None
        page = client.get(reverse("rostering:detail", args=[roster_import.pk])).content.decode()
        assert "Rejected" in page
        assert "no-such-class" in page
        assert "enrollments.csv" in page
        assert "classSourcedId" in page
        assert '<td data-label="Line">4</td>' in page
        assert "Confirm and apply" not in page

        response = confirm(client, django_capture_on_commit_callbacks, roster_import)
        assert "This roster was rejected" in response.content.decode()
        roster_import.refresh_from_db()
        assert roster_import.status == ImportStatus.REJECTED
        assert not User.objects.filter(sourced_id="new-student").exists()

    def test_confirming_twice_is_refused(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        signed_in(client, personas.priya)
        upload(client, django_capture_on_commit_callbacks, personas.district)
        roster_import = RosterImport.objects.get()
        confirm(client, django_capture_on_commit_callbacks, roster_import)

        response = confirm(client, django_capture_on_commit_callbacks, roster_import)

        assert "This roster has already been confirmed." in response.content.decode()
        roster_import.refresh_from_db()
        assert roster_import.status == ImportStatus.APPLIED

    def test_confirm_while_applying_is_refused_and_applies_once(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = validated_import(personas, django_capture_on_commit_callbacks)
        services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=personas.priya)

        with pytest.raises(services.ImportRefusedError, match="already been confirmed"):
            services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=personas.priya)

    def test_a_task_delivered_twice_does_its_work_once(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = validated_import(personas, django_capture_on_commit_callbacks)
        checked_at = RosterImport.objects.get(pk=roster_import.pk).validated_at

        services.roster_import_validate(import_id=roster_import.pk)
        services.roster_import_apply(import_id=roster_import.pk)  # not confirmed: nothing

        again = RosterImport.objects.get(pk=roster_import.pk)
        assert (again.status, again.validated_at) == (ImportStatus.VALIDATED, checked_at)
        assert not User.objects.filter(sourced_id="new-student").exists()


# --- bad files ----------------------------------------------------------------------------


class TestRefusedFiles:
    def test_a_file_that_is_not_a_zip_is_refused(
        self, client, personas, settings, django_capture_on_commit_callbacks
    ):
        signed_in(client, personas.priya)
        csv_file = SimpleUploadedFile("users.csv", b"sourcedId,status\n", content_type="text/csv")

        response = upload(client, django_capture_on_commit_callbacks, personas.district, csv_file)

        assert response.status_code == 200
        assert "Choose a .zip file" in response.content.decode()
        assert not RosterImport.objects.exists()
        assert stored_files(settings) == []

    def test_a_file_named_zip_that_is_not_one_is_refused(
        self, client, personas, settings, django_capture_on_commit_callbacks
    ):
        signed_in(client, personas.priya)
        fake = SimpleUploadedFile("roster.zip", b"not a zip at all", content_type="application/zip")

        response = upload(client, django_capture_on_commit_callbacks, personas.district, fake)

        assert "not a valid zip archive" in response.content.decode()
        assert not RosterImport.objects.exists()
        assert stored_files(settings) == []

    def test_a_file_over_the_limit_is_refused(
        self, client, personas, settings, django_capture_on_commit_callbacks
    ):
        settings.VILLAGE_ROSTER_MAX_UPLOAD_BYTES = 1000
        signed_in(client, personas.priya)
        big = zip_upload(_incompressible_zip(5_000))

        response = upload(client, django_capture_on_commit_callbacks, personas.district, big)

        assert response.status_code == 200
        assert "The file is too big: a roster may be at most 1000" in response.content.decode()
        assert not RosterImport.objects.exists()
        assert stored_files(settings) == []

    def test_a_body_far_over_the_limit_is_refused_unread(
        self, client, personas, settings, django_capture_on_commit_callbacks
    ):
        settings.VILLAGE_ROSTER_MAX_UPLOAD_BYTES = 1000
        signed_in(client, personas.priya)
        huge = zip_upload(_incompressible_zip(200_000))

        response = upload(client, django_capture_on_commit_callbacks, personas.district, huge)

        assert response.status_code == 413
        assert "The file is too big" in response.content.decode()
        assert not RosterImport.objects.exists()
        assert stored_files(settings) == []

    def test_no_file_is_a_clear_error(self, client, personas):
        signed_in(client, personas.priya)

        response = client.post(reverse("rostering:upload"), {"organisation": personas.district.pk})

        assert "This field is required." in response.content.decode()
        assert not RosterImport.objects.exists()


def _incompressible_zip(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.csv", bytes(range(256)) * (size // 256 + 1))
    return buffer.getvalue()
