"""The roster upload pages: what a school admin's bundle may hold, the progress of a check,
and the rules on who sees what (a 404 for everyone else)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import OrgRole, Role
from village.rostering import services
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.uploads import (
    DISTRICT,
    SCHOOL,
    SISTER,
    STAMP,
    bundle_bytes,
    confirm,
    delta_rows,
    school_delta_rows,
    signed_in,
    upload,
    validated_import,
    zip_upload,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("village.rostering.tests.upload_urls"),
    pytest.mark.usefixtures("isolated_upload_storage"),
]


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
        roster_import = validated_import(personas, django_capture_on_commit_callbacks)
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
        return validated_import(personas, django_capture_on_commit_callbacks)

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
            validated_import(personas, django_capture_on_commit_callbacks)
        signed_in(client, personas.priya)
        client.get(reverse("rostering:list"))  # warm up the session

        with django_assert_max_num_queries(8):
            response = client.get(reverse("rostering:list"))
        assert response.content.decode().count("roster.zip") == 3
