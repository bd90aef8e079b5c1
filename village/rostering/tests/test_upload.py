"""The roster upload pages: upload a zip, follow its check, read the report and the plan,
confirm, and the rules on who sees what (a 404 for everyone else)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import OrgRole, Role
from village.rostering import services
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.builders import csv_text, manifest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.rostering.tests.upload_urls")]

STAMP = "2025-01-06T08:00:00Z"
DISTRICT = "demo-org-riverside"
SCHOOL = "demo-org-riverside-k8"
SISTER = "demo-org-oakhill"


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Uploaded bundles go to a temporary folder; progress to a cache of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    cache.clear()


def delta_rows(school: str = SCHOOL) -> dict[str, list[str]]:
    """A delta for Riverside K-8: a new term, course, class, teacher, student and parent."""
    active = f"active,{STAMP}"
    return {
        "orgs": [
            f"{DISTRICT},{active},Riverside Unified School District,district,,",
            f"{school},{active},Riverside K-8 School,school,RK8,{DISTRICT}",
        ],
        "academicSessions": [f"new-term,{active},Spring,term,2025-01-06,2025-06-13,,2025"],
        "courses": [f"new-course,{active},,Art 5,ART5,05,{school},,"],
        "classes": [
            f"new-class,{active},Art 5A,05,new-course,ART5A,scheduled,Studio,{school},new-term,,,2"
        ],
        "users": [
            f"new-teacher,{active},true,{school},teacher,hwong,,Hana,Wong,,,hwong@example.org,,,,,",
            f"new-student,{active},true,{school},student,tbaker,,Tom,Baker,,,,,,,05,",
            f"new-parent,{active},true,{school},parent,rbaker,,Rosa,Baker,,,rbaker@example.org,,,new-student,,",
        ],
        "enrollments": [
            f"new-e1,{active},new-class,{school},new-teacher,teacher,true,,",
            f"new-e2,{active},new-class,{school},new-student,student,false,,",
        ],
    }


def school_delta_rows() -> dict[str, list[str]]:
    """Riverside K-8's own delta: ``delta_rows`` without the new term (terms belong to the
    district, whose roster creates them), its new class in the district's school year."""
    rows = delta_rows()
    del rows["academicSessions"]
    rows["classes"] = [row.replace(",new-term,", ",demo-session-year,") for row in rows["classes"]]
    return rows


def bundle_bytes(rows: dict[str, list[str]], mode: str = "delta") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", manifest(dict.fromkeys(rows, mode)))
        for kind, kind_rows in rows.items():
            archive.writestr(f"{kind}.csv", csv_text(kind, kind_rows))
    return buffer.getvalue()


def zip_upload(content: bytes | None = None, name: str = "roster.zip") -> SimpleUploadedFile:
    data = bundle_bytes(delta_rows()) if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/zip")


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def upload(client: Client, capture, org, file=None):
    with capture(execute=True):
        return client.post(
            reverse("rostering:upload"),
            {"organisation": org.pk, "file": file or zip_upload()},
        )


def confirm(client: Client, capture, roster_import: RosterImport):
    """Confirm, let the apply run, then open the page the confirm redirects to."""
    with capture(execute=True):
        response = client.post(reverse("rostering:confirm", args=[roster_import.pk]))
    assert response.status_code == 302
    return client.get(response["Location"])


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


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
        roster_import = _validated_import(personas, django_capture_on_commit_callbacks)
        services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=personas.priya)

        with pytest.raises(services.ImportRefusedError, match="already been confirmed"):
            services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=personas.priya)

    def test_a_task_delivered_twice_does_its_work_once(
        self, personas, django_capture_on_commit_callbacks
    ):
        roster_import = _validated_import(personas, django_capture_on_commit_callbacks)
        checked_at = RosterImport.objects.get(pk=roster_import.pk).validated_at

        services.roster_import_validate(import_id=roster_import.pk)
        services.roster_import_apply(import_id=roster_import.pk)  # not confirmed: nothing

        again = RosterImport.objects.get(pk=roster_import.pk)
        assert (again.status, again.validated_at) == (ImportStatus.VALIDATED, checked_at)
        assert not User.objects.filter(sourced_id="new-student").exists()


def _validated_import(personas, capture) -> RosterImport:
    with capture(execute=True):
        roster_import = services.roster_import_create(
            uploaded_by=personas.priya, organisation=personas.district, upload=zip_upload()
        )
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.VALIDATED
    return roster_import


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


# --- a school admin's bundle --------------------------------------------------------------


class TestSchoolAdminScope:
    def test_school_admin_imports_their_school(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        signed_in(client, personas.nguyen)
        upload(client, django_capture_on_commit_callbacks, personas.school,
               zip_upload(bundle_bytes(school_delta_rows())))  # fmt: skip

        roster_import = RosterImport.objects.get()
        assert roster_import.organisation == personas.school
        assert roster_import.status == ImportStatus.VALIDATED, roster_import.report
        confirm(client, django_capture_on_commit_callbacks, roster_import)
        roster_import.refresh_from_db()
        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert User.objects.get(sourced_id="new-student").username == "tbaker"

    def test_bundle_with_another_school_is_rejected_for_a_school_admin(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = delta_rows()
        rows["orgs"].append(f"{SISTER},active,{STAMP},Oak Hill Elementary,school,,{DISTRICT}")
        rows["users"].append(
            f"intruder,active,{STAMP},true,{SISTER},teacher,intr,,In,Truder,,,,,,,,"
        )
        signed_in(client, personas.nguyen)
        upload(client, django_capture_on_commit_callbacks, personas.school,
               zip_upload(bundle_bytes(rows)))  # fmt: skip

        roster_import = RosterImport.objects.get()
        assert roster_import.status == ImportStatus.REJECTED
        page = client.get(reverse("rostering:detail", args=[roster_import.pk])).content.decode()
        assert (
            f"organisation &quot;{SISTER}&quot; is neither Riverside K-8 School nor its district"
            in page
        )
        assert "Confirm and apply" not in page

    def test_changing_a_person_of_another_school_is_rejected(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = delta_rows()
        rows["users"].append(
            f"demo-user-park,active,{STAMP},true,{SCHOOL},teacher,park,,Min,Park,,,evil@example.org,,,,,"
        )
        signed_in(client, personas.nguyen)
        upload(client, django_capture_on_commit_callbacks, personas.school,
               zip_upload(bundle_bytes(rows)))  # fmt: skip

        roster_import = RosterImport.objects.get()
        assert roster_import.status == ImportStatus.REJECTED
        texts = [issue["message"] for issue in (roster_import.report or {})["errors"]]
        assert (
            '"demo-user-park" belongs to another school or district than Riverside K-8 School'
            in texts
        )
        personas.park.refresh_from_db()
        assert personas.park.email != "evil@example.org"

    def test_district_admin_may_import_a_bundle_with_several_schools(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = delta_rows()
        rows["orgs"].append(f"{SISTER},active,{STAMP},Oak Hill Elementary,school,,{DISTRICT}")
        signed_in(client, personas.priya)
        upload(client, django_capture_on_commit_callbacks, personas.district,
               zip_upload(bundle_bytes(rows)))  # fmt: skip

        assert RosterImport.objects.get().status == ImportStatus.VALIDATED

    def test_district_bundle_with_another_district_is_rejected(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = delta_rows()
        rows["orgs"].append(f"demo-org-lakeside,active,{STAMP},Lakeside District,district,,")
        signed_in(client, personas.priya)
        upload(client, django_capture_on_commit_callbacks, personas.district,
               zip_upload(bundle_bytes(rows)))  # fmt: skip

        roster_import = RosterImport.objects.get()
        assert roster_import.status == ImportStatus.REJECTED
        assert (roster_import.report or {})["errors"][0]["file"] == "orgs.csv"


# --- progress -----------------------------------------------------------------------------


class TestProgress:
    def test_progress_fragment_shows_the_cached_progress_and_keeps_polling(self, client, personas):
        roster_import = services.roster_import_create(
            uploaded_by=personas.priya, organisation=personas.district, upload=zip_upload()
        )  # its check is queued only once the upload is committed: still waiting here
        cache.set(
            services.progress_key(roster_import.pk),
            {"stage": "validating", "done": 40, "total": 100},
        )
        signed_in(client, personas.priya)
        url = reverse("rostering:detail", args=[roster_import.pk])

        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

        assert '<progress id="import-progress" max="100" value="40">40%</progress>' in fragment
        assert '<label for="import-progress">Reading and checking the files</label>' in fragment
        assert f'hx-get="{url}" hx-trigger="every 2s"' in fragment
        assert 'id="import-status-text" hx-swap-oob="innerHTML"' in fragment
        assert "<html" not in fragment

    def test_full_page_works_without_javascript(self, client, personas):
        roster_import = services.roster_import_create(
            uploaded_by=personas.priya, organisation=personas.district, upload=zip_upload()
        )
        signed_in(client, personas.priya)
        url = reverse("rostering:detail", args=[roster_import.pk])

        page = client.get(url).content.decode()

        assert 'aria-live="polite"' in page
        assert f'<a href="{url}">Refresh now</a>' in page
        assert '<progress id="import-progress">' in page  # nothing reported yet

    def test_polling_stops_once_the_check_is_done(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        roster_import = _validated_import(personas, django_capture_on_commit_callbacks)
        signed_in(client, personas.priya)
        url = reverse("rostering:detail", args=[roster_import.pk])

        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

        assert "hx-trigger" not in fragment
        assert "Confirm and apply" in fragment
        assert cache.get(services.progress_key(roster_import.pk)) is None

    def test_progress_writes_are_throttled(self, monkeypatch):
        clock = iter(i * 0.01 for i in range(10_000))
        monkeypatch.setattr(services.time, "monotonic", lambda: next(clock))
        writes = []

        class CountingCache:
            def set(self, key, value, timeout):
                writes.append(value)

        monkeypatch.setattr(services, "cache", CountingCache())
        progress = services.ProgressRecorder(7)

        for done in range(1001):
            progress("planning", done, 1000)  # ten seconds of calls, one every 10 ms

        assert 20 <= len(writes) <= 25
        assert writes[-1] == {"stage": "planning", "done": 1000, "total": 1000}


# --- who may see what ---------------------------------------------------------------------


def _other_district_admin(personas) -> User:
    admin = community_services.person_create(
        username="lake-admin",
        first_name="Lee",
        last_name="Shore",
        role=Role.DISTRICT_ADMIN,
        organisation=personas.other_district,
        email="lee@staff.village.test",
    )
    assert OrgRole.objects.filter(user=admin, role=Role.DISTRICT_ADMIN).exists()
    return admin


NOBODY = ["park", "sam", "eve", "library", "ada", "rivera"]


class TestAccess:
    @pytest.fixture
    def district_import(self, personas, django_capture_on_commit_callbacks) -> RosterImport:
        return _validated_import(personas, django_capture_on_commit_callbacks)

    @pytest.mark.parametrize("name", ["priya", "nguyen"])
    def test_admins_see_the_list_and_the_upload_form(self, client, personas, name):
        signed_in(client, getattr(personas, name))

        assert client.get(reverse("rostering:list")).status_code == 200
        assert client.get(reverse("rostering:upload")).status_code == 200

    @pytest.mark.parametrize("name", NOBODY)
    def test_everyone_else_gets_404_on_every_page(
        self, client, personas, district_import, name, django_capture_on_commit_callbacks
    ):
        signed_in(client, getattr(personas, name))
        detail = reverse("rostering:detail", args=[district_import.pk])
        confirm_url = reverse("rostering:confirm", args=[district_import.pk])

        assert client.get(reverse("rostering:list")).status_code == 404
        assert client.get(reverse("rostering:upload")).status_code == 404
        response = upload(client, django_capture_on_commit_callbacks, personas.district)
        assert response.status_code == 404
        assert client.get(detail).status_code == 404
        assert client.get(detail, headers={"HX-Request": "true"}).status_code == 404
        assert client.post(confirm_url).status_code == 404
        assert RosterImport.objects.count() == 1
        assert RosterImport.objects.get().status == ImportStatus.VALIDATED

    def test_admin_of_another_district_gets_404_for_the_import(
        self, client, personas, district_import, django_capture_on_commit_callbacks
    ):
        signed_in(client, _other_district_admin(personas))
        detail = reverse("rostering:detail", args=[district_import.pk])

        assert client.get(detail).status_code == 404
        assert (
            client.post(reverse("rostering:confirm", args=[district_import.pk])).status_code == 404
        )
        listing = client.get(reverse("rostering:list"))
        assert listing.status_code == 200
        assert "No roster has been uploaded yet." in listing.content.decode()
        response = upload(client, django_capture_on_commit_callbacks, personas.district)
        assert "Select a valid choice" in response.content.decode()
        assert RosterImport.objects.count() == 1
        district_import.refresh_from_db()
        assert district_import.status == ImportStatus.VALIDATED

    def test_school_admin_gets_404_for_the_district_import(self, client, personas, district_import):
        signed_in(client, personas.nguyen)

        assert client.get(reverse("rostering:detail", args=[district_import.pk])).status_code == 404
        assert (
            client.post(reverse("rostering:confirm", args=[district_import.pk])).status_code == 404
        )
        assert (
            district_import.original_name
            not in client.get(reverse("rostering:list")).content.decode()
        )
        district_import.refresh_from_db()
        assert district_import.status == ImportStatus.VALIDATED

    def test_district_admin_sees_their_schools_imports(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        signed_in(client, personas.nguyen)
        upload(client, django_capture_on_commit_callbacks, personas.school,
               zip_upload(name="k8-only.zip"))  # fmt: skip
        school_import = RosterImport.objects.get()
        signed_in(client, personas.priya)

        assert "k8-only.zip" in client.get(reverse("rostering:list")).content.decode()
        assert client.get(reverse("rostering:detail", args=[school_import.pk])).status_code == 200

    def test_school_admin_cannot_upload_for_the_district(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        signed_in(client, personas.nguyen)

        response = upload(client, django_capture_on_commit_callbacks, personas.district)

        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not RosterImport.objects.exists()

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, personas, district_import):
        response = client.get(reverse("rostering:detail", args=[district_import.pk]))

        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_upload_needs_the_csrf_token(self, personas):
        client = Client(enforce_csrf_checks=True)
        client.force_login(personas.priya)

        response = client.post(
            reverse("rostering:upload"),
            {"organisation": personas.district.pk, "file": zip_upload()},
        )

        assert response.status_code == 403
        assert not RosterImport.objects.exists()

    def test_list_query_count_does_not_grow_with_imports(
        self, client, personas, django_assert_max_num_queries, django_capture_on_commit_callbacks
    ):
        for _ in range(3):
            _validated_import(personas, django_capture_on_commit_callbacks)
        signed_in(client, personas.priya)
        client.get(reverse("rostering:list"))  # warm up the session

        with django_assert_max_num_queries(8):
            response = client.get(reverse("rostering:list"))
        assert response.content.decode().count("roster.zip") == 3
