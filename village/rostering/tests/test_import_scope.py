"""What a roster import may reach: roles, enrolments and people of its own organisations only.

Principal Nguyen runs Riverside K-8. His roster must not make anyone an admin of the district,
enrol anyone in an Oak Hill class, give Mina (an Oak Hill student) a role or an enrolment at
Riverside, or give a new account the sign-in name or email address of someone he may not change:
each of those would let him, or an account he controls, see Oak Hill's children.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from village.accounts.models import User
from village.community.models import Enrollment, GuardianLink, OrgRole, Role
from village.community.policies import forget_roles, visible_students
from village.core.models import RosterStatus
from village.rostering import reach
from village.rostering.importer import build_plan, known_ids
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.plan import Context
from village.rostering.report import Report
from village.rostering.tests.builders import manifest
from village.rostering.tests.test_import_reach import (  # noqa: F401 (an autouse fixture)
    ACTIVE,
    _isolated_storage,
    imported,
)
from village.rostering.tests.uploads import DISTRICT, SCHOOL, bundle_bytes, zip_upload
from village.rostering.validate import validate_bundle

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.rostering.tests.upload_urls")]

ATTACKER = "attacker@example.org"
ROLES_HEADER = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
)


def errors_of(roster_import: RosterImport) -> list[tuple[str, int | None, str]]:
    return [
        (issue["file"], issue["line"], issue["message"])
        for issue in (roster_import.report or {})["errors"]
    ]


def new_parent_of_mina() -> str:
    return (
        f"new-parent,{ACTIVE},true,{SCHOOL},parent,newparent,,New,Parent,,,{ATTACKER},,,"
        "demo-user-mina,,"
    )


def sees_mina(personas, user: User) -> bool:
    forget_roles(user)
    return visible_students(user).filter(pk=personas.mina.pk).exists()


def roles_bundle(rows: list[str]) -> bytes:
    """A OneRoster 1.2 delta bundle of a roles.csv alone."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.csv", manifest({"roles": "delta"}, "1.2"))
        archive.writestr("roles.csv", "\n".join([ROLES_HEADER, *rows]) + "\n")
    return buffer.getvalue()


def imported_bundle(capture, admin: User, organisation, data: bytes) -> RosterImport:
    with capture(execute=True):
        roster_import = services_create(admin, organisation, data)
    roster_import.refresh_from_db()
    return roster_import


def services_create(admin: User, organisation, data: bytes) -> RosterImport:
    from village.rostering import services

    return services.roster_import_create(
        uploaded_by=admin, organisation=organisation, upload=zip_upload(data)
    )


def planned(tmp_path, organisation, rows: dict[str, list[str]]) -> Report:
    """The report of planning ``rows`` with ``organisation``'s reach, past the bundle's scope
    check: what the plan itself refuses (the command line plans the same way)."""
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle_bytes(rows))
    validation = validate_bundle(path, known_ids=known_ids)
    assert validation.ok, validation.report.errors
    ctx = Context(
        validation.roster,
        validation.report,
        timezone.localdate(),
        organisations=reach.importer_reach(organisation),
    )
    build_plan(ctx)
    return ctx.report


class TestRolesAtTheDistrict:
    def test_a_school_roster_cannot_make_its_admin_a_district_admin(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = (
            f'demo-user-nguyen,{ACTIVE},true,"{SCHOOL},{DISTRICT}",administrator,nguyen,,Linh,'
            "Nguyen,,,nguyen@staff.village.test,,,,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            (
                "users.csv",
                2,
                f'"{DISTRICT}" is not Riverside K-8 School: a school\'s roster gives people '
                "roles at that school only",
            )
        ]
        assert not OrgRole.objects.filter(user=personas.nguyen, role=Role.DISTRICT_ADMIN)
        assert not sees_mina(personas, personas.nguyen)

    def test_a_new_district_admin_account_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = f"evil,{ACTIVE},true,{DISTRICT},administrator,evil,,Evil,Admin,,,{ATTACKER},,,,,"
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert [(file, line) for file, line, _text in errors_of(roster_import)] == [
            ("users.csv", 2)
        ]
        assert not User.objects.filter(sourced_id="evil").exists()

    def test_the_plan_itself_refuses_a_role_outside_the_reach(self, personas, tmp_path):
        row = f"evil,{ACTIVE},true,{DISTRICT},administrator,evil,,Evil,Admin,,,{ATTACKER},,,,,"
        report = planned(tmp_path, personas.school, {"users": [row]})

        [error] = report.errors
        assert (error.code, error.file, error.line) == ("role_outside_reach", "users.csv", 2)
        assert f'"evil" would get the role district_admin at "{DISTRICT}"' in error.message

    def test_the_plan_refuses_a_teacher_role_at_another_school(self, personas, tmp_path):
        row = f"evil,{ACTIVE},true,demo-org-oakhill,teacher,evil,,Evil,T,,,{ATTACKER},,,,,"
        report = planned(tmp_path, personas.school, {"users": [row]})

        assert [(e.code, e.line) for e in report.errors] == [("role_outside_reach", 2)]

    def test_a_district_roster_gives_roles_at_a_school_it_creates(
        self, personas, django_capture_on_commit_callbacks
    ):
        rows = {
            "orgs": [f"new-school,{ACTIVE},New School,school,NS,{DISTRICT}"],
            "users": [
                f"new-teacher,{ACTIVE},true,new-school,teacher,newteacher,,New,Teacher,,,"
                "new.teacher@staff.village.test,,,,,"
            ],
        }
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.priya, personas.district, rows
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        assert OrgRole.objects.filter(
            user__sourced_id="new-teacher", organisation__sourced_id="new-school"
        ).exists()


class TestEnrolmentsReachTheirClassAndPerson:
    def test_enrolling_a_new_teacher_in_an_oak_hill_class_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        rows = {
            "users": [f"evil,{ACTIVE},true,{SCHOOL},teacher,evil,,Evil,T,,,{ATTACKER},,,,,"],
            "enrollments": [
                f"evil-e,{ACTIVE},{personas.sister_class.sourced_id},{SCHOOL},evil,teacher,true,,"
            ],
        }
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, rows
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            (
                "enrollments.csv",
                2,
                f'"{personas.sister_class.sourced_id}" belongs to another school or district '
                "than Riverside K-8 School",
            )
        ]
        assert not User.objects.filter(sourced_id="evil").exists()

    def test_enrolling_mina_in_a_riverside_class_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        rows = {
            "enrollments": [
                f"evil-e2,{ACTIVE},{personas.homeroom5.sourced_id},{SCHOOL},demo-user-mina,"
                "student,false,,"
            ]
        }
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, rows
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            (
                "enrollments.csv",
                2,
                '"demo-user-mina" belongs to another school or district than Riverside K-8 School',
            )
        ]
        assert not Enrollment.objects.filter(user=personas.mina, school_class=personas.homeroom5)
        assert not sees_mina(personas, personas.rivera)

    def test_taking_over_minas_oak_hill_enrolment_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        rows = {
            "enrollments": [
                f"evil-e3,{ACTIVE},{personas.sister_class.sourced_id},{SCHOOL},demo-user-mina,"
                "student,false,2025-01-01,2025-01-02"
            ]
        }
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, rows
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert {(file, line) for file, line, _text in errors_of(roster_import)} == {
            ("enrollments.csv", 2)
        }
        enrolment = Enrollment.objects.get(user=personas.mina, school_class=personas.sister_class)
        assert enrolment.status == RosterStatus.ACTIVE
        assert enrolment.end_date is None

    def test_the_plan_refuses_taking_over_an_enrolment_outside_the_reach(self, personas, tmp_path):
        rows = {
            "enrollments": [
                f"evil-e3,{ACTIVE},{personas.sister_class.sourced_id},{SCHOOL},demo-user-mina,"
                "student,false,2025-01-01,2025-01-02"
            ]
        }
        report = planned(tmp_path, personas.school, rows)

        assert [(e.code, e.file, e.line) for e in report.errors] == [
            ("enrollment_outside_reach", "enrollments.csv", 2)
        ]


class TestRolesFileNamesPeople:
    def test_giving_mina_a_riverside_role_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        data = roles_bundle([f"mina-rk8,{ACTIVE},demo-user-mina,secondary,student,,,{SCHOOL},"])
        roster_import = imported_bundle(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, data
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            (
                "roles.csv",
                2,
                '"demo-user-mina" belongs to another school or district than Riverside K-8 School',
            )
        ]
        assert not OrgRole.objects.filter(user=personas.mina, organisation=personas.school)
        assert not sees_mina(personas, personas.nguyen)

        # ... so Mina does not look shared, and no parent can be linked to her next.
        second = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [new_parent_of_mina()]},
        )
        assert second.status == ImportStatus.REJECTED
        assert not GuardianLink.objects.filter(student=personas.mina, guardian__email=ATTACKER)

    def test_the_district_gives_mina_a_riverside_role(
        self, personas, django_capture_on_commit_callbacks
    ):
        data = roles_bundle([f"mina-rk8,{ACTIVE},demo-user-mina,secondary,student,,,{SCHOOL},"])
        roster_import = imported_bundle(
            django_capture_on_commit_callbacks, personas.priya, personas.district, data
        )

        assert roster_import.status == ImportStatus.VALIDATED, roster_import.report


class TestPeopleWithNothingActive:
    def test_a_student_whose_roles_ended_still_belongs_to_her_school(
        self, personas, django_capture_on_commit_callbacks
    ):
        OrgRole.objects.filter(user=personas.mina).update(status=RosterStatus.INACTIVE)
        mina = (
            f"demo-user-mina,{ACTIVE},true,{SCHOOL},student,mina,,Mina,Sato,,,"
            "attacker2@example.org,,,,04,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks,
            personas.nguyen,
            personas.school,
            {"users": [new_parent_of_mina(), mina]},
        )

        assert roster_import.status == ImportStatus.REJECTED
        lines = {(file, line) for file, line, _text in errors_of(roster_import)}
        assert lines == {("users.csv", 2), ("users.csv", 3)}
        personas.mina.refresh_from_db()
        assert personas.mina.email != "attacker2@example.org"
        assert not User.objects.filter(sourced_id="new-parent").exists()

    def test_a_teacher_still_teaching_at_oak_hill_belongs_to_oak_hill(
        self, personas, django_capture_on_commit_callbacks
    ):
        OrgRole.objects.filter(user=personas.park).update(status=RosterStatus.INACTIVE)
        row = f"demo-user-park,{ACTIVE},true,{SCHOOL},teacher,park,,Min,Park,,,{ATTACKER},,,,,"
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.REJECTED
        personas.park.refresh_from_db()
        assert personas.park.email != ATTACKER

    def test_whose_account_an_import_may_change(self, personas):
        riverside = reach.importer_reach(personas.school)
        oak_hill = reach.importer_reach(personas.sister_school)
        district = reach.importer_reach(personas.district)
        # Mina's role and enrolment ended at Oak Hill: she still belongs to Oak Hill.
        OrgRole.objects.filter(user=personas.mina).update(status=RosterStatus.INACTIVE)
        Enrollment.objects.filter(user=personas.mina).update(status=RosterStatus.INACTIVE)
        # Someone no organisation ever held belongs to nobody's import.
        nobody = User.objects.create_user("nobody", sourced_id="demo-user-nobody")
        people = {personas.mina.pk, nobody.pk}

        assert reach.people_outside_reach(riverside, people) == people
        assert reach.people_outside_reach(oak_hill, people) == {nobody.pk}
        assert reach.people_outside_reach(district, people) == {nobody.pk}

    def test_someone_no_organisation_ever_held_is_named_but_not_changed(
        self, personas, django_capture_on_commit_callbacks
    ):
        """A counselor: the roster had a role for them that Village does not keep."""
        counselor = User.objects.create_user(
            "counselor", email="counselor@staff.village.test", sourced_id="demo-user-counselor"
        )
        row = (
            f"demo-user-counselor,{ACTIVE},true,{SCHOOL},teacher,counselor,,C,Ounselor,,,"
            f"{ATTACKER},,,,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.priya, personas.district, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
        [warning] = [
            issue
            for issue in (roster_import.report or {})["warnings"]
            if issue["code"] == "account_outside_reach"
        ]
        assert warning["line"] == 2
        counselor.refresh_from_db()
        assert counselor.email == "counselor@staff.village.test"
        assert OrgRole.objects.filter(user=counselor, organisation=personas.school).exists()


class TestCommandLineOrganisation:
    def test_the_scope_is_checked(self, personas, tmp_path):
        path = tmp_path / "bundle.zip"
        path.write_bytes(bundle_bytes({"users": [new_parent_of_mina()]}))
        out = io.StringIO()

        with pytest.raises(CommandError, match="nothing was imported"):
            call_command(
                "roster", "import", str(path), "--organisation", SCHOOL, stdout=out,
                stderr=io.StringIO(),
            )  # fmt: skip

        assert (
            'error: users.csv line 2: "demo-user-mina" belongs to another school or district'
            in out.getvalue()
        )
        assert not GuardianLink.objects.filter(student=personas.mina, guardian__email=ATTACKER)
        assert not User.objects.filter(sourced_id="new-parent").exists()


class TestSignInNamesAndEmails:
    def test_a_username_differing_only_in_case_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = f"dup,{ACTIVE},true,{SCHOOL},parent,OLGA,,O,S,,,dup@example.org,,,,,"
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            ("users.csv", 2, 'username "OLGA" of "dup" belongs to another Village account')
        ]
        assert not User.objects.filter(sourced_id="dup").exists()

    def test_two_rows_with_the_same_username_in_another_case_are_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        rows = [
            f"twin-a,{ACTIVE},true,{SCHOOL},parent,twin,,T,A,,,a@example.org,,,,,",
            f"twin-b,{ACTIVE},true,{SCHOOL},parent,Twin,,T,B,,,b@example.org,,,,,",
        ]
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": rows}
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert [line for _file, line, _text in errors_of(roster_import)] == [2, 3]

    def test_the_email_of_an_account_outside_the_reach_is_refused(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = f"dup,{ACTIVE},true,{SCHOOL},parent,dup,,O,S,,,OLGA@Families.village.test,,,,,"
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.REJECTED
        assert errors_of(roster_import) == [
            (
                "users.csv",
                2,
                'the email address of "dup" belongs to an account this import may not change',
            )
        ]
        assert not User.objects.filter(sourced_id="dup").exists()

    def test_a_new_account_may_share_the_address_of_a_family_inside_the_reach(
        self, personas, django_capture_on_commit_callbacks
    ):
        row = (
            f"sam-2,{ACTIVE},true,{SCHOOL},parent,sam2,,Sam,Okoye,,,SAM@families.village.test,,,,,"
        )
        roster_import = imported(
            django_capture_on_commit_callbacks, personas.nguyen, personas.school, {"users": [row]}
        )

        assert roster_import.status == ImportStatus.APPLIED, roster_import.report
