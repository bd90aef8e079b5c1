"""Whose account a roster import may change: people wholly inside the importer's organisations.

Olga has Maya at Riverside K-8 and Mina at Oak Hill. Principal Nguyen runs Riverside only: his
roster may add or end Olga's roles, enrolments and links at Riverside, never change her account,
or he could point her email at himself, reset her password and read Mina's page.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.authorization import client_for
from village.accounts.models import User
from village.community import services as community_services
from village.community.models import (
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
)
from village.core.models import RosterStatus
from village.rostering import services
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.uploads import SCHOOL, STAMP, bundle_bytes, zip_upload

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.rostering.tests.upload_urls")]

ACTIVE = f"active,{STAMP}"
ATTACKER = "nguyen.private@example.org"
OLGA_EMAIL = "olga@families.village.test"


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"},
    }
    cache.clear()


@pytest.fixture
def olga(personas) -> User:
    """Olga with a child at each school: Maya at Riverside K-8, Mina at Oak Hill."""
    community_services.guardian_link(guardian=personas.olga, student=personas.maya)
    assert set(
        OrgRole.objects.filter(user=personas.olga).values_list("organisation_id", flat=True)
    ) == {personas.school.pk, personas.sister_school.pk}
    return personas.olga


@pytest.fixture
def shared_teacher(personas) -> User:
    """Mr. Park teaches at Oak Hill and, this year, Grade 5 at Riverside too."""
    community_services.role_grant(
        user=personas.park, organisation=personas.school, role=Role.TEACHER
    )
    community_services.enrollment_add(
        user=personas.park, school_class=personas.homeroom5, role=EnrollmentRole.TEACHER
    )
    return personas.park


def olga_row(email: str = ATTACKER, status: str = ACTIVE) -> str:
    return (
        f"demo-user-olga,{status},true,{SCHOOL},parent,olga,,Olga,Sato,,,{email},,,demo-user-maya,,"
    )


def imported(
    capture, admin: User, organisation: Organisation, rows: dict[str, list[str]], mode="delta"
) -> RosterImport:
    """Upload ``rows`` as ``admin``, let the check run and, if it passes, confirm and apply."""
    with capture(execute=True):
        roster_import = services.roster_import_create(
            uploaded_by=admin,
            organisation=organisation,
            upload=zip_upload(bundle_bytes(rows, mode)),
        )
    roster_import.refresh_from_db()
    if roster_import.status == ImportStatus.VALIDATED:
        with capture(execute=True):
            services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=admin)
        roster_import.refresh_from_db()
    return roster_import


def warnings_of(roster_import: RosterImport) -> list[dict[str, object]]:
    return [
        issue
        for issue in (roster_import.report or {})["warnings"]
        if issue["code"] == "account_outside_reach"
    ]


def reset_password(client, address: str) -> None:
    client.post(reverse("accounts:password_reset"), {"email": address})


class TestSchoolAdminCannotTakeOverSharedAccounts:
    def test_changing_olgas_email_is_refused_and_warned(
        self, client, personas, olga, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [olga_row()]},
        )

        assert roster_import.status == ImportStatus.APPLIED
        assert (roster_import.plan or {})["users"]["updated"] == 0
        [warning] = warnings_of(roster_import)
        assert (warning["file"], warning["line"]) == ("users.csv", 2)
        assert '"demo-user-olga"' in str(warning["message"])
        assert "not changed: email" in str(warning["message"])
        olga.refresh_from_db()
        assert olga.email == OLGA_EMAIL
        assert olga.is_active
        assert mail.outbox == []

        reset_password(client, ATTACKER)
        assert mail.outbox == []
        assert not User.objects.filter(email=ATTACKER).exists()
        mina_page = reverse("families:child", args=[personas.mina.pk])
        assert client_for(personas.nguyen).get(mina_page).status_code == 404

    def test_the_check_does_not_count_the_change_it_will_not_make(
        self, client, personas, olga, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            roster_import = services.roster_import_create(
                uploaded_by=personas.nguyen,
                organisation=personas.school,
                upload=zip_upload(bundle_bytes({"users": [olga_row()]})),
            )
        roster_import.refresh_from_db()

        assert roster_import.status == ImportStatus.VALIDATED
        assert (roster_import.plan or {})["users"] == {"created": 0, "updated": 0, "deactivated": 0}
        client.force_login(personas.nguyen)
        page = client.get(reverse("rostering:detail", args=[roster_import.pk])).content.decode()
        assert "demo-user-olga" in page
        assert "does not change their account" in page

    def test_deleting_olga_in_a_delta_does_not_deactivate_her(
        self, personas, olga, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [f"demo-user-olga,tobedeleted,{STAMP},,,,,,,,,,,,,,,"]},
        )

        assert roster_import.status == ImportStatus.APPLIED
        assert (roster_import.plan or {})["users"]["deactivated"] == 0
        [warning] = warnings_of(roster_import)
        assert warning["line"] == 2
        assert "not deactivated" in str(warning["message"])
        olga.refresh_from_db()
        assert olga.is_active
        assert GuardianLink.objects.get(guardian=olga, student=personas.mina).status == (
            LinkStatus.ACTIVE
        )
        assert OrgRole.objects.get(user=olga, organisation=personas.sister_school).status == (
            RosterStatus.ACTIVE
        )
        # At Riverside she is gone: her role there ends.
        assert OrgRole.objects.get(user=olga, organisation=personas.school).status == (
            RosterStatus.INACTIVE
        )

    def test_a_snapshot_without_olga_withdraws_her_from_riverside_only(
        self, personas, olga, django_capture_on_commit_callbacks
    ):
        rows = {
            "orgs": [
                "demo-org-riverside,,,Riverside Unified School District,district,,",
                f"{SCHOOL},,,Riverside K-8 School,school,RK8,demo-org-riverside",
            ],
            "users": [
                f"demo-user-nguyen,,,true,{SCHOOL},administrator,nguyen,,Linh,Nguyen,,,"
                "nguyen@staff.village.test,,,,,",
            ],
        }
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, rows, "bulk"
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        olga.refresh_from_db()
        assert olga.is_active
        [warning] = warnings_of(roster_import)
        assert "not deactivated" in str(warning["message"])
        assert GuardianLink.objects.get(guardian=olga, student=personas.mina).status == (
            LinkStatus.ACTIVE
        )
        # Riverside's own people leave with the snapshot; nobody and nothing of Oak Hill or the
        # district does.
        assert not User.objects.get(pk=personas.rivera.pk).is_active
        for person in (personas.priya, personas.park, personas.mina, personas.library):
            assert User.objects.get(pk=person.pk).is_active
        assert Organisation.objects.get(pk=personas.sister_school.pk).status == RosterStatus.ACTIVE
        assert SchoolClass.objects.get(pk=personas.sister_class.pk).status == RosterStatus.ACTIVE

    def test_changing_the_username_of_a_teacher_shared_with_oak_hill_is_refused(
        self, personas, shared_teacher, django_capture_on_commit_callbacks
    ):
        row = (
            f"demo-user-park,{ACTIVE},true,{SCHOOL},teacher,nguyen-now,,Min,Park,,,"
            "park@staff.village.test,,,,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [row]},
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        [warning] = warnings_of(roster_import)
        assert "not changed: username" in str(warning["message"])
        shared_teacher.refresh_from_db()
        assert shared_teacher.username == "park"

    def test_changing_a_district_admins_email_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = f"demo-user-priya,{ACTIVE},true,{SCHOOL},teacher,priya,,Priya,Raman,,,{ATTACKER},,,,,"
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [row]},
        )

        # Priya belongs to the district only: a school's roster may not name her at all.
        assert roster_import.status == ImportStatus.REJECTED
        [error] = (roster_import.report or {})["errors"]
        assert (error["file"], error["line"]) == ("users.csv", 2)
        assert '"demo-user-priya" belongs to another school or district' in error["message"]
        personas.priya.refresh_from_db()
        assert personas.priya.email == "priya@staff.village.test"

    def test_linking_a_parent_to_another_schools_child_is_rejected(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = (
            f"new-parent,{ACTIVE},true,{SCHOOL},parent,newparent,,New,Parent,,,"
            f"{ATTACKER},,,demo-user-mina,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [row]},
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert not GuardianLink.objects.filter(student=personas.mina, guardian__email=ATTACKER)


class TestStaffAccounts:
    def test_a_roster_never_changes_an_account_that_opens_the_django_admin(
        self, personas, django_capture_on_commit_callbacks
    ):
        User.objects.filter(pk=personas.rivera.pk).update(is_staff=True)
        row = (
            f"demo-user-rivera,{ACTIVE},true,{SCHOOL},teacher,rivera,,Elena,Rivera,,,"
            f"{ATTACKER},,,,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [row]},
        )

        assert warnings_of(roster_import)
        personas.rivera.refresh_from_db()
        assert personas.rivera.email == "rivera@staff.village.test"


class TestSchoolAdminCannotChangeTheDistrict:
    def test_renaming_the_district_or_moving_its_year_is_refused_and_warned(
        self, personas, django_capture_on_commit_callbacks
    ):
        year = personas.year
        rows = {
            "orgs": [
                f"demo-org-riverside,{ACTIVE},Nguyen District,district,,",
                f"{SCHOOL},{ACTIVE},Riverside K-8 School,school,RK8,demo-org-riverside",
            ],
            "academicSessions": [
                f"demo-session-year,{ACTIVE},{year.title},schoolYear,{year.start_date},"
                f"2030-01-01,,{year.end_date.year}"
            ],
            "courses": [f"nguyen-course,{ACTIVE},demo-session-year,Art,ART,05,{SCHOOL},,"],
        }
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, rows
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        texts = [
            (issue["file"], issue["message"])
            for issue in (roster_import.report or {})["warnings"]
            if issue["code"] == "outside_reach"
        ]
        assert ("orgs.csv", '"demo-org-riverside" belongs to an organisation outside this '
                "import, so the import does not change it; not changed: name") in texts  # fmt: skip
        assert any(file == "academicSessions.csv" for file, _text in texts)
        personas.district.refresh_from_db()
        year.refresh_from_db()
        assert personas.district.name == "Riverside Unified School District"
        assert year.end_date != dt.date(2030, 1, 1)


class TestChangesInsideTheReach:
    def test_district_admin_changes_olgas_email_and_her_old_address_is_told(
        self, personas, olga, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"users": [olga_row("olga.sato@example.org")]},
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert (roster_import.plan or {})["users"]["updated"] == 1
        assert warnings_of(roster_import) == []
        olga.refresh_from_db()
        assert olga.email == "olga.sato@example.org"
        [notice] = mail.outbox
        assert notice.to == [OLGA_EMAIL]
        assert "email address of your Village account was changed" in notice.subject

    def test_school_admin_changes_someone_wholly_at_riverside_and_the_old_address_is_told(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = (
            f"demo-user-sam,{ACTIVE},true,{SCHOOL},parent,sam,,Sam,Okoye,,,"
            "sam.okoye@example.org,,,demo-user-ada,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [row]},
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert warnings_of(roster_import) == []
        personas.sam.refresh_from_db()
        assert personas.sam.email == "sam.okoye@example.org"
        assert [message.to for message in mail.outbox] == [["sam@families.village.test"]]

    def test_district_admin_deactivates_olga(
        self, personas, olga, django_capture_on_commit_callbacks
    ):
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.priya,
            personas.district,
            {"users": [f"demo-user-olga,tobedeleted,{STAMP},,,,,,,,,,,,,,,"]},
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        olga.refresh_from_db()
        assert not olga.is_active


class TestCommandLine:
    """``village roster import`` is the server operator's: every organisation, unless
    ``--organisation`` gives it the reach of one organisation's admin."""

    def write(self, tmp_path) -> str:
        path = tmp_path / "olga.zip"
        path.write_bytes(bundle_bytes({"users": [olga_row()]}))
        return str(path)

    def test_with_an_organisation_it_keeps_shared_accounts(self, personas, olga, tmp_path):
        out = io.StringIO()
        call_command(
            "roster", "import", self.write(tmp_path), "--organisation", SCHOOL, "--dry-run",
            stdout=out, stderr=io.StringIO(),
        )  # fmt: skip
        text = out.getvalue()
        assert 'warning: users.csv line 2: "demo-user-olga" also belongs' in text
        assert "users                    0         0            0" in text

        call_command(
            "roster", "import", self.write(tmp_path), "--organisation", SCHOOL,
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
        olga.refresh_from_db()
        assert olga.email == OLGA_EMAIL
        assert mail.outbox == []

    def test_an_unknown_organisation_is_refused(self, personas, tmp_path):
        with pytest.raises(CommandError, match='No organisation has the sourcedId "nowhere"'):
            call_command("roster", "import", self.write(tmp_path), "--organisation", "nowhere")

    def test_without_one_it_reaches_every_organisation_and_tells_the_old_address(
        self, personas, olga, tmp_path, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "roster", "import", self.write(tmp_path), stdout=io.StringIO(),
                stderr=io.StringIO(),
            )  # fmt: skip

        olga.refresh_from_db()
        assert olga.email == ATTACKER
        assert [message.to for message in mail.outbox] == [[OLGA_EMAIL]]
