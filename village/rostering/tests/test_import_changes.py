"""The changed records of an import: listed on its page (the first 100 of each kind and action),
all of them in a CSV download for exactly those who may see the import, and no confirm button
when there is nothing to apply."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.community import services as community_services
from village.community.models import Role
from village.rostering import services
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.uploads import (
    SCHOOL,
    STAMP,
    bundle_bytes,
    delta_rows,
    signed_in,
    zip_upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.rostering.tests.upload_urls")]

ACTIVE = f"active,{STAMP}"
EVERYONE_ELSE = ["park", "sam", "eve", "library", "ada", "rivera", "olga", "stone", "finn"]


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "c"},
    }
    cache.clear()


def sam_row(email: str = "sam.okoye@example.org") -> str:
    return f"demo-user-sam,{ACTIVE},true,{SCHOOL},parent,sam,,Sam,Okoye,,,{email},,,demo-user-ada,,"


def students(count: int) -> list[str]:
    return [
        f"pupil-{n:03},{ACTIVE},true,{SCHOOL},student,pupil{n:03},,Pupil,No{n:03},,,,,,,05,"
        for n in range(count)
    ]


def checked(capture, admin, organisation, rows) -> RosterImport:
    with capture(execute=True):
        roster_import = services.roster_import_create(
            uploaded_by=admin, organisation=organisation, upload=zip_upload(bundle_bytes(rows))
        )
    roster_import.refresh_from_db()
    return roster_import


def page_of(client, roster_import: RosterImport) -> str:
    return client.get(reverse("rostering:detail", args=[roster_import.pk])).content.decode()


def download(client, roster_import: RosterImport):
    return client.get(reverse("rostering:changes", args=[roster_import.pk]))


def csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


class TestChangedRecordsAreListed:
    def test_the_page_lists_new_and_updated_records_with_old_and_new_values(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = delta_rows()
        rows["users"].append(sam_row())
        roster_import = checked(
            django_capture_on_commit_callbacks, personas.priya, personas.district, rows
        )
        assert roster_import.status == ImportStatus.VALIDATED

        page = page_of(signed_in(client, personas.priya), roster_import)

        assert "The changed records" in page
        assert "People: updated (1)" in page
        assert "email: sam@families.village.test → sam.okoye@example.org" in page
        assert "People: new (3)" in page
        assert '<th scope="row">new-student</th>' in page
        assert "username: tbaker" in page
        assert "Classes: new (1)" in page
        assert "terms: new-term" in page
        assert "Confirm and apply" in page

    def test_the_page_shows_the_first_hundred_and_the_download_holds_all(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        roster_import = checked(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"users": students(105)},
        )
        signed_in(client, personas.priya)

        page = page_of(client, roster_import)
        assert "People: new (105)" in page
        assert "pupil-099" in page
        assert "pupil-100" not in page
        assert "and 5 more, in the download" in page
        assert reverse("rostering:changes", args=[roster_import.pk]) in page

        response = download(client, roster_import)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        lines = csv_rows(response)
        new_people = {
            line["record"]
            for line in lines
            if (line["kind"], line["change"]) == ("users", "created")
        }
        assert len(new_people) == 105
        assert {"kind": "users", "change": "created", "record": "pupil-104", "field": "username",
                "old value": "", "new value": "pupil104"} in lines  # fmt: skip

    def test_the_download_lists_old_and_new_values_and_defuses_formulas(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = {"users": [sam_row("=HYPERLINK|evil.test@example.org")]}  # a valid address
        roster_import = checked(
            django_capture_on_commit_callbacks, personas.priya, personas.district, rows
        )

        lines = csv_rows(download(signed_in(client, personas.priya), roster_import))

        [email] = [line for line in lines if line["field"] == "email"]
        assert email["record"] == "demo-user-sam"
        assert email["change"] == "updated"
        assert email["old value"] == "sam@families.village.test"
        assert email["new value"].startswith("'=HYPERLINK")

    def test_the_page_runs_as_many_queries_for_a_hundred_changes_as_for_one(
        self, client, personas, django_capture_on_commit_callbacks, django_assert_num_queries
    ):
        small = checked(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"users": [sam_row()]},
        )
        large = checked(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"users": [sam_row(), *students(150)]},
        )
        signed_in(client, personas.priya)
        page_of(client, small)  # the session, once

        with CaptureQueriesContext(connection) as small_queries:
            page_of(client, small)
        assert len(small_queries) <= 8
        with django_assert_num_queries(len(small_queries)):
            assert "pupil-099" in page_of(client, large)


class TestNothingToApply:
    def test_a_roster_matching_village_offers_no_confirm(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        rows = {"users": [sam_row()]}
        first = checked(django_capture_on_commit_callbacks, personas.priya, personas.district, rows)
        with django_capture_on_commit_callbacks(execute=True):
            services.roster_import_confirm(import_id=first.pk, confirmed_by=personas.priya)
        roster_import = checked(
            django_capture_on_commit_callbacks, personas.priya, personas.district, rows
        )
        assert roster_import.status == ImportStatus.VALIDATED
        assert roster_import.total_changes == 0
        signed_in(client, personas.priya)

        page = page_of(client, roster_import)
        assert "Confirm and apply" not in page
        assert "there is nothing to apply" in page
        assert "The changed records" not in page

        response = client.post(reverse("rostering:confirm", args=[roster_import.pk]), follow=True)
        assert "There is nothing to apply" in response.content.decode()
        roster_import.refresh_from_db()
        assert roster_import.status == ImportStatus.VALIDATED


def _admin_of(organisation, username: str, role: Role) -> User:
    return community_services.person_create(
        username=username,
        first_name="Other",
        last_name="Admin",
        role=role,
        organisation=organisation,
        email=f"{username}@staff.village.test",
    )


class TestWhoMayDownload:
    @pytest.fixture
    def district_import(self, personas, django_capture_on_commit_callbacks) -> RosterImport:
        return checked(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"users": [sam_row()]},
        )

    @pytest.fixture
    def school_import(self, personas, django_capture_on_commit_callbacks) -> RosterImport:
        return checked(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [sam_row()]},
        )

    @pytest.mark.parametrize("name", EVERYONE_ELSE)
    def test_everyone_but_the_admins_gets_404(
        self, client, personas, district_import, school_import, name
    ):
        signed_in(client, getattr(personas, name))

        assert download(client, district_import).status_code == 404
        assert download(client, school_import).status_code == 404

    def test_the_school_admin_gets_their_schools_list_not_the_districts(
        self, client, personas, district_import, school_import
    ):
        signed_in(client, personas.nguyen)

        assert download(client, school_import).status_code == 200
        assert download(client, district_import).status_code == 404

    def test_the_district_admin_gets_both(self, client, personas, district_import, school_import):
        signed_in(client, personas.priya)

        assert download(client, school_import).status_code == 200
        assert download(client, district_import).status_code == 200

    def test_admins_of_another_school_or_district_get_404(
        self, client, personas, district_import, school_import
    ):
        for admin in (
            _admin_of(personas.sister_school, "oak-admin", Role.SCHOOL_ADMIN),
            _admin_of(personas.other_district, "lake-admin", Role.DISTRICT_ADMIN),
        ):
            signed_in(client, admin)
            assert download(client, school_import).status_code == 404
            assert download(client, district_import).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, personas, district_import):
        response = download(client, district_import)

        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
